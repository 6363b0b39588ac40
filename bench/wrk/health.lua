-- GET /health with keep-alive: the HTTP ceiling of this machine.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers(nil)
wrk.method = "GET"
wrk.path = "/health"
setup = common.setup
response = common.response(function(status, body) return status == 200 end)
done = common.done
