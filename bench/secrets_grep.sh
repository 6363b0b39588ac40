#!/bin/bash
# Figure: grep -r of the data dir and of an export for a test password.
set -u
B=$(cd "$(dirname "$0")/.." && pwd)/build
W=$(mktemp -d /tmp/grepfig-XXXXXX)
KEY=$(openssl rand 32 | basenc --base64url)
PW=GrepT3stPassw0rd
# The connection's URI names a loopback broker that is never contacted (the connection stays closed).
URI="amqps://user:${PW}@127.0.0.1:5671"
start() { # $1 data dir, rest env
  local d=$1; shift
  env "$@" $B/connectivityd --listen 127.0.0.1:0 --data-dir $d > $W/out 2>$W/log & PID=$!
  for i in $(seq 100); do PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' $W/out); [ -n "$PORT" ] && break; sleep 0.1; done
  for i in $(seq 100); do curl -sf 127.0.0.1:$PORT/health >/dev/null && break; sleep 0.1; done
}
stop() { kill -TERM $PID; wait $PID; }
create() {
  curl -s -o /dev/null -w '%{http_code} ' -u devops:foobar -X PUT -H 'Content-Type: application/json' 127.0.0.1:$PORT/api/2/connections/$1 \
    -d '{"connectionType":"amqp-091","connectionStatus":"closed","uri":"'"$URI"'","sources":[{"addresses":["q"],"authorizationContext":["ditto:in"]}]}'
}
pb() { curl -s -u devops:foobar -H 'Content-Type: application/json' 127.0.0.1:$PORT/devops/piggyback/connectivity \
  -d '{"targetActorSelection":"/user/connectivityRoot/encryptionMigration","headers":{"aggregate":false},"piggybackCommand":{"type":"connectivity.commands:'$1'"}}'; }
ENC=(CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED=true CONNECTIVITY_CONNECTION_ENCRYPTION_KEY=$KEY CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE=0)
echo "== encryption on from the first write"
start $W/a "${ENC[@]}"; for i in $(seq 50); do create c$i; done; echo; stop
$B/journal-replay --data-dir $W/a export --output $W/a.jsonl >/dev/null
echo "grep -rl $PW data dir: $(grep -rl $PW $W/a | wc -l) files; export: $(grep -c $PW $W/a.jsonl) lines"
echo "== plaintext, then an initial-encryption migration"
start $W/b; for i in $(seq 50); do create c$i; done; echo; stop
echo "before: grep -rl $PW data dir: $(grep -rl $PW $W/b | wc -l) files"
start $W/b "${ENC[@]}"; pb migrateEncryption; echo
for i in $(seq 600); do S=$(pb migrateEncryptionStatus); echo "$S" | grep -q '"migrationActive":false' && break; sleep 0.1; done; echo "$S"
echo "while running, after completion: grep -rl $PW data dir: $(grep -rl $PW $W/b | wc -l) files"
stop
$B/journal-replay --data-dir $W/b export --output $W/b.jsonl >/dev/null
echo "after stop: grep -rl $PW data dir: $(grep -rl $PW $W/b | wc -l) files; export: $(grep -c $PW $W/b.jsonl) lines"
rm -rf $W
