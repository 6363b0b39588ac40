#!/usr/bin/env python3
"""Soak test behind scripts/soak (issue 11, item 6): the mixed workload at half of its measured
maximum, next to 1,000 idle keep-alive sockets and a trickle of slow-header clients, for N
minutes; RSS, open file descriptors and p99 must stay flat from the first minute to the last.

    bench/soak.py --minutes N [--build DIR] [--connections C]

Steps:
  1. connectivityd (Release build) on 127.0.0.1 with a copy of the cached 1,000-connection data
     set (bench/harness.py generates it with connectivity-datagen);
  2. the maximum: wrk with bench/wrk/soak_mixed.lua (the mixed workload of mixed.lua, creates and
     deletes cycling over a bounded set of ids) on C keep-alive connections for 20 s;
  3. then, minute by minute: the same workload paced to half that rate (wrk's delay(), adjusted
     after every minute), while 1,000 other sockets stay open and idle (each sends GET /health
     every 20 s, well inside the 60 s idle timeout, so none may be closed) and a slow client
     starts every 2 s that sends a partial head one byte at a time (the server must answer each
     with 408 after its header timeout);
  4. per minute: achieved req/s, p99, failures, VmRSS, open descriptors, open HTTP connections
     and registry entries (from /metrics), idle sockets alive, slow clients answered 408.
Flat means: last-minute RSS at most 10 % + 8 MiB over the first minute's, descriptors at most 32
more, p99 at most twice the first minute's (or 5 ms more). Exit status 1 if not flat or if any
idle socket was closed or a slow client was not answered 408.

Standard library and wrk only; every process is stopped by its own handle.
"""
import argparse
import os
import re
import select
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import cached_dataset, log, wrk  # noqa: E402
from servers import AUTH, Server, linked_copy  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASET_CONNECTIONS = 1000
IDLE_SOCKETS = 1000
IDLE_PING_S = 20
SLOW_EVERY_S = 2.0
SLOW_BYTE_EVERY_S = 3.0
HEALTH = b"GET /health HTTP/1.1\r\nHost: soak\r\n\r\n"


class IdleSockets(threading.Thread):
    """IDLE_SOCKETS keep-alive connections that each send GET /health every IDLE_PING_S seconds
    and otherwise stay idle. Counts answers and connections the server closed."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.closed_by_server = 0
        self.answers = 0
        self.sockets = []
        self.lock = threading.Lock()

    def alive(self):
        with self.lock:
            return len(self.sockets)

    def run(self):
        for _ in range(IDLE_SOCKETS):
            sock = socket.create_connection(("127.0.0.1", self.port))
            sock.setblocking(False)
            with self.lock:
                self.sockets.append([sock, 0.0])
        while not self.stop.is_set():
            now = time.monotonic()
            with self.lock:
                entries = list(self.sockets)
            for entry in entries:  # spread the pings over the interval
                if now - entry[1] >= IDLE_PING_S:
                    try:
                        entry[0].send(HEALTH)
                        entry[1] = now + (hash(entry[0]) % 1000) / 1000.0
                    except OSError:
                        self.drop(entry)
            by_fd = {e[0].fileno(): e for e in entries}
            poller = select.poll()  # select() cannot watch descriptors above 1023
            for fd in by_fd:
                poller.register(fd, select.POLLIN)
            for fd, _ in poller.poll(200):
                entry = by_fd[fd]
                try:
                    data = entry[0].recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self.drop(entry)
                else:
                    self.answers += data.count(b"HTTP/1.1 200")
        with self.lock:
            for sock, _ in self.sockets:
                sock.close()

    def drop(self, entry):
        with self.lock:
            if entry in self.sockets:
                self.sockets.remove(entry)
                self.closed_by_server += 1
        entry[0].close()


class SlowClients(threading.Thread):
    """A new client every SLOW_EVERY_S that sends a partial request line and then one byte every
    SLOW_BYTE_EVERY_S, never finishing its head. Counts the 408 answers and the other endings."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.started_total = 0
        self.answered_408 = 0
        self.other_endings = 0

    def run(self):
        clients = {}  # socket -> next byte time
        next_start = time.monotonic()
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= next_start:
                sock = socket.create_connection(("127.0.0.1", self.port))
                sock.sendall(b"GET /health HTTP/1.1\r\nHo")
                sock.setblocking(False)
                clients[sock] = now + SLOW_BYTE_EVERY_S
                self.started_total += 1
                next_start = now + SLOW_EVERY_S
            for sock, due in list(clients.items()):
                if now >= due:
                    try:
                        sock.send(b"s")
                        clients[sock] = now + SLOW_BYTE_EVERY_S
                    except OSError:
                        pass
            by_fd = {sock.fileno(): sock for sock in clients}
            poller = select.poll()
            for fd in by_fd:
                poller.register(fd, select.POLLIN)
            if not by_fd:
                time.sleep(0.2)
            for fd, _ in (poller.poll(200) if by_fd else []):
                sock = by_fd[fd]
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b""
                if data.startswith(b"HTTP/1.1 408"):
                    self.answered_408 += 1
                else:
                    self.other_endings += 1
                del clients[sock]
                sock.close()
        for sock in clients:
            sock.close()


