"""The UN Comtrade source against a local server answering in Comtrade's exact shapes (tests/fakes/comtrade.py)."""

from __future__ import annotations

import re
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen.config import ComtradeConfig, HttpConfig
from reportgen.errors import CollectError, InputError
from reportgen.http import Http
from reportgen.partners import bundled
from reportgen.sources import comtrade
from reportgen.sources.comtrade import Comtrade, Query

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fakes.comtrade import (
    DATA,
    DRIVE_AXLES,
    GEAR_BOXES,
    MEXICO_2016,
    PREVIEW,
    ComtradeFake,
    mexico_records,
    mexico_russia_hs6,
    record,
)

KEY = "Comtrade-test-key-31337"


@pytest.fixture
def fake(httpserver):
    handler = ComtradeFake(mexico_records(), key=KEY)
    httpserver.expect_request(re.compile("^/(public|data)/v1/.*")).respond_with_handler(handler)
    return handler


@pytest.fixture
def http(tmp_path):
    with Http(HttpConfig(retries=2, backoff=0, timeout=5), tmp_path / "cache") as session:
        yield session


def config(httpserver) -> ComtradeConfig:
    return ComtradeConfig(preview_url=httpserver.url_for(PREVIEW), data_url=httpserver.url_for(DATA))


def collect(http, httpserver, *, key="", partner="RU", level=6, years=("2016",)):
    registry = bundled()
    mexico = comtrade.reporter_of(registry, "MX")
    other = comtrade.partner_of(registry, partner, mexico) if partner else None
    api = Comtrade(http, config(httpserver), key=key)
    return api, comtrade.collect(api, registry, mexico, list(years), partner=other, level=level)


def values(batch) -> dict[tuple[str, str, str, str], int]:
    return {(o.partner, o.flow, o.period, o.commodity): o.value for o in batch.observations}


def test_totals_and_hs6_detail_split_until_nothing_is_cut(fake, http, httpserver):
    api, batch = collect(http, httpserver)
    got = values(batch)
    assert {o.reporter for o in batch.observations} == {"MEX"}
    # Reporter-declared values, rounded to whole dollars: exports FOB, imports CIF as Mexico gave them.
    assert got[("RUS", "export", "2016", "TOTAL")] == 179_312_346
    assert got[("RUS", "import", "2016", "TOTAL")] == 1_301_456_789
    assert got[("USA", "export", "2016", "TOTAL")] == 302_654_518_911
    assert got[("WLD", "import", "2016", "TOTAL")] == 387_064_425_877  # .6 rounds up; the world is WLD
    # Every one of the 620 HS6 lines, though no preview answer holds more than 500.
    hs6 = {c: v for (p, f, _, c), v in got.items() if p == "RUS" and f == "export" and len(c) == 6}
    assert len(hs6) == 620 == len(mexico_russia_hs6())
    assert hs6["870840"] == 48_913_223 and hs6["870850"] == 12_004_001
    assert sum(hs6.values()) == sum(round(v) for v in mexico_russia_hs6().values()) + 1  # 48,913,222.5 rounds up
    assert round(GEAR_BOXES) + 1 == hs6["870840"] and round(DRIVE_AXLES) == hs6["870850"]
    assert all(len(re.findall(r"cmdCode=AG6", r.query_string.decode())) <= 1 for r in fake.requests)
    assert api.requests == len(fake.requests)
    # Re-exports and the breakdowns of a total (by mode of transport, customs procedure) are left out.
    assert ("RUS", "export", "2016", "TOTAL") in got and len({k for k in got if k[3] == "TOTAL"}) == 2 * 8
    # Areas that are no country are kept apart, as residuals, never as countries.
    assert got[("M49-490", "import", "2016", "TOTAL")] == 6_550_000_000
    assert got[("M49-899", "import", "2016", "TOTAL")] == 0
    residuals = {p.code: p for p in batch.new_partners}
    assert residuals["M49-490"].name == "Other Asia, nes" and residuals["M49-490"].kind == "unallocated"
    assert batch.descriptions["870840"] == "Gear boxes and parts thereof"
    assert "TOTAL" not in batch.descriptions


