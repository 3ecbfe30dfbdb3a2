"""The SQLite store against real files: vintages kept side by side, adds atomic, damage reported."""

from __future__ import annotations

import random
import sqlite3
import threading
from pathlib import Path

import pytest

from reportgen.errors import StoreError
from reportgen.models import Batch, Observation, Partner, Vintage
from reportgen.store import Store

SOURCE = "census-bulk"


def vintage(published: str, sha: str) -> Vintage:
    """A vintage labelled as the collectors label them: publication date / content hash."""
    sha256 = (sha * 64)[:64]
    return Vintage(source=SOURCE, label=f"{published[:10]}/{sha256[:8]}", published=published,
                   origin="https://example.test/country.xlsx", sha256=sha256, collected_at=published)


def batch(published: str, sha: str, values: dict[tuple[str, str, str], int], **kwargs) -> Batch:
    observations = [Observation(partner=p, flow=f, period=period, value=v) for (p, f, period), v in values.items()]
    return Batch(vintage=vintage(published, sha), observations=observations, last_month="2024-12", **kwargs)


FIRST = {("MEX", "export", "2024"): 334_041_000_000, ("MEX", "import", "2024"): 505_851_000_000,
         ("MEX", "export", "2024-01"): 26_511_500_000, ("CAN", "export", "2024"): 349_400_000_000}


def readings(store: Store, as_of: str | None = None) -> dict[tuple[str, str, str], int]:
    return {(t.partner, t.flow, t.period): t.value for t in store.totals(SOURCE, as_of=as_of)}


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_the_same_batch_twice_changes_nothing(tmp_path):
    path = tmp_path / "reportgen.db"
    with Store(path) as store:
        first = store.add(batch("2025-02-05T13:30:00Z", "aaaa", FIRST))
        rows = count(path, "observations")
        second = store.add(batch("2025-02-05T13:30:00Z", "aaaa", FIRST))
    assert (first.unchanged, first.stored) == (False, len(FIRST))
    assert (second.unchanged, second.stored) == (True, 0)
    assert second.vintage.label == first.vintage.label
    assert count(path, "observations") == rows == len(FIRST)
    assert count(path, "vintages") == 1


def test_a_revision_is_kept_beside_the_first_release(tmp_path):
    """The June revision changes one value: both stay, the newest is read, as_of reads the old one."""
    revised = {**FIRST, ("MEX", "export", "2024"): 334_492_100_000}
    with Store(tmp_path / "reportgen.db") as store:
        old = store.add(batch("2025-02-05T13:30:00Z", "aaaa", FIRST)).vintage
        new = store.add(batch("2025-06-05T12:30:00Z", "bbbb", revised))
        assert new.stored == 1  # only the value that changed is written
        assert readings(store) == revised
        assert readings(store, as_of=old.label) == FIRST
        assert readings(store, as_of=new.vintage.label) == revised
        by_key = {(t.partner, t.flow, t.period): t.vintage for t in store.totals(SOURCE)}
        assert by_key["MEX", "export", "2024"] == new.vintage.label
        assert by_key["MEX", "import", "2024"] == old.label
        assert [stored.vintage.label for stored in store.vintages(SOURCE)] == [old.label, new.vintage.label]
        assert store.vintage(SOURCE).label == new.vintage.label
    assert count(tmp_path / "reportgen.db", "observations") == len(FIRST) + 1


def test_an_older_vintage_stored_late_does_not_change_the_newer(tmp_path):
    """Back-filling the first release after the revision must leave the revision's reading alone."""
    revised = {**FIRST, ("MEX", "export", "2024"): 334_492_100_000}
    late = {**FIRST, ("CAN", "export", "2024"): 349_000_000_000}  # the older file differs elsewhere too
    with Store(tmp_path / "reportgen.db") as store:
        new = store.add(batch("2025-06-05T12:30:00Z", "bbbb", revised)).vintage
        before = readings(store)
        old = store.add(batch("2025-02-05T13:30:00Z", "aaaa", late)).vintage
        assert readings(store) == before == revised
        assert readings(store, as_of=new.label) == revised
        assert readings(store, as_of=old.label) == late
        # ordered by publication
        assert [stored.vintage.label for stored in store.vintages(SOURCE)] == [old.label, new.label]


