"""Editors' approvals of drafts: who approved which build (and so which vintage), and when.

Kept for good, one row an approval, never replaced: the record a newsroom is asked for when a figure is
questioned. (A build made again in the same second, as with a pinned SOURCE_DATE_EPOCH, has the same
`built_at`; its second approval is a second row.) A digest goes out under `job.approval: required` only
for a published build that has a row here.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    partner TEXT NOT NULL,
    period TEXT NOT NULL,
    built_at TEXT NOT NULL,  -- the build approved (briefings.built_at)
    source TEXT NOT NULL,
    vintage TEXT NOT NULL,  -- the figures it approved
    editor TEXT NOT NULL,
    approved_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_of_build ON approvals (partner, period, built_at)
"""
COLUMNS = "partner, period, built_at, source, vintage, editor, approved_at"


@dataclass(frozen=True)
class Approval:
    partner: str
    period: str
    built_at: str
    source: str
    vintage: str
    editor: str
    approved_at: str


def _ready(store: Store) -> None:
    for statement in SCHEMA.split(";"):
        store.db.execute(statement)


def add(store: Store, approval: Approval) -> None:
    _ready(store)
    store.db.execute(f"INSERT INTO approvals ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (approval.partner, approval.period, approval.built_at, approval.source, approval.vintage,
                      approval.editor, approval.approved_at))


def of_build(store: Store, partner: str, period: str, built_at: str) -> Approval | None:
    """The latest approval of a build, if any."""
    _ready(store)
    row = store.db.execute(f"SELECT {COLUMNS} FROM approvals WHERE partner = ? AND period = ? AND built_at = ? "
                           "ORDER BY approved_at DESC, rowid DESC LIMIT 1", (partner, period, built_at)).fetchone()
    return Approval(*row) if row else None
