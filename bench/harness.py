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
     ceiling), piggyback and REST retrieve, create, modify, delete and a mixed
     workload at 1, 16 and 64 keep-alive connections; right after each
     create run, pgbench at the same concurrency for the same time;
  5. start-up time, the full list of 10,000 connections, history at a revision.
PostgreSQL 15 runs on 127.0.0.1 with its data and socket directories in the
work dir; it and every connectivityd are stopped at the end, also on failure.

Standard library only. Every figure is reported, met or not, next to its
target; ratios are computed from numbers measured in this run.
"""
import argparse
import base64
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONCURRENCY = (1, 16, 64)
PG_BIN = "/usr/lib/postgresql/15/bin"
# The benchmarks whose figures depend on fsync (phase 1).
DURABLE_FILTER = "BM_JournalAppendDurable|BM_JournalAppendNoSync|BM_RocksDbSyncPutLoop|BM_GroupCommitInFlight"
# Connections of the HTTP data set; retrieve and modify use the first 1,000,
# deletes take slices of the rest.
HTTP_CONNECTIONS = 100000
HTTP_READ_SET = 1000
DELETE_SHARE = {1: 0.10, 16: 0.40, 64: 0.50}


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def dataset_version():
    text = open(os.path.join(ROOT, "bench", "dataset.h")).read()
    return int(re.search(r"kDatasetVersion = (\d+)", text).group(1))


def run(args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}")
        self.port = int(match.group(1))

    def wait_ready(self, timeout_s=300):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic() - self.started
            except Exception:
                pass
            time.sleep(0.002)
        raise RuntimeError("server never became ready")

    def status_kib(self, field):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        """User + system CPU time of the server so far (all threads)."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_peak(self):
        with open(f"/proc/{self.process.pid}/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current RSS

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


class Postgres:
    """PostgreSQL 15 from Debian on 127.0.0.1, data and socket dirs under `work`.

    initdb refuses to run as root, so as root every server command runs as
    the postgres user (runuser); pgbench and psql connect over TCP as the
    database user postgres (trust authentication, loopback only)."""

    def __init__(self, work):
        self.dir = os.path.join(work, "postgres")
        self.data = os.path.join(self.dir, "data")
        self.socket_dir = os.path.join(self.dir, "socket")
        self.port = free_port()
        self.started = False
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self):
        os.makedirs(self.socket_dir)
        if self.as_postgres:
            os.chmod(os.path.dirname(self.dir), 0o755)  # mkdtemp makes 0700; postgres must pass
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        # --no-sync: only initdb's own files; the server runs with fsync=on.
        run(self.as_postgres + [f"{PG_BIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                                "--no-sync"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                   "-c synchronous_commit=on -c fsync=on -c max_connections=100")
        self.started = True
        run(self.as_postgres + [f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w",
                                "-o", options, "start"], stdout=subprocess.DEVNULL)
        self.sql("CREATE TABLE events (persistence_id text, seq bigint, ts timestamptz, type text, "
                 "payload jsonb, PRIMARY KEY (persistence_id, seq))")
        version = self.sql("SHOW server_version").strip()
        settings = self.sql("SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings "
                            "WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', "
                            "'shared_buffers', 'full_page_writes')").strip()
        return {"version": version, "settings": settings}

    def sql(self, statement):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                               "-Atqc", statement], check=True, capture_output=True, text=True).stdout

    def pgbench(self, clients, seconds, payload, script):
        """Inserts per second with `clients` clients (-j 2), each inserting
        events of its own stream (persistence_id = client id, seq 1, 2, ...)."""
        self.sql("TRUNCATE events")
        output = subprocess.run(
            ["pgbench", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-n", "-M", "prepared",
             "-c", str(clients), "-j", str(min(2, clients)), "-T", str(seconds), "-D", "seq=0",
             "-D", "event_type=connectivity.events:connectionCreated", "-D", f"payload={payload}",
             "-f", script, "postgres"], check=True, capture_output=True, text=True).stdout
        tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", output).group(1))
        latency = re.search(r"latency average = ([\d.]+) ms", output)
        failed = re.search(r"number of failed transactions: (\d+)", output)
        return {"inserts_per_s": round(tps, 1), "latency_avg_ms": float(latency.group(1)) if latency else None,
                "failed": int(failed.group(1)) if failed else 0, "seconds": seconds}

    def stop(self):
        if not self.started:
            return
        self.started = False
        subprocess.run(self.as_postgres + [f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    mean = statistics.mean(values)
    return {"median": statistics.median(values), "mean": mean, "min": min(values), "max": max(values),
            "cv": (statistics.stdev(values) / mean) if len(values) > 1 and mean else 0.0, "n": len(values)}


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


def linked_copy(source, target):
    """A writable copy of a cached RocksDB data dir: table files (immutable
    once written) are hard links, everything else is copied."""
    def copy(src, dst):
        if src.endswith(".sst"):
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)
    shutil.copytree(source, target, copy_function=copy, ignore=shutil.ignore_patterns("COMPLETE"))
    return target


AUTH = {"Authorization": "Basic " + base64.b64encode(b"devops:foobar").decode()}


def timed_get(port, path):
    """One GET on a fresh connection: (time to first byte, total time, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
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

# Read workloads run first, on a quiet server: write runs leave flushes,
# compactions and snapshot passes behind that would slow whatever follows.
READ_WORKLOADS = [("health", "health.lua"), ("piggyback_retrieve", "piggyback_retrieve.lua"),
                  ("rest_retrieve", "rest_retrieve.lua")]
WRITE_WORKLOADS = [("piggyback_create", "piggyback_create.lua"), ("piggyback_modify", "piggyback_modify.lua"),
                   ("piggyback_delete", "piggyback_delete.lua"), ("mixed", "mixed.lua")]
WORKLOADS = READ_WORKLOADS + WRITE_WORKLOADS


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
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    median = lambda key: int(statistics.median(r[key] for r in runs))
    combined = {"requests": requests, "seconds": round(seconds, 3), "rps": round(requests / seconds, 1),
                "p50_us": median("p50_us"), "p99_us": median("p99_us"), "p999_us": median("p999_us"),
                "failures": sum(r["failures"] for r in runs), "socket_errors": sum(r["socket_errors"] for r in runs),
                "first_failure": next((r["first_failure"] for r in runs if r.get("first_failure")), None),
                "rps_runs": [r["rps"] for r in runs], "p99_runs": [r["p99_us"] for r in runs],
                "server_cpu_us": round(statistics.median(r["server_cpu_us"] for r in runs), 1),
                "wrk_cpu_us": round(statistics.median(r["wrk_cpu_us"] for r in runs), 1),
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

    def one(name, lua, connections, index, rounds, seconds):
        nonlocal delete_next
        env = {"BENCH_CONNECTIONS": str(HTTP_READ_SET), "BENCH_RUN": f"{stamp}-{connections}-{index}"}
        delete_count = int((HTTP_CONNECTIONS - HTTP_READ_SET) * DELETE_SHARE[connections] / rounds)
        if name == "piggyback_delete":
            env.update(BENCH_DELETE_FIRST=str(delete_next), BENCH_DELETE_END=str(delete_next + delete_count),
                       BENCH_CREATED_RUN=env["BENCH_RUN"])  # the create run just before, same tag
        log(f"wrk {name}, {connections} connections, {seconds} s (round {index + 1} of {rounds})")
        journal_before = journal_counters(server.port)
        cpu_before = server.cpu_seconds()
        wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = wrk(server.port, lua, connections, seconds, env)
        result["journal"] = journal_during(journal_before, journal_counters(server.port))
        wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU per request is steadier than req/s on a shared machine: it does
        # not depend on how much of the two cores the other load left us.
        requests = max(result["requests"], 1)
        result["server_cpu_us"] = round((server.cpu_seconds() - cpu_before) * 1e6 / requests, 1)
        result["wrk_cpu_us"] = round((wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime -
                                      wrk_before.ru_stime) * 1e6 / requests, 1)
        if name == "piggyback_delete":
            delete_next += delete_count
        runs.setdefault(f"{name}_{connections}", []).append(result)
        if name == "piggyback_create":
            log(f"pgbench next to it, {connections} clients, {seconds} s")
            pg_runs[connections].append(postgres.pgbench(connections, seconds, payload, script))

    for kind, workloads in (("read", READ_WORKLOADS), ("write", WRITE_WORKLOADS)):
        rounds, seconds = plan[kind]
        for connections in CONCURRENCY:
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


def startup(build, quick):
    connections = 20000 if quick else 100000
    data = cached_dataset(build, connections, 10)
    runs = 3 if quick else 5
    # The server writes at start-up (a snapshot pass); keep the cache pristine.
    times = []
    for index in range(runs + 1):
        copy = linked_copy(data, data + f".run-{os.getpid()}")
        server = Server(build, copy)
        try:
            ready_s = server.wait_ready()
        finally:
            server.stop()
            shutil.rmtree(copy, ignore_errors=True)
            os.remove(copy + ".log") if os.path.exists(copy + ".log") else None
        if index > 0:  # the first start warms the page cache and is not counted
            times.append(ready_s)
    return {"connections": connections, "events_per_connection": 10, "runs_s": times,
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


# --- figures ---

def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def paired(values, baselines):
    """Median of the per-round ratios values[i] / baselines[i] (both measured
    in the same round), and the ratios themselves."""
    ratios = [v / b for v, b in zip(values or [], baselines or []) if v is not None and b]
    if not ratios or len(values) != len(baselines):
        return None, []
    return round(statistics.median(ratios), 3), [round(r, 2) for r in ratios]


def ratios_text(ratios):
    return "per-round ratios " + ", ".join(f"{r}x" for r in ratios) if len(ratios) > 1 else ""


def cv_text(summary):
    if not summary or summary["n"] < 2:
        return ""
    return f"CV {summary['cv'] * 100:.1f}%, n={summary['n']}, {summary['min']:.4g}..{summary['max']:.4g}"


class Rows:
    def __init__(self):
        self.rows = []

    def add(self, section, name, value, baseline=None, target=None, higher_is_better=True, unit="",
            baseline_name="", spread_text="", note="", paired_ratio=None):
        # A ratio of per-round pairs, when there is one, beats the ratio of medians.
        r = paired_ratio if paired_ratio is not None else ratio(value, baseline) if baseline is not None else None
        met = None
        if target is not None:
            measured = r if baseline is not None else value
            met = None if measured is None else (measured >= target if higher_is_better else measured <= target)
        self.rows.append({"section": section, "figure": name, "value": value, "unit": unit, "baseline": baseline,
                          "baseline_name": baseline_name, "ratio": r, "target": target,
                          "higher_is_better": higher_is_better, "met": met, "spread": spread_text, "note": note})


def micro_rate(micro, name):
    entry = micro.get(name)
    return entry["items_per_second"]["median"] if entry and entry["items_per_second"] else None


def figures(durable, cpu, mem_http, start, history):
    rows = Rows()
    micro = durable["micro"]
    pg = durable["postgres"]
    http = mem_http["http"]["results"]
    pg_adjacent = mem_http["http"]["postgres_adjacent"]
    health = {c: http[f"health_{c}"] for c in CONCURRENCY}

    # Targets first, exactly as the issue states them. Where both sides ran
    # in the same rounds, the ratio is the median of the per-round ratios.
    t = "Targets"
    runs = lambda name: micro.get(name, {}).get("runs_items_per_second")
    create = http["piggyback_create_64"]
    rows.add(t, "Durable creates over HTTP, 64 conns, req/s vs GET /health req/s (health: read block, quiet "
             "server)", create["rps"], health[64]["rps"], 0.4, unit="req/s", baseline_name="GET /health, 64 conns")
    r, per_round = paired(create["rps_runs"], [x["inserts_per_s"] for x in pg_adjacent[64]["runs"]])
    rows.add(t, "Durable creates over HTTP, 64 conns, req/s vs PostgreSQL inserts/s, 64 clients (pgbench right "
             "after each create run)", create["rps"], pg_adjacent[64]["inserts_per_s"], 2.0, unit="req/s",
             baseline_name="pgbench 64 clients", paired_ratio=r, spread_text=ratios_text(per_round))
    journal_name = "BM_JournalAppendDurable/real_time/threads:64"
    journal_64 = micro_rate(micro, journal_name)
    r, per_round = paired(runs(journal_name), runs("BM_RocksDbSyncPutLoop/real_time/threads:64"))
    rows.add(t, "Journal durable appends/s, 64 appenders vs plain RocksDB sync=true loop, 64 threads", journal_64,
             micro_rate(micro, "BM_RocksDbSyncPutLoop/real_time/threads:64"), 3.0, unit="appends/s",
             baseline_name="RocksDB sync loop, 64 threads", paired_ratio=r, spread_text=ratios_text(per_round))
    r, per_round = paired(runs(journal_name), pg[64]["runs_inserts_per_s"])
    rows.add(t, "Journal durable appends/s, 64 appenders vs PostgreSQL inserts/s, 64 clients", journal_64,
             pg[64]["inserts_per_s"]["median"], 5.0, unit="appends/s", baseline_name="pgbench 64 clients",
             paired_ratio=r, spread_text=ratios_text(per_round))
    for name, label in (("piggyback_retrieve", "Piggyback retrieve"), ("rest_retrieve", "REST retrieve")):
        result = http[f"{name}_64"]
        r, per_round = paired(result["rps_runs"], health[64]["rps_runs"])
        rows.add(t, f"{label} over HTTP, 64 conns, req/s vs GET /health", result["rps"], health[64]["rps"], 0.6,
                 unit="req/s", baseline_name="GET /health, 64 conns", paired_ratio=r,
                 spread_text=ratios_text(per_round))
        r, per_round = paired(result["p99_runs"], health[64]["p99_runs"])
        rows.add(t, f"{label} over HTTP, 64 conns, p99 vs GET /health p99", result["p99_us"], health[64]["p99_us"],
                 1.5, higher_is_better=False, unit="us", baseline_name="GET /health p99, 64 conns",
                 paired_ratio=r, spread_text=ratios_text(per_round))
    memory = mem_http["memory"]
    per_connection = (memory[HTTP_CONNECTIONS]["rss_after_list_kib"] - memory[0]["rss_after_list_kib"]) * 1024 \
        / HTTP_CONNECTIONS
    json_bytes = memory[HTTP_CONNECTIONS]["json_bytes_per_connection"]
    rows.add(t, "Memory per connection: (RSS at 100,000 - RSS at 0) / 100,000, after start-up and a full list, vs "
             "budget 2 x JSON size + 2 KiB", round(per_connection), round(2 * json_bytes + 2048), 1.0,
             higher_is_better=False, unit="bytes", baseline_name=f"2 x {json_bytes:.0f} B + 2048 B")

    # Durable writes, every concurrency.
    d = "Durable writes (1 KiB payloads)"
    for c in CONCURRENCY:
        journal_name = f"BM_JournalAppendDurable/real_time/threads:{c}"
        rocks_name = f"BM_RocksDbSyncPutLoop/real_time/threads:{c}"
        nosync_name = f"BM_JournalAppendNoSync/real_time/threads:{c}"
        inflight_name = f"BM_GroupCommitInFlight/in_flight:{c}/real_time"
        journal, rocks = micro.get(journal_name), micro.get(rocks_name)
        nosync, inflight = micro.get(nosync_name), micro.get(inflight_name)
        r, per_round = paired(runs(journal_name), runs(rocks_name))
        rows.add(d, f"Journal durable appends/s, {c} appenders (vs RocksDB sync loop)", micro_rate(micro, journal_name),
                 micro_rate(micro, rocks_name), unit="appends/s", baseline_name=f"RocksDB sync loop, {c} threads",
                 spread_text=cv_text(journal and journal["items_per_second"]), paired_ratio=r,
                 note=ratios_text(per_round))
        r, per_round = paired(runs(journal_name), pg[c]["runs_inserts_per_s"])
        rows.add(d, f"Journal durable appends/s, {c} appenders (vs PostgreSQL, {c} clients)",
                 micro_rate(micro, journal_name), pg[c]["inserts_per_s"]["median"], unit="appends/s",
                 baseline_name=f"pgbench {c} clients", paired_ratio=r, note=ratios_text(per_round))
        rows.add(d, f"Plain RocksDB sync=true Put loop, {c} threads", micro_rate(micro, rocks_name), unit="puts/s",
                 spread_text=cv_text(rocks and rocks["items_per_second"]))
        rows.add(d, f"PostgreSQL inserts/s (pgbench, synchronous_commit=on), {c} clients",
                 pg[c]["inserts_per_s"]["median"], unit="inserts/s", spread_text=cv_text(pg[c]["inserts_per_s"]),
                 note=f"latency avg {pg[c]['latency_avg_ms']['median']:.2f} ms")
        r, per_round = paired(runs(nosync_name), runs(journal_name))
        rows.add(d, f"Journal appends/s without fsync, {c} appenders (vs durable)", micro_rate(micro, nosync_name),
                 micro_rate(micro, journal_name), unit="appends/s", baseline_name="journal durable",
                 spread_text=cv_text(nosync and nosync["items_per_second"]), paired_ratio=r)
        if journal:
            counters = journal["counters"]
            rows.add(d, f"Group commit, {c} blocking appenders: mean events/batch (p50, p90, p99 bucket)",
                     round(counters.get("events_per_batch", 0), 2), unit="events",
                     note=f"p50 <= {counters.get('batch_p50', 0):.0f}, p90 <= {counters.get('batch_p90', 0):.0f}, "
                          f"p99 <= {counters.get('batch_p99', 0):.0f}; sync write {counters.get('sync_write_us', 0):.0f} us")
        if inflight:
            counters = inflight["counters"]
            rows.add(d, f"Group commit, {c} appends in flight from one thread (as the server): appends/s",
                     micro_rate(micro, inflight_name), unit="appends/s",
                     spread_text=cv_text(inflight["items_per_second"]))
            rows.add(d, f"Group commit, {c} appends in flight: mean events/batch",
                     round(counters.get("events_per_batch", 0), 2), unit="events",
                     note=f"p50 <= {counters.get('batch_p50', 0):.0f}, p90 <= {counters.get('batch_p90', 0):.0f}; "
                          f"sync write {counters.get('sync_write_us', 0):.0f} us")

    # HTTP: throughput and latency of every workload against the ceiling.
    h = "HTTP (wrk, keep-alive, same server)"
    for c in CONCURRENCY:
        for name, _ in WORKLOADS:
            result = http[f"{name}_{c}"]
            note = (f"p50 {result['p50_us']} us, p99.9 {result['p999_us']} us, failures {result['failures']}, "
                    f"CPU/request: server {result['server_cpu_us']} us, wrk {result['wrk_cpu_us']} us")
            if result.get("journal"):
                j = result["journal"]
                note += (f", journal: {j['events_per_batch']} events/batch, synced write {j['sync_write_us']} us, "
                         f"append to durable {j['append_to_durable_us']} us")
            if result.get("first_failure"):
                note += f" (first: {result['first_failure'][:60]})"
            if len(result["rps_runs"]) > 1:
                note += ", runs " + " / ".join(f"{x:,.0f}" for x in result["rps_runs"]) + " req/s"
            r, per_round = paired(result["rps_runs"], health[c]["rps_runs"])
            rows.add(h, f"{name}, {c} conns: req/s (vs /health)", result["rps"],
                     None if name == "health" else health[c]["rps"], unit="req/s",
                     baseline_name=f"GET /health, {c} conns", note=note,
                     paired_ratio=None if name == "health" else r)
            r, per_round = paired(result["p99_runs"], health[c]["p99_runs"])
            rows.add(h, f"{name}, {c} conns: p99 (vs /health p99)", result["p99_us"],
                     None if name == "health" else health[c]["p99_us"], higher_is_better=False, unit="us",
                     baseline_name=f"GET /health p99, {c} conns", paired_ratio=None if name == "health" else r)
        if c in pg_adjacent:
            r, per_round = paired(http[f"piggyback_create_{c}"]["rps_runs"],
                                  [x["inserts_per_s"] for x in pg_adjacent[c]["runs"]])
            rows.add(h, f"piggyback_create, {c} conns vs PostgreSQL inserts/s, {c} clients (right after)",
                     http[f"piggyback_create_{c}"]["rps"], pg_adjacent[c]["inserts_per_s"], unit="req/s",
                     baseline_name=f"pgbench {c} clients", paired_ratio=r, note=ratios_text(per_round))

    m = "Memory (connectivityd VmRSS)"
    for connections, figures_at in sorted(memory.items()):
        rows.add(m, f"{connections} connections: VmRSS after start-up", figures_at["rss_start_kib"], unit="KiB",
                 note=f"start-up {figures_at['startup_s']:.2f} s")
        rows.add(m, f"{connections} connections: VmRSS after a full GET list", figures_at["rss_after_list_kib"],
                 unit="KiB", note=f"list {figures_at['list_bytes']} bytes in {figures_at['list_total_s']:.2f} s")
        rows.add(m, f"{connections} connections: peak (VmHWM)", figures_at["hwm_kib"], unit="KiB")
        if "hwm_after_load_kib" in figures_at:
            rows.add(m, f"{connections} connections: peak (VmHWM) after the HTTP load", figures_at["hwm_after_load_kib"],
                     unit="KiB")
    rows.add(m, "Mean connection JSON as listed", round(json_bytes), unit="bytes")

    c_section = "Micro benchmarks (connectivity-bench, median of repetitions)"
    for name, entry in sorted(cpu.items()):
        rate = entry["items_per_second"]
        time_spread = entry["real_time"]
        rows.add(c_section, name, round(rate["median"], 1) if rate else round(time_spread["median"], 3),
                 unit="items/s" if rate else entry["time_unit"], spread_text=cv_text(rate or time_spread),
                 note=", ".join(f"{k}={v:.4g}" for k, v in sorted(entry["counters"].items())
                                if not k.startswith("batch_le") and not k.startswith("batch_gt")))

    o = "Start-up and queries"
    rows.add(o, f"Start-up to /health UP, {start['connections']} connections x 10 events (median of "
             f"{len(start['runs_s'])})", round(start["median_s"], 3), None, 1.0, higher_is_better=False, unit="s",
             spread_text=cv_text(start["spread"]))
    listing = mem_http["listing"]
    rows.add(o, f"GET /api/2/connections, {listing['connections']} connections: time to first byte",
             round(listing["ttfb_s"] * 1000, 1), unit="ms")
    rows.add(o, f"GET /api/2/connections, {listing['connections']} connections: total",
             round(listing["total_s"] * 1000, 1), unit="ms")
    rows.add(o, "GET /api/2/connections: peak RSS growth (vs answer size)", listing["rss_growth_bytes"],
             listing["bytes"], 2.0, higher_is_better=False, unit="bytes", baseline_name="answer bytes")
    rows.add(o, "at-historical-revision in the middle of 10,000 events (median)", round(history["median_ms"], 2),
             None, 5.0, higher_is_better=False, unit="ms")
    return rows.rows


def fmt(value):
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def markdown(rows, meta):
    lines = [f"# Benchmark run {meta['stamp']}", "",
             f"Machine: {meta['machine']}. Command: `{meta['command']}`. Harness duration: "
             f"{meta['duration_s']:.0f} s (phases: " +
             ", ".join(f"{k} {v:.0f} s" for k, v in meta["phase_seconds"].items()) + "). Load average at start "
             f"{meta['load_start']}, at end {meta['load_end']}.", "",
             f"PostgreSQL: {meta.get('postgres', {}).get('version', '?')} "
             f"({meta.get('postgres', {}).get('settings', '')}).", ""]
    section = None
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            lines += ["", f"## {section}", "", "| figure | value | baseline | ratio | target | met | spread / notes |",
                      "|---|---|---|---|---|---|---|"]
        target = "" if row["target"] is None else (">= " if row["higher_is_better"] else "<= ") + f"{row['target']}x" \
            if row["baseline"] is not None else (">= " if row["higher_is_better"] else "<= ") + f"{row['target']}"
        met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
        baseline = "" if row["baseline"] is None else f"{fmt(row['baseline'])} ({row['baseline_name']})" \
            if row["baseline_name"] else fmt(row["baseline"])
        ratio_text = "" if row["ratio"] is None else f"{row['ratio']}x"
        notes = "; ".join(x for x in (row["spread"], row["note"]) if x).replace("|", "\\|")
        lines.append(f"| {row['figure']} | {fmt(row['value'])} {row['unit']} | {baseline} | {ratio_text} | {target} "
                     f"| {met} | {notes} |")
    return "\n".join(lines) + "\n"


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, Linux {platform.release()}"


def spread_report(paths):
    """Markdown: every numeric figure of several runs side by side."""
    runs = [json.load(open(path)) for path in paths]
    stamps = [r["meta"]["stamp"] for r in runs]
    lines = ["| figure | " + " | ".join(stamps) + " | min | max | max/min |",
             "|---|" + "---|" * (len(runs) + 3)]
    keys = []
    for r in runs:
        for row in r["figures"]:
            key = (row["section"], row["figure"])
            if key not in keys:
                keys.append(key)
    for key in keys:
        cells = []
        for r in runs:
            match = [row for row in r["figures"] if (row["section"], row["figure"]) == key]
            row = match[0] if match else None
            value = None if row is None else (row["ratio"] if row["ratio"] is not None else row["value"])
            cells.append(value)
        numbers = [v for v in cells if isinstance(v, (int, float))]
        low, high = (min(numbers), max(numbers)) if numbers else (None, None)
        unit = "x" if any(row["ratio"] is not None for r in runs for row in r["figures"]
                          if (row["section"], row["figure"]) == key) else ""
        lines.append(f"| {key[1]}{' (ratio)' if unit else ''} | " + " | ".join(fmt(v) for v in cells) +
                     f" | {fmt(low)} | {fmt(high)} | {fmt(round(high / low, 2)) if low else ''} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    parser.add_argument("--spread", nargs="+", metavar="RESULT_JSON")
    args = parser.parse_args()
    if args.spread:
        print(spread_report(args.spread))
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
