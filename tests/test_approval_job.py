"""`reportgen run` and `reportgen send` under `job.approval: required`, in real processes with a real SMTP
server: drafts first, nothing sent until an editor approves on the web page, then the next run sends."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

NO_NEW_RELEASE = 75
EDITOR = ("desk.editor", "a long enough password")
SUBSCRIBERS = ("ana@example.com", "ben@example.com")


def reportgen(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def stages(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stderr.splitlines()]


@pytest.fixture
def home(tmp_path: Path, seeded_store) -> Path:
    seeded_store(tmp_path / "data")
    from reportgen.store import Store, users
    from reportgen.store.mail import MailStore, NewSubscriber

    with Store(tmp_path / "data" / "reportgen.db") as store:
        users.add(store, *EDITOR)
    with MailStore(tmp_path / "data" / "reportgen.db") as box:
        box.add([NewSubscriber(address) for address in SUBSCRIBERS])
    return tmp_path


def configure(home: Path, port: int) -> None:
    (home / "config.yaml").write_text(
        "partners: [MX]\npublic_url: https://briefings.example.org\nfeeds: []\njob:\n  approval: required\n"
        f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n  sender: Trade desk <desk@example.org>\n")


def approve_on_the_web_page(home: Path) -> None:
    """An editor opens the desk and presses the draft's Approve button (a POST with the page's CSRF token)."""
    import base64

    from reportgen.config import load_config
    from reportgen.web.app import create_app
    from reportgen.web.printing import PdfWorkers

    workers = PdfWorkers(1, timeout=60)
    try:
        client = create_app(load_config(home / "config.yaml"), workers=workers).test_client()
        login = {"Authorization": "Basic " + base64.b64encode(":".join(EDITOR).encode()).decode()}
        desk = client.get("/desk", headers=login).get_data(as_text=True)
        fields = {name: re.search(rf'name="{name}" value="([^"]+)"', desk)[1] for name in ("csrf_token", "built_at")}
        assert client.post("/desk/MEX/2024-12/approve", data=fields, headers=login).status_code == 303
    finally:
        workers.close()


def test_a_run_waits_for_approval_then_the_next_run_sends(home):
    from fakes.smtp import smtp_server

    with smtp_server() as server:
        configure(home, server.port)
        first = reportgen(home, "run", "--offline")
        assert first.returncode == 0, first.stderr
        assert [(s["stage"], s["status"]) for s in stages(first)] == [
            ("collect", "skipped"), ("news", "ok"), ("build", "ok"), ("send", "waiting")]
        assert stages(first)[-1]["detail"] == "waiting for an editor's approval: MEX-2024-12"
        assert server.handler.messages == []
        assert (home / "data" / "drafts" / "2024-12" / "MEX" / "MEX-2024-12.pdf").is_file()
        assert not (home / "output" / "2024-12").exists()  # drafts stay out of the public archive

        waiting = reportgen(home, "run", "--offline")  # the next check: nothing built again, nothing sent
        assert waiting.returncode == NO_NEW_RELEASE, waiting.stderr
        assert [(s["stage"], s["status"]) for s in stages(waiting)] == [("collect", "skipped"), ("send", "waiting")]

        refused = reportgen(home, "send", "--partner", "MX", "--period", "2024-12")
        assert refused.returncode == 1 and refused.stdout == ""
        assert re.fullmatch(r"reportgen: error: MEX-2024-12 is waiting for approval \(draft built \S+Z\): approve "
                            r"it on the web page's desk \(/desk\), or send it anyway with --without-approval\n",
                            refused.stderr)
        assert server.handler.messages == []

        approve_on_the_web_page(home)
        assert (home / "output" / "2024-12" / "MEX" / "MEX-2024-12.pdf").is_file()
        sent = reportgen(home, "run", "--offline")
        assert sent.returncode == 0, sent.stderr
        assert [(s["stage"], s["status"]) for s in stages(sent)] == [("collect", "skipped"), ("send", "ok")]
        assert sorted(m.rcpt_tos[0] for m in server.handler.messages) == list(SUBSCRIBERS)
        assert reportgen(home, "run", "--offline").returncode == NO_NEW_RELEASE
        assert len(server.handler.messages) == 2  # nothing twice


def test_send_without_approval_is_an_explicit_choice(home):
    from fakes.smtp import smtp_server

    with smtp_server() as server:
        configure(home, server.port)
        never_built = reportgen(home, "send", "--partner", "MX", "--period", "2024")
        assert never_built.returncode == 1
        assert never_built.stderr.startswith("reportgen: error: MEX-2024 is not approved: it has not been built")
        assert len(never_built.stderr.splitlines()) == 1
        dry = reportgen(home, "send", "--partner", "MX", "--period", "2024", "--dry-run")  # changes nothing
        assert dry.returncode == 0, dry.stderr
        forced = reportgen(home, "send", "--partner", "MX", "--period", "2024", "--without-approval")
        assert forced.returncode == 0, forced.stderr
        assert sorted(m.rcpt_tos[0] for m in server.handler.messages) == list(SUBSCRIBERS)


def test_an_editors_build_is_a_draft_too(home):
    configure(home, 25)
    built = reportgen(home, "build", "--partner", "MX", "--period", "2024", "--format", "html")
    assert built.returncode == 0, built.stderr
    assert built.stdout == "data/drafts/2024/MEX/MEX-2024.html\n"
    assert built.stderr == "reportgen: drafts, not published: an editor approves them on the web page's desk (/desk)\n"
    assert not (home / "output" / "2024").exists()


def test_each_approved_issue_goes_out_while_others_wait(home):
    from fakes.smtp import smtp_server

    from reportgen.config import load_config
    from reportgen.pipeline import desk

    with smtp_server() as server:
        configure(home, server.port)
        (home / "config.yaml").write_text((home / "config.yaml").read_text().replace("[MX]", "[MX, CA]"))
        assert reportgen(home, "run", "--offline").returncode == 0
        config = load_config(home / "config.yaml")
        drafts = {d.build.partner: d.build for d in desk.drafts(config)}
        assert sorted(drafts) == ["CAN", "MEX"]
        desk.approve(config, "MEX", "2024-12", drafts["MEX"].built_at, "desk.editor")

        mexico = reportgen(home, "run", "--offline")
        assert mexico.returncode == 0, mexico.stderr
        assert stages(mexico)[-1]["status"] == "waiting"
        assert stages(mexico)[-1]["detail"].endswith("; waiting for an editor's approval: CAN-2024-12")
        assert len(server.handler.messages) == 2
        assert reportgen(home, "run", "--offline").returncode == NO_NEW_RELEASE  # Mexico's were sent already

        desk.approve(config, "CAN", "2024-12", drafts["CAN"].built_at, "desk.editor")
        canada = reportgen(home, "run", "--offline")
        assert canada.returncode == 0 and stages(canada)[-1]["status"] == "ok"
        assert len(server.handler.messages) == 4
        assert reportgen(home, "run", "--offline").returncode == NO_NEW_RELEASE
