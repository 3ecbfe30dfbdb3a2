"""Subscribers and the outbox: who gets the digest, and what each one has been sent.

Tables of their own in the store's SQLite file. The outbox holds one row per (digest issue,
subscriber address), unique, so no run can queue a digest twice; its state is how a message stands:

    pending    not sent yet: queued, refused with a 4xx reply, or cut off before the data ended
    sending    claimed by a run, the data not yet ended (a run that died here is resent)
    unknown    the data ended but no reply came: perhaps delivered, never resent unless asked
    sent       the server answered 250 to the data
    failed     the server refused it with a 5xx reply
    cancelled  the subscriber left (unsubscribed, bounced or removed) before it went out
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from reportgen import timestamps
from reportgen.store.database import Database

STATUSES = ("active", "unsubscribed", "bounced")
STATES = ("pending", "sending", "unknown", "sent", "failed", "cancelled")
SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'en',
    partners TEXT NOT NULL DEFAULT '',  -- store codes separated by spaces, or empty for the configured partners
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unsubscribed', 'bounced')),
    created TEXT NOT NULL,
    changed TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS digest_issues (
    issue TEXT PRIMARY KEY,  -- MEX-2024: one partner and period
    subject TEXT NOT NULL,
    source TEXT NOT NULL,
    vintage TEXT NOT NULL,  -- the data the first run built it from
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    issue TEXT NOT NULL REFERENCES digest_issues (issue),
    email TEXT NOT NULL COLLATE NOCASE,
    message_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'unknown', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    reply TEXT NOT NULL DEFAULT '',  -- the server's last reply, or what went wrong
    created TEXT NOT NULL,
    changed TEXT NOT NULL,
    UNIQUE (issue, email)
);
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (issue, state);
"""
COLUMNS = "id, email, name, language, partners, status, created, changed"


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    name: str
    language: str
    partners: tuple[str, ...]  # store codes; empty: the configured partners
    status: str
    created: str
    changed: str

    @classmethod
    def from_row(cls, row: tuple) -> Subscriber:
        return cls(row[0], row[1], row[2], row[3], tuple(row[4].split()), *row[5:])


class NewSubscriber(NamedTuple):
    """A subscriber to add: the address in normal form, and what they follow."""

    email: str
    name: str = ""
    language: str = "en"
    partners: tuple[str, ...] = ()  # store codes; empty: the configured partners
    status: str = "active"


@dataclass(frozen=True)
class Issue:
    """A digest issue as first queued: its subject and the data it was made from."""

    issue: str  # MEX-2024
    subject: str
    source: str
    vintage: str
    created: str


@dataclass(frozen=True)
class OutboxRow:
    """How one message of an issue stands."""

    email: str
    state: str
    attempts: int
    reply: str  # the server's last reply, or what went wrong
    changed: str


class Change(NamedTuple):
    """A new state for one outbox row, to record; `tried`: one more attempt; `bounced`: the mailbox is gone."""

    email: str
    state: str
    reply: str = ""
    tried: bool = False
    bounced: bool = False


@dataclass(frozen=True)
class Recipient:
    """One outbox row claimed for sending, with what its message needs."""

    email: str
    name: str
    subscriber: int
    message_id: str
    row: int = 0  # its place in the outbox


