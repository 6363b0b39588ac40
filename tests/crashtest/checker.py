"""The checks after every restart, while the clients are paused.

1. In-doubt commands are settled from the history (an unknown id in the
   listing must be an in-doubt POST's connection, recognised by its name).
2. Per id: the history (from the first revision not yet verified, or from 1
   on full checks) continues gap-free and equals the ledger's expected events,
   content included; the served state (GET) is the ledger's: revision, ETag,
   content, desired status, or 404 after an acknowledged delete.
   Acknowledged events the server lacks are LOST.
3. `journal-replay verify` exits 0, and `journal-replay state --json` equals
   what the server serves for every id.
"""
import concurrent.futures
import json
import subprocess

import http_api
from http_api import CutOff, NotSent
from ledger import CREATED, projection
from workload import event_matches, resolve_pending, state_problem

CHECK_THREADS = 8
TOOL_TIMEOUT_S = 300


class CheckError(Exception):
    """The server did not answer a check's read: the round cannot be checked."""


class Checker:
    def __init__(self, ledger, replay_binary, data_dir, journal_uri=None):
        # Cluster mode: the journal is in etcd (journal-replay --journal); the
        # data dir holds only local snapshots, which verify does not check.
        self.journal_uri = journal_uri
        self.ledger = ledger
        self.env = None  # the server's encryption settings, for journal-replay (None: inherit)
        self.replay = replay_binary
        self.data_dir = data_dir
        self.verify_runs = 0
        self.verify_clean = 0

    def check(self, port, round_no, full):
        """Runs every check; returns the number of new problems (lost + violations)."""
        _, lost_before, violations_before = self.ledger.snapshot()
        with self.ledger.lock:
            conns = list(self.ledger.conns)
        try:
            self.settle_posts(port, conns)
            with self.ledger.lock:
                conns = list(self.ledger.conns)
            for conn in conns:
                if conn.pending is not None and conn.id is not None and conn.broken is None:
                    if not resolve_pending(port, conn, self.ledger):
                        raise CheckError(f"cannot read the history of {conn.id}")
            with concurrent.futures.ThreadPoolExecutor(CHECK_THREADS) as pool:
                # Ids retired after a delete cannot change: full checks read them, the others see
                # them only in the listing (where they must not be).
                checked = [conn for conn in conns if conn.id is not None and (full or not conn.retired)]
                served = dict(pool.map(lambda conn: (conn.id, self.check_conn(port, conn, round_no, full)), checked))
            self.check_listing(port, conns, served, round_no)
        except (NotSent, CutOff, RuntimeError) as error:
            raise CheckError(str(error)) from None
        self.verify(round_no)
        self.compare_tool_state(conns, served, round_no)
        _, lost_after, violations_after = self.ledger.snapshot()
        return (lost_after - lost_before) + (violations_after - violations_before)

    def check_replica(self, port, round_no):
        """Cluster mode with several instances, after check(): another instance serves every id's
        acknowledged state (its reads are linearizable) and lists the same ids. Returns the number
        of new problems; raises CheckError if the instance does not answer."""
        _, lost_before, violations_before = self.ledger.snapshot()
        with self.ledger.lock:
            conns = [conn for conn in self.ledger.conns
                     if conn.id is not None and conn.broken is None and conn.pending is None and not conn.retired]
        try:
            def served(conn):
                self.ledger.count_read()
                return conn, http_api.rest(port, "GET", f"/{conn.id}")
            with concurrent.futures.ThreadPoolExecutor(CHECK_THREADS) as pool:
                answers = list(pool.map(served, conns))
            listed = set(self.list_ids(port))
        except (NotSent, CutOff, RuntimeError) as error:
            raise CheckError(str(error)) from None
        for conn, answer in answers:
            problem = state_problem(conn, answer)
            if problem:
                lost = self.lost_by_state(conn, answer, answer.header("entity-revision"))
                self.ledger.lose(conn, lost, f"GET on another instance {problem}", round_no)
                conn.broken = "served state on another instance"
        with self.ledger.lock:
            broken = {conn.id for conn in self.ledger.conns if conn.id is not None and conn.broken is not None}
        existing = {conn.id for conn in conns if conn.exists and conn.broken is None}
        extra = listed - existing - broken
        missing = existing - listed
        if extra or missing:
            self.ledger.violate(("replica-listing", round_no, port),
                                f"round {round_no}: another instance lists other ids: "
                                f"listed only there {sorted(extra)[:10]}, missing there {sorted(missing)[:10]}")
        _, lost_after, violations_after = self.ledger.snapshot()
        return (lost_after - lost_before) + (violations_after - violations_before)

    # --- in-doubt POSTs ---

    def settle_posts(self, port, conns):
        """Finds the connections of in-doubt POSTs among unknown listed ids."""
        pending = {conn.pending.marker: conn for conn in conns if conn.id is None and conn.pending is not None}
        known = {conn.id for conn in conns if conn.id is not None}
        listed = self.list_ids(port)
        for unknown in sorted(set(listed) - known):
            events = http_api.history(port, unknown) or []
            name = (events[0].get("connection") or {}).get("name") if events else None
            conn = pending.get(name)
            if conn is None or len(events) != 1 or events[0].get("type") != CREATED:
                self.ledger.violate(("unknown", unknown), f"the server has connection {unknown} that no command "
                                                          f"created (history: {json.dumps(events)[:300]})")
                continue
            command = conn.pending
            command.conn_id = conn.id = unknown
            if not event_matches(events[0], command):
                self.ledger.violate(("unknown", unknown), f"connection {unknown} of an in-doubt POST differs from "
                                                          f"what was sent: {json.dumps(events[0])[:300]}")
                conn.broken = "in-doubt POST content"
            self.ledger.resolve(command, True)
            conn.pending = None
            conn.apply(command)
            del pending[name]
        for conn in pending.values():  # not persisted: the slot goes on with a fresh id
            self.ledger.resolve(conn.pending, False)
            conn.pending = None
            conn.id = conn.fallback_id

    @staticmethod
    def list_ids(port):
        answer = http_api.rest(port, "GET", "?ids-only=true")
        if answer.status != 200:
            raise RuntimeError(f"GET /api/2/connections?ids-only=true answered {answer.status}")
        return answer.json()

    # --- per id ---

    def check_conn(self, port, conn, round_no, full):
        """Checks one id's history and served state; returns the GET answer (or None if broken)."""
        if conn.broken is not None:
            return None
        start = 1 if full else conn.checked + 1
        events = http_api.history(port, conn.id, start)
        self.ledger.count_read()
        if events is None:
            events = []
            if conn.revision > 0:
                self.ledger.lose(conn, range(start, conn.revision + 1), "no history at all (404)", round_no)
                conn.broken = "history gone"
        expected_revision = start
        for event in events:
            revision = event.get("revision")
            if revision != expected_revision:
                self.ledger.violate(("gap", conn.id, expected_revision),
                                    f"round {round_no} id {conn.id}: history jumps from revision "
                                    f"{expected_revision - 1} to {revision}")
                conn.broken = "history gap"
                break
            command = conn.producer(revision)
            if command is None:
                self.ledger.violate(("extra", conn.id, revision),
                                    f"round {round_no} id {conn.id}: history has revision {revision} "
                                    f"({event.get('type')}) beyond the ledger's last revision {conn.revision}, "
                                    f"which no command could have produced")
                conn.broken = "extra events"
                break
            if not event_matches(event, command):
                connection = event.get("connection") or {}
                self.ledger.lose(conn, [revision], f"history event {event.get('type')} at revision {revision} "
                                                   f"with {projection(connection) if connection else 'no connection'}",
                                 round_no)
                conn.broken = "history content"
                break
            expected_revision += 1
        last = expected_revision - 1
        if conn.broken is None and last < conn.revision:
            self.ledger.lose(conn, range(last + 1, conn.revision + 1), f"history ends at revision {last}", round_no)
            conn.broken = "history lost events"
        if conn.broken is None:
            conn.checked = conn.revision
        answer = http_api.rest(port, "GET", f"/{conn.id}")
        self.ledger.count_read()
        if conn.broken is not None:
            return None
        problem = state_problem(conn, answer)
        if problem:
            served_revision = answer.header("entity-revision")
            lost = self.lost_by_state(conn, answer, served_revision)
            self.ledger.lose(conn, lost, f"GET {problem}", round_no)
            conn.broken = "served state"
            return None
        return answer

    @staticmethod
    def lost_by_state(conn, answer, served_revision):
        """Acknowledged revisions a wrong served state does not reflect."""
        if answer.status == 200 and not conn.exists:
            return [conn.revision]  # the acknowledged delete (or what followed it) is undone
        if answer.status == 200 and served_revision and served_revision.isdigit():
            behind = list(range(int(served_revision) + 1, conn.revision + 1))
            if behind:
                return behind
        return [conn.content_revision if conn.exists else conn.revision]

    # --- listing and the offline tool ---

    def check_listing(self, port, conns, served, round_no):
        listed = set(self.list_ids(port))
        broken = {conn.id for conn in conns if conn.broken is not None}
        active = {conn_id for conn_id, answer in served.items() if answer is not None and answer.status == 200}
        extra = listed - active - broken
        missing = active - listed
        if extra or missing:
            self.ledger.violate(("listing", round_no), f"round {round_no}: the id listing differs from the GETs: "
                                                       f"listed only {sorted(extra)[:10]}, "
                                                       f"missing {sorted(missing)[:10]}")

    def journal_args(self):
        return ["--journal", self.journal_uri] if self.journal_uri else ["--data-dir", self.data_dir]

    def verify(self, round_no):
        if self.journal_uri:
            return  # verify reads RocksDB data dirs only; state below reads etcd
        self.verify_runs += 1
        result = subprocess.run([self.replay, "--data-dir", self.data_dir, "verify"], capture_output=True,
                                text=True, timeout=TOOL_TIMEOUT_S, env=self.env)
        if result.returncode == 0:
            self.verify_clean += 1
            return
        output = (result.stdout + result.stderr).strip().splitlines()
        self.ledger.violate(("verify", round_no), f"round {round_no}: journal-replay verify exited "
                                                  f"{result.returncode}:\n    " + "\n    ".join(output[:20]))

    def compare_tool_state(self, conns, served, round_no):
        result = subprocess.run([self.replay] + self.journal_args() + ["state", "--json"], capture_output=True,
                                text=True, timeout=TOOL_TIMEOUT_S, env=self.env)
        if result.returncode != 0:
            self.ledger.violate(("state", round_no), f"round {round_no}: journal-replay state exited "
                                                     f"{result.returncode}: {result.stderr.strip()[:300]}")
            return
        tool = {}
        for line in result.stdout.splitlines():
            if line.strip():
                entry = json.loads(line)
                tool[entry["id"]] = entry
        by_id = {conn.id: conn for conn in conns if conn.id is not None}
        for conn_id in sorted(set(tool) - set(by_id)):
            self.ledger.violate(("tool-unknown", conn_id), f"round {round_no}: journal-replay state has "
                                                           f"{conn_id}, which no command created")
        for conn_id, conn in sorted(by_id.items()):
            answer = served.get(conn_id)
            if conn.broken is not None or answer is None:
                if conn.retired and conn_id not in served and conn.broken is None:
                    entry = tool.get(conn_id)
                    if entry is None or entry["lifecycle"] != "DELETED" or entry["revision"] != conn.revision:
                        self.ledger.violate(("tool", conn_id), f"round {round_no} id {conn_id}: journal-replay "
                                                               f"state has {json.dumps(entry)[:300]}, the ledger "
                                                               f"deleted it at revision {conn.revision}")
                continue
            problem = tool_differs(tool.get(conn_id), conn, answer)
            if problem:
                self.ledger.violate(("tool", conn_id), f"round {round_no} id {conn_id}: journal-replay state "
                                                       f"differs from the server: {problem}")


def tool_differs(entry, conn, answer):
    """How the tool's state of one id differs from the server's GET (None: equal)."""
    if conn.revision == 0:
        return None if entry is None else f"the tool has revision {entry['revision']}, the server never had it"
    if entry is None:
        return f"the tool has no state, the server answers {answer.status}"
    if entry["revision"] != conn.revision:
        return f"tool revision {entry['revision']}, server {answer.header('entity-revision')}"
    if answer.status == 404:
        return None if entry["lifecycle"] == "DELETED" else f"tool {entry['lifecycle']}, server 404"
    if entry["lifecycle"] != "ACTIVE":
        return f"tool {entry['lifecycle']}, server 200"
    if entry["connection"] != answer.json():
        return f"tool {json.dumps(entry['connection'])[:300]} vs server {answer.body[:300]}"
    return None
