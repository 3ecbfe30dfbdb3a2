"""The Census bulk file reader, on small country.xlsx files built in the official layout."""

from __future__ import annotations

import csv
import gzip
import io
import random
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen.errors import CollectError
from reportgen.models import Batch
from reportgen.partners import bundled
from reportgen.sources import census_bulk, snapshot

MONTHS_2023 = [100.0 + m for m in range(12)]


def read(path: Path) -> Batch:
    return census_bulk.read_file(path, bundled())


def values(batch: Batch) -> dict[tuple[str, str, str], int]:
    """Observations as {(partner, flow, period): dollars}, checking no key is stored twice."""
    table = {(o.partner, o.flow, o.period): o.value for o in batch.observations}
    assert len(table) == len(batch.observations)
    return table


def error(path_or_bytes: Path | bytes, name: str = "country.xlsx") -> str:
    """The message of the CollectError the reader raises; it must be one line."""
    with pytest.raises(CollectError) as caught:
        if isinstance(path_or_bytes, Path):
            read(path_or_bytes)
        else:
            census_bulk.read_bytes(path_or_bytes, bundled(), name=name, origin=name, published="2026-01-01T00:00:00Z")
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- what is stored ---------------------------------------------------------------------------------

def test_months_outside_a_codes_life_are_not_stored(make_xlsx, row):
    """Census writes zeros for the months of a row's year in which its code did not exist: Yugoslavia's
    1992 row ends in June, Curaçao's 2011 row starts in May. Those zeros are no code, not no trade: they
    are left out, with the totals of the years they cut; a month of no trade inside a life is kept."""
    world = [100.0] * 12
    path = make_xlsx([
        row(1991, "0015", "World, Not Seasonally Adjusted", world, world),
        row(1991, "4790", "Yugoslavia (former)", [2.0] * 12, [1.0] * 12),
        row(1991, "2010", "Mexico", [10.0] * 12, [5.0] * 12),
        row(1992, "0015", "World, Not Seasonally Adjusted", world, world),
        row(1992, "4790", "Yugoslavia (former)", [2.0] * 6 + [0] * 6, [1.0] * 6 + [0] * 6),
        row(1992, "2010", "Mexico", [10.0] * 11 + [0], [5.0] * 11 + [0]),  # a December of no trade
        row(1992, "2777", "Curacao", [0] * 4 + [3.0] * 8, [0] * 4 + [1.5] * 8),
        row(1993, "0015", "World, Not Seasonally Adjusted", world, world),
        row(1993, "2010", "Mexico", [10.0] * 12, [5.0] * 12),
        row(1993, "2777", "Curacao", [3.0] * 12, [1.5] * 12),
    ])
    table = values(read(path))
    assert ("YUG", "import", "1992-06") in table and ("YUG", "import", "1992-07") not in table
    assert ("YUG", "import", "1992") not in table and table["YUG", "import", "1991"] == 24_000_000
    assert ("CUW", "export", "1992-04") not in table and table["CUW", "export", "1992-05"] == 1_500_000
    assert ("CUW", "export", "1992") not in table
    assert table["MEX", "import", "1992-12"] == 0 and table["MEX", "import", "1992"] == 110_000_000


def test_a_year_a_code_only_partly_covers_is_refused_with_its_span(tmp_path, seeded_store):
    """Facts for Yugoslavia in 1992 would compare half a year with a whole one."""
    from reportgen import pipeline
    from reportgen.config import Config
    from reportgen.errors import InputError

    config = Config(data_dir=seeded_store(tmp_path / "data"))
    with pytest.raises(InputError, match=r"figures for Yugoslavia run from 1991-01 to 1992-06, not over all of 1992"):
        pipeline.facts(config, pipeline.load(config, partner="YUG", period="1992"), "YUG", "1992")
    # The half year stands as months, and 1993 compares with nothing: the Czech Republic begins that year.
    assert pipeline.facts(config, pipeline.load(config, partner="YUG", period="1992-06"), "YUG", "1992-06")
    czech = pipeline.facts(config, pipeline.load(config, partner="CZE", period="1993"), "CZE", "1993")
    assert czech.year_ago is None and czech.history_start.key == "1993"


