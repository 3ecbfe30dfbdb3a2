"""`reportgen collect --source comtrade` end to end, against a local stand-in for UN Comtrade
(tests/fakes/comtrade.py): what it stores, and that bad input changes nothing."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakes.comtrade import DATA, PREVIEW, ComtradeFake, mexico_records

KEY = "Comtrade-cli-key-27182818"


@pytest.fixture
def fake(httpserver):
    handler = ComtradeFake(mexico_records(), key=KEY)
    httpserver.expect_request(re.compile("^/(public|data)/v1/.*")).respond_with_handler(handler)
    return handler


@pytest.fixture
def run(httpserver, tmp_path):
    (tmp_path / "config.yaml").write_text(
        f"http:\n  retries: 1\n  backoff: 0\ncomtrade:\n  preview_url: {httpserver.url_for(PREVIEW)}\n"
        f"  data_url: {httpserver.url_for(DATA)}\n")
    env = {k: v for k, v in os.environ.items() if k != "COMTRADE_API_KEY"}

    def run(*args: str, key: str | None = None) -> subprocess.CompletedProcess:
        environment = {**env, "COMTRADE_API_KEY": key} if key else env
        return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=tmp_path, env=environment,
                              capture_output=True, text=True, timeout=120, check=False)

    return run


def collect(run, *extra: str, key: str | None = None) -> subprocess.CompletedProcess:
    return run("collect", "--source", "comtrade", *extra, key=key)


def rows(tmp_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "reportgen.db") as db:
        return db.execute(sql, params).fetchall()


def state(tmp_path: Path) -> tuple:
    """What a failed collect must not change: the store file's bytes, and its rows and vintages."""
    path = tmp_path / "data" / "reportgen.db"
    return (path.read_bytes(), rows(tmp_path, "SELECT COUNT(*) FROM observations"),
            rows(tmp_path, "SELECT source, label FROM vintages ORDER BY source, label"))


def test_collect_mexico_and_russia_at_hs6(run, fake, tmp_path):
    result = collect(run, "--reporter", "MX", "--from", "2012", "--to", "2016", "--partner", "RU", "--detail", "hs6")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"stored comtrade vintage \d{4}-\d\d-\d\d/[0-9a-f]{8}: 700 values through 2016, "
                        r"700 new or revised\n", result.stdout), result.stdout
    # 5 years x 8 partners x 2 flows of totals, and 2016's exports to Russia: 620 HS6 lines.
    assert 5 * 8 * 2 + 620 == 700
    totals = {(p, f, y): v for p, f, y, v in rows(
        tmp_path, "SELECT partner, flow, period, value FROM observations WHERE source = 'comtrade' AND "
        "reporter = 'MEX' AND commodity = 'TOTAL'")}
    assert totals[("RUS", "export", "2016")] == 179_312_346 and totals[("RUS", "import", "2016")] == 1_301_456_789
    assert totals[("RUS", "export", "2012")] == round(179_312_345.6 * 0.95 ** 4)
    assert totals[("WLD", "export", "2016")] == 373_939_335_123
    assert rows(tmp_path, "SELECT value FROM observations WHERE commodity = '870840' AND partner = 'RUS'") == \
        [(48_913_223,)]
    assert rows(tmp_path, "SELECT kind, name FROM partners WHERE code = 'M49-490'") == \
        [("unallocated", "Other Asia, nes")]
    assert rows(tmp_path, "SELECT description FROM commodities WHERE code = '870850'") == \
        [("Drive-axles with differential",)]
    origin, note = rows(tmp_path, "SELECT origin, note FROM vintages WHERE source = 'comtrade'")[0]
    assert origin.startswith(fake.requests[0].host_url.rstrip("/") + PREVIEW + "/C/A/HS?reporterCode=484")
    assert note == "MEX, 2012 to 2016, annual, HS6 detail for RUS"

    again = collect(run, "--reporter", "Mexico", "--from", "2012", "--to", "2016", "--partner", "643",
                    "--detail", "hs6")
    assert again.returncode == 0 and again.stdout.startswith("unchanged: comtrade vintage ")


def test_the_key_goes_in_a_header_and_nowhere_else(run, fake, tmp_path):
    result = collect(run, "--reporter", "484", "--from", "2016", "--partner", "Russia", "--detail", "hs6", key=KEY)
    assert result.returncode == 0, result.stderr
    assert all(r.path.startswith(DATA) and r.headers["Ocp-Apim-Subscription-Key"] == KEY for r in fake.requests)
    assert KEY not in result.stdout + result.stderr
    for path in (tmp_path / "data").rglob("*"):  # the store, its log, the HTTP cache
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


@pytest.fixture
def stored(run, fake, tmp_path):
    """A store holding one Comtrade vintage, and its state."""
    assert collect(run, "--reporter", "MX", "--from", "2016").returncode == 0
    fake.requests.clear()
    return state(tmp_path)


