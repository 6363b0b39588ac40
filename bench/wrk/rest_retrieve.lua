-- REST GET /api/2/connections/{id} of the data set's first BENCH_CONNECTIONS
-- connections, in a fixed pseudo-random order (requests made once per thread).
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers(nil)
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1000")
local counter = 0
local requests = nil
setup = common.setup
request = function()
  if not requests then
    requests = common.prebuilt(connections, function(i)
      return wrk.format("GET", "/api/2/connections/bench-connection-" .. i)
    end)
  end
  counter = counter + 1
  return requests[(counter * 7919 + (thread_index or 0) * 104729) % connections]
end
response = common.response(function(status, body) return status == 200 end)
done = common.done
