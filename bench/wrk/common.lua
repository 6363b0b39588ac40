-- Shared by the wrk scripts: keep-alive, DevOps auth, per-thread counters,
-- requests, answer checks, and a machine-readable RESULT line printed by
-- done() for scripts/bench.
--
-- wrk and the server share this machine's two cores, so the client's own
-- CPU per request lowers every figure. GET /health is a static request
-- (wrk's fastest path); the scripts here come close to it by building each
-- request from templates made once (common.post, common.prebuilt) instead of
-- calling wrk.format, which rebuilds every header line per request.
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

-- A POST of `body` to `path` with the headers of common.headers(): the
-- same bytes as wrk.format("POST", path, nil, body).
local heads = {}
function common.post(path, body)
  local head = heads[path]
  if not head then
    local sample = wrk.format("POST", path, nil, "X")
    local first, last = string.find(sample, "Content-Length: 1\r\n", 1, true)
    head = {string.sub(sample, 1, first + 15), string.sub(sample, last - 1, #sample - 1)}
    heads[path] = head
  end
  return head[1] .. #body .. head[2] .. body
end

-- `count` requests made once per thread by make(i), i = 0 .. count - 1.
function common.prebuilt(count, make)
  local requests = {}
  for i = 0, count - 1 do requests[i] = make(i) end
  return requests
end

common.piggyback_path = "/devops/piggyback/connectivity"

local envelope_head = '{"targetActorSelection":"/system/sharding/connection","headers":{"aggregate":false},' ..
  '"piggybackCommand":{"type":"connectivity.commands:'

-- A piggyback command that names one connection (retrieve, delete, open, ...).
function common.id_command_body(command, id)
  return envelope_head .. command .. '","connectionId":"' .. id .. '"}}'
end

-- The connection of the create and modify bodies, from "name" on: about
-- 900 bytes of JSON with a source, a target, header mappings and
-- placeholders.
local function connection_rest(tag)
  return '","connectionType":"amqp-091",' ..
    '"connectionStatus":"closed","uri":"amqp://bench:secret@127.0.0.1:5672/vhost",' ..
    '"sources":[{"addresses":["telemetry/tenant/1","telemetry/tenant/2"],' ..
    '"authorizationContext":["integration:bench"],"headerMapping":{' ..
    '"device-id":"{{ header:device_id }}"}}],"targets":[{"address":"events/{{ thing:id }}",' ..
    '"topics":["_/_/things/twin/events","_/_/things/live/messages"],"authorizationContext":' ..
    '["integration:bench-out"],"headerMapping":{"thing-id":"{{ thing:id }}"}}],' ..
    '"specificConfig":{"bench.run":"' .. tag .. '"},"tags":["bench","load"]}}}'
end

local create_head = envelope_head .. 'createConnection","connection":{"id":"'
local create_tails = {}
function common.create_body(id, run)
  local tail = create_tails[run]
  if not tail then
    tail = '","name":"load test connection' .. connection_rest(run)
    create_tails[run] = tail
  end
  return create_head .. id .. tail
end

-- Modifies data-set connection `index` (same id and type, a new name).
local modify_head = envelope_head .. 'modifyConnection","connection":{"id":"bench-connection-'
local modify_tail = connection_rest("modify")
function common.modify_body(index, counter)
  return modify_head .. index .. '","name":"modified ' .. counter .. modify_tail
end

-- HTTP 200 with the piggyback's own status `expected` (its first "status").
function common.piggyback_ok(expected)
  local wanted = tostring(expected)
  return function(status, body)
    return status == 200 and string.match(body, '"status":(%d+)') == wanted
  end
end

-- Any 2xx answer whose first "status" member, if any, is below 400 (mixed).
function common.any_ok(status, body)
  if status < 200 or status >= 300 then return false end
  local inner = string.match(body, '"status":(%d+)')
  return inner == nil or tonumber(inner) < 400
end

-- `ok(status, body)` decides whether an answer counts as a success; the
-- first failure of each thread is kept for the report.
function common.response(ok)
  return function(status, headers, body)
    if not ok(status, body) then
      failures = (failures or 0) + 1
      if not first_failure then
        first_failure = tostring(status) .. " " .. string.sub(body or "", 1, 160)
      end
    end
  end
end

local function json_string(text)
  return '"' .. string.gsub(text, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

function common.done(summary, latency, requests)
  local failures = 0
  local misses = 0
  local first_failure = nil
  for _, thread in ipairs(threads) do
    failures = failures + (thread:get("failures") or 0)
    misses = misses + (thread:get("misses") or 0)
    first_failure = first_failure or thread:get("first_failure")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p99_us":%d,"p999_us":%d,' ..
    '"failures":%d,"misses":%d,"socket_errors":%d,"first_failure":%s}\n',
    summary.requests, seconds, (summary.requests - misses) / seconds, latency:percentile(50),
    latency:percentile(99), latency:percentile(99.9), failures, misses,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    first_failure and json_string(first_failure) or "null"))
end

return common
