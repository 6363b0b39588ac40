"""The ledger: every command a client sent, what the server answered, and from
that the exact history every connection id must have.

Each id is owned by one client, which sends its commands on that id one after
the other and never sends the next while one is in doubt. So the revision a
command's event gets is known when it is sent (the id's last revision + 1),
and the id's expected history is the list of acknowledged events plus the
in-doubt ones found persisted when they were resolved.

Outcomes: acknowledged (2xx, the answer tells or implies the revision),
rejected (a definite 4xx: nothing persisted), in doubt (cut off by the end of
the process, or answered 503/504). An in-doubt command is resolved from the
id's /history once the server answers again: persisted or not persisted.
"""
import json
import os
import threading

CREATED = "connectivity.events:connectionCreated"
MODIFIED = "connectivity.events:connectionModified"
OPENED = "connectivity.events:connectionOpened"
CLOSED = "connectivity.events:connectionClosed"
DELETED = "connectivity.events:connectionDeleted"
EVENT_OF = {"create": CREATED, "modify": MODIFIED, "open": OPENED, "close": CLOSED, "delete": DELETED}

ACKNOWLEDGED = "acknowledged"
REJECTED = "rejected"
IN_DOUBT = "in doubt"
PERSISTED = "persisted"          # an in-doubt command whose event was found
NOT_PERSISTED = "not persisted"  # an in-doubt command whose event is not there


def projection(connection):
    """The fields a client sets, comparable (not _modified, _created, _revision)."""
    if not isinstance(connection, dict):
        return None
    return {
        "name": connection.get("name"),
        "connectionType": connection.get("connectionType"),
        "connectionStatus": connection.get("connectionStatus"),
        "uri": connection.get("uri"),
        "sources": len(connection.get("sources") or []),
        "targets": [target.get("address") for target in connection.get("targets") or []],
        "tags": sorted(connection.get("tags") or []),
    }


class Command:
    """One state-changing command and its outcome."""

    def __init__(self, op, via, conn_id, revision, round_no, marker=None, fields=None, expect=None):
        self.op = op              # create, modify, open, close, delete
        self.via = via            # how it was sent (rest-put, pb-create, ...)
        self.conn_id = conn_id
        self.revision = revision  # the revision its event gets if it is persisted
        self.round = round_no
        self.marker = marker      # the connection's name for create/modify
        self.fields = fields      # projection of the body for create/modify
        self.expect = expect      # the status the model predicts
        self.status = None        # the status answered (None: no answer)
        self.outcome = None
        self.resolution = None    # for in-doubt commands, once resolved
        self.cause = None         # for in-doubt commands: "cut off" or the 5xx status
        self.note = ""

    @property
    def rejects(self):
        return self.expect is not None and self.expect >= 400

    def describe(self):
        what = f"{self.op} via {self.via} at revision {self.revision}"
        if self.marker:
            what += f" (name {self.marker})"
        answer = f"answered {self.status}" if self.status is not None else "no answer"
        outcome = self.outcome + (f", resolved {self.resolution}" if self.resolution else "")
        return f"{what}, round {self.round}, {answer}, {outcome}"

    def as_json(self):
        return json.dumps({"id": self.conn_id, "op": self.op, "via": self.via, "revision": self.revision,
                           "round": self.round, "marker": self.marker, "expect": self.expect,
                           "status": self.status, "outcome": self.outcome, "resolution": self.resolution,
                           "cause": self.cause, "note": self.note})


