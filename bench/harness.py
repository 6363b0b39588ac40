#!/usr/bin/env python3
"""Benchmark harness behind scripts/bench: runs the micro suites, the HTTP
load against the real server on 127.0.0.1, memory, start-up and query
figures, with their baselines measured in the same run, and writes
bench/results/<stamp>.json and .md.

    bench/harness.py [--quick] [--build DIR] [--out DIR]
    bench/harness.py --spread A.json B.json ...   compare runs (min, max, spread)

Phases, in order (each timed; the durations are part of the results):
  1. durable writes, in rounds: the journal's durable and no-sync appends,
     the plain RocksDB sync=true loop and the group-commit suite
     (connectivity-bench, random interleaving), then pgbench inserts into
     PostgreSQL at 1/16/64 clients; rounds alternate the two, so slow and
     fast fsync phases of this shared machine hit both sides alike;
  2. the CPU suites (codec, model, projector, snapshots, recovery, scans),
     with repetitions;
  3. memory: connectivityd on 0, 10,000 and 100,000 connections (data sets
     cached by generator version in build/bench-cache), VmRSS after start-up
     and after a full GET /api/2/connections, VmHWM;
  4. HTTP load with wrk on the 100,000-connection server: GET /health (the
     ceiling), piggyback and REST retrieve, then create, modify, delete and
     a mixed workload, at 1, 16 and 64 keep-alive connections, in
     interleaved rounds; right after each create run, pgbench at the same
     concurrency for the same time;
  5. start-up time, the full list of 10,000 connections, history at a revision.
PostgreSQL 15 runs on 127.0.0.1 with its data and socket directories in the
work dir; it and every connectivityd are stopped at the end, also on failure.

Standard library only. Every figure is reported, met or not, next to its
target; ratios are computed from numbers measured in this run. Process
control lives in servers.py, figures and reports in report.py.
"""
import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from report import CONCURRENCY, HTTP_CONNECTIONS, READ_WORKLOADS, WRITE_WORKLOADS, figures, machine, markdown, \
    spread, spread_report
from servers import AUTH, Postgres, Server, linked_copy, run, timed_get

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The benchmarks whose figures depend on fsync (phase 1).
DURABLE_FILTER = "BM_JournalAppendDurable|BM_JournalAppendNoSync|BM_RocksDbSyncPutLoop|BM_GroupCommitInFlight"
# Connections of the HTTP data set; retrieve and modify use the first 1,000,
# deletes take slices of the rest.
HTTP_READ_SET = 1000
DELETE_SHARE = {1: 0.10, 16: 0.40, 64: 0.50}


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def dataset_version():
    text = open(os.path.join(ROOT, "bench", "dataset.h")).read()
    return int(re.search(r"kDatasetVersion = (\d+)", text).group(1))


# --- micro benchmarks ---

STANDARD_KEYS = {"name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
                 "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit",
                 "items_per_second", "bytes_per_second", "label", "error_occurred", "error_message",
                 "aggregate_name", "aggregate_unit"}


REQUIRED_BENCHMARKS = ["BM_JournalAppendDurable/real_time/threads:64", "BM_JournalAppendNoSync/real_time/threads:64",
                       "BM_RocksDbSyncPutLoop/real_time/threads:64", "BM_GroupCommitInFlight/in_flight:64/real_time",
                       "BM_ApplyCreated", "BM_SnapshotLoad/rows:1000/real_time", "BM_Recover/connections:1000/real_time"]


def check_suites(build):
    """Fails early if connectivity-bench lacks a suite the figures need (a
    stale binary: the work tree is shared, so rebuild and rerun)."""
    listed = subprocess.run([os.path.join(build, "connectivity-bench"), "--benchmark_list_tests"], check=True,
                            capture_output=True, text=True).stdout.split()
    missing = [name for name in REQUIRED_BENCHMARKS if name not in listed]
    if missing:
        raise RuntimeError(f"connectivity-bench lacks {', '.join(missing)}: stale build? run scripts/build")


