-- REST GET /api/2/connections/{id} of the data set's connections, round robin.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers(nil)
wrk.method = "GET"
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1000")
local counter = 0
setup = common.setup
request = function()
  counter = counter + 1
  local id = "bench-connection-" .. ((counter * 7919 + (thread_index or 0) * 104729) % connections)
  return wrk.format(nil, "/api/2/connections/" .. id)
end
response = common.response(function(status, body) return status == 200 end)
done = common.done
