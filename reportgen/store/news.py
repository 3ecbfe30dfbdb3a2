"""News entries in the store: their own tables in the same SQLite file, each story kept once.

An entry is the same story as one already stored when
- its feed already gave an entry with the same guid;
- it has the same canonical link as an entry of another feed, or of the same feed when the entry
  has no guid or the same headline (a feed whose guids change at every fetch);
- another feed has a near-identical headline within `SAME_STORY_DAYS` days of it: the same words
  in the same order, give or take small words (the, de, ...), an inflection (tariff, tariffs) or a
  short tag at the end ("... - Reuters"). A different name or number is a different story:
  "tariffs on Mexico" is never "tariffs on Canada".
A link to a site's home page is nobody's key: some feeds point several entries at it.
"""

from __future__ import annotations

import difflib
import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from reportgen.errors import StoreError
from reportgen.folding import word_string
from reportgen.models import FeedEntry
from reportgen.store import Store
from reportgen.timestamps import iso

SAME_STORY_DAYS = 3
MIN_WORDS = 4  # headlines shorter than this ("Live updates") are too generic to tell a story by
TAG_WORDS = 3  # words an aggregator may add at the end of a headline ("- The Wall Street Journal")
SMALL_WORDS = frozenset("a an the of to in on at for and or by with from as is are its "  # noqa: SIM905
                        "el la los las de del en y o a al por con para un una se su "
                        "o os as do da dos das no na e um uma".split())
SCHEMA = """
CREATE TABLE IF NOT EXISTS news_items (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    guid TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,  -- the headline's folded words, for finding the same story in another feed
    summary TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL,  -- ISO 8601 UTC, so that text order is time order
    dated INTEGER NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    collected_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS news_by_guid ON news_items (feed_url, guid) WHERE guid != '';
CREATE INDEX IF NOT EXISTS news_by_link ON news_items (link) WHERE link != '';
-- A briefing reads one time window: this index makes that one range scan.
CREATE INDEX IF NOT EXISTS news_by_time ON news_items (published);
-- The last document of each feed stored in full, so an unchanged feed is not parsed again.
CREATE TABLE IF NOT EXISTS news_feeds (
    url TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    read_at TEXT NOT NULL
);
"""
COLUMNS = "feed, feed_url, guid, link, title, published, dated, summary, language"


@dataclass(frozen=True)
class Added:
    new: int  # entries stored
    duplicates: int  # entries that were stories already stored