def metric(port, name):
    with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=AUTH),
                                timeout=10) as answer:
        text = answer.read().decode()
    match = re.search(rf"^{name} ([\d.e+-]+)$", text, re.MULTILINE)
    return int(float(match.group(1))) if match else -1


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def run_wrk(port, connections, seconds, delay_ms):
    return wrk(port, "soak_mixed.lua", connections, seconds,
               {"BENCH_CONNECTIONS": str(DATASET_CONNECTIONS), "BENCH_DELAY_MS": str(delay_ms)})


def flat(first, last):
    rss_ok = last["rss_mib"] <= first["rss_mib"] * 1.10 + 8
    fds_ok = last["fds"] <= first["fds"] + 32
    p99_ok = last["p99_ms"] <= max(2 * first["p99_ms"], first["p99_ms"] + 5)
    return rss_ok, fds_ok, p99_ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, required=True)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--connections", type=int, default=16, help="wrk keep-alive connections")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="connectivity-soak-", dir=os.environ.get("TMPDIR", "/tmp"))
    server = None
    idle = slow = None
    try:
        data = linked_copy(cached_dataset(args.build, DATASET_CONNECTIONS, 2), os.path.join(work, "data"))
        server = Server(args.build, data)
        server.wait_ready()
        log(f"server pid {server.process.pid} on port {server.port}")
        run_wrk(server.port, args.connections, 5, 0)  # warm-up, not counted
        maximum = run_wrk(server.port, args.connections, 20, 0)
        target = maximum["rps"] / 2
        log(f"maximum {maximum['rps']:.0f} req/s (p99 {maximum['p99_us'] / 1000:.1f} ms, "
            f"failures {maximum['failures']}); soak target {target:.0f} req/s")
        # Per connection one request every connections/target seconds; the latency is part of it.
        delay_ms = max(1, int(args.connections * 1000 / target - maximum["p50_us"] / 1000))
        idle = IdleSockets(server.port)
        idle.start()
        while idle.alive() < IDLE_SOCKETS and idle.is_alive():
            time.sleep(0.1)
        slow = SlowClients(server.port)
        slow.start()
        rows = []
        print("minute  req/s  p99 ms  failures  RSS MiB  fds  http conns  registry  idle alive  slow 408/started",
              flush=True)
        for minute in range(1, args.minutes + 1):
            result = run_wrk(server.port, args.connections, 60, delay_ms)
            row = {"minute": minute, "rps": result["rps"], "p99_ms": result["p99_us"] / 1000,
                   "failures": result["failures"] + result["socket_errors"],
                   "rss_mib": server.status_kib("VmRSS") / 1024, "fds": descriptors(server.process.pid),
                   "http": metric(server.port, "connectivity_http_connections_open"),
                   "registry": metric(server.port, "connectivity_registry_entries"),
                   "idle": idle.alive(), "slow": f"{slow.answered_408}/{slow.started_total}",
                   "delay_ms": delay_ms}
            rows.append(row)
            print(f"{minute:6} {row['rps']:6.0f} {row['p99_ms']:7.1f} {row['failures']:9} {row['rss_mib']:8.1f} "
                  f"{row['fds']:4} {row['http']:11} {row['registry']:9} {row['idle']:11} {row['slow']:>17}",
                  flush=True)
            if result.get("first_failure"):
                log(f"minute {minute}: first failure: {result['first_failure']}")
            # Hold the rate at the target: scale the pause by how far this minute was off.
            delay_ms = max(1, int(delay_ms * result["rps"] / target))
        first, last = rows[0], rows[-1]
        rss_ok, fds_ok, p99_ok = flat(first, last)
        idle_ok = idle.closed_by_server == 0 and idle.alive() == IDLE_SOCKETS
        slow_ok = slow.other_endings == 0 and slow.answered_408 > 0
        print(f"first minute: RSS {first['rss_mib']:.1f} MiB, {first['fds']} fds, p99 {first['p99_ms']:.1f} ms, "
              f"{first['rps']:.0f} req/s")
        print(f"last minute:  RSS {last['rss_mib']:.1f} MiB, {last['fds']} fds, p99 {last['p99_ms']:.1f} ms, "
              f"{last['rps']:.0f} req/s")
        print(f"maximum {maximum['rps']:.0f} req/s, target {target:.0f}; median p99 "
              f"{statistics.median(r['p99_ms'] for r in rows):.1f} ms; idle sockets closed by the server: "
              f"{idle.closed_by_server}; slow clients: {slow.answered_408} answered 408, "
              f"{slow.other_endings} ended otherwise, of {slow.started_total}")
        verdicts = {"RSS flat": rss_ok, "descriptors flat": fds_ok, "p99 flat": p99_ok,
                    "idle sockets kept": idle_ok, "slow clients answered 408": slow_ok}
        print("; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in verdicts.items()))
        return 0 if all(verdicts.values()) else 1
    finally:
        for thread in (idle, slow):
            if thread is not None:
                thread.stop.set()
                thread.join(timeout=10)
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