class Conn:
    """One connection id as the ledger knows it (owned by one client)."""

    def __init__(self, conn_id, owner):
        self.id = conn_id             # None while an in-doubt POST has not told it
        self.owner = owner
        self.revision = 0             # revision of its last event
        self.exists = False
        self.fields = None            # projection of the last create/modify
        self.content_revision = 0     # revision of the last create/modify (the ETag)
        self.status = None            # desired status now (open/close change it)
        self.events = []              # expected history: (event type, fields, command)
        self.checked = 0              # revisions verified against the server's history
        self.pending = None           # the in-doubt command, until resolved
        self.fallback_id = None       # for an in-doubt POST: the id to use if it was not persisted
        self.broken = None            # why this id is no longer used or checked
        self.retired = False          # its client moved on to a POSTed id (deleted for good)

    def apply(self, command):
        """Adds a persisted command's event to the expected history."""
        self.revision += 1
        assert command.revision == self.revision, (command.describe(), self.revision)
        self.events.append((EVENT_OF[command.op], command.fields, command))
        if command.op in ("create", "modify"):
            self.exists = True
            self.fields = command.fields
            self.content_revision = self.revision
            self.status = command.fields["connectionStatus"]
        elif command.op == "open":
            self.status = "open"
        elif command.op == "close":
            self.status = "closed"
        elif command.op == "delete":
            self.exists = False

    def expected_fields(self):
        fields = dict(self.fields)
        fields["connectionStatus"] = self.status
        return fields

    def producer(self, revision):
        return self.events[revision - 1][2] if 0 < revision <= len(self.events) else None

    def last_acknowledged_summary(self):
        if not self.exists:
            last = self.producer(self.revision)
            return f"deleted at revision {self.revision}" + (f" ({last.describe()})" if last else "")
        return (f"exists at revision {self.revision}, content of revision {self.content_revision} "
                f"(name {self.fields['name']}), status {self.status}")


# Problems printed as they are found; the rest are counted (and written out with --keep).
PRINTED_PROBLEMS_MAX = 200


class Ledger:
    """Every command and conn of the run, the counts and the problems found."""

    def __init__(self, log):
        self._log = log
        self._printed = 0
        self.lock = threading.Lock()
        self.conns = []
        self.commands = []
        self.counts = {"sent": 0, ACKNOWLEDGED: 0, REJECTED: 0, IN_DOUBT: 0, PERSISTED: 0, NOT_PERSISTED: 0,
                       "reads": 0, "promoted by read": 0}
        self.lost = {}        # (id, revision) -> description
        self.violations = {}  # key -> description (checks other than loss)

    def register(self, conn):
        with self.lock:
            self.conns.append(conn)

    def record(self, command):
        with self.lock:
            self.commands.append(command)
            self.counts["sent"] += 1
            self.counts[command.outcome] += 1

    def resolve(self, command, persisted, by_read=False):
        command.resolution = PERSISTED if persisted else NOT_PERSISTED
        with self.lock:
            self.counts[command.resolution] += 1
            if by_read and persisted:
                self.counts["promoted by read"] += 1

    def count_read(self):
        with self.lock:
            self.counts["reads"] += 1

    def lose(self, conn, revisions, server_has, round_no):
        """Acknowledged events of `conn` that the server does not have."""
        with self.lock:
            for revision in revisions:
                key = (conn.id, revision)
                if key in self.lost:
                    continue
                command = conn.producer(revision)
                text = (f"LOST round {round_no} id {conn.id}: {command.describe() if command else revision}; "
                        f"ledger: {conn.last_acknowledged_summary()}; server has: {server_has}")
                self.lost[key] = text
                self._print(text)

    def violate(self, key, text):
        with self.lock:
            if key in self.violations:
                return
            self.violations[key] = text
            self._print("VIOLATION " + text)

    def _print(self, text):
        self._printed += 1
        if self._printed <= PRINTED_PROBLEMS_MAX:
            self._log(text)
        elif self._printed == PRINTED_PROBLEMS_MAX + 1:
            self._log(f"(more than {PRINTED_PROBLEMS_MAX} problems: the rest are counted, and written to "
                      f"problems.txt with --keep)")

    def snapshot(self):
        with self.lock:
            return dict(self.counts), len(self.lost), len(self.violations)

    def dump(self, directory):
        """Writes ledger.jsonl (every command) and problems.txt (every problem)."""
        with self.lock:
            with open(os.path.join(directory, "ledger.jsonl"), "w") as out:
                for command in self.commands:
                    out.write(command.as_json() + "\n")
            with open(os.path.join(directory, "problems.txt"), "w") as out:
                for text in list(self.lost.values()) + ["VIOLATION " + text for text in self.violations.values()]:
                    out.write(text + "\n")
