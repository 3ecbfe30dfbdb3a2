"""The Census API end to end: `reportgen collect --source census-api` against a local stand-in for
the API (tests/fakes/census_api.py), then briefings that say what drove the change."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakes.census_api import FIXTURE, PREFIX, SHARES, CensusApiFake

KEY = "S3cret-test-key-4242"


@pytest.fixture
def fake(httpserver):
    handler = CensusApiFake(KEY)
    httpserver.expect_request(re.compile(f"^{PREFIX}/.*")).respond_with_handler(handler)
    return handler


@pytest.fixture
def run(httpserver, tmp_path, seeded_store):
    seeded_store(tmp_path / "data")  # as a user has it: the snapshot, which any command would have seeded
    env = {**os.environ, "CENSUS_API_BASE_URL": httpserver.url_for(PREFIX), "CENSUS_API_KEY": KEY}
    (tmp_path / "config.yaml").write_text("http:\n  retries: 2\n  backoff: 0\n")

    def run(*args: str, key: str | None = KEY) -> subprocess.CompletedProcess:
        environment = {**env, "CENSUS_API_KEY": key} if key is not None else \
            {k: v for k, v in env.items() if k != "CENSUS_API_KEY"}
        return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=tmp_path, env=environment,
                              capture_output=True, text=True, timeout=120, check=False)

    return run


def collect(run, *extra: str) -> subprocess.CompletedProcess:
    return run("collect", "--source", "census-api", "--from", "2023-01", "--to", "2024-12", *extra)


def expected_vehicles() -> tuple[int, float]:
    """Mexico's imports of vehicles and parts, 2024 against 2023, worked from the fixture's figures."""
    totals = json.loads(FIXTURE.read_text())["totals"]["2010"]["import"]

    def year(y: int) -> tuple[int, int]:
        months = [totals[f"{y}-{m:02d}"] for m in range(1, 13)]
        return sum(int(t * SHARES[("import", str(y))]["87"]) for t in months), sum(months)

    (now, _), (before, before_total) = year(2024), year(2023)
    return now - before, (now - before) / before_total * 100


def test_collect_then_build_says_what_drove_the_change(run, fake, tmp_path):
    result = collect(run, "--detail", "hs2", "--partner", "MX")
    assert result.returncode == 0, result.stderr
    assert re.match(r"stored census-api vintage \d{4}-\d\d-\d\d/[0-9a-f]{8}: [\d,]+ values through 2024-12",
                    result.stdout)

    built = run("build", "--partner", "MX", "--period", "2024", "--format", "html")
    assert built.returncode == 0, built.stderr
    html = (tmp_path / "output" / "2024" / "MEX" / "MEX-2024.html").read_text()
    change, points = expected_vehicles()
    assert "What drove the change" in html
    assert (f"Among imports from Mexico, vehicles and parts rose ${change / 1e9:.1f} billion "
            f"(adding {points:.1f} percentage points)") in html
    assert "Vehicles and parts made up 32.0% of imports from Mexico" in html
    assert "What drove the change: products that moved trade with Mexico most, 2024" in html  # the chart
    assert "Product detail (HS2): U.S. Census Bureau, International Trade API, read " in html
    assert "Product detail: U.S. Census Bureau, International Trade API, read " in html  # the movers' note
    assert '<meta name="reportgen:detail-source" content="census-api">' in html
    assert "census-api" not in html.split("</head>", 1)[1]  # the source id only in the <meta> elements
    # The headline figures still come from the preferred source, the bulk file.
    assert "reached $168.6 billion in 2024, the largest on record" in html

    data = json.loads(run("facts", "--partner", "MX", "--period", "2024", "--json").stdout)
    assert data["source"] == "census-bulk" and data["movers"]["source"] == "census-api"
    assert data["movers"]["imports"]["rising"][0]["code"] == "87"
    assert data["movers"]["imports"]["rising"][0]["change"] == change

    again = collect(run, "--detail", "hs2", "--partner", "MX")
    assert again.stdout.startswith("unchanged: census-api vintage")


def test_the_preferred_source_gives_every_figure(run, fake, tmp_path):
    assert collect(run).returncode == 0
    (tmp_path / "config.yaml").write_text("sources:\n  prefer: census-api\n")
    api = json.loads(run("facts", "--partner", "MX", "--period", "2024", "--json").stdout)
    assert api["source"] == "census-api"
    assert api["exports"] == 334_492_000_000  # the API's months, exact; the bulk file's annual total is 334,492.1
    older = json.loads(run("facts", "--partner", "MX", "--period", "2019", "--json").stdout)
    assert older["source"] == "census-bulk"  # the API store lacks 2019: the other source, whole


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_not_published_yet(run, fake):
    line = one_line(run("collect", "--source", "census-api", "--from", "2025-01", "--to", "2025-03"))
    assert "not published yet; the latest month available is 2024-12" in line


def test_wrong_or_missing_key(run, fake):
    assert "CENSUS_API_KEY is missing or invalid (get one at https://api.census.gov/data/key_signup.html)" in \
        one_line(run("collect", "--source", "census-api", "--from", "2024-01", "--to", "2024-12", key="wrong-key-1"))
    assert "set CENSUS_API_KEY" in one_line(run("collect", "--source", "census-api", key=None))


def test_server_trouble_then_success(run, fake):
    fake.failures = [503]
    assert collect(run).returncode == 0
    before = run("vintages").stdout
    fake.failures = [503] * 3
    assert "kept failing after 2 retries (HTTP 503" in one_line(collect(run, "--detail", "hs2", "--partner", "MX"))
    assert run("vintages").stdout == before  # nothing half-stored


def test_the_key_shows_up_nowhere(run, fake, tmp_path):
    collect(run, "--detail", "hs2", "--partner", "MX")
    fake.failures = [500] * 3
    outputs = [collect(run), run("vintages"), run("build", "--partner", "MX", "--period", "2024", "--format", "html"),
               run("facts", "--partner", "MX", "--period", "2024", "--json")]
    assert fake.requests and all(r.args.get("key") == KEY for r in fake.requests)
    for result in outputs:
        assert KEY not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_bad_options(run, fake):
    assert "--from, --to, --detail and --partner are for --source census-api" in \
        run("collect", "--from", "2024-01").stderr
    assert "choose hs2, hs4" in run("collect", "--source", "census-api", "--detail", "hs6").stderr
    assert "give a month, YYYY-MM" in run("collect", "--source", "census-api", "--from", "2024").stderr


def test_a_400_that_quotes_the_key_does_not_print_it(run, httpserver):
    """The API may echo the request (its URL, or the key alone) in a 400's text; the key showed on stderr."""
    echo = f"error: invalid key {KEY} in request get=CTY_CODE&key={KEY}; key '{KEY}' is not valid"
    httpserver.expect_request(re.compile(f"^{PREFIX}/.*")).respond_with_data(echo, status=400)
    result = collect(run)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the Census API rejected the query: error: invalid key REDACTED" in result.stderr
    assert KEY not in result.stdout + result.stderr
