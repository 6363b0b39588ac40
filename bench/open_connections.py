#!/usr/bin/env python3
"""Time from connectivityd's process start until N desired-open MQTT
connections are live, against the Mosquitto of scripts/brokers (anonymous
listener, 127.0.0.1:1884). Ditto's default pace is one connect per second
(about 17 minutes for 1,000).

    scripts/brokers start mosquitto
    python3 bench/open_connections.py [--count 1000] [--sources 1] [--starts 3] [--build build]
    scripts/brokers stop mosquitto

The first run creates the connections through piggyback createConnection on
a fresh data dir (not timed); each timed start then recovers them and the
server opens them by itself; each connection has --sources sources (one
address each, which every connect subscribes to and unsubscribes from: the
address checks of src/connect/address.h). "Live" is the server's own figure:
connectivity_connections_live{live_status="open"} of GET /metrics.
Standard library only; nothing but 127.0.0.1 is contacted.
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

AUTH = "Basic " + base64.b64encode(b"devops:foobar").decode()
MOSQUITTO_ANONYMOUS = "tcp://127.0.0.1:1884"


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
            status = json.load(answer)["status"]
        if status != 201:
            raise RuntimeError(f"create {connection['id']}: status {status}")

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.log.close()


def mqtt_connection(index, sources):
    return {"id": f"open-{index:05d}", "connectionType": "mqtt", "connectionStatus": "open",
            "uri": MOSQUITTO_ANONYMOUS,
            "sources": [{"addresses": [f"bench/{index}/{source}"], "qos": 0, "authorizationContext": ["bench:open"]}
                        for source in range(sources)]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=1)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--build", default="build")
    args = parser.parse_args()
    binary = os.path.join(args.build, "connectivityd")
    work = tempfile.mkdtemp(prefix="open-connections-")
    data_dir = os.path.join(work, "data")
    try:
        server = Server(binary, data_dir)
        try:
            server.wait_up()
            for index in range(args.count):
                server.create(mqtt_connection(index, args.sources))
        finally:
            server.stop()
        for start in range(args.starts):
            server = Server(binary, data_dir)
            try:
                up = server.wait_up()
                deadline = time.monotonic() + 120
                while server.live_open() < args.count:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"only {server.live_open()} of {args.count} open after 120 s")
                    time.sleep(0.01)
                print(f"start {start + 1}: /health UP at {up:.3f} s, all {args.count} open "
                      f"({args.sources} sources each) at "
                      f"{server.seconds():.3f} s after process start, VmRSS {server.rss_kib()} KiB "
                      f"(Ditto's default pace: {args.count} s)")
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
