#!/usr/bin/env python3
"""Hostile HTTP probe against the real connectivityd (issue 11, first figure).

Sends malformed and hostile requests over raw sockets: bodies, headers, request lines and
paths, encodings, authentication, slow and idle sockets, floods of connections. Every case must
end in a 4xx answer (Ditto's error JSON when it is JSON) or a clean close, never a 5xx or a
hang; after each case the server must still run and answer GET /health within 50 ms (the best
of three tries, so one scheduler hiccup on a shared machine is not taken for a stuck server).

    tests/probe/hostile_probe.py [--build DIR] [--port PORT] [--markdown]

Without --port it starts BUILD/connectivityd (default build/) on a free loopback port with a
temporary data directory and short timeouts (--header-timeout 2s --body-timeout 2s
--idle-timeout 3s --max-connections 256). It prints one line per case and exits 1 if any case
failed. Standard library only.
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

AUTH = "Authorization: Basic " + base64.b64encode(b"devops:foobar").decode() + "\r\n"
HEADER_TIMEOUT_S = 2
BODY_TIMEOUT_S = 2
IDLE_TIMEOUT_S = 3
MAX_CONNECTIONS = 256
HEALTH_MS_MAX = 50.0


class Outcome:
    def __init__(self):
        self.status = None        # first answer's status
        self.error = None         # its Ditto "error" member
        self.json_ok = None       # Ditto error JSON shape (when the answer is JSON)
        self.connection = None    # the answer's Connection header
        self.closed = False       # the server ended the connection
        self.answers = 0
        self.note = ""

    def text(self):
        if self.status is None:
            return ("clean close, no answer" if self.closed else "no answer") + self.note
        parts = [str(self.status)]
        if self.error:
            parts.append(self.error)
        if self.answers > 1:
            parts.append(f"{self.answers} answers")
        parts.append("closed" if self.closed else "kept open")
        return ", ".join(parts) + self.note


def read_answers(sock, outcome, timeout_s, follow=False):
    """Reads answers until the connection ends or `timeout_s` passes without a byte; after a
    keep-alive answer it stops soon, unless `follow` (waiting for the server to close)."""
    buffer = b""
    sock.settimeout(timeout_s)
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            outcome.closed = True
            break
        if not chunk:
            outcome.closed = True
            break
        buffer += chunk
        while True:
            parsed = parse_answer(buffer)
            if parsed is None:
                break
            status, headers, body, rest = parsed
            buffer = rest
            if status == 100:
                continue
            outcome.answers += 1
            if outcome.status is None:
                outcome.status = status
                outcome.connection = headers.get("connection", "")
                if headers.get("content-type", "").startswith("application/json") and status >= 400:
                    try:
                        doc = json.loads(body.decode("utf-8"))
                        outcome.error = doc.get("error")
                        outcome.json_ok = (doc.get("status") == status and isinstance(doc.get("error"), str)
                                           and isinstance(doc.get("message"), str))
                    except (ValueError, UnicodeDecodeError):
                        outcome.json_ok = False
        if outcome.status is not None and outcome.connection.lower() == "keep-alive" and not follow:
            sock.settimeout(0.3)  # a kept connection: stop soon after the answer
    return outcome


def parse_answer(buffer):
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buffer[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ")[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    rest = buffer[end + 4:]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            line_end = rest.find(b"\r\n")
            if line_end < 0:
                return None
            size = int(rest[:line_end], 16)
            if len(rest) < line_end + 2 + size + 2:
                return None
            body += rest[line_end + 2:line_end + 2 + size]
            rest = rest[line_end + 2 + size + 2:]
            if size == 0:
                return status, headers, body, rest
    length = int(headers.get("content-length", "0"))
    if len(rest) < length:
        return None
    return status, headers, rest[:length], rest[length:]


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_case(port, pieces, wait_s=None, half_close=False, reset=False, follow=False):
    """Sends `pieces` (bytes, or (bytes, delay_s) pairs) and reads what comes back."""
    outcome = Outcome()
    sock = connect(port)
    try:
        for piece in pieces:
            data, delay = piece if isinstance(piece, tuple) else (piece, 0)
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                outcome.note = " (server closed while sending)"
                break
            if delay:
                time.sleep(delay)
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.close()
            outcome.note = " (the client reset the connection)"
            return outcome
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        read_answers(sock, outcome, wait_s if wait_s is not None else 5, follow)
    finally:
        try:
            sock.close()
        except OSError:
            pass
    return outcome


def health_ms(port):
    """Milliseconds from connecting to a complete 200 answer to GET /health (best of three)."""
    best = None
    for _ in range(3):
        start = time.monotonic()
        try:
            sock = connect(port)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
            buffer = b""
            parsed = None
            while parsed is None:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                buffer += chunk
                parsed = parse_answer(buffer)
            elapsed = (time.monotonic() - start) * 1000
            sock.close()
        except OSError:
            continue
        if parsed is not None and parsed[0] == 200:
            best = elapsed if best is None else min(best, elapsed)
    return best


def request(method, path, headers="", body=b"", version="HTTP/1.1", host=True):
    head = f"{method} {path} {version}\r\n" + ("Host: probe\r\n" if host else "") + headers
    if body and "content-length" not in headers.lower() and "transfer-encoding" not in headers.lower():
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode("latin-1") + b"\r\n" + body


def piggyback(command, headers=AUTH):
    body = json.dumps({"targetActorSelection": "/system/sharding/connection",
                       "headers": {"aggregate": False}, "piggybackCommand": command}).encode()
    return request("POST", "/devops/piggyback/connectivity", headers, body)


def rest_create(body, headers=AUTH + "Content-Type: application/json\r\n"):
    return request("POST", "/api/2/connections", headers, body)


def chunked(*chunks, trailer=b""):
    out = b""
    for data in chunks:
        out += f"{len(data):x}\r\n".encode() + data + b"\r\n"
    return out + b"0\r\n" + trailer + b"\r\n"


def connection_json(**extra):
    connection = {"connectionType": "mqtt", "connectionStatus": "closed", "uri": "tcp://127.0.0.1:1883",
                  "sources": [{"addresses": ["a/#"], "authorizationContext": ["x:y"]}]}
    connection.update(extra)
    return json.dumps(connection).encode()


# --- special cases (several sockets) ----------------------------------------------------------

def flood_idle(port, count):
    """`count` connections that send nothing: all must be closed by the server."""
    sockets = [connect(port) for _ in range(count)]
    deadline = time.monotonic() + HEADER_TIMEOUT_S + 3
    closed = 0
    for sock in sockets:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            if sock.recv(1) == b"":
                closed += 1
        except (socket.timeout, ConnectionResetError):
            pass
        sock.close()
    outcome = Outcome()
    outcome.closed = closed == count
    outcome.note = f" ({closed} of {count} closed by the server)"
    return outcome


def over_the_limit(port):
    """MAX_CONNECTIONS + 20 connections at once: the ones over the limit get 503 and a close."""
    sockets = []
    for _ in range(MAX_CONNECTIONS + 20):
        sockets.append(connect(port))
    time.sleep(0.5)
    refused = 0
    for sock in sockets:
        sock.settimeout(0.05)
        try:
            data = sock.recv(4096)
            if data.startswith(b"HTTP/1.1 503"):
                refused += 1
        except (socket.timeout, ConnectionResetError):
            pass
    for sock in sockets:
        sock.close()
    outcome = Outcome()
    outcome.status = 503 if refused else None
    outcome.error = "gateway:service.unavailable"
    outcome.closed = True
    outcome.json_ok = True
    outcome.note = f" ({refused} of {MAX_CONNECTIONS + 20} refused)"
    outcome.limit_ok = refused >= 20
    return outcome


def cases():
    """(category, name, function returning an Outcome, expectation)."""
    slow_head = [(b"GET /health HTTP/1.1\r\n", 0.3), (b"Host: pro", 0.3), (b"be", 0)]
    big_sources = connection_json(sources=[{"addresses": [f"s{i}"], "authorizationContext": ["x:y"]}
                                            for i in range(1000)])
    deep = b"[" * 100000 + b"]" * 100000
    c = []

    def add(category, name, run, expect="4xx"):
        c.append((category, name, run, expect))

    def raw(data, **kwargs):
        return lambda port: send_case(port, data if isinstance(data, list) else [data], **kwargs)

    # Bodies
    add("body", "Content-Length: -5", raw(request("POST", "/devops/piggyback", "Content-Length: -5\r\n")))
    add("body", "Content-Length: 99999999999999999999",
        raw(request("POST", "/devops/piggyback", "Content-Length: 99999999999999999999\r\n")))
    add("body", "Content-Length: 2 MiB over the 1 MiB limit",
        raw(request("POST", "/devops/piggyback", AUTH + "Content-Length: 2097152\r\n") + b"x" * 65536))
    add("body", "Content-Length: abc", raw(request("POST", "/devops/piggyback", "Content-Length: abc\r\n")))
    add("body", "two differing Content-Lengths",
        raw(request("POST", "/devops/piggyback", "Content-Length: 1\r\nContent-Length: 2\r\n") + b"ab"))
    add("body", "Content-Length and Transfer-Encoding",
        raw(request("POST", "/devops/piggyback", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + b"0\r\n\r\n"))
    add("body", "Transfer-Encoding: gzip", raw(request("POST", "/devops/piggyback", "Transfer-Encoding: gzip\r\n")))
    add("body", "chunk size not hex",
        raw(request("POST", "/devops/piggyback", "Transfer-Encoding: chunked\r\n") + b"zz\r\nab\r\n0\r\n\r\n"))
    add("body", "chunk over the body limit",
        raw(request("POST", "/devops/piggyback", "Transfer-Encoding: chunked\r\n") + b"200000\r\n"))
    add("body", "chunk without CRLF after its data",
        raw(request("POST", "/devops/piggyback", "Transfer-Encoding: chunked\r\n") + b"3\r\nabcXY0\r\n\r\n"))
    add("body", "16 KiB chunked trailer",
        raw(request("POST", "/devops/piggyback", "Transfer-Encoding: chunked\r\n") +
            chunked(b"{}", trailer=b"T: " + b"t" * 16384 + b"\r\n")))
    add("body", "body shorter than Content-Length, then silence",
        raw(request("POST", "/devops/piggyback", AUTH + "Content-Length: 100\r\n") + b'{"a"', wait_s=BODY_TIMEOUT_S + 3))
    add("body", "invalid JSON (REST create)", raw(rest_create(b'{"connectionType": mqtt')))
    add("body", "JSON nested 100,000 deep", raw(rest_create(deep)))
    add("body", "JSON string with \\u0000", raw(rest_create(connection_json(name="a\u0000b"))))
    add("body", "invalid UTF-8 in JSON", raw(rest_create(b'{"name":"\xff\xfe","connectionType":"mqtt"}')))
    add("body", "1 MiB of binary garbage", raw(rest_create(os.urandom(1 << 20))))
    add("body", "7,000-byte connection id", raw(request("PUT", "/api/2/connections/" + "i" * 7000,
                                                     AUTH + "Content-Type: application/json\r\n", connection_json())))
    add("body", "1,000 sources", raw(rest_create(big_sources)))
    add("body", "piggyback without targetActorSelection",
        raw(request("POST", "/devops/piggyback/connectivity", AUTH, b'{"piggybackCommand":{}}')))
    # Headers
    add("headers", "64 KiB header", raw(request("GET", "/health", "X-Big: " + "a" * 65536 + "\r\n")))
    add("headers", "2,000 small headers", raw(request("GET", "/health", "A: b\r\n" * 2000)))
    add("headers", "header line without colon", raw(request("GET", "/health", "NoColon\r\n")))
    add("headers", "folded header (obs-fold)", raw(request("GET", "/health", "X: a\r\n folded\r\n")))
    add("headers", "NUL in a header value", raw(request("GET", "/health", "X: a\x00b\r\n")))
    add("headers", "space before the colon", raw(request("GET", "/health", "Host : probe\r\n", host=False)))
    add("headers", "HTTP/1.1 without Host", raw(request("GET", "/health", host=False)))
    add("headers", "two Host headers", raw(request("GET", "/health", "Host: other\r\n")))
    add("headers", "Expect: 200-ok", raw(request("POST", "/devops/piggyback", "Expect: 200-ok\r\nContent-Length: 2\r\n")))
    add("headers", "Content-Type: garbage (REST)",
        raw(request("POST", "/api/2/connections", AUTH + "Content-Type: ???\r\n", connection_json())))
    add("headers", "Date: not a date", raw(request("GET", "/health", "Date: not a date\r\n")))
    add("headers", "Host with a port out of range", raw(request("GET", "/health", "Host: probe:99999999999\r\n", host=False)))
    add("headers", "Accept: ///;;;q=abc", raw(request("GET", "/api/2/connections/x", AUTH + "Accept: ///;;;q=abc\r\n")))
    add("headers", "If-Match: garbage", raw(request("GET", "/api/2/connections/x", AUTH + "If-Match: \x7fgarbage\r\n")))
    # Request line and paths
    add("path", "9,000-byte path", raw(request("GET", "/api/2/connections/" + "a" * 9000)))
    add("path", "request line without version", raw(b"GET /health\r\n\r\n"))
    add("path", "HTTP/2.0", raw(request("GET", "/health", version="HTTP/2.0")))
    add("path", "HTTP/1.1x", raw(request("GET", "/health", version="HTTP/1.1x")))
    add("path", "unknown method BREW", raw(request("BREW", "/health")))
    add("path", "lower-case method", raw(request("get", "/health")))
    add("path", "NUL in the path", raw(request("GET", "/api/2/connections/a\x00b")))
    add("path", "raw UTF-8 in the path", raw("GET /api/2/connections/caf\u00e9 HTTP/1.1\r\nHost: probe\r\n\r\n".encode()))
    add("path", "path traversal", raw(request("GET", "/../../etc/passwd", AUTH)))
    add("path", "percent-encoded NUL id", raw(request("GET", "/api/2/connections/%00", AUTH)))
    add("path", "double-encoded dots", raw(request("GET", "/api/2/connections/%252e%252e", AUTH)))
    add("path", "absolute-form target", raw(request("GET", "http://evil.example/health", AUTH)))
    add("path", "CONNECT", raw(request("CONNECT", "evil.example:443", AUTH)))
    add("path", "TRACE", raw(request("TRACE", "/health")))
    add("path", "query with invalid percent escapes", raw(request("GET", "/api/2/connections/x?fields=%ZZ%FF", AUTH)))
    add("path", "historical revision not a number",
        raw(request("GET", "/api/2/connections/x?at-historical-revision=-1e99", AUTH)))
    # Encodings
    add("encoding", "LF-only line ends", raw(b"GET /health HTTP/1.1\nHost: probe\n\n"))
    add("encoding", "bare CR", raw(b"GET /health HTTP/1.1\rHost: probe\r\n\r\n"))
    add("encoding", "UTF-16 request", raw("GET /health HTTP/1.1\r\nHost: probe\r\n\r\n".encode("utf-16")))
    add("encoding", "TLS ClientHello on the plain port",
        raw(bytes.fromhex("160301002c010000280303") + os.urandom(32) + b"\x00\x00\x02\x00\x2f\x01\x00"))
    add("encoding", "HTTP/2 connection preface", raw(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
    add("encoding", "4 KiB of random bytes", raw(os.urandom(4096)))
    # Authentication
    add("auth", "no credentials", raw(piggyback({"type": "connectivity.commands:retrieveAllConnectionIds"}, headers="")))
    add("auth", "wrong password", raw(piggyback({"type": "x"}, headers="Authorization: Basic " +
                                                 base64.b64encode(b"devops:wrong").decode() + "\r\n")))
    add("auth", "credentials not base64", raw(piggyback({"type": "x"}, headers="Authorization: Basic !!!@@@\r\n")))
    add("auth", "Bearer token", raw(piggyback({"type": "x"}, headers="Authorization: Bearer abc.def.ghi\r\n")))
    add("auth", "6 KiB credentials", raw(piggyback({"type": "x"}, headers="Authorization: Basic " +
                                                    base64.b64encode(b"devops:" + b"p" * 4500).decode() + "\r\n")))
    add("auth", "user without colon", raw(piggyback({"type": "x"}, headers="Authorization: Basic " +
                                                     base64.b64encode(b"devops").decode() + "\r\n")))
    # Slow and idle sockets
    add("slow", "headers trickled, never finished", raw(slow_head, wait_s=HEADER_TIMEOUT_S + 3))
    add("slow", "connection that sends nothing", raw([b""], wait_s=HEADER_TIMEOUT_S + 3), expect="close")
    add("slow", "idle keep-alive after an answer",
        raw([request("GET", "/health")], wait_s=IDLE_TIMEOUT_S + 3, follow=True), expect="2xx-idle-close")
    add("slow", "body trickled, never finished",
        raw([(request("POST", "/devops/piggyback", AUTH + "Content-Length: 50\r\n") + b"{", 0.5), (b'"', 0.5)],
            wait_s=BODY_TIMEOUT_S + 3))
    add("slow", "half-close in the middle of the headers",
        raw([b"GET /health HTTP/1.1\r\nHo"], half_close=True), expect="close")
    add("slow", "client reset in the middle of a body",
        raw([request("POST", "/devops/piggyback", AUTH + "Content-Length: 1000\r\n") + b"{"], reset=True),
        expect="alive")
    add("slow", "200 silent connections at once", lambda port: flood_idle(port, 200), expect="close")
    add("slow", f"{MAX_CONNECTIONS + 20} connections at once (limit {MAX_CONNECTIONS})", over_the_limit, expect="limit")
    add("pipelining", "two GET /health in one packet",
        raw(request("GET", "/health") + request("GET", "/health")), expect="2xx-then-close")
    add("pipelining", "a valid request followed by garbage",
        raw(request("GET", "/health") + os.urandom(64)), expect="2xx-then-close")
    return c


def verdict(outcome, expect):
    if expect == "alive":
        return True
    if expect == "limit":
        return getattr(outcome, "limit_ok", False)
    if expect == "close":
        return outcome.closed and (outcome.status is None or 400 <= outcome.status < 500)
    if expect == "2xx-idle-close":
        return outcome.status == 200 and outcome.closed and outcome.connection.lower() == "keep-alive"
    if expect == "2xx-then-close":
        return outcome.status is not None and 200 <= outcome.status < 300 and outcome.closed \
            and outcome.connection.lower() == "close" if outcome.answers else False
    # "4xx": an answer in 400..499 (Ditto JSON when JSON), or a clean close without an answer
    if outcome.status is None:
        return outcome.closed
    return 400 <= outcome.status < 500 and outcome.json_ok is not False


def start_server(build):
    work = tempfile.mkdtemp(prefix="hostile-probe-")
    args = [os.path.join(build, "connectivityd"), "--listen", "127.0.0.1:0", "--data-dir", os.path.join(work, "data"),
            "--header-timeout", f"{HEADER_TIMEOUT_S}s", "--body-timeout", f"{BODY_TIMEOUT_S}s",
            "--idle-timeout", f"{IDLE_TIMEOUT_S}s", "--max-connections", str(MAX_CONNECTIONS)]
    log = open(os.path.join(work, "server.log"), "wb")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log)
    line = process.stdout.readline().decode()
    match = re.search(r"listening on [\d.]+:(\d+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"server did not start: {line!r}")
    port = int(match.group(1))
    for _ in range(300):
        if health_ms(port) is not None:
            break
        time.sleep(0.05)
    return process, port, work


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
    parser.add_argument("--port", type=int)
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    options = parser.parse_args()
    process, work = None, None
    if options.port:
        port = options.port
    else:
        process, port, work = start_server(options.build)
    failures = 0
    rows = []
    try:
        for number, (category, name, run, expect) in enumerate(cases(), 1):
            started = time.monotonic()
            try:
                outcome = run(port)
            except OSError as error:
                outcome = Outcome()
                outcome.note = f"client error: {error}"
            seconds = time.monotonic() - started
            alive = process is None or process.poll() is None
            health = health_ms(port) if alive else None
            ok = verdict(outcome, expect) and alive and health is not None and health < HEALTH_MS_MAX
            failures += 0 if ok else 1
            rows.append((number, category, name, outcome.text(), f"{seconds:.1f}",
                         "-" if health is None else f"{health:.1f}", "ok" if ok else "FAIL"))
            if not options.markdown:
                print(f"{number:3} {category:10} {name:52} -> {outcome.text():58} "
                      f"{seconds:5.1f}s health {rows[-1][5]:>5} ms  {rows[-1][6]}", flush=True)
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            shutil.rmtree(work, ignore_errors=True)
    if options.markdown:
        print("| # | kind | case | outcome | s | /health ms | |")
        print("|---|---|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |")
    print(f"{len(rows)} cases, {failures} failed", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