def test_every_request_under_the_cap_and_the_split_order(fake, http, httpserver):
    collect(http, httpserver)
    asked = [dict(r.args) for r in fake.requests]
    assert asked[0]["cmdCode"] == "TOTAL" and asked[0]["period"] == "2016" and asked[0]["flowCode"] == "X,M"
    assert "partnerCode" not in asked[0]  # every partner's totals, for ranks and shares
    assert all(a["maxRecords"] == "500" and a["partner2Code"] == "0" and a["customsCode"] == "C00"
               and a["motCode"] == "0" for a in asked)
    # The HS6 request for Russia was full (500), so it was split by chapter, then by heading.
    cmds = [a["cmdCode"] for a in asked]
    assert "AG6" in cmds and "AG2" in cmds
    assert any(c.startswith("8401,8402,") for c in cmds)  # the headings of chapter 84
    assert any(c.startswith("840101,840102,") for c in cmds)  # the lines of heading 8401
    assert sum(1 for c in cmds if c == "AG6") == 2  # the detail, one flow at a time (no imports at HS6 here)


def test_a_request_that_cannot_be_split_further_stores_nothing(httpserver, http):
    crowd = [record("A", 484, "2016", "X", 1000 + n, "TOTAL", 1.0) for n in range(520)]
    httpserver.expect_request(re.compile("^/public/.*")).respond_with_handler(ComtradeFake(crowd))
    with pytest.raises(CollectError, match=r"exports of reporter 484, all partners, totals, 2016: Comtrade answered "
                       r"with 500 records, its limit, so the answer may be cut short, and the request cannot be "
                       r"split further; nothing stored"):
        collect(http, httpserver, partner=None, level=0)


def test_the_keyed_api_gets_the_key_in_a_header_only(fake, http, httpserver, tmp_path):
    fake.etag = '"release-1"'  # answers with a validator are kept in the HTTP cache, with their requests
    api, batch = collect(http, httpserver, key=KEY)
    assert api.cap == 100_000 and api.base_url.endswith(DATA)
    assert all(r.path.startswith(DATA) for r in fake.requests)
    assert all(r.headers["Ocp-Apim-Subscription-Key"] == KEY for r in fake.requests)
    assert all(KEY not in r.url for r in fake.requests)
    assert all(r.args["maxRecords"] == "100000" for r in fake.requests)
    # Under the larger cap nothing needs splitting: totals, then the detail for each flow.
    assert [r.args["cmdCode"] for r in fake.requests] == ["TOTAL", "AG6", "AG6"]
    assert len([k for k in values(batch) if len(k[3]) == 6]) == 620
    assert KEY not in batch.vintage.origin and batch.vintage.origin.startswith(httpserver.url_for(DATA))
    http.close()
    with sqlite3.connect(tmp_path / "cache" / "http_cache.sqlite") as cache:
        assert cache.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 3  # the cache did keep them
    for path in (tmp_path / "cache").rglob("*"):  # but not the key
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_a_wrong_key_is_one_line_without_the_key(fake, http, httpserver):
    with pytest.raises(CollectError) as caught:
        collect(http, httpserver, key="not-the-key-2024")
    message = str(caught.value)
    assert "Comtrade refused the request (HTTP 401): Access denied due to invalid subscription key" in message
    assert "check COMTRADE_API_KEY" in message and "not-the-key-2024" not in message and "\n" not in message


def test_rate_limit_waits_as_told_then_goes_on(fake, http, httpserver):
    fake.failures.append((429, {"Retry-After": "1"},
                          '{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 1 seconds."}'))
    _, batch = collect(http, httpserver, partner=None, level=0)
    assert values(batch)[("RUS", "export", "2016", "TOTAL")] == 179_312_346
    assert len(fake.requests) == 2  # the 429, then the same request again


def test_a_rate_limit_that_lasts_is_one_line(fake, http, httpserver):
    fake.failures += [(429, {"Retry-After": "0"}, '{"statusCode": 429, "message": "Rate limit is exceeded."}')] * 3
    with pytest.raises(CollectError, match=r"kept failing after 2 retries \(HTTP 429"):
        collect(http, httpserver, partner=None, level=0)


def test_an_unpublished_year_is_refused(fake, http, httpserver):
    with pytest.raises(CollectError, match=r"^Comtrade has not published Mexico's 2011 figures$"):
        collect(http, httpserver, partner=None, level=0, years=("2011", "2012"))


