#!/usr/bin/env python3
"""Soak test behind scripts/soak (issue 11, item 6): the mixed workload at half of its measured
maximum, next to 1,000 idle keep-alive sockets and a trickle of slow-header clients, for N
minutes; RSS, open file descriptors and p99 must stay flat from the first minute to the last.

    bench/soak.py --minutes N [--build DIR] [--connections C] [--keep]

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
  4. per minute: achieved req/s, p99, failures, the peak RSS of the minute (VmHWM, reset at the
     start of every minute), the median "own" memory of the minute (RSS minus what RocksDB
     accounts for: memtables, block cache, table readers; sampled every 5 s from /metrics),
     open descriptors, open HTTP connections and registry entries (from /metrics), idle sockets
     alive, slow clients answered 408.
Why peaks and "own" memory: RSS at one instant sits anywhere on the memtables' sawtooth (they
fill to the write-buffer budget, 64 MiB, and are flushed, every few seconds under this load), and
the block cache fills towards its capacity (32 MiB) as the journal grows. Both are capped by
configured budgets; a leak is growth beyond them, which "own" memory shows directly.
Flat means: the last minute's own memory at most 10 % + 8 MiB over the first minute's, and its peak
RSS too, plus what the block cache gained meanwhile (it is capped by its capacity); descriptors at
most 32 more; p99 at most twice the first minute's (or 5 ms more).
Exit status 1 if not flat or if any idle socket was closed or a slow client was not answered 408.

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
SAMPLE_EVERY_S = 5.0
MIB = 1024 * 1024


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


def metrics_text(port):
    with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=AUTH),
                                timeout=10) as answer:
        return answer.read().decode()


def metric(text, name, labels=""):
    match = re.search(rf"^{re.escape(name + labels)} ([\d.e+-]+)$", text, re.MULTILINE)
    return int(float(match.group(1))) if match else -1


def storage_mib(text):
    """What RocksDB holds in memory (MiB) by its own accounting: memtables, block cache, table readers."""
    kinds = ("memtables", "block_cache", "table_readers")
    return {kind: max(0, metric(text, "connectivity_storage_memory_bytes", f'{{kind="{kind}"}}')) / MIB
            for kind in kinds}


class MemorySampler(threading.Thread):
    """Every SAMPLE_EVERY_S: the server's RSS and RocksDB's accounted memory; gives, per minute, the
    median of RSS minus RocksDB's memory ("own": the median, because right after a flush RocksDB
    has given a memtable back while the allocator still holds its pages) and the largest
    RocksDB figures."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.minute = None

    def start_minute(self):
        self.server.reset_peak()
        with self.lock:
            self.minute = {"own": [], "memtables": 0.0, "block_cache": 0.0, "table_readers": 0.0}

    def end_minute(self):
        self.sample()
        with self.lock:
            minute, self.minute = self.minute, None
        minute["own_mib"] = statistics.median(minute.pop("own")) if minute["own"] else 0.0
        return minute

    def sample(self):
        try:
            storage = storage_mib(metrics_text(self.server.port))
        except OSError:
            return
        own = self.server.status_kib("VmRSS") / 1024 - sum(storage.values())
        with self.lock:
            if self.minute is None:
                return
            self.minute["own"].append(own)
            for kind, mib in storage.items():
                self.minute[kind] = max(self.minute[kind], mib)

    def run(self):
        while not self.stop.wait(SAMPLE_EVERY_S):
            self.sample()


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def run_wrk(port, connections, seconds, delay_ms):
    return wrk(port, "soak_mixed.lua", connections, seconds,
               {"BENCH_CONNECTIONS": str(DATASET_CONNECTIONS), "BENCH_DELAY_MS": str(delay_ms)})