def one_line_error(result: subprocess.CompletedProcess, code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("reportgen: error: "), result.stderr
    assert text in result.stderr, result.stderr


@pytest.mark.parametrize(("args", "code", "message", "asks"), [
    (("--reporter", "Atlantis", "--from", "2016"), 2, "unknown partner 'Atlantis'", False),
    (("--reporter", "MX", "--from", "2016", "--partner", "Narnia"), 2, "unknown partner 'Narnia'", False),
    (("--reporter", "MX", "--from", "2016", "--partner", "MX"), 2, "Mexico is the reporter", False),
    (("--reporter", "MX", "--from", "2016", "--partner", "TW"), 2, "Taiwan has no UN M49 code", False),
    (("--reporter", "EU", "--from", "2016"), 2, "European Union cannot be a Comtrade reporter", False),
    (("--reporter", "MX", "--from", "2031"), 2, "error: 2031 has not ended yet, so Comtrade has no figures", False),
    (("--reporter", "MX", "--from", "2016", "--detail", "hs8"), 2, "--detail 'hs8': choose total, hs2, hs4 or hs6",
     False),
    (("--reporter", "MX", "--from", "2016", "--partner", "RU", "--partner", "CN"), 2, "takes one --partner", False),
    (("--from", "2016"), 2, "--source comtrade needs --reporter and --from", False),
    (("--reporter", "MX", "--from", "2010", "--to", "2016"), 1, ("Comtrade has not published Mexico's 2010, 2011 "
     "figures"), True),
])
def test_bad_input_is_one_line_and_changes_nothing(run, fake, tmp_path, stored, args, code, message, asks):
    one_line_error(collect(run, *args), code, message)
    assert state(tmp_path) == stored
    assert bool(fake.requests) == asks  # input that cannot be right is refused before any request


@pytest.mark.parametrize(("failure", "message"), [
    ((200, {}, '{"elapsedTime": "0 secs", "count": 0, "data": [], "error": "Invalid parameter flowCode"}'),
     "Comtrade answered with an error: Invalid parameter flowCode"),
    ((200, {}, '{"elapsedTime": "0.1 secs", "count": 2, "data": [{"period": "2016"}, 7], "error": ""}'),
     'the answer has no list of records under "data"'),
    ((200, {}, "<!DOCTYPE html><html>Maintenance</html>"), "the answer is not valid JSON"),
    ((503, {}, '{"statusCode": 503, "message": "Service unavailable"}'), "kept failing after 1 retry (HTTP 503"),
])
def test_bad_answers_are_one_line_and_change_nothing(run, fake, tmp_path, stored, failure, message):
    fake.failures += [failure] * 2
    one_line_error(collect(run, "--reporter", "MX", "--from", "2015", "--to", "2016"), 1, message)
    assert state(tmp_path) == stored


def test_a_wrong_key_is_one_line_and_changes_nothing(run, fake, tmp_path, stored):
    result = collect(run, "--reporter", "MX", "--from", "2016", key="wrong-key-1234567")
    one_line_error(result, 1, "Comtrade refused the request (HTTP 401): Access denied due to invalid subscription "
                              "key. Make sure to provide a valid key for an active subscription. (check "
                              "COMTRADE_API_KEY)")
    assert "wrong-key-1234567" not in result.stderr
    assert state(tmp_path) == stored


def test_monthly(run, httpserver, tmp_path):
    from fakes.comtrade import record

    rows_ = [record("M", 484, f"2016{m:02d}", flow, partner, "TOTAL", 1_000_000.0 * m + partner)
             for m in range(1, 13) for flow in "XM" for partner in (0, 842, 643)]
    httpserver.expect_request(re.compile("^/public/.*")).respond_with_handler(ComtradeFake(rows_))
    result = collect(run, "--reporter", "MX", "--from", "2016-11", "--to", "2016-12", "--freq", "M")
    assert result.returncode == 0, result.stderr
    assert "6 values" not in result.stdout and "12 values through 2016-12" in result.stdout
    assert rows(tmp_path, "SELECT value FROM observations WHERE partner = 'USA' AND flow = 'import' AND "
                          "period = '2016-12'") == [(12_000_842,)]


def test_collected_figures_make_a_briefing_from_mexicos_side(run, fake, tmp_path):
    """Collect to briefing, end to end: the facts and the story read what `collect` stored."""
    assert collect(run, "--reporter", "MX", "--from", "2012", "--to", "2016", "--partner", "RU",
                   "--detail", "hs6").returncode == 0
    facts = run("facts", "--reporter", "484", "--partner", "RU", "--period", "2016", "--json")
    assert facts.returncode == 0, facts.stderr
    figures = json.loads(facts.stdout)
    assert (figures["reporter"], figures["partner"]) == ("MEX", "RUS")
    assert (figures["exports"], figures["imports"]) == (179_312_346, 1_301_456_789)
    built = run("build", "--reporter", "MX", "--partner", "Russia", "--period", "2016", "--format", "html")
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "output" / "2016" / "MEX-RUS" / "MEX-RUS-2016.html").read_text(encoding="utf-8")
    assert "Mexico exported $179 million to Russia and imported $1.3 billion from it" in page
