-- Durable piggyback modifyConnection of the data set's connections, round
-- robin over the first BENCH_CONNECTIONS: every request one journal append
-- synced before its answer. The name changes with every request, so every
-- modify stores a different connection.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1000")
local counter = 0
setup = common.setup
request = function()
  counter = counter + 1
  local index = (counter * 7919 + (thread_index or 0) * 104729) % connections
  return common.post(common.piggyback_path, common.modify_body(index, counter))
end
response = common.response(common.piggyback_ok(204))
done = common.done