def test_current_year_stops_at_last_published_month(make_xlsx, row):
    """Months after the world row's last non-zero one are unpublished zeros: none of them is stored."""
    path = make_xlsx([
        row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023),
        row(2023, "2010", "Mexico", [10.0] * 12, [5.0] * 12),
        row(2024, "0015", "World, Not Seasonally Adjusted", [300.1, 310.2, 320.3], [200.1, 210.2, 220.3]),
        # A stray non-zero April for one partner must not make April look published.
        row(2024, "2010", "Mexico", [30.1, 31.2, 32.3, 7.0], [20.1, 21.2, 22.3]),
    ])
    batch = read(path)
    table = values(batch)

    assert batch.last_month == "2024-03"
    assert table["MEX", "import", "2024-03"] == 32_300_000
    assert table["WLD", "export", "2024-01"] == 200_100_000
    stored_2024 = {(f, p) for (partner, f, p) in table if partner == "MEX" and p.startswith("2024")}
    assert stored_2024 == {(f, f"2024-0{m}") for f in ("import", "export") for m in (1, 2, 3)}
    assert ("MEX", "import", "2024") not in table  # no annual total for an incomplete year
    assert ("WLD", "export", "2024") not in table
    assert table["MEX", "import", "2023"] == 120_000_000  # the complete year keeps its total
    assert table["MEX", "export", "2023-12"] == 5_000_000


def test_a_year_listed_before_its_first_release_is_left_out(make_xlsx, row):
    """An all-zero latest year means nothing of it is published yet, not that the file is broken."""
    path = make_xlsx([
        row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023),
        row(2023, "2010", "Mexico", [10.0] * 12, [5.0] * 12),
        row(2024, "0015", "World, Not Seasonally Adjusted", [], []),
        row(2024, "2010", "Mexico", [], []),
    ])
    batch = read(path)
    assert batch.last_month == "2023-12"
    assert not any(o.period.startswith("2024") for o in batch.observations)
    assert values(batch)["MEX", "export", "2023"] == 60_000_000
    assert any("2023" in w for w in batch.warnings)


def test_groups_are_partners_named_by_census(make_xlsx, row):
    """Codes starting with 0 or holding an X are groups; unknown ones come back as new partners."""
    path = make_xlsx([
        row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023),
        row(2023, "1XXX", "North America", [50.0] * 12, [40.0] * 12),
        row(2023, "0099", "Some New Grouping", [1.0] * 12, [1.0] * 12),
        row(2023, "0003", "European Union", [20.0] * 12, [15.0] * 12),
        row(2023, "9990", "Freshly Coded Country", [0.5] * 12, [0.5] * 12),
    ])
    batch = read(path)
    table = values(batch)
    new = {p.code: p for p in batch.new_partners}

    assert set(new) == {"1XXX", "0099", "9990"}  # 0003 is in the bundled registry already
    assert (new["1XXX"].kind, new["1XXX"].name, new["1XXX"].census_codes) == ("group", "North America", ("1XXX",))
    assert (new["0099"].kind, new["0099"].name) == ("group", "Some New Grouping")
    assert new["9990"].kind == "country"
    assert [w for w in batch.warnings if "9990" in w]  # an unknown country is worth a warning
    assert not [w for w in batch.warnings if "1XXX" in w]
    assert table["1XXX", "import", "2023-06"] == 50_000_000
    assert table["0003", "export", "2023"] == 180_000_000


def test_seasonally_adjusted_world_is_left_out(make_xlsx, row):
    """0004 is a different basis: nothing of it reaches the store, and WLD is 0015 alone."""
    path = make_xlsx([
        row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023),
        row(2023, "0004", "World, Seasonally Adjusted", [999.9] * 12, [888.8] * 12),
    ])
    batch = read(path)
    table = values(batch)
    assert {p for (p, _, _) in table} == {"WLD"}
    assert table["WLD", "import", "2023-01"] == 100_000_000
    assert table["WLD", "import", "2023"] == 1_266_000_000
    assert all(p.code != "0004" for p in batch.new_partners)


