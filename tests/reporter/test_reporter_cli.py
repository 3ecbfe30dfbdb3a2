"""`reportgen facts` and `build` with --reporter, as a user runs them: real processes, one-line errors, and a store
that a failed command leaves as it was."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from comtrade_seed import seed


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", "data", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("home")
    (path / "config.yaml").write_text("feeds: []\n", encoding="utf-8")
    seed(path / "data" / "reportgen.db")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_facts_json(home):
    result = run("facts", "--reporter", "MX", "--partner", "RU", "--period", "2016", "--json", cwd=home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["reporter"], data["partner"], data["exports"], data["imports"]) == ("MEX", "RUS", 179_013_412,
                                                                                    1_301_265_877)
    assert (data["ranks"]["imports"], data["ranks"]["exports"]) == (14, 49)
    assert data["largest_surplus"]["partner"] == "USA" and data["largest_deficit"]["partner"] == "CHN"
    assert data["products"][0]["lines"][0]["codes"] == ["870840", "870850"]
    assert data["mirror"]["mirrored"] == 1_164_227_330 and data["source"] == "comtrade"


def test_facts_text_names_the_reporter(home):
    result = run("facts", "--reporter", "Mexico", "--partner", "RUS", "--period", "2016", cwd=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Russia (RUS) as reported by Mexico (MEX), 2016: comtrade vintage ")
    assert "share of Mexico's goods trade" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--reporter", "Narnia", "--partner", "RU", "--period", "2016"), "unknown reporter 'Narnia'"),
    (("--reporter", "MX", "--partner", "Narnia", "--period", "2016"), "unknown partner 'Narnia'"),
    (("--reporter", "MX", "--partner", "RU", "--period", "2018"), "no 2018 figures reported by Mexico in the store"),
    (("--reporter", "MX", "--partner", "RU", "--period", "2016-05"), "annual; give a year"),
    (("--reporter", "CA", "--partner", "RU", "--period", "2016"), "no annual figures reported by Canada"),
    (("--reporter", "MX", "--partner", "MX", "--period", "2016"), "Mexico is the reporter"),
    (("--reporter", "EU", "--partner", "RU", "--period", "2016"), "not a country"),
])
@pytest.mark.parametrize("command", ["facts", "build"])
def test_bad_input_is_one_line_and_changes_nothing(home, command, args, message):
    before = digest(home / "data" / "reportgen.db")
    result = run(command, *args, cwd=home)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reportgen: error: ") and message in lines[0], result.stderr
    assert digest(home / "data" / "reportgen.db") == before
    assert not (home / "output").exists() or not any((home / "output").rglob("*.html"))


def test_build_prints_the_archive_place(home):
    result = run("build", "--reporter", "MEX", "--partner", "Russia", "--period", "2016", "--format", "html",
                 cwd=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["output/2016/MEX-RUS/MEX-RUS-2016.html"]
    assert (home / "output/2016/MEX-RUS/MEX-RUS-2016.html").is_file()
