#!/usr/bin/env python3
"""TLS on the HTTP endpoint vs plain HTTP, same run, same server (issue 13).

  python3 bench/tls.py [--rounds 3] [--seconds 5] [--connections 16] [--ids 200]

Starts one connectivityd with --tls-cert/--tls-key (a throw-away CA made with
openssl): haproxy serves TLS on the public port and forwards to the server's
plain HTTP port on loopback, which this benchmark also drives directly, so
both paths reach the same process in the same run. In alternating rounds
wrk (keep-alive) sends GET /health and REST retrieves of --ids connections,
once over TLS (through haproxy) and once plain; reports requests/s and p99
of each and the median of the per-round TLS/plain ratios.

Needs a Release build (scripts/build), wrk, haproxy and openssl. Standard
library only; every process is stopped by its own handle.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servers import AUTH  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")


def log(message):
    print(f"[tls] {message}", file=sys.stderr, flush=True)


def make_pki(directory):
    key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    script = (f"set -e; cd '{directory}'; "
              f"openssl req -x509 {key} -keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca; "
              f"openssl req {key} -keyout server.key -out server.csr -subj /CN=127.0.0.1; "
              "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext; "
              "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
              "-days 2 -extfile san.ext")
    subprocess.run(["sh", "-c", script], check=True, capture_output=True)


def wrk(url, script, connections, seconds, env):
    threads = min(2, connections)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
         os.path.join(ROOT, "bench", "wrk", script), url],
        check=True, capture_output=True, text=True,
        env={**os.environ, "WRK_SCRIPTS": os.path.join(ROOT, "bench", "wrk"), "BENCH_THREADS": str(threads),
             **env}).stdout
    match = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk {script}: no RESULT line in {output!r}")
    result = json.loads(match.group(1))
    if result["failures"] or result["socket_errors"]:
        raise RuntimeError(f"wrk {script} {url}: failures in {result}")
    return result


def create(port, index):
    body = json.dumps({"connectionType": "http-push", "connectionStatus": "closed",
                       "uri": f"http://user:secret-{index}@127.0.0.1:9", "sources": [],
                       "targets": [{"address": "POST:/x", "topics": ["_/_/things/twin/events"],
                                    "authorizationContext": ["ditto:out"]}]}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/2/connections/bench-connection-{index}",
                                     data=body, method="PUT",
                                     headers={**AUTH, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status in (201, 204), answer.status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--ids", type=int, default=200)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="tls-bench-")
    server = None
    try:
        make_pki(work)
        log_path = os.path.join(work, "server.log")
        with open(log_path, "ab") as log_file:
            server = subprocess.Popen(
                [os.path.join(BUILD, "connectivityd"), "--listen", "127.0.0.1:0", "--data-dir",
                 os.path.join(work, "data"), "--tls-cert", os.path.join(work, "server.pem"), "--tls-key",
                 os.path.join(work, "server.key")], stdout=subprocess.PIPE, stderr=log_file)
        tls_port = int(re.search(r"listening on [\d.]+:(\d+)", server.stdout.readline().decode()).group(1))
        deadline = time.monotonic() + 60
        plain_port = None
        while plain_port is None and time.monotonic() < deadline:
            match = re.search(r"in front of 127\.0\.0\.1:(\d+)", open(log_path).read())
            plain_port = int(match.group(1)) if match else None
            time.sleep(0.05)
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{plain_port}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except Exception:
                time.sleep(0.05)
        for index in range(args.ids):
            create(plain_port, index)
        urls = {"tls": f"https://127.0.0.1:{tls_port}", "plain": f"http://127.0.0.1:{plain_port}"}
        results = {(path, kind): [] for path in ("health", "retrieve") for kind in urls}
        for index in range(args.rounds):
            order = ("tls", "plain") if index % 2 == 0 else ("plain", "tls")
            for path, script in (("health", "health.lua"), ("retrieve", "rest_retrieve.lua")):
                for kind in order:
                    result = wrk(urls[kind], script, args.connections, args.seconds,
                                 {"BENCH_CONNECTIONS": str(args.ids)})
                    results[(path, kind)].append(result)
                    log(f"round {index + 1} {path} {kind}: {result['rps']:.0f} requests/s, "
                        f"p99 {result['p99_us'] / 1000:.2f} ms")
        summary = {"connections": args.connections, "seconds": args.seconds, "rounds": args.rounds}
        for path in ("health", "retrieve"):
            tls = results[(path, "tls")]
            plain = results[(path, "plain")]
            summary[path] = {
                "tls_rps": [round(r["rps"]) for r in tls], "plain_rps": [round(r["rps"]) for r in plain],
                "tls_p99_ms": [round(r["p99_us"] / 1000, 2) for r in tls],
                "plain_p99_ms": [round(r["p99_us"] / 1000, 2) for r in plain],
                "median_ratio": round(statistics.median(t["rps"] / p["rps"] for t, p in zip(tls, plain)), 3),
            }
        print(json.dumps(summary))
        for path in ("health", "retrieve"):
            s = summary[path]
            print(f"{path} at {args.connections} keep-alive connections: TLS {statistics.median(s['tls_rps']):.0f}/s "
                  f"(p99 {statistics.median(s['tls_p99_ms']):.2f} ms) vs plain {statistics.median(s['plain_rps']):.0f}/s "
                  f"(p99 {statistics.median(s['plain_p99_ms']):.2f} ms): {s['median_ratio']:.2f}x")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
