"""Figures of secrets at rest (issue 13, SPEC §9), each measured against its
baseline in the same run on this machine.

  python3 bench/encryption.py creates [--rounds 5] [--seconds 10] [--connections 64]
      Durable piggyback creates/s (bench/wrk/piggyback_create.lua: every
      connection has a password in its URI) of two servers side by side, one
      with CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED=true and one without,
      in alternating rounds; the ratio is the median of the per-round ratios.

  python3 bench/encryption.py migration [--connections 100000] [--events 10] [--batch 1000]
      The data set of scripts/bench (connections with a password in their
      URI, in plaintext) on a server started with encryption enabled; an
      initial-encryption migration (migrateEncryption, unthrottled, batches
      of --batch documents) while wrk creates connections; reports events/s
      of the journal phase, documents/s of the snapshot phase, the create
      p99 during the migration vs before it on the same server, and a grep
      of the data dir for the data set's passwords afterwards.

Needs a Release build (scripts/build connectivityd connectivity-datagen) and wrk. Standard library only; every
process is stopped by its own handle.
"""
import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import cached_dataset  # noqa: E402
from servers import AUTH, Server, linked_copy  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")


def log(message):
    print(f"[encryption] {message}", file=sys.stderr, flush=True)


def new_key():
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


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
    result = json.loads(match.group(1))
    if result["failures"] or result["socket_errors"]:
        raise RuntimeError(f"wrk {script}: failures in {result}")
    return result


