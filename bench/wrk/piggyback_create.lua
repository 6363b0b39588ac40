-- Durable piggyback createConnection: every request a new id, so every
-- request is one journal append synced before its answer. BENCH_RUN must
-- differ between runs against the same data dir (ids would conflict).
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local counter = 0
setup = common.setup
request = function()
  counter = counter + 1
  local id = "load-" .. run .. "-" .. (thread_index or 0) .. "-" .. counter
  return common.post(common.piggyback_path, common.create_body(id, run))
end
response = common.response(common.piggyback_ok(201))
done = common.done