def flat(first, last):
    # The block cache fills towards its configured capacity as the journal grows: what it gained
    # is allowed on top of the peak RSS's margin (never more than its capacity, by construction).
    cache_gain = max(0.0, last["cache_mib"] - first["cache_mib"])
    rss_ok = (last["rss_peak_mib"] <= first["rss_peak_mib"] * 1.10 + 8 + cache_gain and
              last["own_mib"] <= first["own_mib"] * 1.10 + 8)
    fds_ok = last["fds"] <= first["fds"] + 32
    p99_ok = last["p99_ms"] <= max(2 * first["p99_ms"], first["p99_ms"] + 5)
    return rss_ok, fds_ok, p99_ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, required=True)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--connections", type=int, default=16, help="wrk keep-alive connections")
    parser.add_argument("--keep", action="store_true",
                        help="keep the server's data folder (RocksDB's LOG files show flushes and stalls)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="connectivity-soak-", dir=os.environ.get("TMPDIR", "/tmp"))
    server = None
    idle = slow = memory = None
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
        # Fractional: soak_mixed.lua dithers between the two whole milliseconds around it (wrk's
        # delay() takes whole milliseconds; at 16 connections one is a quarter of the pause).
        delay_ms = max(0.1, args.connections * 1000 / target - maximum["p50_us"] / 1000)
        idle = IdleSockets(server.port)
        idle.start()
        while idle.alive() < IDLE_SOCKETS and idle.is_alive():
            time.sleep(0.1)
        slow = SlowClients(server.port)
        slow.start()
        memory = MemorySampler(server)
        memory.start()
        rows = []
        print("minute  req/s  p99 ms  failures  RSS peak  own MiB  memtables  cache  fds  http conns  registry  "
              "idle alive  slow 408/started", flush=True)
        for minute in range(1, args.minutes + 1):
            memory.start_minute()
            result = run_wrk(server.port, args.connections, 60, delay_ms)
            peaks = memory.end_minute()
            text = metrics_text(server.port)
            row = {"minute": minute, "rps": result["rps"], "p99_ms": result["p99_us"] / 1000,
                   "failures": result["failures"] + result["socket_errors"],
                   "rss_peak_mib": server.status_kib("VmHWM") / 1024, "own_mib": peaks["own_mib"],
                   "memtables_mib": peaks["memtables"], "cache_mib": peaks["block_cache"],
                   "fds": descriptors(server.process.pid),
                   "http": metric(text, "connectivity_http_connections_open"),
                   "registry": metric(text, "connectivity_registry_entries"),
                   "idle": idle.alive(), "slow": f"{slow.answered_408}/{slow.started_total}",
                   "delay_ms": delay_ms}
            rows.append(row)
            print(f"{minute:6} {row['rps']:6.0f} {row['p99_ms']:7.1f} {row['failures']:9} {row['rss_peak_mib']:9.1f} "
                  f"{row['own_mib']:8.1f} {row['memtables_mib']:10.1f} {row['cache_mib']:6.1f} "
                  f"{row['fds']:4} {row['http']:11} {row['registry']:9} {row['idle']:11} {row['slow']:>17}",
                  flush=True)
            if result.get("first_failure"):
                log(f"minute {minute}: first failure: {result['first_failure']}")
            # Hold the rate at the target: scale the pause by how far this minute was off.
            delay_ms = max(0.1, delay_ms * result["rps"] / target)
        first, last = rows[0], rows[-1]
        rss_ok, fds_ok, p99_ok = flat(first, last)
        idle_ok = idle.closed_by_server == 0 and idle.alive() == IDLE_SOCKETS
        slow_ok = slow.other_endings == 0 and slow.answered_408 > 0
        for name, row in (("first minute:", first), ("last minute: ", last)):
            print(f"{name} RSS peak {row['rss_peak_mib']:.1f} MiB (own {row['own_mib']:.1f}, memtables "
                  f"{row['memtables_mib']:.1f}, block cache {row['cache_mib']:.1f}), {row['fds']} fds, "
                  f"p99 {row['p99_ms']:.1f} ms, {row['rps']:.0f} req/s")
        print(f"maximum {maximum['rps']:.0f} req/s, target {target:.0f}; median p99 "
              f"{statistics.median(r['p99_ms'] for r in rows):.1f} ms; idle sockets closed by the server: "
              f"{idle.closed_by_server}; slow clients: {slow.answered_408} answered 408, "
              f"{slow.other_endings} ended otherwise, of {slow.started_total}")
        verdicts = {"RSS flat": rss_ok, "descriptors flat": fds_ok, "p99 flat": p99_ok,
                    "idle sockets kept": idle_ok, "slow clients answered 408": slow_ok}
        print("; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in verdicts.items()))
        return 0 if all(verdicts.values()) else 1
    finally:
        for thread in (idle, slow, memory):
            if thread is not None:
                thread.stop.set()
                thread.join(timeout=10)
        if server is not None:
            server.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