def run_suite(build, work, name, benchmark_filter, min_time, repetitions):
    """One connectivity-bench run; returns its per-repetition entries."""
    out = os.path.join(work, f"{name}.json")
    run([os.path.join(build, "connectivity-bench"), f"--benchmark_filter={benchmark_filter}",
         f"--benchmark_min_time={min_time}", f"--benchmark_repetitions={repetitions}",
         "--benchmark_enable_random_interleaving=true", f"--benchmark_out={out}", "--benchmark_out_format=json"],
        stdout=subprocess.DEVNULL, env={**os.environ, "TEST_TMPDIR": work})
    entries = [entry for entry in json.load(open(out))["benchmarks"] if entry.get("run_type") == "iteration"]
    for entry in entries:
        if entry.get("error_occurred"):
            raise RuntimeError(f"{entry['name']}: {entry.get('error_message')}")
    return entries


def summarise(entries):
    """Per benchmark: spread of items/s and of real time over repetitions,
    and the median of every counter."""
    groups = {}
    for entry in entries:
        groups.setdefault(entry.get("run_name", entry["name"]), []).append(entry)
    summary = {}
    for name, runs in groups.items():
        counters = {}
        for key in runs[0]:
            if key not in STANDARD_KEYS and isinstance(runs[0][key], (int, float)):
                counters[key] = statistics.median(r[key] for r in runs if key in r)
        summary[name] = {"items_per_second": spread([r.get("items_per_second") for r in runs]),
                         "runs_items_per_second": [r.get("items_per_second") for r in runs],
                         "real_time": spread([r["real_time"] for r in runs]), "time_unit": runs[0]["time_unit"],
                         "label": runs[0].get("label", ""), "counters": counters}
    return summary


def pg_payload(build):
    return subprocess.run([os.path.join(build, "connectivity-datagen"), "--print-connection"], check=True,
                          capture_output=True, text=True).stdout.strip()


def pg_script(work):
    path = os.path.join(work, "pg_insert.sql")
    with open(path, "w") as script:
        # Variables, not literals: pgbench would substitute ":name" inside a
        # JSON literal. With -M prepared they are bind parameters.
        script.write("\\set seq :seq + 1\n"
                     "INSERT INTO events (persistence_id, seq, ts, type, payload) VALUES "
                     "(CAST(:client_id AS text), :seq, now(), CAST(:event_type AS text), CAST(:payload AS jsonb));\n")
    return path


def durable_rounds(build, work, quick, postgres, payload, script):
    """Phase 1: journal / RocksDB / group-commit suites and pgbench, alternating
    in short rounds. fsync latency on this shared disk swings several-fold
    within minutes, so ratios are taken per round (both sides measured
    within seconds of each other) and the median of those is reported."""
    rounds = 3 if quick else 4
    min_time = "0.2" if quick else "1"
    pg_seconds = 1 if quick else 4
    entries = []
    pg_runs = {c: [] for c in CONCURRENCY}
    for index in range(rounds):
        log(f"durable writes, round {index + 1} of {rounds}: connectivity-bench")
        entries += run_suite(build, work, f"durable-{index}", DURABLE_FILTER, min_time, 1)
        for clients in CONCURRENCY:
            log(f"durable writes, round {index + 1} of {rounds}: pgbench, {clients} clients")
            pg_runs[clients].append(postgres.pgbench(clients, pg_seconds, payload, script))
    pg = {}
    for clients, runs in pg_runs.items():
        pg[clients] = {"inserts_per_s": spread([r["inserts_per_s"] for r in runs]),
                       "runs_inserts_per_s": [r["inserts_per_s"] for r in runs],
                       "latency_avg_ms": spread([r["latency_avg_ms"] for r in runs]),
                       "failed": sum(r["failed"] for r in runs), "runs": runs}
    return {"micro": summarise(entries), "postgres": pg, "rounds": rounds, "min_time_s": float(min_time),
            "pg_seconds": pg_seconds}


def cpu_suites(build, work, quick):
    """Phase 2: every other suite, with repetitions."""
    exclude = DURABLE_FILTER
    if quick:
        # The largest data sets take most of the time; the full run has them.
        exclude += "|BM_Recover/connections:100000|BM_Replay"
    entries = run_suite(build, work, "cpu", f"-{exclude}", "0.1" if quick else "0.5", 2 if quick else 3)
    return summarise(entries)


