"""The command line end to end, as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.sources.census_bulk import HEADER


def run(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120, check=False)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reportgen: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A working folder whose store is already seeded, shared by the read-only tests."""
    path = tmp_path_factory.mktemp("home")
    collected = run("collect", "--snapshot", cwd=path)
    assert collected.stdout == ("stored census-bulk vintage 2026-10-01/86b70f62: 209,868 values through 2024-12, "
                                "209,868 new or revised\n")
    return path


def test_facts_json(home):
    data = json.loads(run("facts", "--partner", "MX", "--period", "2024", "--json", cwd=home).stdout)
    assert data["partner"] == "MEX" and data["period"] == "2024"
    assert (data["exports"], data["imports"]) == (334_492_100_000, 503_110_100_000)
    assert (data["balance"], data["total_trade"]) == (-168_618_000_000, 837_602_200_000)
    assert round(data["change_pct"]["balance"], 1) == 13.6
    assert data["record"] is True
    assert data["ranks"] == {"total_trade": 1, "exports": 2, "imports": 1}
    assert data["previous_ranks"] == {"total_trade": 1, "exports": 2, "imports": 1}
    assert data["source"] == "census-bulk" and data["vintage"].startswith("2026-10-01/")


def test_facts_text(home):
    out = run("facts", "--partner", "Canada", "--period", "2024-05-ytd", cwd=home).stdout
    assert "Canada (CAN), January–May 2024" in out and "$147.6 billion" in out  # exports 147,634.7


def test_build_prints_what_it_wrote(home, tmp_path):
    out = run("build", "--partner", "2010", "--period", "2024-01", "--format", "html", "--out", str(tmp_path), cwd=home)
    written = [Path(line) for line in out.stdout.split()]
    assert written == [tmp_path / "MEX-2024-01.html"]
    html = written[0].read_text(encoding="utf-8")
    assert "$11.3 billion in January 2024" in html
    assert list(tmp_path.iterdir()) == written  # no temporary files left behind


def test_partners(home):
    out = run("partners", cwd=home).stdout
    assert "MEX   MX  2010       Mexico" in out
    assert "European Union" not in out
    assert "European Union  [group]" in run("partners", "--all", cwd=home).stdout


def test_vintages(home):
    assert "census-bulk  2026-10-01/" in run("vintages", cwd=home).stdout


def test_unknown_partner(home):
    one_line_error(run("facts", "--partner", "Mexcio", "--period", "2024", cwd=home, ok=False), 2,
                   "unknown partner 'Mexcio'", "did you mean Mexico")


@pytest.mark.parametrize("measure", ["Advanced Technology Products", "0021", "Unidentified Countries"])
def test_a_measure_beside_the_partners_is_not_briefed(home, tmp_path, measure):
    """The Census file lists a product category and preference-program imports beside the partners:
    no exports, no balance, so a "deficit with Advanced Technology Products" would be false."""
    result = run("build", "--partner", measure, "--period", "2024", "--out", str(tmp_path), cwd=home, ok=False)
    one_line_error(result, 2, "not a trading partner")
    assert list(tmp_path.iterdir()) == []
    assert "Advanced Technology Products  [measure]" in run("partners", "--all", cwd=home).stdout


def test_period_outside_the_data(home, tmp_path):
    result = run("build", "--partner", "MX", "--period", "2025-03", "--out", str(tmp_path), cwd=home, ok=False)
    one_line_error(result, 2, "2025-03", "latest available period is 2024-12")
    assert list(tmp_path.iterdir()) == []


def test_bad_format_option(home):
    result = run("build", "--partner", "MX", "--period", "2024", "--format", "docx", cwd=home, ok=False)
    assert result.returncode == 2 and "choose from html, pdf" in result.stderr and "Traceback" not in result.stderr


def test_bad_config(tmp_path):
    (tmp_path / "config.yaml").write_text("briefing:\n  page_size: A5\n")
    one_line_error(run("partners", cwd=tmp_path, ok=False), 2, "config.yaml", "briefing.page_size")


def store_state(cwd: Path) -> str:
    from reportgen.store import Store

    with Store(cwd / "data" / "reportgen.db") as store:
        return repr(store.vintages())


@pytest.mark.parametrize(("content", "message"), [
    (b"PK\x03\x04 not really a zip", "not a readable .xlsx file"),
    (b"\x00\x01\x02garbage", "not the Census country.xlsx layout: column A"),
    (",".join(["year", "CTY_CODE", "NAME", *HEADER[3:]]).encode() + b"\n2024,2010,Mexico\n",
     "not the Census country.xlsx layout: column C is 'NAME', expected 'CTYNAME'"),
])
def test_collect_refuses_bad_files_and_leaves_the_store_alone(tmp_path, seeded_store, content, message):
    seeded_store(tmp_path / "data")
    before = store_state(tmp_path)
    bad = tmp_path / "country.xlsx"
    bad.write_bytes(content)
    one_line_error(run("collect", "--file", str(bad), cwd=tmp_path, ok=False), 1, message)
    assert store_state(tmp_path) == before


def test_collect_missing_file(tmp_path):
    one_line_error(run("collect", "--file", "nope.xlsx", cwd=tmp_path, ok=False), 1, "nope.xlsx", "cannot read")


def test_failed_download_leaves_the_store_alone(tmp_path, httpserver, seeded_store):
    httpserver.expect_request("/country.xlsx").respond_with_data("down", status=503)
    (tmp_path / "config.yaml").write_text(
        f"census:\n  bulk_url: {httpserver.url_for('/country.xlsx')}\nhttp:\n  retries: 1\n  backoff: 0\n")
    seeded_store(tmp_path / "data")
    before = store_state(tmp_path)
    one_line_error(run("collect", cwd=tmp_path, ok=False), 1, "Census bulk file download failed", "country.xlsx")
    assert store_state(tmp_path) == before
    assert len(httpserver.log) == 2  # the first try and one retry


def test_facts_text_calls_a_zero_balance_balanced(home):
    """The Cocos (Keeling) Islands, December 2024: exports and imports of $0.1 million each; a year
    earlier no exports and $0.2 million of imports."""
    out = run("facts", "--partner", "CCK", "--period", "2024-12", cwd=home).stdout
    assert re.search(r"balance +balanced +\$200,000 deficit +n/a$", out, re.M)
    assert "share of U.S. goods trade: less than 0.1%" in out


@pytest.mark.parametrize("name", ["US", "U.S.", "United States", "Estados Unidos"])
def test_the_reporter_is_not_a_partner(home, name):
    one_line_error(run("facts", "--partner", name, "--period", "2024", cwd=home, ok=False), 2,
                   "the United States is the reporter")
