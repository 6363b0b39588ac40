-- Durable piggyback createConnection: every request a new id, so every
-- request is one journal append synced before its answer.
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or "bench/wrk") .. "/?.lua"
local common = require("common")
common.headers("application/json")
wrk.method = "POST"
wrk.path = "/devops/piggyback/connectivity"
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local counter = 0
setup = common.setup
request = function()
  counter = counter + 1
  local id = "load-" .. run .. "-" .. (thread_index or 0) .. "-" .. counter
  local body = '{"targetActorSelection":"/system/sharding/connection","headers":{"aggregate":false},' ..
    '"piggybackCommand":{"type":"connectivity.commands:createConnection","connection":{"id":"' .. id ..
    '","name":"load test connection","connectionType":"amqp-091","connectionStatus":"closed",' ..
    '"uri":"amqp://bench:secret@127.0.0.1:5672/vhost","sources":[{"addresses":["telemetry/tenant/1",' ..
    '"telemetry/tenant/2"],"authorizationContext":["integration:bench"],"headerMapping":{' ..
    '"device-id":"{{ header:device_id }}"}}],"targets":[{"address":"events/{{ thing:id }}",' ..
    '"topics":["_/_/things/twin/events","_/_/things/live/messages"],"authorizationContext":' ..
    '["integration:bench-out"],"headerMapping":{"thing-id":"{{ thing:id }}"}}],' ..
    '"specificConfig":{"bench.run":"' .. run .. '"},"tags":["bench","load"]}}}'
  return wrk.format(nil, nil, nil, body)
end
response = common.response(function(status, body)
  return status == 200 and string.find(body, '"status":201', 1, true) ~= nil
end)
done = common.done
