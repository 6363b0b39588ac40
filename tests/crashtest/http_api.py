"""HTTP to the server under test, one TCP connection per request.

A fresh connection per request lets the client tell a request that never left
(connect refused: the server is down, nothing can have been executed) from one
cut off after it was sent (reset, timeout: in doubt). Answers keep their
status, lower-cased headers and body; piggyback answers are unwrapped to the
command's own status (the endpoint answers 200 whenever it ran the command).
"""
import base64
import http.client
import json

AUTH = "Basic " + base64.b64encode(b"devops:foobar").decode()
CONNECTIONS = "/api/2/connections"
PIGGYBACK = "/devops/piggyback/connectivity"
REQUEST_TIMEOUT_S = 30.0


class NotSent(Exception):
    """The request never reached the server (connect failed)."""


class CutOff(Exception):
    """The request may have reached the server, but no complete answer came back."""


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def header(self, name):
        return self.headers.get(name)


def request(port, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT_S):
    """Sends one request; raises NotSent or CutOff, else returns the Answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        try:
            connection.connect()
        except OSError as error:
            raise NotSent(str(error)) from None
        sent_headers = {"Authorization": AUTH}
        sent_headers.update(headers or {})
        data = body.encode() if isinstance(body, str) else body
        try:
            connection.request(method, path, body=data, headers=sent_headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise CutOff(f"{type(error).__name__}: {error}") from None
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, answer_headers, payload.decode("utf-8", "replace"))
    finally:
        connection.close()


def rest(port, method, path, body=None, headers=None, content_type="application/json"):
    """A request under /api/2/connections; dict bodies are sent as JSON."""
    sent = dict(headers or {})
    if body is not None:
        sent["Content-Type"] = content_type
        if not isinstance(body, str):
            body = json.dumps(body)
    return request(port, method, CONNECTIONS + path, body, sent)


def piggyback(port, command, headers=None, selection="/system/sharding/connection"):
    """A piggyback command to `selection` (aggregate false).

    Returns (status, Answer): the command's own status from the answer body
    when the endpoint answered 200, else the endpoint's HTTP status.
    """
    envelope = {
        "targetActorSelection": selection,
        "headers": dict({"aggregate": False}, **(headers or {})),
        "piggybackCommand": command,
    }
    answer = request(port, "POST", PIGGYBACK, json.dumps(envelope), {"Content-Type": "application/json"})
    if answer.status == 200:
        inner = answer.json()
        if isinstance(inner, dict) and isinstance(inner.get("status"), int):
            return inner["status"], answer
    return answer.status, answer


def history(port, connection_id, from_revision=1, to_revision=None):
    """Every event of a connection from `from_revision` on, in pages of 1,000.

    Returns the list of events (dicts), or None if the server answers 404
    (no such connection ever). Raises NotSent/CutOff, or RuntimeError on any
    other answer.
    """
    events = []
    start = from_revision
    while True:
        query = f"?from-revision={start}&limit=1000"
        if to_revision is not None:
            query += f"&to-revision={to_revision}"
        answer = rest(port, "GET", f"/{connection_id}/history{query}")
        if answer.status == 404 and not events and start == from_revision:
            return None
        if answer.status != 200:
            raise RuntimeError(f"GET history of {connection_id} answered {answer.status}: {answer.body[:200]}")
        page = answer.json()
        events.extend(page)
        if len(page) < 1000:
            return events
        start = page[-1]["revision"] + 1
