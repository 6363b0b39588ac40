-- Durable piggyback deleteConnection: each wrk thread deletes its own slice
-- of the data set's ids [BENCH_DELETE_FIRST, BENCH_DELETE_END), once each,
-- and stops when its slice is used up (the harness gives every run a fresh
-- slice, sized so that this rarely happens before the duration ends).
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
wrk.method = "POST"
wrk.path = "/devops/piggyback/connectivity"
local first = tonumber(os.getenv("BENCH_DELETE_FIRST") or "1000")
local last = tonumber(os.getenv("BENCH_DELETE_END") or "2000")
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local next_index = nil
local slice_end = nil
setup = common.setup
request = function()
  if next_index == nil then
    local size = math.floor((last - first) / threads)
    next_index = first + (thread_index or 0) * size
    slice_end = next_index + size
  end
  if next_index >= slice_end then
    wrk.thread:stop()
    next_index = slice_end - 1  -- answer this last call with a harmless repeat
  end
  local id = "bench-connection-" .. next_index
  next_index = next_index + 1
  return wrk.format(nil, nil, nil, common.id_command_body("deleteConnection", id))
end
response = common.response(common.piggyback_ok(204))
done = common.done
