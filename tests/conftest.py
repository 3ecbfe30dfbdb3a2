"""Shared fixtures: small files in the official Census layout, built in tmp_path for each test, and a
threaded local HTTP server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

# `python -m reportgen` run by a test in its own folder imports this checkout, not whichever copy of
# reportgen is installed (several checkouts may share one environment).
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                         os.environ.get("PYTHONPATH")]))

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
HEADER = ("year", "CTY_CODE", "CTYNAME", *(f"I{m}" for m in MONTHS), "IYR", *(f"E{m}" for m in MONTHS), "EYR")


def census_row(year: Any, code: Any, name: str, imports: Sequence[Any], exports: Sequence[Any],
               iyr: Any = None, eyr: Any = None) -> list[Any]:
    """One row of country.xlsx; months missing at the end are 0 (unpublished), annuals default to the sum."""
    imports = list(imports) + [0] * (12 - len(imports))
    exports = list(exports) + [0] * (12 - len(exports))

    def total(values: list[Any]) -> float:
        return float(sum(Decimal(str(v)) for v in values if v not in (None, "")))

    return [year, code, name, *imports, total(imports) if iyr is None else iyr,
            *exports, total(exports) if eyr is None else eyr]


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write rows under a header (the official one by default) to an .xlsx file, as Census does."""
    import openpyxl

    def make(rows: Sequence[Sequence[Any]], *, header: Sequence[Any] | None = HEADER,
             name: str = "country.xlsx") -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "country"
        if header is not None:
            sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        path = tmp_path / name
        book.save(path)
        return path

    return make


@pytest.fixture
def row() -> Callable[..., list[Any]]:
    """The census_row builder, for tests that cannot import from conftest."""
    return census_row


@pytest.fixture
def census_header() -> list[str]:
    """The official header, as a list a test may change."""
    return list(HEADER)


@pytest.fixture(scope="module")
def threaded_server() -> Iterator[HTTPServer]:
    """A threaded local server, so that a handler that sleeps or drips bytes cannot hold up the next
    request, feed or test."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def server(threaded_server: HTTPServer) -> HTTPServer:
    """The module's threaded server, with no expectations left from the test before."""
    threaded_server.clear()
    return threaded_server


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store seeded from the bundled snapshot, once per session (seeding takes seconds, a copy milliseconds).

    Never open it: copy it where a test needs a store (`seeded_store`), so that no test sees another's writes.
    """
    from reportgen import pipeline
    from reportgen.config import Config

    config = Config.model_validate({"data_dir": str(tmp_path_factory.mktemp("seed") / "data")})
    pipeline.open_store(config).close()
    return config.db_path


@pytest.fixture(scope="session")
def seeded_store(seeded_db: Path) -> Callable[[Path], Path]:
    """`seeded_store(data_dir)` puts a copy of the seeded store in `data_dir` and returns that folder."""

    def copy(data_dir: Path) -> Path:
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(seeded_db, data_dir / seeded_db.name)
        return data_dir

    return copy