def test_an_older_vintage_stored_between_two_newer_ones(tmp_path):
    """Each vintage reads the same whatever order the files were stored in."""
    files = [
        batch("2025-01-05T00:00:00Z", "a1a1", {("MEX", "export", "2024-11"): 1, ("MEX", "import", "2024-11"): 10}),
        batch("2025-02-05T00:00:00Z", "b2b2", {("MEX", "export", "2024-11"): 2, ("MEX", "import", "2024-11"): 10}),
        batch("2025-03-05T00:00:00Z", "c3c3", {("MEX", "export", "2024-11"): 3, ("MEX", "import", "2024-11"): 30}),
    ]
    expected: dict[str, dict] = {}
    with Store(tmp_path / "in-order.db") as store:
        for b in files:
            store.add(b)
        for b in files:
            expected[b.vintage.label] = readings(store, as_of=b.vintage.label)
    with Store(tmp_path / "shuffled.db") as store:
        for b in (files[2], files[0], files[1]):
            store.add(b)
        for b in files:
            assert readings(store, as_of=b.vintage.label) == expected[b.vintage.label]


def test_a_failure_mid_add_leaves_the_store_unchanged(tmp_path):
    """An observation that breaks the flow CHECK rolls back the whole vintage, partners included."""
    path = tmp_path / "reportgen.db"
    bad = batch("2025-06-05T12:30:00Z", "bbbb", {**FIRST, ("MEX", "re-export", "2024"): 5},
                new_partners=[Partner(code="1XXX", name="North America", short_name="North America", kind="group")])
    with Store(path) as store:
        store.add(batch("2025-02-05T13:30:00Z", "aaaa", FIRST))
        with pytest.raises(StoreError) as caught:
            store.add(bad)
        assert "could not store 2025-06-05/bbbbbbbb" in str(caught.value)
        assert readings(store) == FIRST
        assert store.partners() == []
        # The store is still usable: the same vintage, fixed, goes in.
        fixed = store.add(batch("2025-06-05T12:30:00Z", "bbbb", FIRST))
        assert fixed.unchanged is False
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM observations WHERE vintage LIKE '2025-06-05/%'").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM observations").fetchone() == (len(FIRST),)


def test_a_failure_in_the_first_add_leaves_no_vintage(tmp_path):
    path = tmp_path / "reportgen.db"
    with Store(path) as store, pytest.raises(StoreError):
        store.add(batch("2025-02-05T13:30:00Z", "aaaa", {("MEX", "sideways", "2024"): 1}))
    assert count(path, "vintages") == 0
    assert count(path, "observations") == 0


def test_new_partners_are_kept(tmp_path):
    group = Partner(code="1XXX", name="North America", short_name="North America", kind="group", census_codes=("1XXX",))
    with Store(tmp_path / "reportgen.db") as store:
        store.add(batch("2025-02-05T13:30:00Z", "aaaa", FIRST, new_partners=[group]))
        assert store.partners() == [group]


def test_random_bytes_are_not_a_store(tmp_path):
    path = tmp_path / "reportgen.db"
    path.write_bytes(random.Random(3).randbytes(8192))
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(caught.value) == f"{path}: not a usable reportgen store (file is not a database)"