class MailStore(Database):
    """The subscribers and outbox tables of a store file. Use as a context manager."""

    SCHEMA = SCHEMA

    # -- subscribers ---------------------------------------------------------------------------

    def subscriber(self, email: str | None = None, *, id: int | None = None) -> Subscriber | None:
        where, key = ("email = ?", email) if email is not None else ("id = ?", id)
        row = self.db.execute(f"SELECT {COLUMNS} FROM subscribers WHERE {where}", (key,)).fetchone()
        return Subscriber.from_row(row) if row else None

    def subscribers(self, status: str | None = None) -> Iterator[Subscriber]:
        query = f"SELECT {COLUMNS} FROM subscribers {'WHERE status = ?' if status else ''} ORDER BY email"
        for row in self.db.execute(query, (status,) if status else ()):
            yield Subscriber.from_row(row)

    def add(self, rows: Iterable[NewSubscriber]) -> list[str]:
        """Add subscribers in one transaction; return the addresses already present, which are left
        exactly as they were (an old list never re-subscribes anyone)."""
        existing = []
        stamp = timestamps.now()
        with self.transaction() as db:
            for new in rows:
                added = db.execute(
                    "INSERT OR IGNORE INTO subscribers (email, name, language, partners, status, created, changed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (new.email, new.name, new.language, " ".join(new.partners), new.status, stamp, stamp),
                ).rowcount
                if not added:
                    existing.append(new.email)
        return existing

    def remove(self, email: str) -> bool:
        """Delete a subscriber; messages not yet sent to them are cancelled."""
        with self.transaction() as db:
            gone = db.execute("DELETE FROM subscribers WHERE email = ?", (email,)).rowcount
            db.execute("UPDATE outbox SET state = 'cancelled', changed = ? WHERE email = ? AND state = 'pending'",
                       (timestamps.now(), email))
        return bool(gone)

    def set_status(self, id: int, status: str) -> bool:
        """Change a subscriber's status; True if it changed."""
        with self.transaction() as db:
            return bool(db.execute("UPDATE subscribers SET status = ?, changed = ? WHERE id = ? AND status != ?",
                                   (status, timestamps.now(), id, status)).rowcount)

    # -- the outbox ------------------------------------------------------------------------------

    def issue(self, issue: str) -> Issue | None:
        """A digest issue, if it was ever queued."""
        row = self.db.execute("SELECT issue, subject, source, vintage, created FROM digest_issues WHERE issue = ?",
                              (issue,)).fetchone()
        return Issue(*row) if row else None

    def queue(self, issue: str, subject: str, source: str, vintage: str, partner: str, default: bool,
              message_id) -> int:
        """Record the issue and add a pending row for every active subscriber who follows `partner` and has
        none yet (`default`: the partner is among the configured ones); return how many were added."""
        stamp = timestamps.now()
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO digest_issues VALUES (?, ?, ?, ?, ?)",
                       (issue, subject, source, vintage, stamp))
            db.create_function("message_id", 1, message_id, deterministic=True)
            return db.execute(
                """INSERT OR IGNORE INTO outbox (issue, email, message_id, created, changed)
                   SELECT ?, email, message_id(lower(email)), ?, ? FROM subscribers
                   WHERE status = 'active' AND ((partners = '' AND ?) OR instr(' ' || partners || ' ', ?) > 0)
                   ORDER BY id""",
                (issue, stamp, stamp, default, f" {partner} "),
            ).rowcount

    def recover(self, issue: str, *, resend_unknown: bool = False) -> tuple[int, int]:
        """Before a run (under the issue's lock): rows a dead run left `sending` never ended their data, so they
        go back to pending; so do `unknown` rows if the operator asks. Rows of subscribers who left are
        cancelled. Return (rows put back, rows cancelled)."""
        stamp = timestamps.now()
        states = ("sending", "unknown") if resend_unknown else ("sending",)
        with self.transaction() as db:
            back = db.execute(
                "UPDATE outbox SET state = 'pending', changed = ? WHERE issue = ? "
                f"AND state IN ({','.join('?' * len(states))})",
                (stamp, issue, *states)).rowcount
            cancelled = db.execute(
                """UPDATE outbox SET state = 'cancelled', changed = ? WHERE issue = ? AND state = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.email = outbox.email AND s.status = 'active')""",
                (stamp, issue)).rowcount
        return back, cancelled

    def would_send(self, issue: str, partner: str, default: bool, message_id,
                   *, resend_unknown: bool = False) -> Iterator[Recipient]:
        """Whom a run would send the issue to now, changing nothing (for --dry-run)."""
        states = ("pending", "sending", "unknown") if resend_unknown else ("pending", "sending")
        for email, name, id, known in self.db.execute(
                f"""SELECT s.email, s.name, s.id, o.message_id FROM subscribers s
                    LEFT JOIN outbox o ON o.issue = ? AND o.email = s.email
                    WHERE s.status = 'active' AND (o.state IN ({','.join('?' * len(states))})
                      OR (o.state IS NULL AND ((s.partners = '' AND ?) OR instr(' ' || s.partners || ' ', ?) > 0)))
                    ORDER BY o.rowid IS NULL, o.rowid, s.id""", (issue, *states, default, f" {partner} ")):
            yield Recipient(email, name, id, known or message_id(email.lower()))

    def claim(self, issue: str, limit: int, after: int = 0) -> list[Recipient]:
        """Mark up to `limit` pending rows queued after row `after` `sending`, in one transaction, before any of
        their data is sent. Going forward by row keeps a run from trying a row twice (a 4xx leaves it pending)."""
        with self.transaction() as db:
            claimed = [Recipient(*row) for row in db.execute(
                """SELECT o.email, s.name, s.id, o.message_id, o.rowid
                   FROM outbox o JOIN subscribers s ON s.email = o.email
                   WHERE o.issue = ? AND o.state = 'pending' AND s.status = 'active' AND o.rowid > ?
                   ORDER BY o.rowid LIMIT ?""", (issue, after, limit))]
            db.executemany("UPDATE outbox SET state = 'sending', changed = ? WHERE rowid = ?",
                           [(timestamps.now(), recipient.row) for recipient in claimed])
        return claimed

    def mark(self, issue: str, email: str, state: str, reply: str = "", *, tried: bool = False,
             bounced: bool = False) -> None:
        """Record how one message stands, durably, before the run goes on (`tried`: one more attempt)."""
        self.record(issue, [Change(email, state, reply, tried, bounced)])

    def record(self, issue: str, changes: list[Change]) -> None:
        """Record changes in one transaction: one commit, one sync."""
        stamp = timestamps.now()
        with self.transaction() as db:
            for change in changes:
                db.execute("UPDATE outbox SET state = ?, reply = ?, attempts = attempts + ?, changed = ? "
                           "WHERE issue = ? AND email = ?",
                           (change.state, change.reply[:500], int(change.tried), stamp, issue, change.email))
                if change.bounced:
                    db.execute("UPDATE subscribers SET status = 'bounced', changed = ? WHERE email = ?",
                               (stamp, change.email))

    def release(self, issue: str) -> int:
        """Put back rows claimed but never tried (the connection was lost first)."""
        with self.transaction() as db:
            return db.execute("UPDATE outbox SET state = 'pending', changed = ? WHERE issue = ? AND state = 'sending'",
                              (timestamps.now(), issue)).rowcount

    def counts(self, issue: str) -> dict[str, int]:
        found = dict(self.db.execute("SELECT state, COUNT(*) FROM outbox WHERE issue = ? GROUP BY state", (issue,)))
        return {state: found.get(state, 0) for state in STATES}

    def rows(self, issue: str, states: Iterable[str]) -> list[OutboxRow]:
        """An issue's rows in `states`, in the order they were queued."""
        states = tuple(states)
        return [OutboxRow(*row) for row in self.db.execute(
            f"SELECT email, state, attempts, reply, changed FROM outbox WHERE issue = ? "
            f"AND state IN ({','.join('?' * len(states))}) ORDER BY rowid", (issue, *states))]

    def issues(self) -> list[Issue]:
        """Every issue, the latest first."""
        return [Issue(*row) for row in self.db.execute(
            "SELECT issue, subject, source, vintage, created FROM digest_issues ORDER BY created DESC, issue")]
