-- Durable piggyback deleteConnection: each wrk thread deletes its own slice
-- of the data set's ids [BENCH_DELETE_FIRST, BENCH_DELETE_END), once each;
-- when its slice is used up it goes on with the ids the create run
-- BENCH_CREATED_RUN made on the same thread (piggyback_create.lua names
-- them load-<run>-<thread>-<n>). Should both run out, deletes answer 404 and
-- count as failures.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
local first = tonumber(os.getenv("BENCH_DELETE_FIRST") or "1000")
local last = tonumber(os.getenv("BENCH_DELETE_END") or "2000")
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local created_run = os.getenv("BENCH_CREATED_RUN") or "none"
local next_index = nil
local slice_end = nil
local created = 0
setup = common.setup
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
    -- wrk calls request() once on thread 0 to check the script before the
    -- run, and never sends that request: thread 0's first create id does
    -- not exist, so its fallback starts at the second.
    if created == 0 and (thread_index or 0) == 0 then created = 1 end
    created = created + 1
    id = "load-" .. created_run .. "-" .. (thread_index or 0) .. "-" .. created
  end
  return common.post(common.piggyback_path, common.id_command_body("deleteConnection", id))
end
response = common.response(common.piggyback_ok(204))
done = common.done
