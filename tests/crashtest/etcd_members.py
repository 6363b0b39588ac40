"""etcd members for the crash test in cluster mode (--etcd-members N): real
members of Debian's etcd on free loopback ports, with their data under the
run's work dir; a round may kill -9 one of them under the workload, and it
starts again (on its data) before the next round.
"""
import os
import socket
import subprocess
import time


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EtcdMembers:
    def __init__(self, count, work_dir):
        self.dir = os.path.join(work_dir, "etcd")
        os.makedirs(self.dir)
        self.names = [f"m{i + 1}" for i in range(count)]
        self.client_ports = [free_port() for _ in range(count)]
        self.peer_ports = [free_port() for _ in range(count)]
        self.processes = [None] * count
        self.started_once = [False] * count

    @property
    def uri(self):
        return "etcd://" + ",".join(f"127.0.0.1:{port}" for port in self.client_ports)

    def start_all(self):
        for index in range(len(self.names)):
            self.start(index)
        self.wait_healthy()

    def start(self, index):
        if self.processes[index] is not None and self.processes[index].poll() is None:
            return
        cluster = ",".join(f"{name}=http://127.0.0.1:{port}" for name, port in zip(self.names, self.peer_ports))
        client = f"http://127.0.0.1:{self.client_ports[index]}"
        peer = f"http://127.0.0.1:{self.peer_ports[index]}"
        log = open(os.path.join(self.dir, f"{self.names[index]}.log"), "ab")
        self.processes[index] = subprocess.Popen(
            ["etcd", "--name", self.names[index], "--data-dir", os.path.join(self.dir, self.names[index]),
             "--listen-client-urls", client, "--advertise-client-urls", client,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", cluster, "--initial-cluster-token", "crashtest",
             "--initial-cluster-state", "existing" if self.started_once[index] else "new",
             "--auto-compaction-mode", "periodic", "--auto-compaction-retention", "10m",
             "--logger", "zap", "--log-level", "error"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        self.started_once[index] = True

    def kill(self, index):
        process = self.processes[index]
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(30)

    def down(self):
        return [index for index, process in enumerate(self.processes) if process is None or process.poll() is not None]

    def restart_down(self):
        for index in self.down():
            self.start(index)
        self.wait_healthy()

    def wait_healthy(self, timeout=30.0):
        endpoints = ",".join(f"127.0.0.1:{port}" for port in self.client_ports)
        env = dict(os.environ, ETCDCTL_API="3")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(["etcdctl", "--endpoints", endpoints, "--command-timeout", "2s", "get",
                                     "--consistency=l", "crashtest/probe"], capture_output=True, env=env)
            if result.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the etcd members did not become healthy")

    def stop_all(self):
        for index in range(len(self.names)):
            self.kill(index)
