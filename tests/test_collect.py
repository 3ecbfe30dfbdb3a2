"""Collect end to end: a country.xlsx served over HTTP (or read from disk) into the store, and again."""

from __future__ import annotations

import pytest
from werkzeug import Request, Response

from reportgen import pipeline
from reportgen.config import CensusConfig, Config, HttpConfig
from reportgen.errors import CollectError
from reportgen.store import Store

# January and February 2025 published, the rest of the year still zeros: made-up figures in $ millions.
ROWS = [
    ("0015", "World, Not Seasonally Adjusted", [250_000.1, 240_000.2], [170_000.3, 160_000.4]),
    ("2010", "Mexico", [40_000.5, 39_000.6], [27_000.7, 28_000.8]),
    ("1220", "Canada", [35_000.0, 34_000.0], [30_000.0, 29_000.0]),
    ("0003", "European Union", [50_000.0, 49_000.0], [31_000.0, 30_000.0]),
]


@pytest.fixture
def workbook(make_xlsx, row):
    return make_xlsx([row(2025, code, name, imports, exports) for code, name, imports, exports in ROWS]).read_bytes()


def config_for(tmp_path, url: str) -> Config:
    return Config(data_dir=tmp_path / "data", census=CensusConfig(bulk_url=url),
                  http=HttpConfig(retries=1, backoff=0, timeout=5))


def test_download_then_revalidate(tmp_path, httpserver, workbook):
    etag = '"release-2025-02"'

    def serve(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(workbook, headers={"ETag": etag, "Last-Modified": "Thu, 03 Apr 2025 12:30:00 GMT"})

    httpserver.expect_request("/country.xlsx").respond_with_handler(serve)
    config = config_for(tmp_path, httpserver.url_for("/country.xlsx"))

    first = pipeline.collect(config)
    assert not first.unchanged and first.last_month == "2025-02"
    assert first.vintage.label.startswith("2025-04-03/") and first.vintage.etag == etag
    assert first.values == len(ROWS) * 2 * 2  # two months, two flows; no annual total for a year under way
    with Store(config.db_path) as store:
        rows = {(t.partner, t.flow, t.period): t.value for t in store.totals("census-bulk")}
    assert rows[("MEX", "import", "2025-02")] == 39_000_600_000
    assert rows[("WLD", "export", "2025-01")] == 170_000_300_000
    assert ("MEX", "import", "2025-03") not in rows and ("MEX", "import", "2025") not in rows

    second = pipeline.collect(config)
    assert second.unchanged and second.vintage.label == first.vintage.label
    assert [response.status_code for _, response in httpserver.log] == [200, 304]
    assert httpserver.log[1][0].headers["If-None-Match"] == etag


def test_a_revised_release_is_kept_beside_the_first(tmp_path, make_xlsx, row, workbook):
    config = Config(data_dir=tmp_path / "data")
    first = tmp_path / "first.xlsx"
    first.write_bytes(workbook)
    pipeline.collect(config, first)
    revised = [row(2025, code, name, imports, exports) for code, name, imports, exports in ROWS]
    revised[1][3] = 40_100.5  # Mexico's January imports revised up by $100 million
    result = pipeline.collect(config, make_xlsx(revised, name="revised.xlsx"))
    assert result.stored == 1
    with Store(config.db_path) as store:
        assert len(store.vintages("census-bulk")) == 2
        newest = {(t.partner, t.flow, t.period): t.value for t in store.totals("census-bulk")}
        first_label = store.vintages("census-bulk")[0].vintage.label
        oldest = {(t.partner, t.flow, t.period): t.value for t in store.totals("census-bulk", as_of=first_label)}
    assert newest[("MEX", "import", "2025-01")] == 40_100_500_000
    assert oldest[("MEX", "import", "2025-01")] == 40_000_500_000


def test_a_page_instead_of_the_file_changes_nothing(tmp_path, httpserver):
    httpserver.expect_request("/country.xlsx").respond_with_data("<!DOCTYPE html><html>Moved</html>",
                                                                 content_type="text/html")
    config = config_for(tmp_path, httpserver.url_for("/country.xlsx"))
    with pytest.raises(CollectError, match="got a web page"):
        pipeline.collect(config)
    with Store(config.db_path) as store:
        assert store.vintages() == []


def test_a_gzip_bomb_from_the_bulk_url_is_one_error_and_changes_nothing(tmp_path, httpserver, census_header):
    """census.bulk_url answering with a small .csv.gz that inflates to 80 MB (not as Content-Encoding)."""
    import zlib

    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflate.compress(",".join(census_header).encode() + b"\n")]
    parts += [deflate.compress(b"0," * (512 * 1024)) for _ in range(80)]
    httpserver.expect_request("/country.csv.gz").respond_with_data(b"".join([*parts, deflate.flush()]),
                                                                  content_type="application/gzip")
    config = config_for(tmp_path, httpserver.url_for("/country.csv.gz"))
    with pytest.raises(CollectError, match="inflates to more than .* bytes.* is it a compression bomb"):
        pipeline.collect(config)
    with Store(config.db_path) as store:
        assert store.is_empty()


def test_a_file_with_figures_after_the_current_month_changes_nothing(tmp_path, make_xlsx, row, seeded_store):
    from datetime import UTC, datetime

    config = Config(data_dir=seeded_store(tmp_path / "data"))
    with Store(config.db_path) as store:
        before = store.vintages(), store.month_range("census-bulk")
    future = datetime.now(UTC).year + 5
    path = make_xlsx([row(2024, code, name, imports, exports) for code, name, imports, exports in ROWS]
                     + [row(future, "2010", "Mexico", [1.0] * 12, [1.0] * 12)])
    with pytest.raises(CollectError, match=f"row 6: figures for {future}-12, after the current month"):
        pipeline.collect(config, path)
    with Store(config.db_path) as store:
        assert (store.vintages(), store.month_range("census-bulk")) == before
