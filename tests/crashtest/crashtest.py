#!/usr/bin/env python3
"""Black-box crash test of the real server binary (scripts/crashtest).

In the manner of RocksDB's db_crashtest, with a Jepsen-style client ledger:
rounds of start the server on the same data dir, check everything it
acknowledged so far (checker.py), let many clients run a mixed workload over
REST and piggyback (workload.py) and end the process at a random moment by
kill -9, SIGTERM or a simulated power loss (build/connectivityd-faultfs: by
SIGUSR1, or by itself inside its N-th file write), then the next round.
After the last round one more start checks the last ending (with full
histories) and a SIGTERM ends the run.

    crashtest.py [--rounds N] [--seed S] [--keep] [--clients N] [--binary PATH]
                 [--power-loss-share F] [--quick] ...

Acknowledged outcomes the server no longer has are LOST; every other failed
check is a violation. Exit status 1 if either is non-zero. Python standard
library only.
"""
import argparse
import collections
import math
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time

from checker import CheckError, Checker
from etcd_members import EtcdMembers
from migration import Migrations
from ledger import ACKNOWLEDGED, IN_DOUBT, NOT_PERSISTED, PERSISTED, REJECTED, Ledger
from ownership import check_ownership
from peer import Peer
from server import STOP_TIMEOUT_S, Server, StartFailed, describe_exit
from workload import PASSWORD_PREFIX, Client, Phase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINDS = {"kill-9": "kill -9", "sigterm": "SIGTERM", "power-signal": "power loss by SIGUSR1",
         "power-writes": "power loss at a write"}
# Workloads last from this to --max-workload, log-uniformly: most rounds are short (their
# restart replays a short tail), a few outlast the snapshotter's 5 s interval.
MIN_WORKLOAD_S = 0.1
# How long a power-loss-at-a-write round waits for the server to die by itself before it
# sends SIGUSR1 instead.
POWER_WRITES_WAIT_S = 20.0
# Cluster mode: the instances' etcd lease; a connection is run by exactly one instance again
# within it plus 5 s (the failover bound).
LEASE_TTL_S = 2
OWNERSHIP_DEADLINE_S = LEASE_TTL_S + 5


def log(message):
    print(message, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="scripts/crashtest",
        description="Crash test of build/connectivityd: rounds of start, check, mixed workload, "
                    "kill -9 / SIGTERM / power loss, on one data dir.",
        epilog="A seed fixes the ending kind and time of every round, the write counts of power losses and "
               "each client's sequence of choices; the interleaving of the client threads and the server "
               "is not under its control, so a replay repeats the scenario, not every request.")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 100; 15 with --quick)")
    parser.add_argument("--seed", type=int, default=None,
                        help="replays the choices of a run: ending kinds, timings, workload (default: random, printed)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the data dir, server logs and ledger of a failing run (the path is printed)")
    parser.add_argument("--clients", type=int, default=16, help="client threads (default 16)")
    parser.add_argument("--ids-per-client", type=int, default=12,
                        help="connection ids each client owns, chosen with a skew: a few hot, most cold (default 12)")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "connectivityd"),
                        help="the server (default build/connectivityd)")
    parser.add_argument("--faultfs-binary", default=None,
                        help="the power-loss variant (default: connectivityd-faultfs next to --binary)")
    parser.add_argument("--replay-binary", default=None,
                        help="journal-replay (default: next to --binary)")
    parser.add_argument("--power-loss-share", type=float, default=0.3,
                        help="share of rounds ended by a power loss, half by SIGUSR1, half at a random write "
                             "(default 0.3; the rest: kill -9 and SIGTERM in equal shares)")
    parser.add_argument("--power-loss-writes", default="100,800", metavar="MIN,MAX",
                        help="range of the write count for power loss at a write (default 100,800: with one WAL "
                             "append and one WAL sync per group-commit batch, a round reaches 800 within its 20 s)")
    parser.add_argument("--max-workload", type=float, default=None, metavar="SECONDS",
                        help="longest workload of a round before the ending (default 6; 1.5 with --quick); "
                             "each round draws log-uniformly from 0.1 s to this")
    parser.add_argument("--full-history-every", type=int, default=10, metavar="N",
                        help="every N rounds the check reads every history from revision 1 (default 10; "
                             "other rounds read what is new; the last check is always full)")
    parser.add_argument("--etcd-members", type=int, default=0, metavar="N",
                        help="cluster mode: the server's journal is N real etcd members (--journal etcd://...), "
                             "and half the rounds also kill -9 one member under the workload (default 0: RocksDB)")
    parser.add_argument("--instances", type=int, default=1, metavar="N",
                        help="cluster mode: N instances on the members (each its own data dir and --instance), "
                             "the clients send to all of them, each round ends one (in turn) and restarts it; "
                             "the checks also read the other instances and who runs each connection (default 1)")
    parser.add_argument("--encryption-migration", action="store_true",
                        help="run Ditto's encryption migrations (initial encryption, then key rotations) across "
                             "the rounds, so that every kind of ending meets one in flight (migration.py)")
    parser.add_argument("--quick", action="store_true", help="the short run of scripts/test: 15 rounds, "
                                                             "workloads of at most 1.5 s")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 15 if args.quick else 100
    if args.max_workload is None:
        args.max_workload = 1.5 if args.quick else 6.0
    bindir = os.path.dirname(os.path.abspath(args.binary))
    args.faultfs_binary = args.faultfs_binary or os.path.join(bindir, "connectivityd-faultfs")
    args.replay_binary = args.replay_binary or os.path.join(bindir, "journal-replay")
    low, _, high = args.power_loss_writes.partition(",")
    args.power_loss_writes = (int(low), int(high or low))
    if args.max_workload < MIN_WORKLOAD_S:
        parser.error(f"--max-workload must be at least {MIN_WORKLOAD_S} s")
    if args.instances < 1 or (args.instances > 1 and args.etcd_members < 1):
        parser.error("--instances N > 1 needs --etcd-members")
    if args.rounds < 1 or args.clients < 1 or not 1 <= args.ids_per_client <= 1024 or not 0 <= args.power_loss_share <= 1:
        parser.error("--rounds, --clients and --ids-per-client must be positive, --power-loss-share in [0, 1]")
    return args


