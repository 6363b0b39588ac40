"""The loopback peer that open connections connect to.

The crash test's connections are of type http-push to this server: for
http-push, "connected" means the target endpoint answers a HEAD request
(src/connect/http_client.cc), and a desired-open connection repeats that check
every recheck interval. So opens are acknowledged (200) at once without any
broker, and restarts reconnect every desired-open connection against it.
"""
import http.server
import threading


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with self.server.lock:
            self.server.requests += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer
    do_POST = _answer
    do_PUT = _answer

    def log_message(self, *args):  # quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a server killed mid-check resets its connection: expected here


class Peer:
    """An HTTP server on 127.0.0.1 (a free port) answering 200 to everything."""

    def __init__(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.lock = threading.Lock()
        self._server.requests = 0
        self._thread = threading.Thread(target=self._server.serve_forever, name="peer", daemon=True)
        self._thread.start()

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def requests(self):
        with self._server.lock:
            return self._server.requests

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
