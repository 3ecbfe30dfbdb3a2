"""The archive's record of built briefings: which vintage each build read, and when.

A briefing rebuilt from a newer vintage replaces the files, so this record is where the earlier
versions stay known; the sources box lists them.
"""

from __future__ import annotations

import dataclasses
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
# Added for the Spanish edition (issue 14): each build's editions and their headlines. A build recorded
# before it has no rows here and is the English edition alone.
EDITIONS = """
CREATE TABLE IF NOT EXISTS editions (
    partner TEXT NOT NULL,
    period TEXT NOT NULL,
    built_at TEXT NOT NULL,
    language TEXT NOT NULL,
    headline TEXT NOT NULL,
    PRIMARY KEY (partner, period, built_at, language)
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
    editions: tuple[tuple[str, str], ...] = ()  # (language, headline) of each language built, English first

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.editions) or ("en",)

    def headline_in(self, language: str) -> str:
        return dict(self.editions).get(language, self.headline)


def _ready(store: Store) -> None:
    store.db.execute(SCHEMA)
    store.db.execute(EDITIONS)


def record(store: Store, built: Built, headlines: dict[str, str] | None = None) -> None:
    """Note a build and the headline of each language it was written in; the same briefing built again in the
    same second is one build."""
    _ready(store)
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO briefings VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (built.partner, built.period, built.built_at, built.source, built.vintage, built.headline,
                          built.folder))
        db.execute("DELETE FROM editions WHERE partner = ? AND period = ? AND built_at = ?",
                         (built.partner, built.period, built.built_at))
        db.executemany("INSERT INTO editions VALUES (?, ?, ?, ?, ?)",
                             [(built.partner, built.period, built.built_at, lang, text)
                              for lang, text in (headlines or {}).items()])


def _with_editions(store: Store, builds: list[Built]) -> list[Built]:
    """The builds with their editions read from the store."""
    rows = store.db.execute("SELECT partner, period, built_at, language, headline FROM editions "
                            "ORDER BY language != 'en', language").fetchall()
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for partner, period, built_at, lang, text in rows:
        found.setdefault((partner, period, built_at), []).append((lang, text))
    return [dataclasses.replace(b, editions=tuple(found.get((b.partner, b.period, b.built_at), ())))
            for b in builds]


def history(store: Store, partner: str, period: str) -> list[Built]:
    """Every build of one briefing, newest first."""
    _ready(store)
    rows = store.db.execute("SELECT * FROM briefings WHERE partner = ? AND period = ? ORDER BY built_at DESC",
                            (partner, period)).fetchall()
    return _with_editions(store, [Built(*row) for row in rows])


def latest(store: Store) -> list[Built]:
    """The newest build of every briefing: the latest period first, partners in order."""
    _ready(store)
    rows = store.db.execute(
        """SELECT partner, period, MAX(built_at), source, vintage, headline, folder
           FROM briefings GROUP BY partner, period ORDER BY period DESC, partner"""
    ).fetchall()
    return _with_editions(store, [Built(*row) for row in rows])