@pytest.mark.parametrize(("body", "reason"), [
    ('{"elapsedTime": "0 secs", "count": 0, "data": [], "error": "Invalid parameter reporterCode"}',
     "Comtrade answered with an error: Invalid parameter reporterCode"),
    ("<html>Service Unavailable</html>", "the answer is not valid JSON"),
    ('[1, 2]', "the answer is not a JSON object"),
    ('{"count": 1, "data": {"a": 1}, "error": ""}', 'the answer has no list of records under "data"'),
    ('{"count": 5, "data": [], "error": ""}', "the answer counts 5 records but holds 0"),
])
def test_error_and_malformed_answers(fake, http, httpserver, body, reason):
    fake.failures.append((200, {}, body))
    with pytest.raises(CollectError, match=re.escape(reason)):
        collect(http, httpserver, partner=None, level=0)


@pytest.mark.parametrize(("change", "reason"), [
    ({"primaryValue": "179312345.6"}, "value '179312345.6' for partner 643 in 2016 is not a number"),
    ({"primaryValue": -5.0}, "value -5.0 for partner 643 in 2016 is not a trade figure"),
    ({"primaryValue": 1e20}, "is not a trade figure"),
    ({"period": "2015"}, "a record is for period '2015' (A), not one asked for"),
    ({"reporterCode": 842}, "a record is reported by 842, not 484 (Mexico)"),
    ({"cmdCode": "87"}, "commodity code '87' is not what was asked for"),
    ({"partnerCode": "RU"}, "partner code 'RU' is not an M49 code"),
])
def test_malformed_records(fake, http, httpserver, change, reason):
    fake.tamper = lambda r: {**r, **change} if (r["partnerCode"], r["flowCode"]) == (643, "X") else r
    with pytest.raises(CollectError, match=re.escape(reason)):
        collect(http, httpserver, partner=None, level=0)


def test_a_record_without_its_value_is_refused(httpserver, http):
    rows = mexico_records(range(2016, 2017))
    del rows[4]["primaryValue"]
    httpserver.expect_request(re.compile("^/public/.*")).respond_with_handler(ComtradeFake(rows))
    with pytest.raises(CollectError, match="a record has no primaryValue field"):
        collect(http, httpserver, partner=None, level=0)


def test_the_same_figures_again_are_the_same_vintage(fake, http, httpserver):
    _, first = collect(http, httpserver, partner=None, level=0)
    _, again = collect(http, httpserver, partner=None, level=0)
    assert first.vintage.sha256 == again.vintage.sha256
    assert re.fullmatch(r"\d{4}-\d\d-\d\d/[0-9a-f]{8}", first.vintage.label)
    assert first.vintage.origin == (httpserver.url_for(PREVIEW) + "/C/A/HS?reporterCode=484&period=2016"
                                    "&flowCode=X%2CM&cmdCode=TOTAL&partner2Code=0&customsCode=C00&motCode=0"
                                    "&maxRecords=500&includeDesc=true")


def test_monthly_periods(httpserver, http):
    rows = [record("M", 484, f"2016{m:02d}", flow, partner, "TOTAL", 1000.0 * m + partner)
            for m in (1, 2, 3) for flow in "XM" for partner in (0, 643)]
    httpserver.expect_request(re.compile("^/public/.*")).respond_with_handler(ComtradeFake(rows))
    registry = bundled()
    mexico = comtrade.reporter_of(registry, "484")
    api = Comtrade(http, config(httpserver), key="")
    batch = comtrade.collect(api, registry, mexico, comtrade.periods("M", "2016-01", "2016-03"), freq="M")
    assert values(batch)[("RUS", "import", "2016-02", "TOTAL")] == 2643
    assert batch.last_month == "2016-03"


