-- Shared by the wrk scripts: keep-alive, DevOps auth, per-thread counters,
-- and a machine-readable RESULT line printed by done() for scripts/bench.
local common = {}

local threads = {}

function common.headers(content_type)
  wrk.headers["Connection"] = "keep-alive"
  wrk.headers["Authorization"] = "Basic ZGV2b3BzOmZvb2Jhcg=="  -- devops:foobar
  if content_type then wrk.headers["Content-Type"] = content_type end
end

function common.setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- `ok(status, body)` decides whether an answer counts as a success.
function common.response(ok)
  return function(status, headers, body)
    if not ok(status, body) then
      failures = (failures or 0) + 1
    end
  end
end

function common.done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + (thread:get("failures") or 0)
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p99_us":%d,"p999_us":%d,' ..
    '"failures":%d,"socket_errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50),
    latency:percentile(99), latency:percentile(99.9), failures,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

return common
