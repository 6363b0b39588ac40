-- A mixed workload, per wrk thread in cycles of ten requests:
--   3 piggyback retrieveConnection, 3 REST GET /api/2/connections/{id}
--   (of the data set's first BENCH_CONNECTIONS), 2 piggyback modifyConnection
--   (same ids), 1 piggyback createConnection of a new id, 1 piggyback
--   deleteConnection of the oldest id this thread created whose create has
--   been answered (another create while there is none).
-- 60% reads, 40% durable writes. A delete only names an id read back from a
-- 201 answer: with up to 32 requests in flight per thread, a create stuck
-- behind a slow fsync could otherwise still be pending when its delete goes
-- out (a counter lag of ten cycles once gave a 404).
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1000")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local counter = 0
local created = 0
local answered = {}        -- ids whose create got its 201, oldest first
local answered_first, answered_last = 1, 0
local piggyback = common.piggyback_path
setup = common.setup

local function created_id(n)
  return "mixed-" .. run .. "-" .. (thread_index or 0) .. "-" .. n
end

request = function()
  counter = counter + 1
  local slot = counter % 10
  local index = (counter * 7919 + (thread_index or 0) * 104729) % connections
  local id = "bench-connection-" .. index
  if slot <= 2 then
    return common.post(piggyback, common.id_command_body("retrieveConnection", id))
  elseif slot <= 5 then
    return wrk.format("GET", "/api/2/connections/" .. id)
  elseif slot <= 7 then
    return common.post(piggyback, common.modify_body(index, counter))
  elseif slot == 8 or answered[answered_first] == nil then
    created = created + 1
    return common.post(piggyback, common.create_body(created_id(created), run))
  else
    local id = answered[answered_first]
    answered[answered_first] = nil
    answered_first = answered_first + 1
    return common.post(piggyback, common.id_command_body("deleteConnection", id))
  end
end
local count_failures = common.response(common.any_ok)
response = function(status, headers, body)
  count_failures(status, headers, body)
  if string.find(body, '"connectivity.responses:createConnection","status":201', 1, true) then
    local id = string.match(body, '"id":"(mixed%-[^"]+)"')
    if id then
      answered_last = answered_last + 1
      answered[answered_last] = id
    end
  end
end
done = common.done
