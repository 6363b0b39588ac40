#!/usr/bin/env bash
# The cluster-mode figures of issue 14 (README, "Running a cluster"), on loopback, with
# scripts/cluster (3 etcd members, 3 instances) and build/connectivity-cluster-bench:
#   1. durable creates/s through the 3 instances vs the same transaction sent to etcd by a
#      plain client (etcd's ceiling here), alternating, and the single-node RocksDB server;
#   2. the linearizable read's cost: GET latency on the instances vs a --cluster-reads local one;
#   3. watch delay: a modify on one instance until another serves it;
#   4. failover: kill -9 of the instance owning the most of 3,000 open MQTT connections until
#      all are live again elsewhere (lease TTL 10 s, the default);
#   5. capacity: etcd's size per event after compaction and defragmentation.
# Everything it starts is stopped by PID at the end. Takes about 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CLUSTER_DIR=${CLUSTER_DIR:-${TMPDIR:-/tmp}/connectivity-cluster-figures}
BENCH=$ROOT/build/connectivity-cluster-bench
ENDPOINTS=127.0.0.1:23790,127.0.0.1:23800,127.0.0.1:23810
SECONDS_EACH=${SECONDS_EACH:-15}
ninja -C build connectivityd journal-replay connectivity-cluster-bench >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cluster-figures.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/cluster down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
etcdctl() { ETCDCTL_API=3 command etcdctl --endpoints "$ENDPOINTS" "$@"; }
live_open() {
  local port total=0 n
  for port in "$@"; do
    n=$(curl -s -m 2 "127.0.0.1:$port/metrics" | sed -n 's/^connectivity_connections_live{live_status="open"} //p')
    total=$((total + ${n:-0}))
  done
  echo $total
}

scripts/cluster down >/dev/null 2>&1 || true
scripts/cluster up --instances 3 >/dev/null
echo "# 1. durable creates/s (concurrency 64, ${SECONDS_EACH} s each, alternating)"
for round in 1 2 3; do
  "$BENCH" etcd-txns --endpoints "$ENDPOINTS" --seconds "$SECONDS_EACH" --concurrency 64
  "$BENCH" creates --ports 8081,8082,8083 --seconds "$SECONDS_EACH" --concurrency 64
done
build/connectivityd --data-dir "$WORK/single" --listen 127.0.0.1:18099 --threads 2 > "$WORK/single.log" 2>&1 &
PIDS+=($!)
sleep 2
"$BENCH" creates --ports 18099 --seconds "$SECONDS_EACH" --concurrency 64 | sed 's/"creates"/"creates-single-node-rocksdb"/'
kill "${PIDS[-1]}"

echo "# 2. read latency: linearizable instances, then a --cluster-reads local one"
build/connectivityd --journal "etcd://$ENDPOINTS" --data-dir "$WORK/local" --listen 127.0.0.1:8089 \
  --instance local --cluster-reads local > "$WORK/local.log" 2>&1 &
PIDS+=($!)
sleep 2
"$BENCH" reads --ports 8081,8082,8083 --seconds "$SECONDS_EACH" --concurrency 16
"$BENCH" reads --ports 8089 --seconds "$SECONDS_EACH" --concurrency 16 | sed 's/"reads"/"reads-local"/'
"$BENCH" reads --ports 8081 --seconds "$SECONDS_EACH" --concurrency 1 | sed 's/"reads"/"reads-one-client"/'
"$BENCH" reads --ports 8089 --seconds "$SECONDS_EACH" --concurrency 1 | sed 's/"reads"/"reads-local-one-client"/'

echo "# 3. watch delay (modify on 8081, read on the local instance)"
"$BENCH" watch-delay --ports 8081,8089 --count 300
kill "${PIDS[-1]}"

echo "# 4. failover (lease TTL 10 s)"
mkdir -p "$WORK/mqtt"
printf 'user root\nlistener 18831 127.0.0.1\nallow_anonymous true\nmax_connections -1\npersistence false\nlog_dest file %s/mqtt/mosquitto.log\nlog_type all\n' "$WORK" > "$WORK/mqtt/mosquitto.conf"
mosquitto -c "$WORK/mqtt/mosquitto.conf" > /dev/null 2>&1 &
PIDS+=($!)
sleep 0.5
for i in $(seq 1 3000); do
  curl -s -o /dev/null -u devops:foobar -X PUT -H 'Content-Type: application/json' \
    "127.0.0.1:$((8081 + i % 3))/api/2/connections/fail-$i" \
    -d '{"connectionType":"mqtt","connectionStatus":"open","uri":"tcp://127.0.0.1:18831","sources":[{"addresses":["a/#"],"qos":1,"authorizationContext":["ditto:inbound"]}]}'
done
for _ in $(seq 1 120); do [ "$(live_open 8081 8082 8083)" -ge 3000 ] && break; sleep 0.5; done
most=1 most_count=0
for i in 1 2 3; do
  n=$(live_open $((8080 + i)))
  [ "$n" -gt "$most_count" ] && most=$i most_count=$n
done
others=()
for i in 1 2 3; do [ "$i" -ne "$most" ] && others+=($((8080 + i))); done
start=$(date +%s%N)
scripts/cluster instance kill "$most"
until [ "$(live_open "${others[@]}")" -ge 3000 ]; do
  sleep 0.1
  if [ $(($(date +%s%N) - start)) -gt 60000000000 ]; then echo "not all live after 60 s"; break; fi
done
end=$(date +%s%N)
taken=$(grep -c 'already connected, closing old connection' "$WORK/mqtt/mosquitto.log" || true)
echo "{\"owned_by_killed\":$most_count,\"ms_to_all_live\":$(((end - start) / 1000000)),\"lease_ttl_s\":10,\"duplicate_client_takeovers\":$taken}"

echo "# 5. capacity: etcd's bytes per event (fresh cluster, ${SECONDS_EACH} s of creates, compacted, defragmented)"
for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
PIDS=()
scripts/cluster down >/dev/null 2>&1 || true
scripts/cluster up --instances 3 >/dev/null
"$BENCH" creates --ports 8081,8082,8083 --seconds "$SECONDS_EACH" --concurrency 64 >/dev/null
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
events=$(build/journal-replay --journal "etcd://$ENDPOINTS" stats --json | json "d['events']")
revision=$(etcdctl endpoint status -w json | json "d[0]['Status']['header']['revision']")
etcdctl compact "$revision" >/dev/null
etcdctl defrag >/dev/null
bytes=$(etcdctl endpoint status -w json | json "d[0]['Status']['dbSize']")
stored=$(curl -s -u devops:foobar "127.0.0.1:8081/api/2/connections?ids-only=true" | json "d[0]" | xargs -I{} curl -s -u devops:foobar "127.0.0.1:8081/api/2/connections/{}" | wc -c)
echo "{\"events\":$events,\"db_bytes\":$bytes,\"bytes_per_event\":$((bytes / events)),\"connection_json_bytes\":$stored,\"events_in_2GiB\":$((2147483648 / (bytes / events)))}"
