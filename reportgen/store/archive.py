"""The archive's record of built briefings: which vintage each build read, and when.

A briefing rebuilt from a newer vintage replaces the files, so this record is where the earlier
versions stay known; the sources box lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS briefings (
    partner TEXT NOT NULL,
    period TEXT NOT NULL,
    built_at TEXT NOT NULL,
    source TEXT NOT NULL,
    vintage TEXT NOT NULL,
    headline TEXT NOT NULL,
    folder TEXT NOT NULL,  -- relative to the output folder: 2024-12/MEX
    PRIMARY KEY (partner, period, built_at)
)
"""


@dataclass(frozen=True)
class Built:
    partner: str
    period: str
    built_at: str  # ISO 8601 UTC
    source: str
    vintage: str
    headline: str
    folder: str


def _ready(store: Store) -> None:
    store.db.execute(SCHEMA)


def record(store: Store, built: Built) -> None:
    """Note a build; the same briefing built again in the same second is one build."""
    _ready(store)
    store.db.execute("INSERT OR REPLACE INTO briefings VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (built.partner, built.period, built.built_at, built.source, built.vintage, built.headline,
                      built.folder))


def history(store: Store, partner: str, period: str) -> list[Built]:
    """Every build of one briefing, newest first."""
    _ready(store)
    rows = store.db.execute("SELECT * FROM briefings WHERE partner = ? AND period = ? ORDER BY built_at DESC",
                            (partner, period)).fetchall()
    return [Built(*row) for row in rows]


def latest(store: Store) -> list[Built]:
    """The newest build of every briefing: the latest period first, partners in order."""
    _ready(store)
    rows = store.db.execute(
        """SELECT partner, period, MAX(built_at), source, vintage, headline, folder
           FROM briefings GROUP BY partner, period ORDER BY period DESC, partner"""
    ).fetchall()
    return [Built(*row) for row in rows]
