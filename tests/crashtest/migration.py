"""Encryption migrations in flight while the rounds crash (--encryption-migration).

Epochs of key settings, each a server configuration every start of the epoch uses:
  0: no encryption (the first rounds write plaintext secrets);
  1: encryption on with key A: an initial encryption migrates the plaintext;
  2: key B, old key A: a key rotation; 3: key A, old key B; and so on.
In every round of an epoch > 0, after the restart's check, the driver starts the epoch's
migration (migrateEncryption) or resumes it ("resume": true) if it started in an earlier round;
it is throttled so that it runs across rounds and every ending (kill -9, SIGTERM, power loss)
meets it in flight. The epoch moves on once the saved progress says its migration completed
(the progress's startedAt is the one the driver started; an older completed progress does not
count). Every status must show no failed document (every secret decrypted with the keys of the
epoch). The checks of the run hold throughout: nothing acknowledged is lost, the served states,
histories and journal-replay (given the same keys) agree.
"""
import base64
import os

from http_api import CutOff, NotSent, piggyback

SELECTION = "/user/connectivityRoot/encryptionMigration"
PLAINTEXT_ROUNDS = 2   # epoch 0 lasts this many rounds
# Slow enough to span rounds, fast enough to complete a few migrations in a run.
DOCS_PER_MINUTE = "30000"
BATCH_SIZE = "10"


def new_key():
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class Migrations:
    def __init__(self, log, violate):
        self.log = log
        self.violate = violate
        self.keys = [new_key(), new_key()]
        self.epoch = 0
        self.started_at = None      # startedAt of the epoch's migration, once started
        self.started = 0            # migrateEncryption answered 202 (fresh or resumed)
        self.completed = 0          # migrations seen completed
        self.last_phase = None

    def env(self):
        """The server's (and journal-replay's) settings for the current epoch."""
        env = {"CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE": DOCS_PER_MINUTE,
               "CONNECTIVITY_ENCRYPTION_MIGRATION_BATCH_SIZE": BATCH_SIZE}
        if self.epoch == 0:
            return env
        env["CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED"] = "true"
        env["CONNECTIVITY_CONNECTION_ENCRYPTION_KEY"] = self.keys[self.epoch % 2]
        if self.epoch >= 2:
            env["CONNECTIVITY_CONNECTION_OLD_ENCRYPTION_KEY"] = self.keys[(self.epoch - 1) % 2]
        return env

    def _command(self, port, command):
        try:
            _, answer = piggyback(port, command, selection=SELECTION)
        except (NotSent, CutOff) as error:
            return None, f"{type(error).__name__}: {error}"
        body = answer.json()
        return (body if isinstance(body, dict) else None), answer.body

    def step(self, port, round_no):
        """After a restart's check: advance the epoch, or start or resume its migration.
        Returns False if the server did not answer (a planned power loss may have ended it)."""
        if self.epoch == 0:
            if round_no >= PLAINTEXT_ROUNDS:
                self.epoch = 1  # from the next start
            return True
        status, raw = self._command(port, {"type": "connectivity.commands:migrateEncryptionStatus"})
        if status is None:
            return False
        self.last_phase = status.get("phase")
        for counter in ("snapshots", "journalEvents"):
            if (status.get(counter) or {}).get("failed", 0) != 0:
                self.violate(("migration-failed", round_no),
                             f"round {round_no}: the migration of epoch {self.epoch} failed documents: {raw}")
        if (self.started_at is not None and status.get("phase") == "completed"
                and (status.get("timing") or {}).get("startedAt") == self.started_at):
            self.completed += 1
            self.log(f"           migration of epoch {self.epoch} completed: snapshots {status.get('snapshots')}, "
                     f"journal {status.get('journalEvents')}")
            self.epoch += 1
            self.started_at = None
            return True
        resume = self.started_at is not None
        answer, raw = self._command(port, {"type": "connectivity.commands:migrateEncryption", "resume": resume})
        if answer is None:
            return False
        if resume and answer.get("phase") == "already_completed":
            # No saved progress of this migration survived (it ended before its first
            # batch was on disk): start it again.
            answer, raw = self._command(port, {"type": "connectivity.commands:migrateEncryption"})
            if answer is None:
                return False
            resume = False
        if answer.get("status") != 202:
            self.violate(("migration-start", round_no), f"round {round_no}: migrateEncryption answered {raw}")
            return True
        self.started += 1
        if not resume:
            self.started_at = answer.get("startedAt")
        return True
