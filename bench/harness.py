#!/usr/bin/env python3
"""Benchmark harness behind scripts/bench: runs the micro suites, start-up and
HTTP load against the real server on 127.0.0.1, with their baselines measured
in the same run, and writes bench/results/<stamp>.json and .md.

Standard library only. Every figure is reported, met or not, next to its
target; ratios are computed from numbers measured in this run.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import http.client
import base64

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def dataset_version():
    text = open(os.path.join(ROOT, "bench", "dataset.h")).read()
    return int(re.search(r"kDatasetVersion = (\d+)", text).group(1))


class Server:
    """connectivityd on 127.0.0.1 with an ephemeral port."""

    def __init__(self, build, data_dir, threads=None, env=None):
        args = [os.path.join(build, "connectivityd"), "--listen", "127.0.0.1:0", "--data-dir", data_dir]
        if threads:
            args += ["--threads", str(threads)]
        self.started = time.monotonic()
        self.log_file = open(data_dir.rstrip("/") + ".log", "ab")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log_file,
                                        env={**os.environ, **(env or {})})
        line = self.process.stdout.readline().decode()
        match = re.search(r"listening on [\d.]+:(\d+)", line)
        if not match:
            raise RuntimeError(f"server did not start: {line!r}")
        self.port = int(match.group(1))

    def wait_ready(self, timeout_s=120):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic() - self.started
            except Exception:
                pass
            time.sleep(0.002)
        raise RuntimeError("server never became ready")

    def rss_kib(self, field="VmRSS"):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log_file.close()


def run(args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def micro_benchmarks(build, quick, work):
    """Journal durable appends vs the plain RocksDB sync loop, 1/16/64 threads."""
    out = os.path.join(work, "micro.json")
    min_time = "0.5" if quick else "3"
    run([os.path.join(build, "connectivity-bench"),
         "--benchmark_filter=JournalAppendDurable|RocksDbSyncPutLoop",
         f"--benchmark_min_time={min_time}", "--benchmark_repetitions=1" if quick else "--benchmark_repetitions=3",
         "--benchmark_report_aggregates_only=true", f"--benchmark_out={out}", "--benchmark_out_format=json"],
        stdout=subprocess.DEVNULL, env={**os.environ, "TEST_TMPDIR": work})
    results = {}
    for entry in json.load(open(out))["benchmarks"]:
        if entry.get("run_type") == "aggregate" and entry.get("aggregate_name") != "median":
            continue
        name = entry["run_name"] if "run_name" in entry else entry["name"]
        threads = int(re.search(r"threads:(\d+)", name).group(1))
        kind = "journal" if "Journal" in name else "rocksdb_sync_loop"
        results[f"{kind}_{threads}"] = entry["items_per_second"]
    return results


def cached_dataset(build, connections, events):
    cache = os.path.join(build, "bench-cache", f"dataset-v{dataset_version()}-{connections}x{events}")
    if not os.path.exists(os.path.join(cache, "COMPLETE")):
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        log(f"generating data set {connections} x {events}")
        run([os.path.join(build, "connectivity-datagen"), "--data-dir", cache,
             "--connections", str(connections), "--events", str(events)], stdout=subprocess.DEVNULL)
        open(os.path.join(cache, "COMPLETE"), "w").close()
    return cache


def startup(build, quick):
    connections = 20000 if quick else 100000
    data = cached_dataset(build, connections, 10)
    runs = 3 if quick else 5
    # Warm the page cache with one start that is not counted.
    server = Server(build, data)
    server.wait_ready()
    server.stop()
    times = []
    for _ in range(runs):
        server = Server(build, data)
        times.append(server.wait_ready())
        server.stop()
    return {"connections": connections, "events_per_connection": 10, "runs_s": times,
            "median_s": statistics.median(times)}


def wrk(port, script, connections, seconds, env=None):
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
         os.path.join(ROOT, "bench", "wrk", script), f"http://127.0.0.1:{port}"],
        check=True, capture_output=True, text=True,
        env={**os.environ, "WRK_SCRIPTS": os.path.join(ROOT, "bench", "wrk"), **(env or {})}).stdout
    match = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    return json.loads(match.group(1))


def http_load(build, quick, work):
    data = os.path.join(work, "http-data")
    connections = 1000
    run([os.path.join(build, "connectivity-datagen"), "--data-dir", data, "--connections", str(connections),
         "--events", "2"], stdout=subprocess.DEVNULL)
    server = Server(build, data)
    server.wait_ready()
    seconds = 3 if quick else 10
    results = {}
    try:
        env = {"BENCH_CONNECTIONS": str(connections), "BENCH_RUN": str(int(time.time()))}
        for name, script in [("health", "health.lua"), ("piggyback_retrieve", "piggyback_retrieve.lua"),
                             ("rest_retrieve", "rest_retrieve.lua"), ("piggyback_create", "piggyback_create.lua")]:
            log(f"wrk {name} at 64 connections")
            results[f"{name}_64"] = wrk(server.port, script, 64, seconds, env)
    finally:
        server.stop()
    return results


AUTH = {"Authorization": "Basic " + base64.b64encode(b"devops:foobar").decode()}


def timed_get(port, path):
    """One GET on a fresh connection: (time to first byte, total time, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.monotonic()
    connection.request("GET", path, headers=AUTH)
    answer = connection.getresponse()
    first_byte = time.monotonic() - start
    size = 0
    while True:
        chunk = answer.read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
    total = time.monotonic() - start
    connection.close()
    if answer.status != 200:
        raise RuntimeError(f"GET {path}: {answer.status}")
    return first_byte, total, size


def list_connections(build, quick):
    """GET /api/2/connections over 10,000 connections: latency and peak RSS growth."""
    connections = 10000
    data = cached_dataset(build, connections, 2)
    server = Server(build, data)
    server.wait_ready()
    try:
        timed_get(server.port, "/api/2/connections")  # warm-up, not counted
        runs = []
        for _ in range(3 if quick else 5):
            rss_before = server.rss_kib("VmRSS")
            with open(f"/proc/{server.process.pid}/clear_refs", "w") as refs:
                refs.write("5")  # resets VmHWM to the current RSS
            first_byte, total, size = timed_get(server.port, "/api/2/connections")
            growth = (server.rss_kib("VmHWM") - rss_before) * 1024
            runs.append({"ttfb_s": first_byte, "total_s": total, "bytes": size, "rss_growth_bytes": growth})
    finally:
        server.stop()
    median = lambda key: statistics.median(run[key] for run in runs)
    return {"connections": connections, "runs": runs, "ttfb_s": median("ttfb_s"), "total_s": median("total_s"),
            "bytes": median("bytes"), "rss_growth_bytes": median("rss_growth_bytes")}


def history_at_revision(build, quick):
    """at-historical-revision in the middle of a connection with 10,000 events."""
    data = cached_dataset(build, 1, 10000)
    server = Server(build, data)
    server.wait_ready()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        times = []
        for i in range(20 if quick else 50):
            revision = 5000 + (i * 37) % 100
            start = time.monotonic()
            connection.request("GET", f"/api/2/connections/bench-connection-0?at-historical-revision={revision}",
                               headers={**AUTH, "Connection": "keep-alive"})
            answer = connection.getresponse()
            answer.read()
            times.append(time.monotonic() - start)
            if answer.status != 200:
                raise RuntimeError(f"history: {answer.status}")
        connection.close()
    finally:
        server.stop()
    return {"events": 10000, "median_ms": statistics.median(times) * 1000, "p90_ms": sorted(times)[int(len(times) * 0.9)] * 1000}


def ratio(a, b):
    return round(a / b, 3) if b else None


def figures(micro, start, http, listing, history):
    rows = []

    def add(name, value, baseline, target, higher_is_better=True, unit=""):
        r = ratio(value, baseline) if baseline is not None else None
        met = None
        if target is not None:
            measured = r if baseline is not None else value
            met = measured >= target if higher_is_better else measured <= target
        rows.append({"figure": name, "value": value, "unit": unit, "baseline": baseline, "ratio": r,
                     "target": target, "higher_is_better": higher_is_better, "met": met})

    for threads in (1, 16, 64):
        add(f"journal durable appends/s, {threads} appenders (baseline: plain RocksDB sync=true loop)",
            round(micro.get(f"journal_{threads}", 0)), round(micro.get(f"rocksdb_sync_loop_{threads}", 0)),
            3.0 if threads == 64 else None, unit="appends/s")
    add(f"start-up to /health UP, {start['connections']} connections x 10 events (median of "
        f"{len(start['runs_s'])})", round(start["median_s"], 3), None, 1.0, higher_is_better=False, unit="s")
    health = http["health_64"]
    retrieve = http["piggyback_retrieve_64"]
    create = http["piggyback_create_64"]
    add("piggyback retrieve req/s, 64 keep-alive (baseline: GET /health)", retrieve["rps"], health["rps"], 0.5,
        unit="req/s")
    add("piggyback retrieve p99 (baseline: GET /health p99)", retrieve["p99_us"], health["p99_us"], 1.5,
        higher_is_better=False, unit="us")
    add("durable piggyback creates req/s, 64 keep-alive (baseline: GET /health)", create["rps"], health["rps"], 0.4,
        unit="req/s")
    rest = http["rest_retrieve_64"]
    add("REST GET /api/2/connections/{id} req/s, 64 keep-alive (baseline: GET /health)", rest["rps"],
        health["rps"], 0.6, unit="req/s")
    add("REST GET /api/2/connections/{id} p99 (baseline: GET /health p99)", rest["p99_us"], health["p99_us"], 1.5,
        higher_is_better=False, unit="us")
    add(f"GET /api/2/connections, {listing['connections']} connections: time to first byte", round(listing["ttfb_s"] * 1000, 1),
        None, None, unit="ms")
    add(f"GET /api/2/connections, {listing['connections']} connections: total", round(listing["total_s"] * 1000, 1),
        None, None, unit="ms")
    add("GET /api/2/connections: peak RSS growth (baseline: answer size)", listing["rss_growth_bytes"],
        listing["bytes"], 2.0, higher_is_better=False, unit="bytes")
    add("at-historical-revision in the middle of 10,000 events (median)", round(history["median_ms"], 2), None, 5.0,
        higher_is_better=False, unit="ms")
    return rows


def markdown(rows, meta):
    lines = [f"# Benchmark run {meta['stamp']}", "",
             f"Machine: {meta['machine']}. Command: `{meta['command']}`.", "",
             "| figure | value | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for row in rows:
        target = "" if row["target"] is None else (">= " if row["higher_is_better"] else "<= ") + str(row["target"])
        met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
        baseline = "" if row["baseline"] is None else f"{row['baseline']}"
        ratio_text = "" if row["ratio"] is None else f"{row['ratio']}x"
        lines.append(f"| {row['figure']} | {row['value']} {row['unit']} | {baseline} | {ratio_text} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores ({cpu}), {round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = parser.parse_args()
    stamp = time.strftime("%Y-%m-%dT%H%M%SZ", time.gmtime())
    work = tempfile.mkdtemp(prefix="connectivity-bench-", dir=os.environ.get("TMPDIR", "/tmp"))
    try:
        log("micro benchmarks")
        micro = micro_benchmarks(args.build, args.quick, work)
        log("start-up")
        start = startup(args.build, args.quick)
        log("HTTP load")
        http = http_load(args.build, args.quick, work)
        log("listing 10,000 connections")
        listing = list_connections(args.build, args.quick)
        log("history at a revision")
        history = history_at_revision(args.build, args.quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta = {"stamp": stamp, "machine": machine(), "command": "scripts/bench" + (" --quick" if args.quick else "")}
    rows = figures(micro, start, http, listing, history)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"{stamp}.json"), "w") as out:
        json.dump({"meta": meta, "figures": rows, "micro": micro, "startup": start, "http": http,
                   "listing": listing, "history": history}, out, indent=2)
    report = markdown(rows, meta)
    with open(os.path.join(args.out, f"{stamp}.md"), "w") as out:
        out.write(report)
    print(report)


if __name__ == "__main__":
    main()
