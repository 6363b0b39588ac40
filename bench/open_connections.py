#!/usr/bin/env python3
"""Open connections of every protocol on one connectivityd: time from
process start until all are live, server threads (at rest and peak), RSS
per open connection, and optionally a broker restart with everything open.

    scripts/brokers start && eval "$(scripts/brokers env)"
    python3 bench/open_connections.py --mqtt 2000 --amqp091 2000 --amqp10 500 --http 500 \
        [--kafka 0] [--sources 1] [--starts 1] [--restart rabbitmq|mosquitto] [--test-runs N]
        [--build build]

Brokers: Mosquitto's anonymous listener (127.0.0.1:1884), RabbitMQ
(guest/guest on $CONNECTIVITY_RABBITMQ_PORT, AMQP 0.9.1 and 1.0), the Kafka
mock ($CONNECTIVITY_KAFKA_BOOTSTRAP), and an HTTP server this script runs
on 127.0.0.1 (answers every request 200). MQTT connections have --sources
sources (subscribed to and unsubscribed from at every connect, the address
checks of src/connect/address.h); AMQP 0.9.1 ones one source, a queue this
script declares passively checked at every connect (--sources 0: none).

The first run creates the connections through piggyback createConnection
on a fresh data dir (not timed); each timed start then recovers them and
the server opens them by itself. "Live" is the server's own figure:
connectivity_connections_live{live_status="open"} of GET /metrics.
Baseline for RSS per connection: the same binary on an empty data dir
(RSS after 2 s). Threads: /proc/PID/status, sampled every 10 ms.

--restart NAME stops and starts that broker (scripts/brokers) with all
open, then reports the time until all are live again, peak threads, the
peak of connect attempts per second (connections leaving "open" and coming
back, from the live count), and GET /api/2/connections/{id} p50/p99 at
rest vs during the reconnect.
--test-runs N: test connection (POST /api/2/connections?dry-run=true)
p50/p99 per protocol in the mix, on the empty server and with all open.
Standard library only; nothing but 127.0.0.1 is contacted.
"""
import argparse
import base64
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

AUTH = "Basic " + base64.b64encode(b"devops:foobar").decode()
MOSQUITTO_ANONYMOUS = "tcp://127.0.0.1:1884"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self, binary, data_dir):
        self.started = time.monotonic()
        self.log = open(data_dir.rstrip("/") + ".log", "ab")
        self.process = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--data-dir", data_dir],
                                        stdout=subprocess.PIPE, stderr=self.log)
        match = re.search(r"listening on [\d.]+:(\d+)", self.process.stdout.readline().decode())
        if not match:
            self.stop()
            raise RuntimeError(f"connectivityd did not start; see {self.log.name}")
        self.base = f"http://127.0.0.1:{match.group(1)}"

    def seconds(self):
        return time.monotonic() - self.started

    def wait_up(self, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=1) as answer:
                    if answer.status == 200:
                        return self.seconds()
            except OSError:
                time.sleep(0.005)
        raise RuntimeError("connectivityd never became ready")

    def live_open(self):
        with urllib.request.urlopen(self.base + "/metrics", timeout=5) as answer:
            text = answer.read().decode()
        match = re.search(r'connectivity_connections_live\{live_status="open"\} (\d+)', text)
        return int(match.group(1)) if match else 0

    def create(self, connection):
        body = {"targetActorSelection": "/system/sharding/connection", "headers": {"aggregate": False},
                "piggybackCommand": {"type": "connectivity.commands:createConnection", "connection": connection}}
        request = urllib.request.Request(self.base + "/devops/piggyback/connectivity", data=json.dumps(body).encode(),
                                         headers={"Authorization": AUTH, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            reply = json.load(answer)
        if reply["status"] != 201:
            raise RuntimeError(f"create {connection['id']}: {json.dumps(reply)[:500]}")

    def get_ms(self, connection_id):
        request = urllib.request.Request(f"{self.base}/api/2/connections/{connection_id}",
                                         headers={"Authorization": AUTH})
        start = time.monotonic()
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
        return (time.monotonic() - start) * 1000

    def test_ms(self, connection):
        """POST /api/2/connections?dry-run=true (test connection); milliseconds, or raises."""
        request = urllib.request.Request(f"{self.base}/api/2/connections?dry-run=true",
                                         data=json.dumps(connection).encode(), method="POST",
                                         headers={"Authorization": AUTH, "Content-Type": "application/json"})
        start = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
        return (time.monotonic() - start) * 1000

    def proc_status(self, field):
        with open(f"/proc/{self.process.pid}/status") as status:
            return int(re.search(field + r":\s+(\d+)", status.read()).group(1))

    def rss_kib(self):
        return self.proc_status("VmRSS")

    def threads(self):
        return self.proc_status("Threads")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=120)
        self.log.close()


class ThreadSampler:
    """Peak of the server's thread count, sampled every 10 ms until stop()."""

    def __init__(self, server):
        self.server, self.peak, self.running = server, 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, self.server.threads())
            except (OSError, AttributeError):
                pass
            time.sleep(0.01)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak


class QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = do_POST = answer

    def log_message(self, *args):
        pass


class HttpServer(http.server.ThreadingHTTPServer):
    request_queue_size = 4096  # socketserver's default backlog of 5 drops SYNs under a burst of checks


def http_server():
    server = HttpServer(("127.0.0.1", 0), QuietHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sources(addresses):
    return [{"addresses": [address], "qos": 0, "authorizationContext": ["bench:open"]} for address in addresses]


def target(address):
    return {"address": address, "topics": ["_/_/things/twin/events"], "authorizationContext": ["bench:open"]}


def connections(args, http_port):
    rabbit = "amqp://guest:guest@127.0.0.1:" + os.environ.get("CONNECTIVITY_RABBITMQ_PORT", "5672")
    kafka = os.environ.get("CONNECTIVITY_KAFKA_BOOTSTRAP", "")
    out = []
    for i in range(args.mqtt):
        out.append({"id": f"open-{i:05d}", "connectionType": "mqtt", "connectionStatus": "open",
                    "uri": MOSQUITTO_ANONYMOUS,
                    "sources": sources([f"bench/{i}/{s}" for s in range(args.sources)])})
    for i in range(args.amqp091):
        out.append({"id": f"amqp091-{i:05d}", "connectionType": "amqp-091", "connectionStatus": "open",
                    "uri": rabbit, "sources": sources(["bench-open"] if args.sources else []),
                    "targets": [target("amq.topic/bench")]})
    for i in range(args.amqp10):
        out.append({"id": f"amqp10-{i:05d}", "connectionType": "amqp-10", "connectionStatus": "open",
                    "uri": rabbit, "targets": [target("/exchange/amq.topic/bench")]})
    for i in range(args.http):
        out.append({"id": f"http-{i:05d}", "connectionType": "http-push", "connectionStatus": "open",
                    "uri": f"http://127.0.0.1:{http_port}",
                    "targets": [target("POST:/bench")]})
    for i in range(args.kafka):
        if not kafka:
            raise RuntimeError("--kafka needs CONNECTIVITY_KAFKA_BOOTSTRAP (eval \"$(scripts/brokers env)\")")
        out.append({"id": f"kafka-{i:05d}", "connectionType": "kafka", "connectionStatus": "open",
                    "uri": "tcp://" + kafka, "specificConfig": {"bootstrapServers": kafka},
                    "targets": [target("bench-open")]})
    return out


def declare_bench_queue():
    subprocess.run([os.path.join(ROOT, "scripts/brokers"), "rabbitmqctl", "-q", "eval",
                    '{ok, _} = rabbit_amqqueue:declare(rabbit_misc:r(<<"/">>, queue, <<"bench-open">>), '
                    'true, false, [], none, <<"bench">>), ok.'],
                   check=False, capture_output=True)


def wait_all_live(server, count, timeout_s=180):
    deadline = time.monotonic() + timeout_s
    while (live := server.live_open()) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {live} of {count} open after {timeout_s} s")
        time.sleep(0.01)


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


def test_latencies(server, wanted, runs):
    """Test connection p50/p99 per protocol: one connection of each type in `wanted`, `runs` times."""
    figures, seen = [], set()
    for connection in wanted:
        kind = connection["connectionType"]
        if kind in seen:
            continue
        seen.add(kind)
        body = dict(connection, id="dry-run")
        ms = [server.test_ms(body) for _ in range(runs)]
        figures.append(f"{kind} p50 {percentile(ms, 0.5):.1f} ms p99 {percentile(ms, 0.99):.1f} ms")
    return "; ".join(figures)


def baseline(binary, work, wanted, runs):
    """RSS and threads of the same server with no connections, and its test-connection latency."""
    server = Server(binary, os.path.join(work, "empty"))
    try:
        server.wait_up()
        time.sleep(2)
        rss, threads = server.rss_kib(), server.threads()
        if runs:
            print(f"test connection, empty server ({runs} each): {test_latencies(server, wanted, runs)}")
        return rss, threads
    finally:
        server.stop()


def restart_broker(server, name, count, ids):
    """Restarts broker `name` with every connection open; prints the reconnect figures."""
    at_rest = [server.get_ms(ids[i % len(ids)]) for i in range(200)]
    during, stop_probe = [], threading.Event()

    def probe():
        i = 0
        while not stop_probe.is_set():
            during.append(server.get_ms(ids[i % len(ids)]))
            i += 1

    sampler = ThreadSampler(server)
    started = time.monotonic()
    subprocess.run([os.path.join(ROOT, "scripts/brokers"), "stop", name], check=True)
    lowest, down_s = count, None
    while time.monotonic() - started < 120:  # the loss is seen within a heartbeat or two
        live = server.live_open()
        lowest = min(lowest, live)
        if live < count and down_s is None:
            down_s = time.monotonic() - started
        if lowest < count and time.monotonic() - started > 2 + (down_s or 0):
            break
        time.sleep(0.05)
    subprocess.run([os.path.join(ROOT, "scripts/brokers"), "start", name], check=True)
    if name == "rabbitmq":
        declare_bench_queue()
    back = time.monotonic()
    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    peak_rate, last_live, last_t = 0.0, server.live_open(), time.monotonic()
    while True:
        time.sleep(0.25)
        live, now = server.live_open(), time.monotonic()
        peak_rate = max(peak_rate, (live - last_live) / (now - last_t))
        last_live, last_t = live, now
        if live >= count:
            break
        if now - back > 300:
            raise RuntimeError(f"only {live} of {count} open 300 s after the broker came back")
    all_back = time.monotonic() - back
    stop_probe.set()
    prober.join()
    peak_threads = sampler.stop()
    print(f"restart {name}: live fell to {lowest} of {count}; broker back after "
          f"{back - started:.1f} s; all {count} open {all_back:.2f} s after the broker was back; "
          f"peak connects completed {peak_rate:.0f}/s (0.25 s windows); peak threads {peak_threads}")
    print(f"GET /api/2/connections/{{id}}: at rest p50 {percentile(at_rest, 0.5):.2f} ms "
          f"p99 {percentile(at_rest, 0.99):.2f} ms ({len(at_rest)} requests); during the reconnect p50 "
          f"{percentile(during, 0.5):.2f} ms p99 {percentile(during, 0.99):.2f} ms ({len(during)} requests)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mqtt", "--count", type=int, default=0, dest="mqtt")
    parser.add_argument("--amqp091", type=int, default=0)
    parser.add_argument("--amqp10", type=int, default=0)
    parser.add_argument("--http", type=int, default=0)
    parser.add_argument("--kafka", type=int, default=0)
    parser.add_argument("--sources", type=int, default=1)
    parser.add_argument("--starts", type=int, default=1)
    parser.add_argument("--restart", choices=["rabbitmq", "mosquitto"])
    parser.add_argument("--test-runs", type=int, default=0,
                        help="test connections per protocol, on the empty server and with all open")
    parser.add_argument("--build", default="build")
    args = parser.parse_args()
    binary = os.path.join(args.build, "connectivityd")
    web = http_server()
    wanted = connections(args, web.server_address[1])
    count = len(wanted)
    if count == 0:
        parser.error("no connections: give --mqtt/--amqp091/--amqp10/--http/--kafka counts")
    if args.amqp091 and args.sources:
        declare_bench_queue()
    work = tempfile.mkdtemp(prefix="open-connections-")
    data_dir = os.path.join(work, "data")
    mix = ", ".join(f"{n} {name}" for name, n in [("MQTT", args.mqtt), ("AMQP 0.9.1", args.amqp091),
                                                   ("AMQP 1.0", args.amqp10), ("HTTP push", args.http),
                                                   ("Kafka", args.kafka)] if n)
    try:
        rss_none, threads_none = baseline(binary, work, wanted, args.test_runs)
        print(f"{count} connections ({mix}); empty server: VmRSS {rss_none} KiB, {threads_none} threads")
        server = Server(binary, data_dir)
        try:
            server.wait_up()
            for connection in wanted:
                server.create(connection)
        finally:
            server.stop()
        for start in range(args.starts):
            server = Server(binary, data_dir)
            try:
                sampler = ThreadSampler(server)
                up = server.wait_up()
                wait_all_live(server, count)
                live_s = server.seconds()
                time.sleep(3)
                peak = sampler.stop()
                rss, threads = server.rss_kib(), server.threads()
                print(f"start {start + 1}: /health UP at {up:.3f} s, all {count} open at {live_s:.3f} s "
                      f"after process start; threads {threads} at rest (peak {peak}); VmRSS {rss} KiB, "
                      f"{(rss - rss_none) / count:.1f} KiB per open connection")
                if args.test_runs and start == args.starts - 1:
                    print(f"test connection, all {count} open ({args.test_runs} each): "
                          f"{test_latencies(server, wanted, args.test_runs)}; threads after "
                          f"{server.threads()}")
                if args.restart and start == args.starts - 1:
                    restart_broker(server, args.restart, count, [c["id"] for c in wanted])
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        web.shutdown()


if __name__ == "__main__":
    main()