# --- data sets and servers ---

def cached_dataset(build, connections, events):
    cache = os.path.join(build, "bench-cache", f"dataset-v{dataset_version()}-{connections}x{events}")
    if not os.path.exists(os.path.join(cache, "COMPLETE")):
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        log(f"generating data set {connections} x {events} (cached in {cache})")
        run([os.path.join(build, "connectivity-datagen"), "--data-dir", cache,
             "--connections", str(connections), "--events", str(events)], stdout=subprocess.DEVNULL)
        open(os.path.join(cache, "COMPLETE"), "w").close()
    return cache


def measure_memory(server, connections):
    """VmRSS after start-up and after a full GET list; the peak (VmHWM)."""
    rss_start = server.status_kib("VmRSS")
    first_byte, total, size = timed_get(server.port, "/api/2/connections")
    time.sleep(0.2)  # let the answer's buffers go back to the allocator
    return {"connections": connections, "rss_start_kib": rss_start, "rss_after_list_kib": server.status_kib("VmRSS"),
            "hwm_kib": server.status_kib("VmHWM"), "list_bytes": size, "list_ttfb_s": first_byte,
            "list_total_s": total, "json_bytes_per_connection": size / connections if connections else 0}


def list_runs(server, quick):
    """Repeated full lists: latency and how much the RSS peaks above its level."""
    runs = []
    for _ in range(3 if quick else 5):
        rss_before = server.status_kib("VmRSS")
        server.reset_peak()
        first_byte, total, size = timed_get(server.port, "/api/2/connections")
        growth = (server.status_kib("VmHWM") - rss_before) * 1024
        runs.append({"ttfb_s": first_byte, "total_s": total, "bytes": size, "rss_growth_bytes": growth})
    median = lambda key: statistics.median(r[key] for r in runs)
    return {"runs": runs, "ttfb_s": median("ttfb_s"), "total_s": median("total_s"), "bytes": median("bytes"),
            "rss_growth_bytes": median("rss_growth_bytes")}


# --- HTTP load ---

def wrk(port, script, connections, seconds, env):
    threads = min(2, connections)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
         os.path.join(ROOT, "bench", "wrk", script), f"http://127.0.0.1:{port}"],
        check=True, capture_output=True, text=True,
        env={**os.environ, "WRK_SCRIPTS": os.path.join(ROOT, "bench", "wrk"), "BENCH_THREADS": str(threads),
             **env}).stdout
    match = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk {script}: no RESULT line in {output!r}")
    return json.loads(match.group(1))


JOURNAL_COUNTERS = ("appends_total", "batches_total", "append_latency_seconds_sum", "sync_write_latency_seconds_sum")


def journal_counters(port):
    """The journal's group-commit counters from the server's /metrics."""
    with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=AUTH),
                                timeout=10) as answer:
        text = answer.read().decode()
    values = {}
    for name in JOURNAL_COUNTERS:
        match = re.search(rf"^connectivity_journal_{name} ([\d.e+-]+)$", text, re.MULTILINE)
        values[name] = float(match.group(1)) if match else 0.0
    return values