def schedule(rng, rounds, power_share):
    """The ending of every round: exact shares, in a seeded order."""
    power = round(rounds * power_share)
    if power_share > 0 and power == 0:
        power = 1
    by_signal = (power + 1) // 2
    rest = rounds - power
    kinds = (["power-signal"] * by_signal + ["power-writes"] * (power - by_signal) +
             ["kill-9"] * ((rest + 1) // 2) + ["sigterm"] * (rest // 2))
    rng.shuffle(kinds)
    return kinds


def spread(values, unit_scale=1000.0):
    if not values:
        return "none"
    scaled = [value * unit_scale for value in values]
    return f"min {min(scaled):.0f} / median {statistics.median(scaled):.0f} / max {max(scaled):.0f} ms"


def files_containing(directory, needle):
    """The files under `directory` whose bytes contain `needle` (grep -rl)."""
    found = []
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as data:
                if needle in data.read():
                    found.append(path)
    return found


class Run:
    def __init__(self, args, seed, work_dir):
        self.args = args
        self.seed = seed
        self.rng = random.Random(seed)
        self.work_dir = work_dir
        self.data_dir = os.path.join(work_dir, "data")
        self.log_dir = os.path.join(work_dir, "logs")
        os.makedirs(self.log_dir)
        self.ledger = Ledger(log)
        self.members = None
        self.server_args = []
        if args.etcd_members > 0:
            self.members = EtcdMembers(args.etcd_members, work_dir)
            self.members.start_all()
            self.server_args = ["--journal", self.members.uri, "--cluster-lease-ttl", f"{LEASE_TTL_S}s"]
        # Several instances: slot i runs with --instance i on data-i; all run the power-loss
        # variant (if power losses are on) so that any of them can be a round's victim.
        self.multi = args.instances > 1
        self.instances = [None] * args.instances
        self.instance_binary = args.faultfs_binary if args.power_loss_share > 0 else args.binary
        self.fresh = None          # the instance (re)started last: the round's check reads it first
        self.ownership_times = []  # seconds until every connection ran on exactly its instances
        self.instance_ends = collections.Counter()
        self.checker = Checker(self.ledger, args.replay_binary, self.data_dir,
                               self.members.uri if self.members else None)
        self.member_kills = 0
        self.peer = Peer()
        self.phase = Phase(args.clients)
        self.clients = [Client(index, seed, args.ids_per_client, self.peer.port, self.phase, self.ledger)
                        for index in range(args.clients)]
        self.server = None
        self.startups = []
        self.recoveries = []
        self.kind_counts = {kind: 0 for kind in KINDS}
        self.round_kinds = {}
        self.notes = []      # other events worth a line in the summary
        self.fatal = None    # why the run stopped early
        self.migrations = Migrations(log, self.ledger.violate) if args.encryption_migration else None

    def log_path(self, round_no, slot=None):
        return os.path.join(self.log_dir, f"round-{round_no:03d}{'' if slot is None else f'-i{slot}'}.log")

    def start_server(self, round_no, binary, power_writes=None):
        if self.multi:
            return self.start_instances(round_no, power_writes)
        extra_env = self.migrations.env() if self.migrations else None
        if extra_env is not None:
            self.checker.env = dict(os.environ, **extra_env)
        self.server = Server(binary, self.data_dir, self.log_path(round_no), power_writes, self.server_args,
                             extra_env)
        self.fresh = self.server
        self.server.start()
        self.record_start(self.server)

    def record_start(self, server):
        self.startups.append(server.startup_s)
        if server.recovered:
            self.recoveries.append(server.recovered[1] / 1000.0)

    def start_instances(self, round_no, power_writes):
        """Several instances: (re)starts every instance that is down, the first of them with the
        round's power-loss write count; it is self.server (and self.fresh) afterwards. Raises
        StartFailed with self.server the instance that failed."""
        dead = [slot for slot, server in enumerate(self.instances) if server is None or not server.alive()]
        self.fresh = None
        for order, slot in enumerate(dead):
            server = Server(self.instance_binary, os.path.join(self.work_dir, f"data-{slot}"),
                            self.log_path(round_no, slot), power_writes if order == 0 else None,
                            self.server_args + ["--instance", str(slot)])
            self.instances[slot] = self.server = server
            server.slot = slot
            server.start()
            self.record_start(server)
            if order == 0:
                self.fresh = server
        if self.fresh is None:  # nothing was down
            self.fresh = next(server for server in self.instances if server.alive())
        self.server = self.fresh

    def live_instances(self):
        return [server for server in self.instances if server is not None and server.alive()]

    def check_instances(self, round_no, kind=None):
        """Several instances, after check(): the others serve the same state, and every connection
        runs on exactly the instances it should. New problems; None if a planned power loss ended
        the round's fresh instance meanwhile."""
        problems = 0
        try:
            for other in self.live_instances():
                if other is not self.fresh:
                    problems += self.checker.check_replica(other.port, round_no)
            took, problem = check_ownership(self.ledger, {s.slot: s.port for s in self.live_instances()},
                                            OWNERSHIP_DEADLINE_S)
        except (CheckError, RuntimeError) as error:
            if kind == "power-writes" and not self.fresh.alive():
                return None
            self.ledger.violate(("check-instances", round_no), f"round {round_no}: an instance did not answer "
                                                               f"the check: {error}")
            self.fatal = f"check failed in round {round_no}"
            return problems + 1
        if problem:
            if kind == "power-writes" and not self.fresh.alive():
                return None
            self.ledger.violate(("ownership", round_no), f"round {round_no}: {problem}")
            return problems + 1
        self.ownership_times.append(took)
        return problems

    def check(self, round_no, full, kind=None):
        """The check's count of new problems; None if a planned power loss ended the server during it."""
        try:
            return self.checker.check(self.server.port, round_no, full)
        except CheckError as error:
            if kind == "power-writes" and self.server.wait(STOP_TIMEOUT_S) == -signal.SIGKILL:
                return None  # a partial check is sound: everything it read was durable
            self.ledger.violate(("check", round_no), f"round {round_no}: the check could not read the server: "
                                                     f"{error}\n{self.server.log_excerpt()}")
            self.fatal = f"check failed in round {round_no}"
            return 1

    def run(self):
        for client in self.clients:
            client.start()
        kinds = schedule(self.rng, self.args.rounds, self.args.power_loss_share)
        for round_no, kind in enumerate(kinds, start=1):
            if not self.round(round_no, kind):
                break
        if self.fatal is None:
            self.final_check(len(kinds) + 1)
        self.phase.stop()
        for client in self.clients:
            client.join(5)
        self.peer.stop()

    def round(self, round_no, kind):
        """One round; False if the run cannot go on."""
        args = self.args
        power_writes = self.rng.randint(*args.power_loss_writes) if kind == "power-writes" else None
        workload_s = math.exp(self.rng.uniform(math.log(MIN_WORKLOAD_S), math.log(args.max_workload)))
        binary = args.faultfs_binary if kind.startswith("power") else args.binary
        self.kind_counts[kind] += 1
        self.round_kinds[round_no] = kind
        before, lost_before, violations_before = self.ledger.snapshot()
        try:
            self.start_server(round_no, binary, power_writes)
        except StartFailed as error:
            if kind == "power-writes" and error.returncode == -signal.SIGKILL:
                self.notes.append(f"round {round_no}: power loss at write {power_writes} during start-up")
                log(f"round {round_no:3d} {KINDS[kind]} ({power_writes}): the power went during start-up")
                return True
            self.ledger.violate(("start", round_no), f"round {round_no}: start-up failed: {error}\n"
                                                     f"{self.server.log_excerpt()}")
            self.fatal = f"start-up failed in round {round_no}"
            return False
        problems = self.check(round_no, full=round_no % args.full_history_every == 0, kind=kind)
        if self.fatal:
            self.end_now()
            return False
        if problems is not None and self.multi:
            more = self.check_instances(round_no, kind)
            problems = None if more is None else problems + more
            # The round ends the fresh instance if its power loss is planned at a write, else the
            # instances in turn.
            if kind != "power-writes":
                self.server = self.instances[(round_no - 1) % len(self.instances)]
            self.instance_ends[self.server.slot] += 1
        if self.fatal:
            self.end_now()
            return False
        if problems is None:
            self.notes.append(f"round {round_no}: power loss at write {power_writes} during the check")
            log(f"round {round_no:3d} {KINDS[kind]} ({power_writes}): the power went during the check")
            return True
        if self.migrations and not self.migrations.step(self.server.port, round_no):
            if kind == "power-writes" and self.server.wait(STOP_TIMEOUT_S) == -signal.SIGKILL:
                self.notes.append(f"round {round_no}: power loss at write {power_writes} before the migration "
                                  f"command")
                return True
            self.ledger.violate(("migration", round_no), f"round {round_no}: the migration command got no answer"
                                                         f"\n{self.server.log_excerpt()}")
            self.fatal = f"migration command failed in round {round_no}"
            self.end_now()
            return False
        ports = [server.port for server in self.live_instances()] if self.multi else [self.server.port]
        self.phase.start_round(round_no, ports, ending=kind == "power-writes")
        member_timer = self.schedule_member_kill(workload_s)
        ended = self.end(kind, workload_s, round_no)
        if member_timer is not None:
            member_timer.cancel()
            self.members.restart_down()
            self.phase.degraded = False
        after, lost_after, violations_after = self.ledger.snapshot()
        sent = after["sent"] - before["sent"]
        acked = after[ACKNOWLEDGED] - before[ACKNOWLEDGED]
        doubt = after[IN_DOUBT] - before[IN_DOUBT]
        rejected = after[REJECTED] - before[REJECTED]
        ready = self.fresh.recovered
        instances = ""
        if self.multi:
            instances = (f" instance {self.server.slot} of {len(self.instances)}, started {self.fresh.slot}, "
                         f"owners exact after {self.ownership_times[-1] if self.ownership_times else 0:.1f} s;")
        log(f"round {round_no:3d} {KINDS[kind]}{f' ({power_writes})' if power_writes else ''} {ended}:{instances} "
            f"start {self.fresh.startup_s * 1000:.0f} ms"
            f"{f' ({ready[0]} connections in {ready[1]} ms, {ready[2]} events replayed)' if ready else ''}, "
            f"check {'ok' if problems == 0 else f'{problems} problems'}; "
            f"{sent} commands: {acked} acknowledged, {rejected} rejected, {doubt} in doubt; "
            f"lost {lost_after} (+{lost_after - lost_before}), violations {violations_after}")
        return self.fatal is None

    def schedule_member_kill(self, workload_s):
        """Cluster mode: in half the rounds, kill -9 one etcd member at a random moment of the workload."""
        if self.members is None or self.rng.random() < 0.5:
            return None
        index = self.rng.randrange(len(self.members.names))
        delay = self.rng.uniform(0, workload_s)

        def kill():
            self.phase.degraded = True
            self.members.kill(index)
            self.member_kills += 1
        timer = threading.Timer(delay, kill)
        timer.start()
        return timer

    def end(self, kind, workload_s, round_no):
        """Ends the round's process as `kind` says; returns a few words on how it went."""
        server = self.server
        started = time.monotonic()
        if kind == "power-writes":
            code = server.wait(POWER_WRITES_WAIT_S)
            how = f"after {time.monotonic() - started:.2f} s"
            if code is None:
                server.kill(signal.SIGUSR1)
                self.notes.append(f"round {round_no}: no power loss within {POWER_WRITES_WAIT_S:.0f} s; "
                                  f"sent SIGUSR1 instead")
                how += " (no write-count loss: SIGUSR1 sent)"
        else:
            time.sleep(workload_s)
            self.phase.ending = True
            server.kill({"kill-9": signal.SIGKILL, "sigterm": signal.SIGTERM,
                         "power-signal": signal.SIGUSR1}[kind])
            how = f"after {workload_s:.2f} s"
        self.phase.running = False  # no new commands; those in flight end with the process
        code = server.wait(STOP_TIMEOUT_S)
        if code is None:
            self.ledger.violate(("stop", round_no), f"round {round_no}: the server did not exit within "
                                                    f"{STOP_TIMEOUT_S:.0f} s of {KINDS[kind]}; killed")
            server.kill(signal.SIGKILL)
            code = server.wait(STOP_TIMEOUT_S)
        expected = 0 if kind == "sigterm" else -signal.SIGKILL
        if code != expected:
            self.ledger.violate(("exit", round_no), f"round {round_no}: after {KINDS[kind]} the server exited "
                                                    f"with {describe_exit(code)}, expected {describe_exit(expected)}"
                                                    f"\n{server.log_excerpt()}")
        self.phase.pause()
        return how

    def end_now(self):
        for server in self.instances if self.multi else [self.server]:
            if server is not None and server.alive():
                server.kill(signal.SIGKILL)
                server.wait(STOP_TIMEOUT_S)

    def stop_members(self):
        if self.members is not None:
            self.members.stop_all()

    def final_check(self, round_no):
        """One more start with full histories, then SIGTERM (which must exit 0)."""
        try:
            self.start_server(round_no, self.args.binary)
        except StartFailed as error:
            self.ledger.violate(("start", round_no), f"final start-up failed: {error}\n{self.server.log_excerpt()}")
            self.fatal = "final start-up failed"
            return
        problems = self.check(round_no, full=True)
        if self.multi and not self.fatal:
            problems += self.check_instances(round_no)
        code = 0
        for server in self.live_instances() if self.multi else [self.server]:
            server.kill(signal.SIGTERM)
            code = server.wait(STOP_TIMEOUT_S)
            if code != 0:
                self.ledger.violate(("exit", round_no, server.port),
                                    f"final SIGTERM: the server exited with {describe_exit(code)}")
                self.end_now()
                break
        log(f"final check: start {self.fresh.startup_s * 1000:.0f} ms, "
            f"check {'ok' if problems == 0 else f'{problems} problems'}, SIGTERM {describe_exit(code)}")
        if self.migrations and self.migrations.completed > 0:
            # After a completed migration to encryption every secret on disk is encrypted.
            holding = files_containing(self.data_dir, PASSWORD_PREFIX.encode())
            if holding:
                self.ledger.violate(("plaintext", round_no), f"after {self.migrations.completed} completed "
                                                             f"migrations {len(holding)} files hold a plaintext "
                                                             f"password: {holding[:5]}")

    def in_doubt_breakdown(self):
        """In-doubt commands by the ending of their round and their cause, with their resolution."""
        table = collections.defaultdict(collections.Counter)
        with self.ledger.lock:
            for command in self.ledger.commands:
                if command.outcome == IN_DOUBT:
                    table[(self.round_kinds.get(command.round, "?"), command.cause)][command.resolution] += 1
        parts = []
        for (kind, cause), resolutions in sorted(table.items()):
            parts.append(f"{KINDS.get(kind, kind)} / {cause}: {sum(resolutions.values())} "
                         f"({resolutions[PERSISTED]} persisted, {resolutions[NOT_PERSISTED]} not"
                         + (f", {resolutions[None]} unresolved" if resolutions[None] else "") + ")")
        return "; ".join(parts) or "none"

    def summary(self, elapsed):
        counts, lost, violations = self.ledger.snapshot()
        kinds = ", ".join(f"{self.kind_counts[kind]} {KINDS[kind]}" for kind in KINDS)
        log("")
        log(f"crashtest: seed {self.seed}, {sum(self.kind_counts.values())} rounds ({kinds}), "
            f"{self.args.clients} clients x {self.args.ids_per_client} ids")
        log(f"commands sent: {counts['sent']}: acknowledged {counts[ACKNOWLEDGED]}, rejected {counts[REJECTED]}, "
            f"in doubt {counts[IN_DOUBT]} (found persisted {counts[PERSISTED]}, not persisted "
            f"{counts[NOT_PERSISTED]}, promoted by a read during the round {counts['promoted by read']}); "
            f"reads {counts['reads']}; open checks answered by the peer {self.peer.requests}")
        log(f"in doubt by ending and cause: {self.in_doubt_breakdown()}")
        if self.members is not None:
            log(f"cluster mode: {len(self.members.names)} etcd members, {self.member_kills} killed (kill -9) "
                f"under the workload and restarted")
        if self.multi:
            ends = ", ".join(f"instance {slot}: {count}" for slot, count in sorted(self.instance_ends.items()))
            log(f"instances: {len(self.instances)}, rounds ended ({ends}); every connection on exactly its "
                f"instances in {len(self.ownership_times)} checks, after {spread(self.ownership_times)}")
        log(f"lost: {lost}")
        log(f"violations: {violations}")
        log(f"start-up (spawn to /health 200): {spread(self.startups)}; "
            f"recovery (ready line): {spread(self.recoveries)}")
        if self.migrations:
            m = self.migrations
            log(f"encryption migrations: {m.started} started or resumed, {m.completed} completed, "
                f"epoch {m.epoch} at the end (last phase seen {m.last_phase})")
        log(f"journal-replay verify clean in {self.checker.verify_clean} of {self.checker.verify_runs} checks")
        for note in self.notes:
            log(f"note: {note}")
        errors = [f"{client.name}: {client.error}" for client in self.clients if client.error]
        for error in errors:
            log(f"driver error in {error}")
        if self.fatal:
            log(f"stopped early: {self.fatal}")
        log(f"time: {elapsed:.1f} s")
        return lost == 0 and violations == 0 and not errors and self.fatal is None


def main(argv):
    args = parse_args(argv)
    for path, what in [(args.binary, "the server"), (args.replay_binary, "journal-replay")]:
        if not os.access(path, os.X_OK):
            sys.exit(f"crashtest: {what} {path} is missing (run scripts/build)")
    if args.power_loss_share > 0 and not os.access(args.faultfs_binary, os.X_OK):
        sys.exit(f"crashtest: power-loss rounds need {args.faultfs_binary}, which is missing "
                 f"(build it: ninja -C build connectivityd-faultfs), or run with --power-loss-share 0")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2 ** 31)
    log(f"crashtest: seed {seed} (replay with --seed {seed}), {args.rounds} rounds, {args.clients} clients, "
        f"power-loss share {args.power_loss_share}")
    work_dir = tempfile.mkdtemp(prefix="crashtest-", dir=os.environ.get("TMPDIR") or "/tmp")
    started = time.monotonic()
    run = Run(args, seed, work_dir)
    ok = False
    try:
        run.run()
        ok = run.summary(time.monotonic() - started)
    except KeyboardInterrupt:
        log("crashtest: interrupted")
    finally:
        run.end_now()
        run.stop_members()
        if not ok and args.keep:
            run.ledger.dump(work_dir)
            log(f"crashtest: kept the data dir, server logs and ledger in {work_dir} "
                f"(data/, logs/round-NNN.log, ledger.jsonl, problems.txt)")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
            if not ok:
                log(f"crashtest: FAILED; rerun with --seed {seed} --keep to keep the data dir and logs")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
