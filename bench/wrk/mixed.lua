-- A mixed workload, per wrk thread in cycles of ten requests:
--   3 piggyback retrieveConnection, 3 REST GET /api/2/connections/{id}
--   (of the data set's first BENCH_CONNECTIONS), 2 piggyback modifyConnection
--   (same ids), 1 piggyback createConnection of a new id, 1 piggyback
--   deleteConnection of the id this thread created ten cycles earlier.
-- 60% reads, 40% durable writes. A delete is generated at least 50 requests
-- after its create on the same thread, and by then the create has been
-- answered (a thread has at most one request in flight per connection and at
-- most 32 connections), so a delete never overtakes its create.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1000")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local counter = 0
local created = 0
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
  elseif slot == 8 or created <= 10 then
    created = created + 1
    return common.post(piggyback, common.create_body(created_id(created), run))
  else
    return common.post(piggyback, common.id_command_body("deleteConnection", created_id(created - 10)))
  end
end
response = common.response(common.any_ok)
done = common.done
