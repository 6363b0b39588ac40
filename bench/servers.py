"""Processes the benchmark harness starts and stops (bench/harness.py):
connectivityd and PostgreSQL on 127.0.0.1, plus the small helpers around
them (free ports, linked copies of data dirs, one timed GET).

Standard library only. Every process is stopped by its own handle (PID),
never by name.
"""
import base64
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"


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

    def kill(self):
        """kill -9: no last snapshot pass, no flush; the next start recovers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.log_file.close()

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
