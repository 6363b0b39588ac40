-- Durable piggyback deleteConnection: each wrk thread deletes its own slice
-- of the data set's ids [BENCH_DELETE_FIRST, BENCH_DELETE_END), once each;
-- when its slice is used up it goes on with the ids that earlier create runs
-- made on the same thread (piggyback_create.lua names them
-- load-<run>-<thread>-<n>): BENCH_CREATED_RUNS lists their tags, newest
-- first. A run is used up at its first 404: that answer, and those of the
-- requests already in flight for the same run (at most one per connection),
-- count as "misses", not failures, and not in "rps" (deletes done per
-- second; "requests" counts them). Any other answer but 204, a 404 for a
-- data set id included, is a failure.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
local first = tonumber(os.getenv("BENCH_DELETE_FIRST") or "1000")
local last = tonumber(os.getenv("BENCH_DELETE_END") or "2000")
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local created_runs = {}
for tag in string.gmatch(os.getenv("BENCH_CREATED_RUNS") or "", "[^,]+") do
  created_runs[#created_runs + 1] = tag
end
local next_index = nil
local slice_end = nil
local run_index = 1        -- the created run in use
local created = 0          -- the last n sent for it
local used_up = {}         -- tags whose ids on this thread are all deleted
setup = common.setup

local function load_id()
  local tag = created_runs[run_index]
  if tag == nil then return "load-none-" .. (thread_index or 0) .. "-" .. created end
  created = created + 1
  -- wrk calls request() once on thread 0 to check the script and never
  -- sends that request: in every create run, thread 0's first id does not
  -- exist.
  if created == 1 and (thread_index or 0) == 0 then created = 2 end
  return "load-" .. tag .. "-" .. (thread_index or 0) .. "-" .. created
end

request = function()
  if next_index == nil then
    local size = math.floor((last - first) / threads)
    next_index = first + (thread_index or 0) * size
    slice_end = next_index + size
  end
  local id
  if next_index < slice_end then
    id = "bench-connection-" .. next_index
    next_index = next_index + 1
  else
    id = load_id()
  end
  return common.post(common.piggyback_path, common.id_command_body("deleteConnection", id))
end

local count_failures = common.response(common.piggyback_ok(204))
response = function(status, headers, body)
  if status == 200 and string.find(body, '"status":404', 1, true) then
    local tag = string.match(body, "ID 'load%-(.-)%-%d+%-%d+'")
    if tag then
      misses = (misses or 0) + 1
      if tag == created_runs[run_index] and not used_up[tag] then
        used_up[tag] = true
        run_index = run_index + 1
        created = 0
      end
      return
    end
  end
  count_failures(status, headers, body)
end
done = common.done
