"""Figures of secrets at rest (issue 13, SPEC §9), each measured against its
baseline in the same run on this machine.

  python3 bench/encryption.py creates [--rounds 5] [--seconds 10] [--connections 64]
      Durable piggyback creates/s (bench/wrk/piggyback_create.lua: every
      connection has a password in its URI) of two servers side by side, one
      with CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED=true and one without,
      in alternating rounds; the ratio is the median of the per-round ratios.

Needs a Release build (scripts/build) and wrk. Standard library only; every
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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servers import Server  # noqa: E402

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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create_parser = commands.add_parser("creates")
    create_parser.add_argument("--rounds", type=int, default=5)
    create_parser.add_argument("--seconds", type=int, default=10)
    create_parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if args.command == "creates":
        creates(args)


if __name__ == "__main__":
    main()
