"""The clients: each a thread owning a disjoint set of connection ids, sending
a mixed workload over REST and piggyback and writing every outcome into the
ledger.

Per id the model predicts the exact answer (201/204/200 or a definite 404,
409, 412); an answer that differs means the server's state is not what it
acknowledged, so the id is marked broken and reported. A command cut off or
answered 503/504 is in doubt: the client reads the id's history at once (a
read shows only durable events, so it may promote the command to persisted);
if that does not settle it, the id is parked until the next restart's check.
"""
import random
import threading
import time
import traceback

import http_api
from http_api import CutOff, NotSent
from ledger import ACKNOWLEDGED, EVENT_OF, IN_DOUBT, REJECTED, Command, Conn, projection

TOPICS = ["_/_/things/twin/events"]
# The password in every connection's URI starts with this (a grep of the data dir looks for it).
PASSWORD_PREFIX = "crashpw-"
# Skewed choice of a client's ids (weight 1 / (slot + 1)^1.2): a few hot ids take most commands and
# cold ones stay untouched for rounds, so restarts replay tails that do not cover every connection.
SLOT_WEIGHTS = [1.0 / (slot + 1) ** 1.2 for slot in range(1024)]
# After a request that could not connect (the server is down or stopping), before the next.
NOT_SENT_PAUSE_S = 0.005


class Phase:
    """Starts and pauses the clients between rounds."""

    def __init__(self, clients):
        self._clients = clients
        self._cond = threading.Condition()
        self._idle = 0
        self._stop = False
        self.running = False
        self.ending = False  # the round's ending is under way (a 503 is expected from now on)
        self.degraded = False  # cluster mode: an etcd member is down (a 503 may come at a leader change)
        self.ports = None  # the instances the clients send to (cluster mode: several)
        self.round = 0

    def start_round(self, round_no, ports, ending):
        with self._cond:
            self.round = round_no
            self.ports = list(ports)
            self.ending = ending
            self.running = True
            self._cond.notify_all()

    def pause(self):
        """Stops new commands; returns once every client is idle."""
        with self._cond:
            self.running = False
            self._cond.wait_for(lambda: self._idle == self._clients)

    def leave(self):
        """A client that stopped for good (a driver error) is no longer waited for."""
        with self._cond:
            self._clients -= 1
            self._cond.notify_all()

    def stop(self):
        with self._cond:
            self._stop = True
            self.running = False
            self._cond.notify_all()

    def wait_for_round(self):
        """Blocks a client until a round runs; returns the round's ports, None when the run is over."""
        with self._cond:
            self._idle += 1
            self._cond.notify_all()
            self._cond.wait_for(lambda: self.running or self._stop)
            self._idle -= 1
            return None if self._stop else self.ports


