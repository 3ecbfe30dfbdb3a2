"""The Census bulk file `country.xlsx`: U.S. trade in goods by partner, monthly, since 1985.

Layout (checked before any value is trusted): year, CTY_CODE, CTYNAME, IJAN..IDEC, IYR,
EJAN..EDEC, EYR; $ millions with one decimal, Census basis, not seasonally adjusted. Quirks:
- months not yet published are 0: the last published month is the world row's last non-zero one;
- codes starting with 0 or holding an X are groups; 0015 is the world (stored as WLD) and 0004,
  the seasonally adjusted world, is left out so that the two bases never mix;
- recoded partners (Sudan, Serbia, Ethiopia) share one store code and are summed;
- annual totals (IYR, EYR) are kept as published, because they are not the sum of rounded months.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from reportgen.errors import CollectError
from reportgen.models import MAX_DOLLARS, Batch, Observation, Partner, Progress, Vintage
from reportgen.partners import WORLD, Registry
from reportgen.timestamps import iso

SOURCE = "census-bulk"
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
HEADER = ("year", "CTY_CODE", "CTYNAME", *("I" + m for m in MONTHS), "IYR", *("E" + m for m in MONTHS), "EYR")
WORLD_CODE = "0015"
SEASONALLY_ADJUSTED_WORLD = "0004"
FIRST_YEAR = 1985  # the first year the bulk file covers
MAX_INFLATED = 64 * 1024 * 1024  # a gzipped CSV of the whole file inflates to about 3 MB
EVERY = 250  # rows between two reports of progress


def read_file(path: Path, registry: Registry, *, origin: str | None = None, published: str | None = None,
              note: str = "", progress: Progress | None = None) -> Batch:
    """Read a country.xlsx (or the same layout as CSV, optionally gzipped) from disk."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CollectError(f"{path}: cannot read the file ({exc.strerror})") from None
    if published is None:
        published = iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    return read_bytes(content, registry, name=str(path), origin=origin or str(path.resolve()),
                      published=published, note=note, progress=progress)


def read_bytes(content: bytes, registry: Registry, *, name: str, origin: str, published: str,
               etag: str = "", last_modified: str = "", note: str = "", progress: Progress | None = None) -> Batch:
    """Parse the bulk file's bytes into one batch of observations with its vintage; `progress` hears of
    the rows read from a workbook ("read") and the rows parsed ("parse")."""
    if content[:4] == b"\xd0\xcf\x11\xe0":
        raise CollectError(f"{name}: an old-style .xls workbook; reportgen reads the .xlsx file")
    if content[:2] == b"PK":
        rows, workbook_date = _xlsx_rows(content, name, progress)
        # The workbook's own timestamp says when Census wrote it, better than a file's mtime.
        if workbook_date and not last_modified:
            published = workbook_date
    else:
        rows = _csv_rows(content, name)
    if last_modified:
        published = _http_date(last_modified) or published
    sha = hashlib.sha256(content).hexdigest()
    vintage = Vintage(
        source=SOURCE, label=f"{published[:10]}/{sha[:8]}", published=published, origin=origin,
        sha256=sha, etag=etag, last_modified=last_modified, collected_at=iso(datetime.now(UTC)),
        note=note,
    )
    return parse_rows(rows, registry, vintage, name=name, progress=progress)


def parse_rows(rows: Iterable[tuple[Any, ...]], registry: Registry, vintage: Vintage, *, name: str,
               progress: Progress | None = None) -> Batch:
    """Turn rows in the official layout (header first) into observations."""
    total = len(rows) - 1 if isinstance(rows, list) else None
    rows = iter(rows)
    _check_header(next(rows, None), name)
    parsed = []  # (year, census code, CTYNAME, 13 import values, 13 export values)
    seen: dict[tuple[int, str], int] = {}
    for number, row in enumerate(rows, start=2):
        if progress and number % EVERY == 0:
            progress("parse", number - 2, total)
        if not any(cell not in (None, "") for cell in row):
            continue
        if len(row) < len(HEADER):
            raise CollectError(f"{name}: row {number} has {len(row)} columns, the layout has {len(HEADER)}")
        year = _year(row[0], name, number)
        code = _code(row[1], name, number)
        # A repeated row would be summed into its partner twice, silently doubling it.
        if (year, code) in seen:
            raise CollectError(f"{name}: row {number} repeats CTY_CODE {code} for {year} "
                               f"(first seen in row {seen[year, code]})")
        seen[year, code] = number
        values = [_dollars(v, name, number, HEADER[3 + i]) for i, v in enumerate(row[3:len(HEADER)])]
        parsed.append((year, code, str(row[2] or "").strip(), values[:13], values[13:]))
    if not parsed:
        raise CollectError(f"{name}: the file has a header but no data rows")
    if progress:
        progress("parse", number - 1, total)

    last_year, last_month = _last_published(parsed, name)
    _refuse_future(parsed, seen, last_year, last_month, name)
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    new_partners: dict[str, Partner] = {}
    warnings: list[str] = []
    if any(row[0] > last_year for row in parsed):
        warnings.append(f"rows for years after {last_year} have no published month yet and were left out")
    rows = [(year, _partner(code, ctyname, registry, new_partners, warnings), imports, exports)
            for year, code, ctyname, imports, exports in parsed
            if code != SEASONALLY_ADJUSTED_WORLD and year <= last_year]
    last = f"{last_year}-{last_month:02d}"
    spans = _spans(rows, f"{min(row[0] for row in parsed)}-01", last)
    for year, partner, imports, exports in rows:
        start, end = spans[partner]
        keys = [f"{year}-{m + 1:02d}" for m in range(12 if year < last_year else last_month)]
        inside = [m for m, key in enumerate(keys) if start <= key <= end]
        for flow, values in (("import", imports), ("export", exports)):
            for m in inside:
                totals[(partner, flow, keys[m])] += values[m]
            if len(inside) == 12:
                totals[(partner, flow, str(year))] += values[12]
    observations = [Observation(partner=p, flow=f, period=period, value=v) for (p, f, period), v in totals.items()]
    return Batch(vintage=vintage, observations=observations, new_partners=list(new_partners.values()),
                 last_month=last, warnings=warnings)


