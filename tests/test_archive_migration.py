"""The record of builds gains columns (state, facts, story) without losing a row of a store made before them."""

from __future__ import annotations

import dataclasses
import sqlite3

from reportgen.store import Store
from reportgen.store import archive as records

OLD = """CREATE TABLE briefings (partner TEXT NOT NULL, period TEXT NOT NULL, built_at TEXT NOT NULL,
    source TEXT NOT NULL, vintage TEXT NOT NULL, headline TEXT NOT NULL, folder TEXT NOT NULL,
    PRIMARY KEY (partner, period, built_at))"""


def test_builds_recorded_before_the_desk_stay_published(tmp_path):
    path = tmp_path / "reportgen.db"
    with sqlite3.connect(path) as db:  # the table as the release before wrote it
        db.execute(OLD)
        db.execute("INSERT INTO briefings VALUES ('MEX', '2024', '2026-11-01T12:00:00Z', 'census-bulk', "
                   "'2026-10-01/86b70f62', 'An old headline', '2024/MEX')")
    db.close()
    with Store(path) as store:
        [old] = records.latest(store)
        assert (old.headline, old.state, old.facts, old.story) == ("An old headline", "published", "", "")
        records.record(store, records.Built("MEX", "2024", "2026-12-01T12:00:00Z", "census-bulk", "v2", "New",
                                            "2024/MEX", records.DRAFT, "{}", "New"))
        assert [b.state for b in records.history(store, "MEX", "2024")] == ["draft", "published"]
        assert [b.headline for b in records.latest(store)] == ["An old headline"]  # a draft is not published
        assert [b.headline for b in records.drafts(store)] == ["New"]


def test_lists_of_builds_leave_their_kept_facts_in_the_store(tmp_path):
    """A monthly run lists every build (the index) and each briefing's history: the facts and story each build
    keeps (some 9 kB) are read for one build at a time, by `kept`, when the desk compares it with another."""
    with Store(tmp_path / "reportgen.db") as store:
        built = records.Built("MEX", "2024", "2026-12-01T12:00:00Z", "census-bulk", "v2", "New", "2024/MEX",
                              records.PUBLISHED, '{"exports": 1}', "New story.")
        records.record(store, built, {"en": "New", "es": "Nuevo"})
        for listed in (records.latest(store), records.history(store, "MEX", "2024"), records.of_partner(store, "MEX")):
            assert [(b.headline_in("es"), b.facts, b.story) for b in listed] == [("Nuevo", "", "")]
        assert records.kept(store, listed[0]) == dataclasses.replace(built, editions=(("en", "New"), ("es", "Nuevo")))


def _list_builds(path, start) -> int:
    start.wait()  # every process at once, as a batch's workers start
    with Store(path) as store:
        return len(records.latest(store))


def test_workers_finding_an_old_store_at_once_add_its_columns_once(tmp_path):
    """A batch's workers all open a store made before the added columns: one adds them, none fails."""
    import multiprocessing

    path = tmp_path / "reportgen.db"
    with Store(path) as store:  # a store in use (as a batch opens it first), its record of builds the old one
        store.db.execute(OLD)
        store.db.execute("INSERT INTO briefings VALUES ('MEX', '2024', '2026-11-01T12:00:00Z', 'census-bulk', "
                         "'2026-10-01/86b70f62', 'An old headline', '2024/MEX')")
    context = multiprocessing.get_context("fork")
    start = context.Manager().Barrier(6)
    with context.Pool(6) as pool:
        assert pool.starmap(_list_builds, [(path, start)] * 6) == [1] * 6