def heap_allocations(port):
    """jemalloc's allocation count from the server's /metrics (None without it)."""
    with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=AUTH),
                                timeout=10) as answer:
        text = answer.read().decode()
    match = re.search(r"^connectivity_heap_allocations_total ([\d.e+-]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def journal_during(before, after):
    """Mean batch size, synced-write time and append-to-durable time of the
    appends made between two journal_counters() readings."""
    delta = {k: after[k] - before[k] for k in JOURNAL_COUNTERS}
    if delta["batches_total"] <= 0 or delta["appends_total"] <= 0:
        return None
    return {"events_per_batch": round(delta["appends_total"] / delta["batches_total"], 1),
            "sync_write_us": round(delta["sync_write_latency_seconds_sum"] * 1e6 / delta["batches_total"]),
            "append_to_durable_us": round(delta["append_latency_seconds_sum"] * 1e6 / delta["appends_total"])}


def combine(runs):
    """One figure from several wrk runs of the same workload: the rate over
    all of them; latency percentiles are the median of the runs' own."""
    requests = sum(r["requests"] - r.get("misses", 0) for r in runs)  # misses: piggyback_delete.lua
    seconds = sum(r["seconds"] for r in runs)
    median = lambda key: int(statistics.median(r[key] for r in runs))
    combined = {"requests": requests, "seconds": round(seconds, 3), "rps": round(requests / seconds, 1),
                "p50_us": median("p50_us"), "p99_us": median("p99_us"), "p999_us": median("p999_us"),
                "failures": sum(r["failures"] for r in runs), "misses": sum(r.get("misses", 0) for r in runs),
                "socket_errors": sum(r["socket_errors"] for r in runs),
                "first_failure": next((r["first_failure"] for r in runs if r.get("first_failure")), None),
                "rps_runs": [r["rps"] for r in runs], "p99_runs": [r["p99_us"] for r in runs],
                "server_cpu_us": round(statistics.median(r["server_cpu_us"] for r in runs), 1),
                "wrk_cpu_us": round(statistics.median(r["wrk_cpu_us"] for r in runs), 1),
                "allocations": (round(statistics.median(r["allocations"] for r in runs), 1)
                                if all(r.get("allocations") is not None for r in runs) else None),
                "journal": runs[-1].get("journal")}
    return combined


def http_load(server, quick, stamp, postgres, payload, script):
    """Phase 4 on a server holding the HTTP data set: every workload at every
    concurrency in `rounds` interleaved runs (reads first, then writes), and
    pgbench at the same concurrency right after each create run."""
    # Reads are CPU-bound and swing with the other load on this machine:
    # more, shorter rounds interleave them more finely with their ceiling.
    plan = {"read": (2, 1) if quick else (3, 3), "write": (1, 2) if quick else (2, 5)}  # (rounds, seconds)
    runs, pg_runs = {}, {c: [] for c in CONCURRENCY}
    delete_next = HTTP_READ_SET
    created_runs = []  # tags of the create runs so far: deletes go on with their ids

    def one(name, lua, connections, index, rounds, seconds):
        nonlocal delete_next
        env = {"BENCH_CONNECTIONS": str(HTTP_READ_SET), "BENCH_RUN": f"{stamp}-{connections}-{index}"}
        delete_count = int((HTTP_CONNECTIONS - HTTP_READ_SET) * DELETE_SHARE[connections] / rounds)
        if name == "piggyback_delete":
            env.update(BENCH_DELETE_FIRST=str(delete_next), BENCH_DELETE_END=str(delete_next + delete_count),
                       BENCH_CREATED_RUNS=",".join(reversed(created_runs)))
        log(f"wrk {name}, {connections} connections, {seconds} s (round {index + 1} of {rounds})")
        journal_before = journal_counters(server.port)
        allocations_before = heap_allocations(server.port)
        cpu_before = server.cpu_seconds()
        wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = wrk(server.port, lua, connections, seconds, env)
        result["journal"] = journal_during(journal_before, journal_counters(server.port))
        allocations_after = heap_allocations(server.port)
        wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU per request is steadier than req/s on a shared machine: it does
        # not depend on how much of the two cores the other load left us.
        requests = max(result["requests"], 1)
        result["server_cpu_us"] = round((server.cpu_seconds() - cpu_before) * 1e6 / requests, 1)
        # Heap allocations per request (two /metrics scrapes included: a few hundred in all).
        result["allocations"] = (round((allocations_after - allocations_before) / requests, 1)
                                 if allocations_before is not None and allocations_after is not None else None)
        result["wrk_cpu_us"] = round((wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime -
                                      wrk_before.ru_stime) * 1e6 / requests, 1)
        if name == "piggyback_delete":
            delete_next += delete_count
        if name == "piggyback_create":
            created_runs.append(env["BENCH_RUN"])
        runs.setdefault(f"{name}_{connections}", []).append(result)
        if name == "piggyback_create":
            log(f"pgbench next to it, {connections} clients, {seconds} s")
            pg_runs[connections].append(postgres.pgbench(connections, seconds, payload, script))

    for kind, workloads in (("read", READ_WORKLOADS), ("write", WRITE_WORKLOADS)):
        rounds, seconds = plan[kind]
        for connections in CONCURRENCY:
            if kind == "read":
                # Not counted: the first run at a concurrency pays for new
                # connections and first touches, which showed as a p99 two to
                # three times the later rounds'.
                for name, lua in workloads:
                    log(f"wrk {name}, {connections} connections, 1 s warm-up (not counted)")
                    wrk(server.port, lua, connections, 1, {"BENCH_CONNECTIONS": str(HTTP_READ_SET)})
            for index in range(rounds):
                for name, lua in workloads:
                    one(name, lua, connections, index, rounds, seconds)
    pg_adjacent = {c: {"inserts_per_s": round(statistics.mean(r["inserts_per_s"] for r in pg), 1),
                       "runs": pg} for c, pg in pg_runs.items()}
    return {"plan_rounds_seconds": plan, "results": {k: combine(v) for k, v in runs.items()},
            "runs": runs, "postgres_adjacent": pg_adjacent}


def memory_and_http(build, quick, work, stamp, postgres, payload, script):
    """Phases 3 and 4: RSS at 0, 10,000 and 100,000 connections, the list
    figures at 10,000, then the HTTP load on the 100,000-connection server."""
    out = {"memory": {}}
    empty = os.path.join(work, "rss-0")
    os.makedirs(empty)
    for connections in (0, 10000, HTTP_CONNECTIONS):
        data = empty if connections == 0 else linked_copy(cached_dataset(build, connections, 2),
                                                         os.path.join(work, f"rss-{connections}"))
        log(f"memory at {connections} connections")
        server = Server(build, data)
        try:
            startup_s = server.wait_ready()
            out["memory"][connections] = {**measure_memory(server, connections), "startup_s": startup_s}
            if connections == 10000:
                log("listing 10,000 connections")
                out["listing"] = {"connections": connections, **list_runs(server, quick)}
            if connections == HTTP_CONNECTIONS:
                out["http"] = http_load(server, quick, stamp, postgres, payload, script)
                out["memory"][connections]["hwm_after_load_kib"] = server.status_kib("VmHWM")
        finally:
            server.stop()
        if connections:
            shutil.rmtree(data, ignore_errors=True)
    return out


CRASH_TAIL_WRITES = 3000


def write_crash_tail(port, writes, clients=8):
    """Creates `writes` connections over `clients` keep-alive connections: what a
    kill -9 then leaves behind (a WAL to replay, a tail after the last pass)."""
    import threading
    body = json.dumps({"connectionType": "mqtt", "connectionStatus": "closed", "uri": "tcp://127.0.0.1:1883",
                       "sources": [{"addresses": ["a/#"], "qos": 1, "authorizationContext": ["ditto:inbound"]}]})
    failures = []

    def client(first):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(first, writes, clients):
            connection.request("PUT", f"/api/2/connections/crash-tail-{i}", body,
                               {**AUTH, "Content-Type": "application/json", "Connection": "keep-alive"})
            answer = connection.getresponse()
            answer.read()
            if answer.status != 201:
                failures.append(answer.status)
        connection.close()

    threads = [threading.Thread(target=client, args=(first,)) for first in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"crash tail: {len(failures)} creates failed, first {failures[0]}")


def replayed_at_start(log_path):
    """Snapshot rows and events replayed, from the server's "ready:" line."""
    with open(log_path, errors="replace") as log_file:
        lines = [line for line in log_file if "ready:" in line]
    match = re.search(r"\((\d+) snapshot rows, (\d+) events replayed\)", lines[-1]) if lines else None
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)