def _spans(rows: list[tuple[int, str, list[int], list[int]]], first: str, last: str) -> dict[str, tuple[str, str]]:
    """Each partner's first and last month: the months before a code began and after it ended are left out,
    with the annual totals of the years they cut.

    Census writes 0 for every month of a row's year, also for the months a code did not exist:
    Yugoslavia's 1992 row runs to June, Curaçao's 2011 row starts in May. Read as no trade, they would
    compare half a year with a whole one. So a partner whose rows start after the file's first year
    begins with its first month of trade, and one whose rows end before the file's last year ends with
    its last.
    """
    years: dict[str, list[int]] = defaultdict(list)
    traded: dict[str, list[str]] = defaultdict(list)
    for year, partner, imports, exports in rows:
        years[partner].append(year)
        traded[partner] += [f"{year}-{m + 1:02d}" for m in range(12) if imports[m] or exports[m]]
    spans = {}
    for partner, seen in years.items():
        months = traded[partner] or [first]
        start = min(months) if f"{min(seen)}-01" > first else first
        end = max(months) if max(seen) < int(last[:4]) else last
        spans[partner] = (start, end)
    return spans


def _check_header(header: tuple[Any, ...] | None, name: str) -> None:
    if header is None:
        raise CollectError(f"{name}: the file is empty")
    found = tuple(str(cell or "").strip() for cell in header[: len(HEADER)])
    for index, (got, expected) in enumerate(zip(found + ("",) * len(HEADER), HEADER)):
        if got.lower() != expected.lower():
            from openpyxl.utils import get_column_letter

            column = get_column_letter(index + 1)
            raise CollectError(
                f"{name}: not the Census country.xlsx layout: column {column} is {got or 'empty'!r}, "
                f"expected {expected!r} (has Census changed the file?)"
            )


def _last_published(parsed: list, name: str) -> tuple[int, int]:
    """The last published month: the world row's last non-zero month of the latest year that has one.

    A year whose rows are all zero (Census may list a year before its first release) is skipped.
    """
    for year in sorted({row[0] for row in parsed}, reverse=True):
        candidates = [row for row in parsed if row[0] == year and row[1] == WORLD_CODE]
        if not candidates:  # a partial file: fall back to the last month any partner has a value for
            candidates = [row for row in parsed if row[0] == year and row[1] != SEASONALLY_ADJUSTED_WORLD]
        months = [m for m in range(12) if any(row[3][m] or row[4][m] for row in candidates)]
        if months:
            return year, months[-1] + 1
    raise CollectError(f"{name}: no published month: every monthly value in the file is zero")


def _refuse_future(parsed: list, seen: dict[tuple[int, str], int], year: int, month: int, name: str) -> None:
    """Refuse figures for a month that has not ended: a year typed 2031 for 2021 would become the store's
    latest month, in every briefing ("data through December 2031") and every later run."""
    now = datetime.now(UTC)
    if (year, month) <= (now.year, now.month):
        return
    number = min(seen[row[0], row[1]] for row in parsed if row[0] == year and (row[3][month - 1] or row[4][month - 1]))
    raise CollectError(f"{name}: row {number}: figures for {year}-{month:02d}, after the current month "
                       f"({now:%Y-%m}); is the year wrong?")


def _partner(code: str, ctyname: str, registry: Registry, new: dict[str, Partner], warnings: list[str]) -> str:
    if code == WORLD_CODE:
        return WORLD
    known = registry.by_census(code)
    if known is not None:
        return known.code
    if code not in new:
        is_group = code.startswith("0") or "X" in code
        new[code] = Partner(code=code, name=ctyname or code, short_name=ctyname or code,
                            kind="group" if is_group else "country", census_codes=(code,))
        if not is_group:
            warnings.append(f"Census code {code} ({ctyname}) is not in the partner list; stored under code {code}")
    return code