def test_recoded_partners_share_one_code(make_xlsx, row):
    """Serbia 4802 then 4801 is one series; Sudan under 7320 and 7321 in one year is summed."""
    world = MONTHS_2023
    path = make_xlsx([
        row(2011, "0015", "World, Not Seasonally Adjusted", world, world),
        row(2011, "7320", "Sudan", [1.5] * 12, [0.3] * 12),
        row(2011, "7321", "Sudan", [2.25] * 12, [0.4] * 12),
        row(2015, "0015", "World, Not Seasonally Adjusted", world, world),
        row(2015, "4802", "Serbia", [3.0] * 12, [1.0] * 12),
        row(2016, "0015", "World, Not Seasonally Adjusted", world, world),
        row(2016, "4801", "Serbia", [4.0] * 12, [2.0] * 12),
    ])
    table = values(read(path))
    assert table["SDN", "import", "2011-05"] == 3_750_000
    assert table["SDN", "export", "2011"] == 8_400_000
    assert table["SRB", "import", "2015-01"] == 3_000_000
    assert table["SRB", "import", "2016-01"] == 4_000_000
    assert not {p for (p, _, _) in table} & {"7320", "7321", "4801", "4802"}


def test_codes_given_as_numbers_and_blank_cells(make_xlsx, row):
    """Excel may turn 0015 into 15 and 2010 into 2010.0; a blank cell is 0, not an error."""
    mexico = row(2023, 2010.0, "Mexico", [10.0] * 12, [5.0] * 12)
    mexico[3 + 1] = None  # IFEB blank
    mexico[16 + 2] = ""  # EMAR blank
    path = make_xlsx([row(2023, 15, "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023), mexico])
    table = values(read(path))
    assert table["WLD", "export", "2023-12"] == 111_000_000
    assert table["MEX", "import", "2023-02"] == 0
    assert table["MEX", "export", "2023-03"] == 0
    assert table["MEX", "import", "2023-01"] == 10_000_000


def test_values_are_exact_whole_dollars(make_xlsx, row):
    """$ millions with one decimal become whole dollars with no float error (26511.5 -> 26511500000)."""
    tricky = [26511.5, 0.1, 0.3, 1.7, 334492.1, 503110.1, 2248811.4, 0.7, 8.2, 37826.1, 12.9, 0.0]
    path = make_xlsx([
        row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023),
        row(2023, "2010", "Mexico", tricky, tricky),
    ])
    table = values(read(path))
    expected = [26_511_500_000, 100_000, 300_000, 1_700_000, 334_492_100_000, 503_110_100_000,
                2_248_811_400_000, 700_000, 8_200_000, 37_826_100_000, 12_900_000, 0]
    assert [table["MEX", "import", f"2023-{m:02d}"] for m in range(1, 13)] == expected
    assert all(isinstance(v, int) for v in table.values())


def test_published_annual_totals_are_kept_as_published(make_xlsx, row):
    """IYR and EYR are not the sum of rounded months; the store keeps Census's own figure."""
    path = make_xlsx([
        row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023),
        row(2023, "2010", "Mexico", [10.0] * 12, [5.0] * 12, iyr=120.1, eyr=59.9),
    ])
    table = values(read(path))
    assert table["MEX", "import", "2023"] == 120_100_000
    assert table["MEX", "export", "2023"] == 59_900_000
    assert sum(table["MEX", "import", f"2023-{m:02d}"] for m in range(1, 13)) == 120_000_000


def test_the_same_rows_as_gzipped_csv_read_the_same(make_xlsx, row, census_header, tmp_path):
    """The bundled snapshot is CSV in the same layout: both readers must agree."""
    rows = [
        row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023),
        row(2023, "2010", "Mexico", [26511.5] * 12, [37826.1] * 12),
    ]
    text = io.StringIO()
    csv.writer(text).writerows([census_header, *rows])
    csv_path = tmp_path / "country.csv.gz"
    csv_path.write_bytes(gzip.compress(text.getvalue().encode()))
    assert values(read(csv_path)) == values(read(make_xlsx(rows)))


def test_vintage_names_the_file_by_hash(make_xlsx, row):
    """The vintage label carries the content hash, so a re-read of the same file is recognised."""
    path = make_xlsx([row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023)])
    batch = census_bulk.read_file(path, bundled(), published="2026-10-01T00:00:00Z")
    v = batch.vintage
    assert v.source == "census-bulk"
    assert v.label == f"{v.published[:10]}/{v.sha256[:8]}"
    assert len(v.sha256) == 64 and v.origin == str(path.resolve())


# -- bad input ----------------------------------------------------------------------------------

def test_random_bytes(tmp_path):
    junk = random.Random(7).randbytes(4096)
    assert junk[:2] != b"PK"
    path = tmp_path / "country.xlsx"
    path.write_bytes(junk)
    assert error(path) == f"{path}: neither an .xlsx file nor a CSV file in the country.xlsx layout"