def test_damaged_pages_are_reported_as_store_errors(tmp_path):
    """A file whose schema survived but whose data pages did not opens, then fails on reading as StoreError."""
    path = tmp_path / "reportgen.db"
    many = {("MEX", "export", f"{y}-{m:02d}"): y * 100 + m for y in range(1990, 2025) for m in range(1, 13)}
    with Store(path) as store:
        store.add(batch("2025-02-05T13:30:00Z", "aaaa", many))
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[3 * page:] = random.Random(5).randbytes(len(data) - 3 * page)
    path.write_bytes(bytes(data))
    with Store(path) as store:
        for read in (store.is_empty, store.vintages, store.partners, lambda: store.vintage(SOURCE),
                     lambda: store.totals(SOURCE)):
            with pytest.raises(StoreError) as caught:
                read()
            assert str(caught.value) == f"{path}: cannot read the store (database disk image is malformed)"
        with pytest.raises(StoreError):
            store.add(batch("2025-06-05T12:30:00Z", "bbbb", FIRST))


def test_a_folder_in_the_way(tmp_path):
    path = tmp_path / "reportgen.db"
    path.mkdir()
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(caught.value).startswith(f"{path}: not a usable reportgen store (")


def test_unknown_vintage(tmp_path):
    with Store(tmp_path / "reportgen.db") as store:
        store.add(batch("2025-02-05T13:30:00Z", "aaaa", FIRST))
        with pytest.raises(StoreError) as caught:
            store.totals(SOURCE, as_of="1999-01-01/deadbeef")
    assert str(caught.value).endswith("no census-bulk data with vintage 1999-01-01/deadbeef in the store")


def test_parallel_workers_storing_the_same_file_at_once(tmp_path):
    """Workers seeding an empty store with the snapshot at once must not trip over each other."""
    path = tmp_path / "reportgen.db"
    Store(path).close()
    many = {("MEX", "export", f"{y}-{m:02d}"): y * 100 + m for y in range(1990, 2025) for m in range(1, 13)}
    results, errors = [], []
    start = threading.Barrier(4)

    def add() -> None:
        with Store(path) as store:
            start.wait()
            try:
                results.append(store.add(batch("2025-02-05T13:30:00Z", "aaaa", many)).unchanged)
            except StoreError as exc:
                errors.append(str(exc))

    workers = [threading.Thread(target=add) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sorted(results) == [False, True, True, True]
    assert count(path, "vintages") == 1


def test_the_store_and_its_log_are_readable_by_their_owner_only(tmp_path):
    """The file holds editors' password hashes and subscribers' addresses; SQLite made it 0644."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        with Store(tmp_path / "data" / "reportgen.db") as store:
            store.add(batch("2025-02-05T13:30:00Z", "a", FIRST))
            files = sorted(tmp_path.glob("data/reportgen.db*"))
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
    finally:
        os.umask(old)
    assert set(modes) == {"reportgen.db", "reportgen.db-wal", "reportgen.db-shm"}
    assert set(modes.values()) == {0o600}, modes


def test_a_newer_vintage_bounds_what_an_older_one_covered(tmp_path):
    """A file with a 2031 row was stored (before collect refused such files); the corrected release after it
    must end the store at its own last month, or every later run briefs December 2031."""
    bad = Batch(vintage=vintage("2025-02-05T13:30:00Z", "a"), last_month="2031-12", observations=[
        Observation("MEX", "export", "2024-12", 30_000_000_000), Observation("MEX", "export", "2031-12", 1),
        Observation("MEX", "export", "2031", 12)])
    good = Batch(vintage=vintage("2025-03-06T13:30:00Z", "b"), last_month="2025-01", observations=[
        Observation("MEX", "export", "2024-12", 30_000_000_000),
        Observation("MEX", "export", "2025-01", 31_000_000_000)])
    with Store(tmp_path / "reportgen.db") as store:
        store.add(bad)
        assert store.month_range(SOURCE)[1] == "2031-12"
        store.add(good)
        assert store.month_range(SOURCE) == ("2024-12", "2025-01")
        assert set(readings(store)) == {("MEX", "export", "2024-12"), ("MEX", "export", "2025-01")}
        assert store.month_range(SOURCE, as_of=bad.vintage.label)[1] == "2031-12"  # as it stood then
        assert ("MEX", "export", "2031-12") in readings(store, as_of=bad.vintage.label)