def startup(build, quick):
    """Start-up after a crash: the data set, 3,000 more creates, kill -9, then the
    timed start (WAL replay, state rows, the tail after the last pass)."""
    connections = 20000 if quick else 100000
    data = cached_dataset(build, connections, 10)
    runs = 3 if quick else 5
    # The server writes at start-up (a snapshot pass); keep the cache pristine.
    times = []
    replayed = []
    for index in range(runs + 1):
        copy = linked_copy(data, data + f".run-{os.getpid()}")
        try:
            crashed = Server(build, copy)
            try:
                crashed.wait_ready()
                write_crash_tail(crashed.port, CRASH_TAIL_WRITES)
            finally:
                crashed.kill()
            server = Server(build, copy)
            try:
                ready_s = server.wait_ready()
            finally:
                server.stop()
            rows_events = replayed_at_start(copy + ".log")
        finally:
            shutil.rmtree(copy, ignore_errors=True)
            os.remove(copy + ".log") if os.path.exists(copy + ".log") else None
        if index > 0:  # the first start warms the page cache and is not counted
            times.append(ready_s)
            replayed.append(rows_events[1])
    return {"connections": connections, "events_per_connection": 10, "after_crash_writes": CRASH_TAIL_WRITES,
            "events_replayed": replayed, "runs_s": times,
            "median_s": statistics.median(times), "spread": spread(times)}


