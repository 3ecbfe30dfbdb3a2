"""The store: one SQLite file holding the common table, every vintage kept.

A vintage (one release of one source, identified by its content hash) is stored as the rows whose
values differ from what the store already held for it, so twelve monthly releases of a
250,000-value file cost little more than one. Vintages of a source are ordered by publication
date; for each key, the newest vintage that holds it wins, and for a source whose vintages are whole
files the newest one's last month ends what is read. Storing a vintage never changes what
an older or newer vintage reads, and storing the same file again changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import NamedTuple

from reportgen.errors import StoreError
from reportgen.models import Batch, DetailLine, Partner, Total, Vintage
from reportgen.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS vintages (
    source TEXT NOT NULL,
    label TEXT NOT NULL,
    published TEXT NOT NULL,
    origin TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    collected_at TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    last_month TEXT NOT NULL DEFAULT '',
    seq INTEGER NOT NULL DEFAULT 0,  -- order among the source's vintages, oldest first
    PRIMARY KEY (source, label),
    UNIQUE (source, sha256)
);
CREATE TABLE IF NOT EXISTS observations (
    reporter TEXT NOT NULL,
    partner TEXT NOT NULL,
    flow TEXT NOT NULL CHECK (flow IN ('export', 'import')),
    period TEXT NOT NULL,
    commodity TEXT NOT NULL,
    value INTEGER NOT NULL,
    source TEXT NOT NULL,
    vintage TEXT NOT NULL,
    PRIMARY KEY (source, reporter, commodity, partner, flow, period, vintage),
    FOREIGN KEY (source, vintage) REFERENCES vintages (source, label)
) WITHOUT ROWID;
-- Sources' own descriptions of commodity codes, for codes the readable-name mapping lacks.
CREATE TABLE IF NOT EXISTS commodities (code TEXT PRIMARY KEY, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS partners (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    census_codes TEXT NOT NULL DEFAULT ''
);
"""


# Sources whose every vintage is the whole file, all of its history: the newest one says where the data end.
# (A Census API vintage holds the years it was asked for, so an older one may reach further.)
WHOLE_FILES = frozenset({"census-bulk"})


INDEXES = {
    # Finds the store's first and last month, and one year's rows, without reading every row.
    "observations_by_period":
        "CREATE INDEX IF NOT EXISTS observations_by_period ON observations (source, reporter, commodity, period)",
    # Finds one partner's rows (its history, its commodity detail) without reading every partner's.
    "observations_by_partner":
        "CREATE INDEX IF NOT EXISTS observations_by_partner ON observations (source, reporter, partner, commodity)",
}
SCHEMA += "".join(f"{statement};\n" for statement in INDEXES.values())


class StoredVintage(NamedTuple):
    """A vintage with its last month and the rows it stored."""

    vintage: Vintage
    last_month: str
    rows: int


class MonthRange(NamedTuple):
    """The first and the last month the store holds totals for ('' and '' when none)."""

    first: str
    last: str


@dataclass(frozen=True)
class AddResult:
    vintage: Vintage
    stored: int  # rows written: values that are new or differ from the previous vintage
    unchanged: bool  # the same file was already stored


