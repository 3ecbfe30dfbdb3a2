"""`reportgen run`, the monthly job, end to end in real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

NO_NEW_RELEASE = 75
BUSY = 4


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", "run", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def stages(result: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    """(stage, status) of each JSON log line the run wrote."""
    return [(line["stage"], line["status"]) for line in map(json.loads, result.stderr.splitlines())]


@pytest.fixture
def home(tmp_path: Path, seeded_store) -> Path:
    (tmp_path / "config.yaml").write_text("partners: [MX, CA]\n")
    seeded_store(tmp_path / "data")
    return tmp_path


def test_a_second_run_is_a_no_op(home):
    first = run(home, "--offline")
    assert first.returncode == 0, first.stderr
    assert ("build", "ok") in stages(first)
    [build] = [line for line in map(json.loads, first.stderr.splitlines()) if line["stage"] == "build"]
    assert build["warning"].startswith("no news feed has been read yet")  # the default feeds, never collected
    built = sorted(p.relative_to(home / "output").as_posix() for p in (home / "output").rglob("*.pdf"))
    assert built == ["2024-12/CAN/CAN-2024-12.pdf", "2024-12/MEX/MEX-2024-12.pdf"]
    before = {p: p.stat().st_mtime_ns for p in (home / "output").rglob("*") if p.is_file()}

    second = run(home, "--offline")
    assert second.returncode == NO_NEW_RELEASE
    assert stages(second)[-1] == ("check", "nothing")
    assert {p: p.stat().st_mtime_ns for p in (home / "output").rglob("*") if p.is_file()} == before
    quiet = subprocess.run([sys.executable, "-m", "reportgen", "--quiet", "run", "--offline"], cwd=home,
                           capture_output=True, text=True, timeout=300, check=False)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (NO_NEW_RELEASE, "", "")  # nothing failed or warned


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
    assert busy.returncode == BUSY  # not NO_NEW_RELEASE: nothing was checked
    assert busy.stderr == (f"reportgen: error: run: another reportgen run or build is writing in {home / 'data'}; "
                           "try again later\n")
    assert not (home / "output").exists()
    assert run(home, "--offline").returncode == 0  # free again: the job runs


def test_two_runs_at_once(home):
    """Started together: one briefs, the other finds the data folder held and stops at once; the archive ends whole."""
    command = [sys.executable, "-m", "reportgen", "run", "--offline"]
    runs = [subprocess.Popen(command, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    codes = sorted(p.wait(timeout=300) for p in runs)
    assert codes == [0, BUSY]
    assert run(home, "--offline").returncode == NO_NEW_RELEASE
    assert len(list((home / "output").rglob("*.pdf"))) == 2


def subscribed_home(home: Path, port: int) -> Path:
    (home / "config.yaml").write_text(
        f"partners: [MX]\npublic_url: https://briefings.example.org\n"
        f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n  sender: Trade desk <desk@example.org>\n")
    from reportgen.store.mail import MailStore, NewSubscriber

    with MailStore(home / "data" / "reportgen.db") as box:  # as `reportgen subscribers add` does
        box.add([NewSubscriber(address) for address in ("ana@example.com", "ben@example.com", "cy@example.com")])
    return home


def test_run_builds_archives_and_sends_once(home):
    from fakes.smtp import smtp_server

    with smtp_server() as server:
        subscribed_home(home, server.port)
        first = run(home, "--offline")
        assert first.returncode == 0, first.stderr
        assert [s for s, _ in stages(first)] == ["collect", "news", "build", "send"]
        assert sorted(m.rcpt_tos[0] for m in server.handler.messages) == [
            "ana@example.com", "ben@example.com", "cy@example.com"]
        subject = "U.S. goods trade deficit with Mexico widens to $14.5 billion in December 2024"
        assert all(m.message["Subject"] == subject for m in server.handler.messages)
        assert (home / "output" / "index.html").is_file() and (home / "output" / "feed.atom").is_file()

        second = run(home, "--offline")
        assert second.returncode == NO_NEW_RELEASE
        assert len(server.handler.messages) == 3  # nothing sent twice


def test_a_crash_between_build_and_send_is_finished_by_the_next_run(home):
    from fakes.smtp import smtp_server

    crash = ("import os, sys\nfrom reportgen import pipeline\n"
             "pipeline.send = lambda *args, **kwargs: os._exit(3)  # the process dies, no clean-up\n"
             "from reportgen.cli import main\nsys.argv = ['reportgen', 'run', '--offline']\nmain()\n")
    with smtp_server() as server:
        subscribed_home(home, server.port)
        crashed = subprocess.run([sys.executable, "-c", crash], cwd=home, capture_output=True, text=True, timeout=300,
                                 check=False)
        assert crashed.returncode == 3
        assert [s for s, _ in stages(crashed)] == ["collect", "news", "build"]  # send never finished
        assert server.handler.messages == []

        again = run(home, "--offline")
        assert again.returncode == 0, again.stderr
        assert [s for s, _ in stages(again)] == ["collect", "send"]  # only what was left
        assert sorted(m.rcpt_tos[0] for m in server.handler.messages) == [
            "ana@example.com", "ben@example.com", "cy@example.com"]
        assert run(home, "--offline").returncode == NO_NEW_RELEASE
        assert len(server.handler.messages) == 3