class Client(threading.Thread):
    def __init__(self, index, seed, ids, peer_port, phase, ledger):
        super().__init__(name=f"client-{index}", daemon=True)
        self.index = index
        self.rng = random.Random(f"{seed}/client/{index}")
        self.peer_port = peer_port
        self.phase = phase
        self.ledger = ledger
        self.markers = 0
        self.generations = 0
        self.slots = []
        for slot in range(ids):
            conn = Conn(f"ct{index:02d}-{slot}", index)
            self.slots.append(conn)
            ledger.register(conn)
        self.error = None

    # --- the loop ---

    def run(self):
        try:
            while True:
                ports = self.phase.wait_for_round()
                if ports is None:
                    return
                while self.phase.running:
                    # Several instances (cluster mode): each command goes to any of them.
                    self.step(ports[0] if len(ports) == 1 else self.rng.choice(ports))
        except Exception as error:  # a driver bug: stop the client, report it at the end
            self.error = f"{type(error).__name__}: {error}"
            traceback.print_exc()
            self.phase.leave()

    def step(self, port):
        candidates = [slot for slot, conn in enumerate(self.slots)
                      if conn.id is not None and conn.pending is None and conn.broken is None]
        if not candidates:
            time.sleep(0.02)
            return
        slot = self.rng.choices(candidates, [SLOT_WEIGHTS[slot] for slot in candidates])[0]
        conn = self.slots[slot]
        if conn.exists:
            self.on_existing(port, slot, conn)
        else:
            self.on_absent(port, slot, conn)

    def on_existing(self, port, slot, conn):
        roll = self.rng.random()
        if roll < 0.40:
            self.modify(port, conn)
        elif roll < 0.55:
            self.open_close(port, conn, "open")
        elif roll < 0.70:
            self.open_close(port, conn, "close")
        elif roll < 0.82:
            self.delete(port, conn)
        elif roll < 0.88:
            self.create_conflict(port, conn)
        else:
            self.read(port, conn)

    def on_absent(self, port, slot, conn):
        roll = self.rng.random()
        if roll < 0.03 and conn.revision > 0:
            self.post(port, slot)
        elif roll < 0.85:
            self.create(port, conn)
        else:
            self.refused_on_absent(port, conn)

    # --- bodies ---

    def body(self, status):
        """A new http-push connection body to the peer, named by a marker unique in the run."""
        self.markers += 1
        marker = f"m{self.index:02d}-{self.markers}"
        body = {
            "name": marker,
            "connectionType": "http-push",
            "connectionStatus": status,
            # A password per connection: a secret that the encryption
            # migration (--encryption-migration) encrypts; the peer ignores it.
            "uri": f"http://crash:{PASSWORD_PREFIX}{marker}@127.0.0.1:{self.peer_port}",
            "sources": [],
            "targets": [{"address": f"POST:/in/{marker}", "topics": TOPICS,
                         "authorizationContext": ["ditto:outbound"]}],
            "tags": [f"client-{self.index:02d}", marker],
        }
        return marker, body

    def new_status(self):
        return "open" if self.rng.random() < 0.3 else "closed"

    def command(self, conn, op, via, expect, body=None, marker=None):
        return Command(op, via, conn.id, conn.revision + 1, self.phase.round, marker=marker,
                       fields=projection(body) if body else None, expect=expect)

    # --- commands ---

    def create(self, port, conn):
        marker, body = self.body(self.new_status())
        via = self.rng.choice(["rest-put", "rest-put-if-none-match", "pb-create", "pb-modify"])
        command = self.command(conn, "create", via, 201, body, marker)
        if via == "rest-put":
            send = lambda: self.rest_status(port, "PUT", f"/{conn.id}", body)
        elif via == "rest-put-if-none-match":
            send = lambda: self.rest_status(port, "PUT", f"/{conn.id}", body, {"If-None-Match": "*"})
        else:
            kind = "createConnection" if via == "pb-create" else "modifyConnection"
            with_id = dict({"id": conn.id}, **body)
            send = lambda: http_api.piggyback(port, {"type": f"connectivity.commands:{kind}", "connection": with_id})
        self.execute(port, conn, command, send, lambda answer: self.check_created(command, conn.id, answer))

    def modify(self, port, conn):
        marker, body = self.body(self.new_status())
        via = self.rng.choice(["rest-put", "rest-put-if-match", "rest-put-if-match", "pb-modify", "rest-put-stale"])
        if via == "rest-put-stale":
            stale = conn.content_revision + self.rng.choice([-1, 1, 2]) if conn.content_revision > 1 else 99
            command = self.command(conn, "modify", via, 412, body, marker)
            send = lambda: self.rest_status(port, "PUT", f"/{conn.id}", body, {"If-Match": f'"rev:{stale}"'})
        elif via == "pb-modify":
            command = self.command(conn, "modify", via, 204, body, marker)
            send = lambda: http_api.piggyback(port, {"type": "connectivity.commands:modifyConnection",
                                                     "connection": dict({"id": conn.id}, **body)})
        else:
            command = self.command(conn, "modify", via, 204, body, marker)
            headers = {"If-Match": f'"rev:{conn.content_revision}"'} if via == "rest-put-if-match" else None
            send = lambda: self.rest_status(port, "PUT", f"/{conn.id}", body, headers)
        self.execute(port, conn, command, send, lambda answer: self.check_revision_headers(command, answer))

    def open_close(self, port, conn, op):
        name = f"connectivity.commands:{op}Connection"
        if self.rng.random() < 0.5:
            command = self.command(conn, op, "rest-command", 200)
            send = lambda: self.rest_status(port, "POST", f"/{conn.id}/command", name, content_type="text/plain")
        else:
            command = self.command(conn, op, "pb-" + op, 200)
            send = lambda: http_api.piggyback(port, {"type": name, "connectionId": conn.id})
        self.execute(port, conn, command, send)

    def delete(self, port, conn):
        via = self.rng.choice(["rest-delete", "rest-delete-if-match", "pb-delete"])
        command = self.command(conn, "delete", via, 204)
        if via == "pb-delete":
            send = lambda: http_api.piggyback(port, {"type": "connectivity.commands:deleteConnection",
                                                     "connectionId": conn.id})
        else:
            headers = {"If-Match": f'"rev:{conn.content_revision}"'} if via == "rest-delete-if-match" else None
            send = lambda: self.rest_status(port, "DELETE", f"/{conn.id}", headers=headers)
        self.execute(port, conn, command, send)

    def create_conflict(self, port, conn):
        """A create on an existing id: 409 (piggyback) or 412 (PUT If-None-Match: *)."""
        marker, body = self.body("closed")
        if self.rng.random() < 0.5:
            command = self.command(conn, "create", "pb-create-conflict", 409, body, marker)
            send = lambda: http_api.piggyback(port, {"type": "connectivity.commands:createConnection",
                                                     "connection": dict({"id": conn.id}, **body)})
        else:
            command = self.command(conn, "modify", "rest-put-if-none-match-conflict", 412, body, marker)
            send = lambda: self.rest_status(port, "PUT", f"/{conn.id}", body, {"If-None-Match": "*"})
        self.execute(port, conn, command, send)

    def refused_on_absent(self, port, conn):
        """Commands that must get 404 (or 412) on an id that does not exist."""
        kind = self.rng.choice(["open", "close", "delete", "if-match"])
        if kind == "if-match":
            marker, body = self.body("closed")
            command = self.command(conn, "modify", "rest-put-if-match-absent", 412, body, marker)
            send = lambda: self.rest_status(port, "PUT", f"/{conn.id}", body, {"If-Match": '"rev:1"'})
        elif kind == "delete":
            command = self.command(conn, "delete", "rest-delete-absent", 404)
            send = lambda: self.rest_status(port, "DELETE", f"/{conn.id}")
        else:
            command = self.command(conn, kind, f"pb-{kind}-absent", 404)
            send = lambda: http_api.piggyback(port, {"type": f"connectivity.commands:{kind}Connection",
                                                     "connectionId": conn.id})
        self.execute(port, conn, command, send)

    def post(self, port, slot):
        """POST creates a new id (the server picks it); the slot moves to it."""
        marker, body = self.body(self.new_status())
        conn = Conn(None, self.index)
        self.generations += 1
        conn.fallback_id = f"ct{self.index:02d}-{slot}-g{self.generations}"
        command = Command("create", "rest-post", None, 1, self.phase.round, marker=marker, fields=projection(body),
                          expect=201)

        try:
            status, answer = self.rest_status(port, "POST", "", body)
        except NotSent:
            time.sleep(NOT_SENT_PAUSE_S)
            return
        except CutOff as error:
            self.post_in_doubt(slot, conn, command, "cut off", str(error))
            return
        command.status = status
        if status >= 500:
            if not (status == 503 and (self.phase.ending or self.phase.degraded)):
                self.ledger.violate(("5xx-post", command.marker),
                                    f"round {command.round}: POST create (name {command.marker}) answered {status} "
                                    f"while the server was not ending: {answer.body[:200]}")
            self.post_in_doubt(slot, conn, command, str(status), answer.body[:200])
            return
        document = answer.json() if status == 201 else None
        new_id = document.get("id") if isinstance(document, dict) else None
        if status != 201 or not new_id:
            command.outcome = ACKNOWLEDGED if 200 <= status < 300 else REJECTED
            self.ledger.record(command)
            self.ledger.violate(("post", marker), f"round {command.round}: POST create answered {status} "
                                                  f"(expected 201 with an id): {answer.body[:200]}")
            return
        conn.id = command.conn_id = new_id
        command.outcome = ACKNOWLEDGED
        self.ledger.record(command)
        problem = self.check_created(command, new_id, (status, answer))
        if problem:
            self.ledger.violate(("ack", new_id, 1), f"round {command.round} id {new_id}: {command.describe()}: {problem}")
            conn.broken = problem
        conn.apply(command)
        self.slots[slot].retired = True
        self.slots[slot] = conn
        self.ledger.register(conn)

    def post_in_doubt(self, slot, conn, command, cause, note):
        command.outcome = IN_DOUBT
        command.cause = cause
        command.note = note
        conn.pending = command
        self.slots[slot].retired = True
        self.slots[slot] = conn
        self.ledger.record(command)
        self.ledger.register(conn)

    def read(self, port, conn):
        """GET must answer exactly the acknowledged state (reads see durable state only)."""
        try:
            answer = http_api.rest(port, "GET", f"/{conn.id}")
        except (NotSent, CutOff):
            time.sleep(NOT_SENT_PAUSE_S)
            return
        self.ledger.count_read()
        if answer.status in (503, 504):
            return
        problem = state_problem(conn, answer)
        if problem:
            self.ledger.violate(("read", conn.id, conn.revision),
                                f"round {self.phase.round} id {conn.id}: GET answered {problem}; "
                                f"ledger: {conn.last_acknowledged_summary()}")
            conn.broken = "read mismatch"

    # --- sending and outcomes ---

    @staticmethod
    def rest_status(port, method, path, body=None, headers=None, content_type="application/json"):
        answer = http_api.rest(port, method, path, body, headers, content_type)
        return answer.status, answer

    def execute(self, port, conn, command, send, check_ack=None):
        try:
            status, answer = send()
        except NotSent:
            time.sleep(NOT_SENT_PAUSE_S)
            return  # never reached the server: not a command
        except CutOff as error:
            self.in_doubt(port, conn, command, "cut off", str(error))
            return
        command.status = status
        if status >= 500:
            self.check_server_error(conn, command, status, answer)
            self.in_doubt(port, conn, command, str(status), answer.body[:200])
            return
        if status != command.expect:
            command.outcome = ACKNOWLEDGED if 200 <= status < 300 else REJECTED
            self.ledger.record(command)
            self.ledger.violate(("answer", conn.id, command.revision),
                                f"round {command.round} id {conn.id}: {command.op} via {command.via} answered "
                                f"{status}, the ledger expects {command.expect} "
                                f"({conn.last_acknowledged_summary()}): {answer.body[:200]}")
            conn.broken = f"answered {status} where {command.expect} was expected"
            return
        if command.rejects:
            command.outcome = REJECTED
            self.ledger.record(command)
            self.check_error_headers(conn, command, answer)
            return
        command.outcome = ACKNOWLEDGED
        self.ledger.record(command)
        if check_ack is not None:
            problem = check_ack((status, answer))
            if problem:
                self.ledger.violate(("ack", conn.id, command.revision),
                                    f"round {command.round} id {conn.id}: {command.describe()}: {problem}")
                conn.broken = problem
        conn.apply(command)

    def check_server_error(self, conn, command, status, answer):
        """A 5xx other than 503/504 is never right; a 503 only while the process is ending
        (a running server refuses an append only if its state and journal disagree)."""
        if status == 504 or (status == 503 and (self.phase.ending or self.phase.degraded)):
            return
        self.ledger.violate(("5xx", conn.id, command.revision),
                            f"round {command.round} id {conn.id}: {command.op} via {command.via} answered {status} "
                            f"while the server was not ending ({conn.last_acknowledged_summary()}): "
                            f"{answer.body[:200]}")
        conn.broken = f"answered {status}"

    def in_doubt(self, port, conn, command, cause, note):
        command.outcome = IN_DOUBT
        command.cause = cause
        command.note = note
        conn.pending = command
        self.ledger.record(command)
        resolve_pending(port, conn, self.ledger, by_read=True)

    # --- answer checks (None: fine, else the problem) ---

    def check_created(self, command, conn_id, status_answer):
        status, answer = status_answer
        document = answer.json()
        if isinstance(document, dict) and "connection" in document:  # piggyback
            if document.get("type") != "connectivity.responses:createConnection":
                return f"answer type {document.get('type')}"
            document = document["connection"]
        elif command.via.startswith("rest"):
            problem = self.check_revision_headers(command, status_answer)
            if problem:
                return problem
        if not isinstance(document, dict) or document.get("id") != conn_id:
            return f"answer does not name {conn_id}: {answer.body[:200]}"
        if projection(document) != command.fields:
            return f"answer content {projection(document)} differs from the request {command.fields}"
        return None

    @staticmethod
    def check_revision_headers(command, status_answer):
        status, answer = status_answer
        if not command.via.startswith("rest"):
            return None
        revision = answer.header("entity-revision")
        etag = answer.header("etag")
        if revision != str(command.revision) or etag != f'"rev:{command.revision}"':
            return f"answer headers entity-revision {revision}, ETag {etag}; expected revision {command.revision}"
        return None

    def check_error_headers(self, conn, command, answer):
        """A 412 on an existing connection carries its current ETag and revision."""
        if command.expect != 412 or not conn.exists:
            return
        revision = answer.header("entity-revision")
        etag = answer.header("etag")
        if revision != str(conn.revision) or etag != f'"rev:{conn.content_revision}"':
            self.ledger.violate(("412", conn.id, command.revision),
                                f"round {command.round} id {conn.id}: 412 answered entity-revision {revision}, "
                                f"ETag {etag}; ledger: {conn.last_acknowledged_summary()}")
            conn.broken = "412 headers"