def test_random_bytes_after_a_zip_signature():
    message = error(b"PK\x03\x04" + random.Random(8).randbytes(4096))
    assert message.startswith("country.xlsx: not a readable .xlsx file (BadZipFile")


def test_truncated_xlsx(make_xlsx, row, tmp_path):
    """A download cut short loses the zip's central directory."""
    full = make_xlsx([row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023)]).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(full[: len(full) // 2])
    assert error(path) == f"{path}: not a readable .xlsx file (BadZipFile: File is not a zip file)"


def test_damaged_sheet_inside_a_valid_zip(make_xlsx, row):
    """openpyxl reads sheets lazily: a broken sheet must still fail as a CollectError, not a ParseError."""
    full = make_xlsx([row(2023, "0015", "World, Not Seasonally Adjusted", MONTHS_2023, MONTHS_2023)] * 3).read_bytes()
    source, damaged = zipfile.ZipFile(io.BytesIO(full)), io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            target.writestr(member, data[: len(data) // 2] if member.endswith("sheet1.xml") else data)
    message = error(damaged.getvalue())
    assert message.startswith("country.xlsx: the .xlsx file is damaged (ParseError")


def test_web_page_instead_of_the_file():
    """A moved file often comes back as an HTML page with status 200."""
    message = error(b"<!DOCTYPE html>\n<html><body>Page not found</body></html>")
    assert message == "country.xlsx: got a web page, not the country.xlsx file (has the address changed?)"


@pytest.mark.parametrize(("change", "expected"), [
    (lambda h: h[:3] + ["IMPJAN"] + h[4:], "column D is 'IMPJAN', expected 'IJAN'"),
    (lambda h: h[:3] + h[16:29] + h[3:16], "column D is 'EJAN', expected 'IJAN'"),  # exports moved first
    (lambda h: h[:15] + h[16:], "column P is 'EJAN', expected 'IYR'"),  # IYR dropped
    (lambda h: h[:28], "column AC is 'empty', expected 'EYR'"),  # last column missing
    (lambda h: ["YEAR", "cty_code"] + h[2:28] + ["EYR_TOTAL"], "column AC is 'EYR_TOTAL', expected 'EYR'"),
])
def test_wrong_layout_names_the_column(make_xlsx, row, census_header, change, expected):
    path = make_xlsx([row(2023, "0015", "World", MONTHS_2023, MONTHS_2023)], header=change(census_header))
    assert error(path) == (f"{path}: not the Census country.xlsx layout: {expected} (has Census changed the file?)")


def test_header_case_does_not_matter(make_xlsx, row, census_header):
    """Letter case in the header is not part of the layout (Census has written both YEAR and year)."""
    path = make_xlsx([row(2023, "0015", "World", MONTHS_2023, MONTHS_2023)], header=[h.upper() for h in census_header])
    assert read(path).last_month == "2023-12"


def test_empty_sheet(make_xlsx):
    path = make_xlsx([], header=None)
    assert error(path) == f"{path}: the file is empty"


def test_header_without_rows(make_xlsx):
    path = make_xlsx([])
    assert error(path) == f"{path}: the file has a header but no data rows"


def test_non_numeric_value(make_xlsx, row):
    mexico = row(2023, "2010", "Mexico", [10.0] * 12, [5.0] * 12)
    mexico[4] = "n/a"
    path = make_xlsx([row(2023, "0015", "World", MONTHS_2023, MONTHS_2023), mexico])
    assert error(path) == f"{path}: row 3, column IFEB: 'n/a' is not a number"


def test_negative_value(make_xlsx, row):
    path = make_xlsx([row(2023, "0015", "World", [-1.5] + MONTHS_2023[1:], MONTHS_2023)])
    assert error(path) == f"{path}: row 2, column IJAN: -1.5 is not a dollar amount"


@pytest.mark.parametrize(("year", "expected"), [
    ("20x3", "year '20x3' is not a year"),
    (2023.5, "year 2023.5 is not a year"),
    ("Infinity", "year 'Infinity' is not a year"),
    (1900, "year 1900 is out of range"),
])
def test_bad_year(make_xlsx, row, year, expected):
    path = make_xlsx([row(year, "0015", "World", MONTHS_2023, MONTHS_2023)])
    assert error(path) == f"{path}: row 2: {expected}"


@pytest.mark.parametrize("code", ["20100", "20-1", 15.5, -3])
def test_bad_code(make_xlsx, row, code):
    path = make_xlsx([row(2023, code, "World", MONTHS_2023, MONTHS_2023)])
    assert error(path) == f"{path}: row 2: CTY_CODE {code!r} is not a Census country code"


def test_repeated_row_is_refused(make_xlsx, row):
    """Summing recoded partners must not also sum a row Census (or a copy-paste) repeated."""
    mexico = row(2023, "2010", "Mexico", [10.0] * 12, [5.0] * 12)
    path = make_xlsx([row(2023, "0015", "World", MONTHS_2023, MONTHS_2023), mexico, mexico])
    assert error(path) == f"{path}: row 4 repeats CTY_CODE 2010 for 2023 (first seen in row 3)"


def test_all_zero_file(make_xlsx, row):
    path = make_xlsx([row(2023, "0015", "World", [], [])])
    assert error(path) == f"{path}: no published month: every monthly value in the file is zero"


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.xlsx"
    assert error(path) == f"{path}: cannot read the file (No such file or directory)"


def test_old_xls_workbook():
    assert error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), name="country.xls") == (
        "country.xls: an old-style .xls workbook; reportgen reads the .xlsx file")


# -- the bundled snapshot -------------------------------------------------------------------------

def test_snapshot_matches_the_official_figures():
    """Hand-checked against Census's published figures for Mexico."""
    table = values(snapshot.read(bundled()))
    assert table["MEX", "export", "2024"] == 334_492_100_000
    assert table["MEX", "import", "2024"] == 503_110_100_000
    assert table["MEX", "export", "2024-01"] == 26_511_500_000
    assert table["MEX", "import", "2024-01"] == 37_826_100_000
    assert table["MEX", "export", "2023"] == 324_425_900_000
    assert table["MEX", "import", "2022"] == 452_015_000_000


@pytest.mark.parametrize("cell", ["1e30", "1e999999", 200_000_000.5, "123456789012.5"])
def test_a_value_beyond_any_trade_figure_is_refused(make_xlsx, row, cell):
    """1e30 overflowed SQLite's integers and 1e999999 the decimal context: tracebacks, not errors."""
    mexico = row(2023, "2010", "Mexico", [10.0] * 12, [5.0] * 12, iyr=120.0, eyr=60.0)
    mexico[3] = cell
    path = make_xlsx([row(2023, "0015", "World", MONTHS_2023, MONTHS_2023), mexico])
    assert error(path) == (f"{path}: row 3, column IJAN: {cell!r} is beyond any trade figure "
                           "(over $100 trillion); is the file damaged?")


def test_a_gzip_bomb_is_stopped_at_the_size_limit(census_header):
    """80 KB of .csv.gz that inflate to 80 MB; the reader stops at its limit instead of inflating it all."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflate.compress(",".join(census_header).encode() + b"\n")]
    parts += [deflate.compress(b"0" * (1024 * 1024)) for _ in range(80)]
    bomb = b"".join([*parts, deflate.flush()])
    assert len(bomb) < 100 * 1024 and census_bulk.MAX_INFLATED < 80 * 1024 * 1024
    assert error(bomb, name="country.csv.gz") == (f"country.csv.gz: inflates to more than {census_bulk.MAX_INFLATED:,} "
                                                  "bytes, more than any country.xlsx; is it a compression bomb?")


@pytest.mark.parametrize("with_world_row", [True, False])
def test_figures_after_the_current_month_are_refused(make_xlsx, row, with_world_row):
    """A row for 2031 (a typo for 2021?) made every briefing say 'data through December 2031'."""
    future = datetime.now(UTC).year + 5
    rows = [row(2023, "0015", "World", MONTHS_2023, MONTHS_2023), row(2023, "2010", "Mexico", [10.0] * 12, [5.0] * 12),
            row(future, "2010", "Mexico", [10.0] * 12, [5.0] * 12)]
    if with_world_row:
        rows.insert(2, row(future, "0015", "World", MONTHS_2023, MONTHS_2023))
    path = make_xlsx(rows)
    assert error(path) == (f"{path}: row 4: figures for {future}-12, after the current month "
                           f"({datetime.now(UTC):%Y-%m}); is the year wrong?")
