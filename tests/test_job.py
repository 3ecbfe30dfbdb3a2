"""`reportgen run`, the monthly job, end to end in real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

NO_NEW_RELEASE = 75


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", "run", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def stages(result: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    """(stage, status) of each JSON log line the run wrote."""
    return [(line["stage"], line["status"]) for line in map(json.loads, result.stderr.splitlines())]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text("partners: [MX, CA]\n")
    return tmp_path


def test_a_second_run_is_a_no_op(home):
    first = run(home, "--offline")
    assert first.returncode == 0, first.stderr
    assert ("build", "ok") in stages(first)
    built = sorted(p.relative_to(home / "output").as_posix() for p in (home / "output").rglob("*.pdf"))
    assert built == ["2024-12/CAN/CAN-2024-12.pdf", "2024-12/MEX/MEX-2024-12.pdf"]
    before = {p: p.stat().st_mtime_ns for p in (home / "output").rglob("*") if p.is_file()}

    second = run(home, "--offline")
    assert second.returncode == NO_NEW_RELEASE
    assert stages(second)[-1] == ("check", "nothing")
    assert {p: p.stat().st_mtime_ns for p in (home / "output").rglob("*") if p.is_file()} == before


def test_a_source_that_is_down_does_not_stop_the_job(home, httpserver):
    httpserver.expect_request("/country.xlsx").respond_with_data("down", status=503)
    (home / "config.yaml").write_text(f"partners: [MX]\ncensus:\n  bulk_url: {httpserver.url_for('/country.xlsx')}\n"
                                      "http:\n  retries: 0\n")
    result = run(home)
    assert result.returncode == 0, result.stderr
    assert stages(result)[0] == ("collect", "warning")
    assert (home / "output" / "2024-12" / "MEX" / "MEX-2024-12.html").is_file()


def test_a_run_finds_the_data_folder_busy(home):
    from reportgen.files import exclusive

    with exclusive(home / "data", wait=0, what="test"):  # an editor's build, say
        busy = run(home, "--offline")
    assert busy.returncode == NO_NEW_RELEASE
    assert "another reportgen run or build is writing" in busy.stderr
    assert not (home / "output").exists()
    assert run(home, "--offline").returncode == 0  # free again: the job runs


def test_two_runs_at_once(home):
    """Started together: one briefs, the other waits for nothing; the archive ends whole."""
    command = [sys.executable, "-m", "reportgen", "run", "--offline"]
    runs = [subprocess.Popen(command, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    codes = sorted(p.wait(timeout=300) for p in runs)
    assert codes == [0, NO_NEW_RELEASE]
    assert run(home, "--offline").returncode == NO_NEW_RELEASE
    assert len(list((home / "output").rglob("*.pdf"))) == 2
