-- Piggyback retrieveConnection of the data set's connections, round robin.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
wrk.method = "POST"
wrk.path = "/devops/piggyback/connectivity"
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1000")
local counter = 0
setup = common.setup
request = function()
  counter = counter + 1
  local id = "bench-connection-" .. ((counter * 7919 + (thread_index or 0) * 104729) % connections)
  return wrk.format(nil, nil, nil, common.id_command_body("retrieveConnection", id))
end
response = common.response(common.piggyback_ok(200))
done = common.done
