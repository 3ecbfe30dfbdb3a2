"""Editors' approvals of drafts: who approved which build (and so which vintage), and when.

Kept for good, one row an approval: the record a newsroom is asked for when a figure is questioned.
A digest goes out under `job.approval: required` only for a build that has a row here.
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
    approved_at TEXT NOT NULL,
    PRIMARY KEY (partner, period, built_at)
)
"""


@dataclass(frozen=True)
class Approval:
    partner: str
    period: str
    built_at: str
    source: str
    vintage: str
    editor: str
    approved_at: str


def add(store: Store, approval: Approval) -> None:
    store.db.execute(SCHEMA)
    store.db.execute("INSERT INTO approvals VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (approval.partner, approval.period, approval.built_at, approval.source, approval.vintage,
                      approval.editor, approval.approved_at))


def of_build(store: Store, partner: str, period: str, built_at: str) -> Approval | None:
    store.db.execute(SCHEMA)
    row = store.db.execute("SELECT * FROM approvals WHERE partner = ? AND period = ? AND built_at = ?",
                           (partner, period, built_at)).fetchone()
    return Approval(*row) if row else None