def creates(args):
    work = tempfile.mkdtemp(prefix="encryption-bench-")
    key = new_key()
    servers = {}
    try:
        for name, env in (("plain", {}), ("encrypted", {"CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED": "true",
                                                          "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY": key})):
            servers[name] = Server(BUILD, os.path.join(work, name), env=env)
            servers[name].wait_ready()
        rounds = {"plain": [], "encrypted": []}
        ratios = []
        for index in range(args.rounds):
            order = ("plain", "encrypted") if index % 2 == 0 else ("encrypted", "plain")
            for name in order:
                cpu_before = servers[name].cpu_seconds()
                result = wrk(servers[name].port, "piggyback_create.lua", args.connections, args.seconds,
                             {"BENCH_RUN": f"r{index}-{name}-{int(time.time())}"})
                # CPU per create is steadier than creates/s on a shared machine.
                result["server_cpu_us"] = (servers[name].cpu_seconds() - cpu_before) * 1e6 / max(result["requests"], 1)
                rounds[name].append(result)
                log(f"round {index + 1} {name}: {result['rps']:.0f} creates/s, p99 {result['p99_us'] / 1000:.1f} ms, "
                    f"server CPU {result['server_cpu_us']:.0f} us per create")
            ratios.append(rounds["encrypted"][-1]["rps"] / rounds["plain"][-1]["rps"])
        summary = {
            "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
            "plain_rps": [round(r["rps"]) for r in rounds["plain"]],
            "encrypted_rps": [round(r["rps"]) for r in rounds["encrypted"]],
            "plain_p99_ms": [round(r["p99_us"] / 1000, 1) for r in rounds["plain"]],
            "encrypted_p99_ms": [round(r["p99_us"] / 1000, 1) for r in rounds["encrypted"]],
            "plain_cpu_us": [round(r["server_cpu_us"], 1) for r in rounds["plain"]],
            "encrypted_cpu_us": [round(r["server_cpu_us"], 1) for r in rounds["encrypted"]],
            "ratios": [round(r, 3) for r in ratios],
            "median_ratio": round(statistics.median(ratios), 3),
        }
        print(json.dumps(summary))
        print(f"durable creates/s at {args.connections} connections, encrypted vs plaintext: "
              f"median of {args.rounds} per-round ratios {summary['median_ratio']:.2f}x "
              f"(plain {statistics.median(summary['plain_rps']):.0f}/s, "
              f"encrypted {statistics.median(summary['encrypted_rps']):.0f}/s); server CPU per create "
              f"{statistics.median(summary['plain_cpu_us']):.0f} vs {statistics.median(summary['encrypted_cpu_us']):.0f} us")
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def piggyback(port, selection, command):
    body = json.dumps({"targetActorSelection": selection, "headers": {"aggregate": False},
                       "piggybackCommand": command}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/devops/piggyback/connectivity", data=body,
                                     headers={**AUTH, "Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def files_containing(directory, needle):
    found = 0
    for root, _, names in os.walk(directory):
        for name in names:
            with open(os.path.join(root, name), "rb") as data:
                if needle in data.read():
                    found += 1
    return found


def migration(args):
    dataset = cached_dataset(BUILD, args.connections, args.events)
    work = tempfile.mkdtemp(prefix="migration-bench-")
    data = linked_copy(dataset, os.path.join(work, "data"))
    needle = b"bench:secret-"  # the data set's URI user info, before encryption
    server = None
    try:
        log(f"data dir: {files_containing(data, needle)} files hold '{needle.decode()}'")
        env = {"CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED": "true", "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY": new_key(),
               "CONNECTIVITY_ENCRYPTION_MIGRATION_BATCH_SIZE": str(args.batch),
               "CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE": "0"}
        server = Server(BUILD, data, env=env)
        server.wait_ready()
        selection = "/user/connectivityRoot/encryptionMigration"
        before = [wrk(server.port, "piggyback_create.lua", args.clients, args.seconds, {"BENCH_RUN": f"before{i}"})
                  for i in range(2)]
        phases = {}
        status = {}

        def poll():
            nonlocal status
            while True:
                status = piggyback(server.port, selection, {"type": "connectivity.commands:migrateEncryptionStatus"})
                phases.setdefault(status["phase"], time.monotonic())
                if not status["migrationActive"]:
                    return
                time.sleep(0.05)

        started = time.monotonic()
        answer = piggyback(server.port, selection, {"type": "connectivity.commands:migrateEncryption"})
        if answer.get("status") != 202:
            raise RuntimeError(f"migrateEncryption: {answer}")
        poller = threading.Thread(target=poll)
        poller.start()
        during = []
        while poller.is_alive():
            during.append(wrk(server.port, "piggyback_create.lua", args.clients, args.seconds,
                              {"BENCH_RUN": f"during{len(during)}"}))
        poller.join()
        ended = phases.get("completed", time.monotonic())
        journal_started = phases.get("in_progress:journal", started)
        after = [wrk(server.port, "piggyback_create.lua", args.clients, args.seconds, {"BENCH_RUN": f"after{i}"})
                 for i in range(2)]
        events = status["journalEvents"]
        snapshots = status["snapshots"]
        total_events = args.connections * args.events
        summary = {
            "connections": args.connections, "events_per_connection": args.events, "batch": args.batch,
            "final_status": status, "migration_s": round(ended - started, 2),
            "snapshot_phase_s": round(journal_started - started, 2), "journal_phase_s": round(ended - journal_started, 2),
            "journal_events_per_s": round(total_events / max(ended - journal_started, 1e-9)),
            "journal_documents_per_s": round(sum(events.values()) / max(ended - journal_started, 1e-9)),
            "snapshot_documents_per_s": round(sum(snapshots.values()) / max(journal_started - started, 1e-9)),
            "creates_p99_ms_before": [r["p99_us"] / 1000 for r in before],
            "creates_p99_ms_during": [r["p99_us"] / 1000 for r in during],
            "creates_p99_ms_after": [r["p99_us"] / 1000 for r in after],
            "creates_rps_before": [round(r["rps"]) for r in before],
            "creates_rps_during": [round(r["rps"]) for r in during],
            "creates_rps_after": [round(r["rps"]) for r in after],
            "files_with_plaintext_after": files_containing(data, needle),
        }
        print(json.dumps(summary))
        baseline_p99 = statistics.median(summary["creates_p99_ms_before"] + summary["creates_p99_ms_after"])
        print(f"migration of {args.connections} x {args.events}: {summary['migration_s']} s "
              f"(snapshots {summary['snapshot_phase_s']} s, journal {summary['journal_phase_s']} s: "
              f"{summary['journal_events_per_s']} events/s); create p99 at {args.clients} clients: "
              f"{statistics.median(summary['creates_p99_ms_during']):.1f} ms during vs {baseline_p99:.1f} ms "
              f"without; files holding '{needle.decode()}' afterwards: {summary['files_with_plaintext_after']}")
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create_parser = commands.add_parser("creates")
    create_parser.add_argument("--rounds", type=int, default=5)
    create_parser.add_argument("--seconds", type=int, default=10)
    create_parser.add_argument("--connections", type=int, default=64)
    migration_parser = commands.add_parser("migration")
    migration_parser.add_argument("--connections", type=int, default=100_000)
    migration_parser.add_argument("--events", type=int, default=10)
    migration_parser.add_argument("--batch", type=int, default=1000)
    migration_parser.add_argument("--clients", type=int, default=16)
    migration_parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if args.command == "creates":
        creates(args)
    else:
        migration(args)


if __name__ == "__main__":
    main()