class Store(Database):
    """The common table and its vintages. Use as a context manager, or call close()."""

    SCHEMA = SCHEMA

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn SQLite's errors on reading (a damaged file, a locked one) into a StoreError."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot read the store ({exc})") from None

    def is_empty(self, source: str | None = None) -> bool:
        query = "SELECT 1 FROM vintages" + (" WHERE source = ?" if source else "") + " LIMIT 1"
        with self._reading():
            return self.db.execute(query, (source,) if source else ()).fetchone() is None

    def find(self, source: str, sha256: str) -> Vintage | None:
        """The vintage stored from a file with this content hash, if any."""
        with self._reading():
            row = self.db.execute("SELECT label FROM vintages WHERE source = ? AND sha256 = ?",
                                  (source, sha256)).fetchone()
        return self.vintage(source, row[0]) if row else None

    def add(self, batch: Batch) -> AddResult:
        """Store a batch as a new vintage, atomically; a file already stored changes nothing."""
        v = batch.vintage
        try:
            # Look for the file inside the write lock: two processes seeding an empty store with the
            # same snapshot must find each other's vintage, not collide on its UNIQUE key.
            with self.transaction():
                existing = self.db.execute(
                    "SELECT label FROM vintages WHERE source = ? AND sha256 = ?", (v.source, v.sha256)
                ).fetchone()
                if existing:
                    return AddResult(self.vintage(v.source, existing[0]), 0, True)
                self.db.execute(
                    f"INSERT INTO vintages ({', '.join(f.name for f in fields(Vintage))}, last_month) "
                    f"VALUES ({', '.join('?' * len(fields(Vintage)))}, ?)",
                    (*(getattr(v, f.name) for f in fields(Vintage)), batch.last_month),
                )
                self._renumber(v.source)
                stored = self._add_rows(batch)
                self.db.executemany("INSERT OR REPLACE INTO commodities VALUES (?, ?)",
                                    sorted(batch.descriptions.items()))
                self.db.executemany(
                    "INSERT OR IGNORE INTO partners VALUES (?, ?, ?, ?)",
                    [(p.code, p.name, p.kind, " ".join(p.census_codes)) for p in batch.new_partners],
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: could not store {v.label} ({exc})") from None
        return AddResult(v, stored, False)

    def _renumber(self, source: str) -> None:
        self.db.execute(
            """UPDATE vintages SET seq = ranked.n FROM (
                   SELECT label, ROW_NUMBER() OVER (ORDER BY published, collected_at, rowid) AS n
                   FROM vintages WHERE source = ?) AS ranked
               WHERE vintages.source = ? AND vintages.label = ranked.label""",
            (source, source),
        )

    def _add_rows(self, batch: Batch) -> int:
        v = batch.vintage
        db = self.db
        if db.execute("SELECT 1 FROM observations WHERE source = ? LIMIT 1", (v.source,)).fetchone() is None:
            return self._add_first(batch)
        db.execute("DROP TABLE IF EXISTS temp.incoming")
        db.execute("""CREATE TEMP TABLE incoming (reporter, partner, flow, period, commodity, value,
                      PRIMARY KEY (reporter, commodity, partner, flow, period)) WITHOUT ROWID""")
        db.executemany(
            "INSERT INTO incoming VALUES (?, ?, ?, ?, ?, ?)",
            ((o.reporter, o.partner, o.flow, o.period, o.commodity, o.value) for o in batch.observations),
        )
        seq = db.execute("SELECT seq FROM vintages WHERE source = ? AND label = ?", (v.source, v.label)).fetchone()[0]
        # What each key read just before this vintage, and in the vintage right after it.
        db.execute("DROP TABLE IF EXISTS temp.before")
        db.execute(
            """CREATE TEMP TABLE before AS
               SELECT i.reporter, i.commodity, i.partner, i.flow, i.period, i.value AS new_value,
                      (SELECT o.value FROM observations o JOIN vintages w ON w.source = o.source AND w.label = o.vintage
                       WHERE o.source = :source AND o.reporter = i.reporter AND o.commodity = i.commodity
                         AND o.partner = i.partner AND o.flow = i.flow AND o.period = i.period AND w.seq < :seq
                       ORDER BY w.seq DESC LIMIT 1) AS old_value
               FROM incoming i""",
            {"source": v.source, "seq": seq},
        )
        changed = db.execute(
            """INSERT INTO observations
               SELECT reporter, partner, flow, period, commodity, new_value, ?, ?
               FROM before WHERE old_value IS NULL OR old_value != new_value""",
            (v.source, v.label),
        ).rowcount
        # An older release stored late must not change what the next newer vintage reads:
        # where that vintage had no row of its own, pin the value it read until now.
        following = db.execute("SELECT label FROM vintages WHERE source = ? AND seq = ?",
                               (v.source, seq + 1)).fetchone()
        if following:
            db.execute(
                """INSERT OR IGNORE INTO observations
                   SELECT reporter, partner, flow, period, commodity, old_value, ?, ?
                   FROM before WHERE old_value IS NOT NULL AND old_value != new_value""",
                (v.source, following[0]),
            )
        db.execute("DROP TABLE temp.incoming")
        db.execute("DROP TABLE temp.before")
        return changed

    def _add_first(self, batch: Batch) -> int:
        """A source's first rows: each is new, so none is compared with an earlier vintage. Into an empty
        store (the bundled snapshot on first use: 200,000 rows) they go in key order, the indexes built
        afterwards in one sort each: a third of the time of keeping them up row by row."""
        db, v = self.db, batch.vintage
        empty = db.execute("SELECT 1 FROM observations LIMIT 1").fetchone() is None
        if empty:
            for name in INDEXES:
                db.execute(f"DROP INDEX IF EXISTS {name}")
        rows = sorted((o.reporter, o.commodity, o.partner, o.flow, o.period, o.value) for o in batch.observations)
        db.executemany("INSERT INTO observations (reporter, commodity, partner, flow, period, value, source, vintage) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (row + (v.source, v.label) for row in rows))
        if empty:
            for statement in INDEXES.values():
                db.execute(statement)
        return len(rows)

    def vintage(self, source: str, label: str | None = None) -> Vintage:
        """One vintage of a source, by default the newest."""
        names = ", ".join(f.name for f in fields(Vintage))
        with self._reading():
            if label is None:
                row = self.db.execute(f"SELECT {names} FROM vintages WHERE source = ? ORDER BY seq DESC LIMIT 1",
                                      (source,)).fetchone()
            else:
                row = self.db.execute(f"SELECT {names} FROM vintages WHERE source = ? AND label = ?",
                                      (source, label)).fetchone()
        if row is None:
            which = f" with vintage {label}" if label else ""
            raise StoreError(f"{self.path}: no {source} data{which} in the store")
        return Vintage(*row)

    def first_vintage(self, source: str, month: str, *, upto: str | None = None) -> Vintage | None:
        """The oldest vintage of a source that held `month` (its data reached that far), no newer than `upto`."""
        with self._reading():
            row = self.db.execute(
                """SELECT label FROM vintages WHERE source = :source AND last_month >= :month
                     AND (:upto IS NULL OR seq <= (SELECT seq FROM vintages WHERE source = :source AND label = :upto))
                   ORDER BY seq LIMIT 1""",
                {"source": source, "month": month, "upto": upto},
            ).fetchone()
        return self.vintage(source, row[0]) if row else None

    def vintages(self, source: str | None = None) -> list[StoredVintage]:
        """Every vintage (oldest first) with its last month and the number of rows it stored."""
        names = ", ".join(f"v.{f.name}" for f in fields(Vintage))
        with self._reading():
            rows = self.db.execute(
                f"""SELECT {names}, v.last_month,
                           (SELECT COUNT(*) FROM observations o WHERE o.source = v.source AND o.vintage = v.label)
                    FROM vintages v {'WHERE v.source = ?' if source else ''} ORDER BY v.source, v.seq""",
                (source,) if source else (),
            ).fetchall()
        width = len(fields(Vintage))
        return [StoredVintage(Vintage(*row[:width]), row[width], row[width + 1]) for row in rows]

    def totals(self, source: str, *, as_of: str | None = None, reporter: str = "USA", partner: str | None = None,
               years: tuple[int, int] | None = None) -> list[Total]:
        """Country totals, newest vintage per key.

        `as_of` reads the store as it stood when that vintage was the newest. Given `partner` or `years`
        (first, last), only the rows of that partner or of those years are read: what one briefing needs.
        """
        return list(self.iter_totals(source, as_of=as_of, reporter=reporter, partner=partner, years=years))

    def iter_totals(self, source: str, *, as_of: str | None = None, reporter: str = "USA", partner: str | None = None,
                    years: tuple[int, int] | None = None) -> Iterator[Total]:
        """`totals()` row by row, so that reading the whole store never holds all of it at once."""
        limit = self._seq(source, as_of)
        params: dict[str, object] = {"source": source, "reporter": reporter, "limit": limit,
                                     "cap": self._coverage(source, limit)}
        picked = []
        if partner is not None:
            picked.append("o.partner = :partner")
            params["partner"] = partner
        if years is not None:  # `2023` <= period < `2025` holds 2023, 2023-01 ... 2024-12
            picked.append("(o.period >= :first AND o.period < :after)")
            params.update(first=str(years[0]), after=str(years[1] + 1))
        where = f"AND ({' OR '.join(picked)})" if picked else ""
        # SQLite takes the bare columns of a MAX() aggregate from the row holding the maximum.
        with self._reading():
            yield from map(Total._make, self.db.execute(
                f"""SELECT o.partner, o.flow, o.period, o.value, o.vintage, MAX(w.seq)
                    FROM observations o JOIN vintages w ON w.source = o.source AND w.label = o.vintage
                    WHERE o.source = :source AND o.reporter = :reporter AND o.commodity = 'TOTAL' {where}
                      AND (:limit IS NULL OR w.seq <= :limit) AND (:cap IS NULL OR o.period <= :cap)
                    GROUP BY o.partner, o.flow, o.period""",
                params,
            ))

    def detail(self, source: str, digits: int, partner: str, *, reporter: str = "USA",
               as_of: str | None = None) -> list[DetailLine]:
        """One partner's commodity detail at one HS level (2 or 4 digits), newest vintage per key."""
        params = {"source": source, "reporter": reporter, "partner": partner, "digits": digits,
                  "limit": self._seq(source, as_of)}
        with self._reading():
            return [DetailLine(*row) for row in self.db.execute(
                """SELECT o.partner, o.flow, o.period, o.commodity, o.value, MAX(w.seq)
                   FROM observations o JOIN vintages w ON w.source = o.source AND w.label = o.vintage
                   WHERE o.source = :source AND o.reporter = :reporter AND o.partner = :partner
                     AND o.commodity != 'TOTAL' AND length(o.commodity) = :digits
                     AND (:limit IS NULL OR w.seq <= :limit)
                   GROUP BY o.partner, o.flow, o.period, o.commodity""",
                params,
            )]

    def vintage_at(self, source: str, seq: int) -> Vintage:
        """The vintage at a place in the source's order."""
        with self._reading():
            row = self.db.execute("SELECT label FROM vintages WHERE source = ? AND seq = ?", (source, seq)).fetchone()
        return self.vintage(source, row[0] if row else None)

    def descriptions(self) -> dict[str, str]:
        """Commodity codes with the descriptions their sources gave."""
        with self._reading():
            return dict(self.db.execute("SELECT code, description FROM commodities"))

    def month_range(self, source: str, *, as_of: str | None = None, reporter: str = "USA") -> MonthRange:
        """The first and the last month the store holds totals for (as of a vintage), or two empty strings."""
        limit = self._seq(source, as_of)
        params = {"source": source, "reporter": reporter, "limit": limit, "cap": self._coverage(source, limit)}
        found = []
        with self._reading():
            for order in ("ASC", "DESC"):
                row = self.db.execute(
                    f"""SELECT o.period FROM observations o
                        JOIN vintages w ON w.source = o.source AND w.label = o.vintage
                        WHERE o.source = :source AND o.reporter = :reporter AND o.commodity = 'TOTAL'
                          AND length(o.period) = 7 AND (:limit IS NULL OR w.seq <= :limit)
                          AND (:cap IS NULL OR o.period <= :cap)
                        ORDER BY o.period {order} LIMIT 1""",
                    params,
                ).fetchone()
                found.append(row[0] if row else "")
        return MonthRange(*found)

    def _seq(self, source: str, as_of: str | None) -> int | None:
        """The place of vintage `as_of` among the source's vintages: the newest a read as of it may see."""
        if as_of is None:
            return None
        label = self.vintage(source, as_of).label  # an unknown vintage fails here, clearly
        with self._reading():
            return self.db.execute("SELECT seq FROM vintages WHERE source = ? AND label = ?",
                                   (source, label)).fetchone()[0]

    def _coverage(self, source: str, limit: int | None) -> str | None:
        """The last month a whole-file source reads to: its newest vintage's (up to `limit`), whatever an older
        one held beyond it (a row for 2031 in a bad file). None for sources whose vintages cover spans."""
        if source not in WHOLE_FILES:
            return None
        with self._reading():
            row = self.db.execute(
                "SELECT last_month FROM vintages WHERE source = :source AND (:limit IS NULL OR seq <= :limit) "
                "ORDER BY seq DESC LIMIT 1", {"source": source, "limit": limit}).fetchone()
        return row[0] if row and row[0] else None

    def partners(self) -> list[Partner]:
        """Partners that collected files introduced, beyond the bundled registry."""
        with self._reading():
            rows = self.db.execute("SELECT code, name, kind, census_codes FROM partners").fetchall()
        return [
            Partner(code=code, name=name, short_name=name, kind=kind, census_codes=tuple(codes.split()))
            for code, name, kind, codes in rows
        ]
