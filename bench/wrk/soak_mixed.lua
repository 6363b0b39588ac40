-- The mixed workload of mixed.lua over a bounded set of ids, for scripts/soak: per wrk thread in
-- cycles of ten requests, 3 piggyback retrieveConnection, 3 REST GET /api/2/connections/{id} (of
-- the data set's first BENCH_CONNECTIONS), 2 piggyback modifyConnection (same ids), 1 create and
-- 1 delete. Creates and deletes cycle through BENCH_SOAK_IDS ids per thread
-- (soak-<thread>-<k>): an id is created only while it does not exist (never created, or its
-- delete answered) and deleted only once its create was answered (or answered 409: an earlier
-- run left it), so the ids are re-created minute after minute and the registry stays bounded,
-- as a leak test needs. Where no id is free
-- (or none is live), that slot reads instead. BENCH_DELAY_MS paces every connection (wrk's
-- delay()): scripts/soak sets it to hold the rate at half the measured maximum.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1000")
local pool = tonumber(os.getenv("BENCH_SOAK_IDS") or "512")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local run = "soak"
local counter = 0
local state = {}            -- k -> nil (free), "creating", "live", "deleting"
local live = {}             -- live ids in creation order (ring)
local live_first, live_last = 1, 0
local next_free = 0
local piggyback = common.piggyback_path
setup = common.setup

local function soak_id(k) return "soak-" .. (thread_index or 0) .. "-" .. k end

local function take_free()
  for _ = 1, pool do
    next_free = (next_free + 1) % pool
    if state[next_free] == nil then return next_free end
  end
  return nil
end

request = function()
  counter = counter + 1
  local slot = counter % 10
  local index = (counter * 7919 + (thread_index or 0) * 104729) % connections
  local id = "bench-connection-" .. index
  if slot == 8 then
    local k = take_free()
    if k then
      state[k] = "creating"
      return common.post(piggyback, common.create_body(soak_id(k), run))
    end
  elseif slot == 9 and live[live_first] ~= nil then
    local k = live[live_first]
    live[live_first] = nil
    live_first = live_first + 1
    state[k] = "deleting"
    return common.post(piggyback, common.id_command_body("deleteConnection", soak_id(k)))
  end
  if slot <= 2 or slot >= 8 then
    return common.post(piggyback, common.id_command_body("retrieveConnection", id))
  elseif slot <= 5 then
    return wrk.format("GET", "/api/2/connections/" .. id)
  end
  return common.post(piggyback, common.modify_body(index, counter))
end

local count_failures = common.response(common.any_ok)
response = function(status, headers, body)
  -- The id of a create or delete answer ("..." in answers, '...' in error messages).
  local k = tonumber(string.match(body, '"soak%-%d+%-(%d+)"') or string.match(body, "'soak%-%d+%-(%d+)'") or "")
  -- An id left existing by an earlier run (wrk starts every run with no state) answers 409: it
  -- exists, so it is deleted later; not a failure.
  local conflict = k ~= nil and string.find(body, "connection.conflict", 1, true) ~= nil
  if not conflict then count_failures(status, headers, body) end
  if k == nil then return end
  if conflict or string.find(body, "connectivity.responses:createConnection", 1, true) then
    if conflict or string.find(body, '"status":201', 1, true) then
      state[k] = "live"
      live_last = live_last + 1
      live[live_last] = k
    else
      state[k] = nil  -- not created: free again (the failure is counted)
    end
  elseif string.find(body, "connectivity.responses:deleteConnection", 1, true) then
    state[k] = nil
  end
end

-- wrk's delay() is whole milliseconds: a fractional BENCH_DELAY_MS alternates between the two
-- whole values around it, in the proportion that averages to it.
if delay_ms > 0 then
  local whole = math.floor(delay_ms)
  local fraction = delay_ms - whole
  delay = function()
    if math.random() < fraction then return whole + 1 end
    return whole
  end
end
done = common.done
