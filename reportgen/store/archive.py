"""The archive's record of built briefings: which vintage each build read, when, and what it said.

A briefing rebuilt from a newer vintage replaces the files, so this record is where the earlier
versions stay known: the sources box lists them, and the editors' "what changed" view compares a
build's facts (JSON) and story (plain text) with the one before. A build is `published` (in the
public archive) or, when the monthly job needs approval, a `draft` until an editor approves it.
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
# Added later, so added to stores made before (additive: no row is rewritten or lost). Builds recorded
# before them were published, and their facts and story were not kept ('').
ADDED = {
    "state": "TEXT NOT NULL DEFAULT 'published'",  # published | draft
    "facts": "TEXT NOT NULL DEFAULT ''",  # the facts as `reportgen facts --json` prints them
    "story": "TEXT NOT NULL DEFAULT ''",  # headline, dateline and paragraphs as plain text, one a line
}
LISTED = "partner, period, built_at, source, vintage, headline, folder, state"  # what a list of builds reads
COLUMNS = f"{LISTED}, facts, story"  # and what only one build's "what changed" reads (kept())
PUBLISHED, DRAFT = "published", "draft"
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
    state: str = PUBLISHED
    facts: str = ""  # JSON; read by kept(), not by the lists (a build's facts are some 10 kB)
    story: str = ""
    editions: tuple[tuple[str, str], ...] = ()  # (language, headline) of each language built, English first

    @property
    def published(self) -> bool:
        return self.state == PUBLISHED

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.editions) or ("en",)

    def headline_in(self, language: str) -> str:
        return dict(self.editions).get(language, self.headline)


def _ready(store: Store) -> None:
    store.db.execute(SCHEMA)
    if _missing(store):
        # Looked at again holding the write lock: a batch's workers all find a store made before these
        # columns, and only the first may add them (a second ALTER fails on a duplicate column).
        with store.transaction() as db:
            for name in _missing(store):
                db.execute(f"ALTER TABLE briefings ADD COLUMN {name} {ADDED[name]}")
    store.db.execute(EDITIONS)


def _missing(store: Store) -> list[str]:
    """The added columns a store made before them lacks."""
    have = {row[1] for row in store.db.execute("PRAGMA table_info(briefings)")}
    return [name for name in ADDED if name not in have]


def record(store: Store, built: Built, headlines: dict[str, str] | None = None) -> None:
    """Note a build and the headline of each language it was written in; the same briefing built again in the
    same second is one build."""
    _ready(store)
    with store.transaction() as db:
        db.execute(f"INSERT OR REPLACE INTO briefings ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (built.partner, built.period, built.built_at, built.source, built.vintage, built.headline,
                    built.folder, built.state, built.facts, built.story))
        db.execute("DELETE FROM editions WHERE partner = ? AND period = ? AND built_at = ?",
                   (built.partner, built.period, built.built_at))
        db.executemany("INSERT INTO editions VALUES (?, ?, ?, ?, ?)",
                       [(built.partner, built.period, built.built_at, lang, text)
                        for lang, text in (headlines or {}).items()])


def _with_editions(store: Store, builds: list[Built], partner: str | None = None,
                   period: str | None = None) -> list[Built]:
    """The builds with their editions read from the store: only the rows of `partner` (and `period`) when given,
    so that one briefing's history reads its own (the primary key's prefix), not every edition ever built."""
    given = [(clause, value) for clause, value in (("partner = ?", partner), ("period = ?", period)) if value]
    where = "WHERE " + " AND ".join(clause for clause, _ in given) + " " if given else ""
    rows = store.db.execute(f"SELECT partner, period, built_at, language, headline FROM editions {where}"
                            "ORDER BY language != 'en', language", [value for _, value in given]).fetchall()
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for partner, period, built_at, lang, text in rows:
        found.setdefault((partner, period, built_at), []).append((lang, text))
    return [dataclasses.replace(b, editions=tuple(found.get((b.partner, b.period, b.built_at), ())))
            for b in builds]


def history(store: Store, partner: str, period: str, *, published_only: bool = False) -> list[Built]:
    """Every build of one briefing (or only the published ones), newest first."""
    _ready(store)
    rows = store.db.execute(f"SELECT {LISTED} FROM briefings WHERE partner = ? AND period = ?"
                            + (" AND state = 'published'" if published_only else "")
                            + " ORDER BY built_at DESC", (partner, period)).fetchall()
    return _with_editions(store, [Built(*row) for row in rows], partner=partner, period=period)


def latest(store: Store) -> list[Built]:
    """The newest published build of every briefing: the latest period first, partners in order."""
    _ready(store)
    rows = store.db.execute(
        f"""SELECT {LISTED} FROM briefings AS b WHERE state = 'published' AND built_at = (
               SELECT MAX(built_at) FROM briefings WHERE partner = b.partner AND period = b.period
               AND state = 'published')
           ORDER BY period DESC, partner"""
    ).fetchall()
    return _with_editions(store, [Built(*row) for row in rows])


def drafts(store: Store) -> list[Built]:
    """Drafts that are their briefing's newest build (a draft superseded by a newer build is not approvable)."""
    _ready(store)
    rows = store.db.execute(
        f"""SELECT {LISTED} FROM briefings AS b WHERE state = 'draft' AND built_at = (
               SELECT MAX(built_at) FROM briefings WHERE partner = b.partner AND period = b.period)
           ORDER BY period DESC, partner"""
    ).fetchall()
    return _with_editions(store, [Built(*row) for row in rows])


def of_partner(store: Store, partner: str) -> list[Built]:
    """Every published build of a partner's briefings, of every period, newest first."""
    _ready(store)
    rows = store.db.execute(f"SELECT {LISTED} FROM briefings WHERE partner = ? AND state = 'published' "
                            "ORDER BY built_at DESC", (partner,)).fetchall()
    return _with_editions(store, [Built(*row) for row in rows], partner=partner)


def kept(store: Store, built: Built) -> Built:
    """The build with the facts and story it kept, for comparing it with another."""
    _ready(store)
    row = store.db.execute("SELECT facts, story FROM briefings WHERE partner = ? AND period = ? AND built_at = ?",
                           (built.partner, built.period, built.built_at)).fetchone()
    return dataclasses.replace(built, facts=row[0], story=row[1]) if row else built


def publish(store: Store, partner: str, period: str, built_at: str) -> None:
    """Mark a draft published (its files were just copied into the archive)."""
    _ready(store)
    store.db.execute("UPDATE briefings SET state = 'published' WHERE partner = ? AND period = ? AND built_at = ?",
                     (partner, period, built_at))