def test_periods():
    today = datetime(2026, 12, 4, tzinfo=UTC)
    assert comtrade.periods("A", "2012", "2016", today=today) == ["2012", "2013", "2014", "2015", "2016"]
    assert comtrade.periods("M", "2016", "2016", today=today)[::11] == ["201601", "201612"]
    assert comtrade.periods("M", "2026-10", "2026-11", today=today) == ["202610", "202611"]
    with pytest.raises(InputError, match=r"^2026 has not ended yet, so Comtrade has no figures for it"):
        comtrade.periods("A", "2024", "2026", today=today)
    with pytest.raises(InputError, match="2026-12 has not ended yet"):
        comtrade.periods("M", "2026-11", "2026-12", today=today)
    with pytest.raises(InputError, match="--from '2016-03': give a year, YYYY$"):
        comtrade.periods("A", "2016-03", "2016", today=today)
    with pytest.raises(InputError, match="--from 2017 is after --to 2016"):
        comtrade.periods("A", "2017", "2016", today=today)


def test_reporters_and_partners_by_any_name():
    registry = bundled()
    for name in ("MX", "MEX", "484", "Mexico", "méxico"):
        assert comtrade.reporter_of(registry, name).code == "MEX"
    assert registry.by_m49(842).code == "USA" and registry.by_m49("643").code == "RUS"
    assert registry.by_m49("036").code == "AUS" and registry.by_m49(0).code == "WLD"
    assert registry.by_m49(251).code == "FRA" and registry.by_m49(699).code == "IND"
    assert registry.by_m49(490) is None  # "Other Asia, nes": a residual, not Taiwan by name
    mexico = registry.get("MEX")
    assert comtrade.partner_of(registry, "United States", mexico).code == "USA"
    with pytest.raises(InputError, match="Mexico is the reporter"):
        comtrade.partner_of(registry, "MX", mexico)
    with pytest.raises(InputError, match="unknown partner 'Atlantis'"):
        comtrade.reporter_of(registry, "Atlantis")
    with pytest.raises(InputError, match="European Union cannot be a Comtrade reporter"):
        comtrade.reporter_of(registry, "EU")
    # Every country of the registry has an M49 code but the few Comtrade does not list apart.
    lacking = {p.code for p in registry if p.is_country and not p.m49_codes}
    assert lacking == {"TWN", "XKX", "XGZ", "XWB"}


def test_query_parameters():
    q = Query("A", "484", ("2016",), ("X",), "643", 6, "8708")
    assert q.cmd_code() == ",".join(f"8708{n:02d}" for n in range(1, 100))
    assert Query("A", "484", ("2016",), ("X",), "643", 6, "87").cmd_code() is None  # 9,999 codes: split first
    assert Query("A", "484", ("2016",), ("X",), None, 4).cmd_code() == "AG4"
    assert MEXICO_2016[(643, "X")] == 179_312_345.6


def test_the_keyed_api_splits_at_its_own_cap(httpserver, http, monkeypatch):
    """The data API's cap (100,000, here made 300 on both sides to keep the test small) splits like the preview's."""
    monkeypatch.setattr(comtrade, "DATA_CAP", 300)
    handler = ComtradeFake(mexico_records(), key=KEY, data_cap=300)
    httpserver.expect_request(re.compile("^/data/.*")).respond_with_handler(handler)
    api, batch = collect(http, httpserver, key=KEY)
    assert api.cap == 300 and all(r.args["maxRecords"] == "300" for r in handler.requests)
    assert len([k for k in values(batch) if len(k[3]) == 6]) == 620
    assert any(r.args["cmdCode"].startswith("8401,") for r in handler.requests)


def test_two_codes_of_one_partner_add_up_and_a_repeated_record_must_agree(httpserver, http):
    """Sudan is 729 since 2011 and 736 before: both in one answer make one partner; one code twice with two
    values is a damaged answer."""
    rows = [record("A", 484, "2016", "X", partner, "TOTAL", value)
            for partner, value in ((0, 1000.0), (729, 300.0), (736, 200.4), (643, 50.0))]
    handler = ComtradeFake(rows)
    httpserver.expect_request(re.compile("^/public/.*")).respond_with_handler(handler)
    _, batch = collect(http, httpserver, partner=None, level=0)
    assert values(batch) == {("WLD", "export", "2016", "TOTAL"): 1000, ("SDN", "export", "2016", "TOTAL"): 500,
                             ("RUS", "export", "2016", "TOTAL"): 50}
    handler.records.append(record("A", 484, "2016", "X", 643, "TOTAL", 51.0))
    with pytest.raises(CollectError, match="two different values for partner 643, TOTAL, 2016"):
        collect(http, httpserver, partner=None, level=0)
