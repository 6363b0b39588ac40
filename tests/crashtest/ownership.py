"""Cluster mode with several instances (--instances N): who runs each live
connection.

Every instance is asked for its own view of a connection's status (the
header x-connectivity-forwarded makes it answer itself instead of asking the
owner), so a connection counts as run by an instance when that instance's
own answer says liveStatus "open". The invariant, once the instances are
stable (no command in flight, no instance starting or ending): every
connection the ledger has desired open runs on exactly one live instance,
and every other connection on none.

Instances are asked one after the other, so while connections move between
instances a sample can see one twice or not at all; the check therefore
waits until two successive samples agree and are exact, and reports what the
last sample showed if that does not happen within the deadline (the lease
TTL plus 5 s, the issue's failover bound). That at most one instance holds a
client at any moment is what tests/cluster/ownership_test.cc counts in
Mosquitto's log.
"""
import concurrent.futures
import time

import http_api
from http_api import CutOff, NotSent

FORWARDED = {"x-connectivity-forwarded": "crashtest"}
SAMPLE_THREADS = 8
SAMPLE_PAUSE_S = 0.2


def expected_owned(ledger):
    """Ids the ledger has desired open, and the other ids it knows (must run nowhere)."""
    with ledger.lock:
        conns = [conn for conn in ledger.conns if conn.id is not None and conn.broken is None]
    desired = {conn.id for conn in conns if conn.exists and conn.status == "open"}
    return desired, {conn.id for conn in conns} - desired


def local_live(port, conn_id):
    """Whether the instance on `port` itself runs `conn_id` with an open client."""
    answer = http_api.rest(port, "GET", f"/{conn_id}/status", headers=FORWARDED)
    if answer.status == 404:
        return False
    if answer.status != 200:
        raise RuntimeError(f"GET /{conn_id}/status answered {answer.status}: {answer.body[:200]}")
    return answer.json().get("liveStatus") == "open"


def sample(ports, ids):
    """{id: sorted instance slots that run it}; ports: {slot: port}."""
    pairs = [(slot, conn_id) for slot in ports for conn_id in ids]
    with concurrent.futures.ThreadPoolExecutor(SAMPLE_THREADS) as pool:
        runs = list(pool.map(lambda pair: local_live(ports[pair[0]], pair[1]), pairs))
    owners = {conn_id: [] for conn_id in ids}
    for (slot, conn_id), live in zip(pairs, runs):
        if live:
            owners[conn_id].append(slot)
    return owners


def problems_of(owners, desired):
    problems = []
    for conn_id, slots in sorted(owners.items()):
        want = 1 if conn_id in desired else 0
        if len(slots) != want:
            problems.append(f"{conn_id} ({'desired open' if want else 'not desired open'}) runs on "
                            f"{len(slots)} instances {slots}")
    return problems


def check_ownership(ledger, ports, deadline_s):
    """(seconds until stable, None) or (None, a description of the last sample's problems).
    Raises CheckError-like RuntimeError/NotSent/CutOff if an instance does not answer."""
    desired, others = expected_owned(ledger)
    ids = sorted(desired | others)
    started = time.monotonic()
    previous = None
    problems = []
    while True:
        try:
            owners = sample(ports, ids)
        except (NotSent, CutOff) as error:
            raise RuntimeError(f"an instance did not answer a status request: {error}") from None
        problems = problems_of(owners, desired)
        if not problems and owners == previous:
            return time.monotonic() - started, None
        previous = owners if not problems else None
        if time.monotonic() - started > deadline_s:
            return None, (f"{len(problems)} of {len(ids)} connections not run by exactly the expected number of "
                          f"instances {deadline_s:.0f} s after the check began: " + "; ".join(problems[:8]))
        time.sleep(SAMPLE_PAUSE_S)