def state_problem(conn, answer):
    """What is wrong with a GET of `conn` compared to the ledger (None: nothing)."""
    if not conn.exists:
        return None if answer.status == 404 else f"{answer.status}, revision {answer.header('entity-revision')}"
    if answer.status != 200:
        return f"{answer.status}"
    revision = answer.header("entity-revision")
    etag = answer.header("etag")
    fields = projection(answer.json())
    if revision != str(conn.revision) or etag != f'"rev:{conn.content_revision}"':
        return f"200 at entity-revision {revision}, ETag {etag}, name {fields and fields['name']}"
    if fields != conn.expected_fields():
        return f"200 with content {fields}"
    return None


def event_matches(event, command):
    """Whether a history event is the one `command` would have persisted."""
    if not isinstance(event, dict) or event.get("revision") != command.revision:
        return False
    if event.get("type") != EVENT_OF[command.op]:
        return False
    if command.op in ("create", "modify"):
        connection = event.get("connection") or {}
        return projection(connection) == command.fields and connection.get("_revision") == command.revision
    return True


def resolve_pending(port, conn, ledger, by_read=False):
    """Settles conn.pending from the id's history at the command's revision.

    Returns True if settled. Without an answer from the server (or while the
    event is absent and the server is the one that refused, `by_read`) the
    command stays pending and the id is parked until the next restart.
    """
    command = conn.pending
    try:
        events = http_api.history(port, conn.id, command.revision, command.revision)
    except (NotSent, CutOff, RuntimeError):
        return False
    ledger.count_read()
    event = events[0] if events else None
    if event is not None and event_matches(event, command):
        if command.rejects:
            ledger.violate(("rejected-persisted", conn.id, command.revision),
                           f"id {conn.id}: {command.describe()} must be refused, but history has its event")
            conn.broken = "a refused command was persisted"
        ledger.resolve(command, True, by_read)
        conn.pending = None
        conn.apply(command)
        return True
    if event is not None:
        ledger.violate(("foreign", conn.id, command.revision),
                       f"id {conn.id}: history has at revision {command.revision} an event no command produced "
                       f"({event.get('type')}, name {(event.get('connection') or {}).get('name')}); "
                       f"in doubt: {command.describe()}")
        conn.broken = "foreign event"
        conn.pending = None
        return True
    if by_read:
        return False  # absent now; the restart's check settles it for good
    ledger.resolve(command, False)
    conn.pending = None
    return True