def history_at_revision(build, quick):
    """at-historical-revision in the middle of a connection with 10,000 events."""
    data = linked_copy(cached_dataset(build, 1, 10000), cached_dataset(build, 1, 10000) + f".run-{os.getpid()}")
    server = Server(build, data)
    try:
        server.wait_ready()
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
        shutil.rmtree(data, ignore_errors=True)
        os.remove(data + ".log") if os.path.exists(data + ".log") else None
    return {"events": 10000, "median_ms": statistics.median(times) * 1000,
            "p90_ms": sorted(times)[int(len(times) * 0.9)] * 1000}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    parser.add_argument("--spread", nargs="+", metavar="RESULT_JSON")
    parser.add_argument("--startup-only", action="store_true",
                        help="only the start-up after a crash (median of 5, 100,000 connections x 10 events)")
    args = parser.parse_args()
    if args.spread:
        print(spread_report(args.spread))
        return
    if args.startup_only:
        result = startup(args.build, args.quick)
        print(json.dumps(result, indent=2))
        log(f"start-up after a crash: median {result['median_s']:.3f} s over {len(result['runs_s'])} runs")
        return
    # SIGTERM unwinds like Ctrl-C, so every `finally` stops its servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    stamp = time.strftime("%Y-%m-%dT%H%M%SZ", time.gmtime())
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    work = tempfile.mkdtemp(prefix="connectivity-bench-", dir=os.environ.get("TMPDIR", "/tmp"))
    phases = {}
    postgres = Postgres(work)

    def phase(name, function, *function_args):
        begin = time.monotonic()
        result = function(*function_args)
        phases[name] = time.monotonic() - begin
        return result

    try:
        check_suites(args.build)
        log(f"PostgreSQL on 127.0.0.1:{postgres.port}, work dir {work}")
        pg_meta = phase("postgres_start", postgres.start)
        payload = pg_payload(args.build)
        script = pg_script(work)
        durable = phase("durable", durable_rounds, args.build, work, args.quick, postgres, payload, script)
        log("CPU suites")
        cpu = phase("cpu_suites", cpu_suites, args.build, work, args.quick)
        mem_http = phase("memory_http", memory_and_http, args.build, args.quick, work, stamp, postgres, payload,
                         script)
        log("start-up")
        start = phase("startup", startup, args.build, args.quick)
        log("history at a revision")
        history = phase("history", history_at_revision, args.build, args.quick)
    finally:
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)
    meta = {"stamp": stamp, "machine": machine(), "command": "scripts/bench" + (" --quick" if args.quick else ""),
            "duration_s": time.monotonic() - started, "phase_seconds": phases, "load_start": load_start,
            "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg()), "postgres": pg_meta,
            "dataset_version": dataset_version()}
    rows = figures(durable, cpu, mem_http, start, history)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"{stamp}.json"), "w") as out:
        json.dump({"meta": meta, "figures": rows, "durable": durable, "cpu": cpu, "memory": mem_http["memory"],
                   "http": mem_http["http"], "listing": mem_http["listing"], "startup": start,
                   "history": history}, out, indent=2)
    report = markdown(rows, meta)
    with open(os.path.join(args.out, f"{stamp}.md"), "w") as out:
        out.write(report)
    print(report)
    log(f"wrote {os.path.join(args.out, stamp)}.json and .md in {meta['duration_s']:.0f} s")


if __name__ == "__main__":
    main()