class NewsStore:
    """The news tables of a `Store`; created on first use."""

    def __init__(self, store: Store):
        self.store, self.db, self.path = store, store.db, store.path
        try:
            with self.store.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot create the news tables ({exc})") from None

    def unchanged(self, url: str, content: bytes) -> bool:
        """Whether this very document is the feed's last one stored in full."""
        row = self._read("SELECT sha256 FROM news_feeds WHERE url = ?", (url,))
        return bool(row) and row[0][0] == hashlib.sha256(content).hexdigest()

    def add(self, entries: Iterable[FeedEntry], *, url: str, name: str, content: bytes, read_at: str) -> Added:
        """Store the entries that are new stories, and remember the document; all or nothing."""
        new = duplicates = 0
        try:
            with self.store.transaction():
                for entry in entries:
                    key = word_string(entry.title)
                    if self._known(entry, key):
                        duplicates += 1
                        continue
                    self.db.execute(
                        "INSERT INTO news_items (feed, feed_url, guid, link, title, title_key, summary, published,"
                        " dated, language, collected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (entry.feed, entry.feed_url, entry.guid, entry.link, entry.title, key,
                         entry.summary, entry.published, int(entry.dated), entry.language, read_at),
                    )
                    new += 1
                self.db.execute("INSERT OR REPLACE INTO news_feeds VALUES (?, ?, ?, ?)",
                                (url, name, hashlib.sha256(content).hexdigest(), read_at))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot store the news entries ({exc})") from None
        return Added(new, duplicates)

    def _known(self, entry: FeedEntry, key: str) -> bool:
        db = self.db
        # Each lookup repeats its partial index's condition (guid != '', link != ''), or SQLite cannot use it.
        if entry.guid and db.execute("SELECT 1 FROM news_items WHERE feed_url = ? AND guid = ? AND guid != ''",
                                     (entry.feed_url, entry.guid)).fetchone():
            return True
        if entry.link and urlsplit(entry.link).path not in ("", "/"):
            for feed_url, guid, title_key in db.execute(
                    "SELECT feed_url, guid, title_key FROM news_items WHERE link = ? AND link != ''", (entry.link,)):
                if feed_url != entry.feed_url or not entry.guid or not guid or title_key == key:
                    return True
        if len(key.split()) < MIN_WORDS:
            return False
        moment = datetime.fromisoformat(entry.published)
        low, high = (iso(moment - timedelta(days=SAME_STORY_DAYS)), iso(moment + timedelta(days=SAME_STORY_DAYS)))
        candidates = db.execute("SELECT title_key FROM news_items WHERE published BETWEEN ? AND ? AND feed_url != ?",
                                (low, high, entry.feed_url))
        words = frozenset(key.split())
        return any(_overlap(words, other) and same_headline(key, other) for (other,) in candidates)

    def between(self, start: datetime, end: datetime) -> list[FeedEntry]:
        """Entries published from `start` up to (not including) `end`, newest first: one range scan."""
        return self._entries("WHERE published >= ? AND published < ?", (iso(start), iso(end)))

    def since(self, start: datetime | None = None) -> list[FeedEntry]:
        """Entries published from `start` on (every entry if None), newest first."""
        return self._entries("WHERE published >= ?", (iso(start) if start else "",))

    def feeds_read(self) -> int:
        """How many feeds have had a document stored: none means news was never collected."""
        return self._read("SELECT COUNT(*) FROM news_feeds", ())[0][0]

    def count(self) -> int:
        return self._read("SELECT COUNT(*) FROM news_items", ())[0][0]

    def _entries(self, where: str, params: tuple) -> list[FeedEntry]:
        rows = self._read(f"SELECT {COLUMNS} FROM news_items {where} ORDER BY published DESC, id", params)
        return [FeedEntry(feed=feed, feed_url=feed_url, guid=guid, link=link, title=title, published=published,
                          dated=bool(dated), summary=summary, language=language)
                for feed, feed_url, guid, link, title, published, dated, summary, language in rows]

    def _read(self, sql: str, params: tuple) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot read the news entries ({exc})") from None


def same_headline(a: str, b: str) -> bool:
    """Whether two folded headlines tell the same story (see the module's docstring)."""
    x, y = a.split(), b.split()
    if min(len(x), len(y)) < MIN_WORDS:
        return False
    if x == y:
        return True
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            if all(_inflection(p, q) for p, q in zip(x[i1:i2], y[j1:j2])):
                continue
            return False
        extra = x[i1:i2] + y[j1:j2]
        at_end = i2 == len(x) and j2 == len(y)
        if tag != "replace" and (all(w in SMALL_WORDS for w in extra) or (at_end and len(extra) <= TAG_WORDS)):
            continue
        return False
    return True


def _inflection(p: str, q: str) -> bool:
    """Two forms of one word (tariff, tariffs; mexican, mexicans), never two numbers or two names."""
    if any(c.isdigit() for c in p + q):
        return p == q
    stem = min(len(p), len(q))
    return stem >= 4 and p[:stem - 1] == q[:stem - 1] and abs(len(p) - len(q)) <= 2


def _overlap(words: frozenset[str], other: str) -> bool:
    """A cheap first test: most words in common (the full test aligns them)."""
    theirs = set(other.split())
    return len(words & theirs) * 10 >= 6 * max(len(words), len(theirs))