def _xlsx_rows(content: bytes, name: str, progress: Progress | None = None) -> tuple[list[tuple[Any, ...]], str]:
    """Every row of the first sheet, padded to the layout's width, and the workbook's own date."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (zipfile, XML and openpyxl's own errors: the file is not a workbook)
        raise CollectError(f"{name}: not a readable .xlsx file ({_describe(exc)})") from None
    try:
        if not book.worksheets:
            raise CollectError(f"{name}: the workbook has no sheet")
        modified = book.properties.modified
        # Read-only mode parses lazily: read every row now, so that a damaged sheet fails here, as
        # a CollectError, and not halfway through parsing. Trailing blank cells may be left out of
        # a row; they read as 0 like any blank cell.
        sheet = book.worksheets[0]
        total = sheet.max_row  # from the sheet's own <dimension>: None if it has none
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(row + (None,) * (len(HEADER) - len(row)))
            if progress and len(rows) % EVERY == 0:
                progress("read", len(rows), total)
        if progress:
            progress("read", len(rows), len(rows))
    except CollectError:
        raise
    except Exception as exc:  # noqa: BLE001 (whatever a damaged sheet makes openpyxl raise)
        raise CollectError(f"{name}: the .xlsx file is damaged ({_describe(exc)})") from None
    finally:
        book.close()
    published = iso(modified.replace(tzinfo=modified.tzinfo or UTC)) if isinstance(modified, datetime) else ""
    return rows, published


def _csv_rows(content: bytes, name: str) -> list[tuple[Any, ...]]:
    try:
        if content[:2] == b"\x1f\x8b":
            content = _gunzip(content, name)
        text = content.decode("utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError, zlib.error):
        raise CollectError(f"{name}: neither an .xlsx file nor a CSV file in the country.xlsx layout") from None
    if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        raise CollectError(f"{name}: got a web page, not the country.xlsx file (has the address changed?)")
    try:
        return [tuple(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise CollectError(f"{name}: not a CSV file in the country.xlsx layout ({exc})") from None


def _gunzip(content: bytes, name: str) -> bytes:
    """Inflate a gzip file (each of its members) to at most MAX_INFLATED bytes: a few kilobytes can
    inflate to gigabytes (a compression bomb)."""
    parts, size = [], 0
    while content:
        inflater = zlib.decompressobj(wbits=31)  # 31: a gzip header and trailer
        part = inflater.decompress(content, MAX_INFLATED + 1 - size)
        size += len(part)
        if size > MAX_INFLATED:
            raise CollectError(f"{name}: inflates to more than {MAX_INFLATED:,} bytes, more than any country.xlsx; "
                               "is it a compression bomb?")
        if not inflater.eof:
            raise EOFError("the gzip stream ends early")
        parts.append(part)
        content = inflater.unused_data
    return b"".join(parts)


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _year(cell: Any, name: str, number: int) -> int:
    try:
        value = Decimal(str(cell).strip())
        if value != value.to_integral_value():
            raise ValueError
        year = int(value)
    except (InvalidOperation, ValueError, OverflowError):
        raise CollectError(f"{name}: row {number}: year {cell!r} is not a year") from None
    if not FIRST_YEAR <= year <= 2100:
        raise CollectError(f"{name}: row {number}: year {year} is out of range")
    return year


def _code(cell: Any, name: str, number: int) -> str:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if (isinstance(cell, float) and not cell.is_integer()) or not 0 <= cell <= 9999:
            raise CollectError(f"{name}: row {number}: CTY_CODE {cell!r} is not a Census country code")
        return f"{int(cell):04d}"  # codes may come back as numbers: 15 is 0015
    code = str(cell or "").strip().upper()
    if not code or len(code) > 4 or not code.isalnum():
        raise CollectError(f"{name}: row {number}: CTY_CODE {cell!r} is not a Census country code")
    return code.zfill(4)


def _dollars(cell: Any, name: str, number: int, column: str) -> int:
    """$ millions with one decimal -> whole dollars, exactly (no float rounding)."""
    if cell is None or cell == "":
        return 0
    if isinstance(cell, str):  # CSV: "26511.5" in integers, five times faster than Decimal for 200,000 cells
        whole, _, tenths = cell.partition(".")
        if whole.isdigit() and len(whole) <= 8 and (tenths == "" or (tenths.isdigit() and len(tenths) <= 6)):
            return int(whole) * 1_000_000 + int(tenths.ljust(6, "0") or 0)
    try:
        value = Decimal(str(cell).strip().replace(",", ""))
    except InvalidOperation:
        raise CollectError(f"{name}: row {number}, column {column}: {cell!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise CollectError(f"{name}: row {number}, column {column}: {cell!r} is not a dollar amount")
    if value > MAX_DOLLARS // 1_000_000:  # checked before scaling: 1e999999 would overflow the decimal context
        raise CollectError(f"{name}: row {number}, column {column}: {cell!r} is beyond any trade figure "
                           f"(over ${MAX_DOLLARS // 10**12} trillion); is the file damaged?")
    return int((value * 1_000_000).to_integral_value())


def _http_date(value: str) -> str:
    try:
        return iso(parsedate_to_datetime(value))
    except (TypeError, ValueError):
        return ""
