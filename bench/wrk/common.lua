-- Shared by the wrk scripts: keep-alive, DevOps auth, per-thread counters,
-- request bodies, answer checks, and a machine-readable RESULT line printed
-- by done() for scripts/bench.
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

local envelope_head = '{"targetActorSelection":"/system/sharding/connection","headers":{"aggregate":false},' ..
  '"piggybackCommand":{"type":"connectivity.commands:'

-- A piggyback command that names one connection (retrieve, delete, open, ...).
function common.id_command_body(command, id)
  return envelope_head .. command .. '","connectionId":"' .. id .. '"}}'
end

-- The connection of the create and modify bodies: about 900 bytes of JSON
-- with a source, a target, header mappings and placeholders.
local function connection_json(id, name, tag)
  return '{"id":"' .. id .. '","name":"' .. name .. '","connectionType":"amqp-091",' ..
    '"connectionStatus":"closed","uri":"amqp://bench:secret@127.0.0.1:5672/vhost",' ..
    '"sources":[{"addresses":["telemetry/tenant/1","telemetry/tenant/2"],' ..
    '"authorizationContext":["integration:bench"],"headerMapping":{' ..
    '"device-id":"{{ header:device_id }}"}}],"targets":[{"address":"events/{{ thing:id }}",' ..
    '"topics":["_/_/things/twin/events","_/_/things/live/messages"],"authorizationContext":' ..
    '["integration:bench-out"],"headerMapping":{"thing-id":"{{ thing:id }}"}}],' ..
    '"specificConfig":{"bench.run":"' .. tag .. '"},"tags":["bench","load"]}'
end

function common.create_body(id, run)
  return envelope_head .. 'createConnection","connection":' ..
    connection_json(id, "load test connection", run) .. '}}'
end

-- Modifies data-set connection `index` (same id and type, a new name).
function common.modify_body(index, counter)
  return envelope_head .. 'modifyConnection","connection":' ..
    connection_json("bench-connection-" .. index, "modified " .. counter, "modify") .. '}}'
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
