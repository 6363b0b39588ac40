"""One server process of a round: spawn, wait until ready, end it.

The server listens on 127.0.0.1:0 (the kernel's free port) and prints the
port on stdout; stdout and stderr go to the round's log file, which is read
back for the port and the "ready: N connections recovered in X ms" line.
Start-up time is spawn to the first `GET /health` 200.
"""
import os
import re
import signal
import subprocess
import time

import http_api

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 60.0
POWER_LOSS_ENV = "CONNECTIVITY_FAULTFS_POWER_LOSS_AFTER_WRITES"
LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
READY = re.compile(r"ready: (\d+) connections recovered in (\d+) ms(?: \((\d+) snapshot rows, (\d+) events replayed\))?")


class StartFailed(Exception):
    """The server exited (or never got ready) before answering /health 200."""

    def __init__(self, message, returncode):
        super().__init__(message)
        self.returncode = returncode


class Server:
    def __init__(self, binary, data_dir, log_path, power_loss_after_writes=None, extra_args=(), extra_env=None):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.data_dir = data_dir
        self.log_path = log_path
        env = dict(os.environ)
        env.pop(POWER_LOSS_ENV, None)
        env.update(extra_env or {})
        if power_loss_after_writes is not None:
            env[POWER_LOSS_ENV] = str(power_loss_after_writes)
        self.env = env
        self.process = None
        self.port = None
        self.startup_s = None
        self.recovered = None   # (connections, ms, events replayed or None) from the ready line

    @property
    def pid(self):
        return self.process.pid

    def start(self):
        """Spawns and waits for /health 200; raises StartFailed."""
        with open(self.log_path, "ab") as log:
            started = time.monotonic()
            self.process = subprocess.Popen(
                [self.binary, "--listen", "127.0.0.1:0", "--data-dir", self.data_dir] + self.extra_args,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.env)
        deadline = started + READY_TIMEOUT_S
        while self.port is None:
            self._check_alive("before listening")
            match = LISTENING.search(self._log_tail())
            if match:
                self.port = int(match.group(1))
            elif time.monotonic() > deadline:
                self.kill(signal.SIGKILL)
                raise StartFailed("no 'listening on' line within the start-up timeout", None)
            else:
                time.sleep(0.002)
        while True:
            self._check_alive("before /health answered 200")
            try:
                if http_api.request(self.port, "GET", "/health", timeout=2.0).status == 200:
                    break
            except (http_api.NotSent, http_api.CutOff):
                pass
            if time.monotonic() > deadline:
                self.kill(signal.SIGKILL)
                raise StartFailed("/health never answered 200 within the start-up timeout", None)
            time.sleep(0.005)
        self.startup_s = time.monotonic() - started
        for _ in range(200):  # the line follows /health by microseconds; allow a little
            match = READY.search(self._log_tail())
            if match:
                replayed = int(match.group(4)) if match.group(4) else None
                self.recovered = (int(match.group(1)), int(match.group(2)), replayed)
                break
            time.sleep(0.005)

    def _log_tail(self):
        with open(self.log_path, "rb") as log:
            log.seek(max(0, os.path.getsize(self.log_path) - 65536))
            return log.read().decode("utf-8", "replace")

    def _check_alive(self, when):
        code = self.process.poll()
        if code is not None:
            raise StartFailed(f"the server exited with {describe_exit(code)} {when}", code)

    def kill(self, sig):
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, sig)

    def wait(self, timeout):
        """The exit status, or None if still running after `timeout` s."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def log_excerpt(self, lines=15):
        return "\n".join(self._log_tail().splitlines()[-lines:])


def describe_exit(code):
    if code is None:
        return "no exit"
    if code < 0:
        return f"signal {-code} ({signal.Signals(-code).name})"
    return f"status {code}"
