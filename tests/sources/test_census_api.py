"""The Census API source against a local server answering in the API's exact shapes (tests/fakes)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from reportgen.config import HttpConfig
from reportgen.errors import CollectError
from reportgen.http import Http
from reportgen.partners import bundled
from reportgen.sources import census_api
from reportgen.sources.census_api import FLOWS, CensusApi, Flow, Query

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fakes.census_api import PREFIX, CensusApiFake

KEY = "test-key-0123456789"


@pytest.fixture
def fake(httpserver):
    handler = CensusApiFake(KEY)
    httpserver.expect_request(__import__("re").compile(f"^{PREFIX}/.*")).respond_with_handler(handler)
    return handler


@pytest.fixture
def api(httpserver, fake, tmp_path):
    http = Http(HttpConfig(retries=2, backoff=0, timeout=5), tmp_path / "cache")
    yield CensusApi(http, base_url=httpserver.url_for(PREFIX), key=KEY)
    http.close()


def test_totals_and_detail(api):
    batch = census_api.collect(api, bundled(), "2024-01", "2024-12", levels=["HS2"], partners=["2010"])
    values = {(o.partner, o.flow, o.period, o.commodity): o.value for o in batch.observations}
    assert values[("MEX", "export", "2024-01", "TOTAL")] == 26_511_500_000  # official
    assert values[("WLD", "import", "2024-12", "TOTAL")] > 0
    assert values[("0003", "export", "2024-01", "TOTAL")] > 0  # groups keep the Census code
    detail = [v for (p, f, period, c), v in values.items()
              if (p, f, period) == ("MEX", "export", "2024-01") and c != "TOTAL"]
    assert len(detail) == 7 and sum(detail) == 26_511_500_000  # the made-up split adds up
    assert batch.last_month == "2024-12"
    assert batch.vintage.source == "census-api" and KEY not in batch.vintage.origin
    assert batch.descriptions["87"] == "VEHICLES, EXCEPT RAILWAY OR TRAMWAY, AND PARTS"


def test_the_same_answers_make_the_same_vintage(api):
    first = census_api.collect(api, bundled(), "2024-01", "2024-03")
    second = census_api.collect(api, bundled(), "2024-01", "2024-03")
    assert first.vintage.sha256 == second.vintage.sha256


def test_columns_are_found_by_name(api, fake):
    """The API appends predicate columns (time, COMM_LVL) after those asked for."""
    rows, _ = api.rows(Query(FLOWS[1], "2024-02", "2024-02", "2010", "HS4"))
    assert list(rows[0]) == ["CTY_CODE", "CTY_NAME", "I_COMMODITY", "I_COMMODITY_SDESC", "GEN_VAL_MO", "COMM_LVL",
                             "time"]
    assert {row["I_COMMODITY"] for row in rows} >= {"8703", "8708", "8704"}


def test_big_queries_are_split():
    queries = census_api.plan("2023-06", "2025-02", levels=["HS2", "HS4"], partners=["2010", "1220"])
    assert all(q.first[:4] == q.last[:4] for q in queries)  # never more than a year at a time
    assert len([q for q in queries if q.level is None]) == 2 * 3  # flows x years
    assert len([q for q in queries if q.level]) == 2 * 2 * 2 * 3  # levels x partners x flows x years
    assert queries[0].params()["time"] == "from 2023-01 to 2023-12"  # whole years: one vintage a year


def test_not_published_yet_names_the_latest_month(api):
    with pytest.raises(CollectError) as caught:
        census_api.collect(api, bundled(), "2025-01", "2025-03")
    assert "not published yet; the latest month available is 2024-12" in str(caught.value)


def test_bad_variable_shows_the_api_message(api):
    bad = Query(Flow("export", "exports", "XYZ_VAL_MO", "E_COMMODITY"), "2024-01", "2024-01")
    with pytest.raises(CollectError, match="the Census API rejected the query: error: unknown variable 'XYZ_VAL_MO'"):
        api.rows(bad)


def test_wrong_key_is_explained(httpserver, fake, tmp_path):
    with Http(HttpConfig(retries=0), tmp_path / "cache") as http:
        api = CensusApi(http, base_url=httpserver.url_for(PREFIX), key="not-the-key-987654")
        with pytest.raises(CollectError) as caught:
            census_api.collect(api, bundled(), "2024-01", "2024-01")
    message = str(caught.value)
    assert "CENSUS_API_KEY is missing or invalid" in message and "key_signup" in message
    assert "not-the-key-987654" not in message


def test_missing_key(monkeypatch, tmp_path):
    monkeypatch.delenv("CENSUS_API_KEY", raising=False)
    with Http(HttpConfig()) as http, pytest.raises(CollectError, match="set CENSUS_API_KEY"):
        CensusApi(http)


def test_a_503_then_success(api, fake):
    fake.failures = [503]
    rows, _ = api.rows(Query(FLOWS[0], "2024-01", "2024-01", "2010"))
    assert rows[0]["ALL_VAL_MO"] == "26511500000"
    assert len(fake.requests) == 2


def test_server_trouble_is_reported_after_the_retries(api, fake):
    fake.failures = [503, 503, 503]
    with pytest.raises(CollectError, match=r"kept failing after 2 retries \(HTTP 503"):
        api.rows(Query(FLOWS[0], "2024-01", "2024-01", "2010"))


def test_the_key_never_shows(api, fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    census_api.collect(api, bundled(), "2024-01", "2024-02", levels=["HS2"], partners=["2010"])
    fake.failures = [500, 500, 500]
    with pytest.raises(CollectError) as caught:
        api.rows(Query(FLOWS[0], "2024-01", "2024-01"))
    assert fake.requests[0].args["key"] == KEY  # it was sent...
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))  # not the server's
    assert "GET /data/timeseries" in ours  # urllib3 did log the requests...
    assert KEY not in str(caught.value) and KEY not in ours  # ...and the key shows nowhere
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()


@pytest.mark.parametrize("value", ["9" * 30, "100000000000001"])
def test_a_value_beyond_any_trade_figure_is_refused(httpserver, tmp_path, value):
    """A 30-digit value overflowed SQLite's integers: a traceback, not an error."""
    table = [["CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "time"], ["2010", "MEXICO", value, "2024-01"]]
    httpserver.expect_request(f"{PREFIX}/exports/hs").respond_with_json(table)
    with Http(HttpConfig(retries=0), tmp_path / "cache") as http:
        api = CensusApi(http, base_url=httpserver.url_for(PREFIX), key=KEY)
        with pytest.raises(CollectError, match=f"value {value} for 2010 in 2024-01 is beyond any trade figure"):
            census_api.collect(api, bundled(), "2024-01", "2024-01")


def test_a_400_that_quotes_the_key_is_reported_without_it(httpserver, tmp_path):
    httpserver.expect_request(f"{PREFIX}/exports/hs").respond_with_data(f"error: invalid key {KEY}", status=400)
    with Http(HttpConfig(retries=0), tmp_path / "cache") as http:
        api = CensusApi(http, base_url=httpserver.url_for(PREFIX), key=KEY)
        with pytest.raises(CollectError) as caught:
            api.rows(Query(FLOWS[0], "2024-01", "2024-01"))
    assert str(caught.value).endswith("the Census API rejected the query: error: invalid key REDACTED")
