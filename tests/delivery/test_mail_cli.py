"""The email commands as a user runs them: real processes, a real SMTP server, a process killed midway."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fakes.smtp import smtp_server

FAKE_SERVER = Path(__file__).resolve().parent.parent / "fakes" / "smtp.py"


def run(*args: str, cwd: Path, ok: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120, env=env, check=False)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def home(tmp_path: Path, seeded_store):
    """A working folder with a copy of the seeded store and a config.yaml that sends to `port` (set by `configure`)."""
    seeded_store(tmp_path / "data")

    def configure(port: int) -> Path:
        (tmp_path / "config.yaml").write_text(
            "public_url: https://briefings.example.org\n"
            f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
            "  sender: Trade desk <briefings@example.org>\n", encoding="utf-8")
        return tmp_path

    return configure


def test_acceptance_three_subscribers_one_digest_each_then_one_click_unsubscribe(home):
    with smtp_server() as server:
        cwd = home(server.port)
        for address in ("ana@example.com", "bob@example.com", "carol@example.com"):
            assert run("subscribers", "add", address, cwd=cwd).stdout.startswith(f"added {address}")
        out = run("send", "--partner", "MX", "--period", "2024", cwd=cwd).stdout
        assert "MEX-2024: U.S. goods trade deficit with Mexico hits record $168.6 billion in 2024" in out
        assert "sent 3 now" in out and "outbox: 3 sent" in out
        assert sorted(m.rcpt_tos[0] for m in server.messages) == ["ana@example.com", "bob@example.com",
                                                                   "carol@example.com"]
        for got in server.messages:
            msg = got.message
            assert msg.get_content_type() == "multipart/alternative" and msg["To"] == got.rcpt_tos[0]
            assert msg.get_body(("plain",)) and msg.get_body(("html",)) and not msg.defects
        # bob clicks the one-click link: the token is the last part of his List-Unsubscribe https URL
        bob = next(m.message for m in server.messages if m.rcpt_tos == ["bob@example.com"])
        token = bob["List-Unsubscribe"].split(">", 1)[0].rsplit("/", 1)[1]
        assert run("subscribers", "unsubscribe", token, cwd=cwd).stdout == "unsubscribed bob@example.com\n"
        out = run("send", "--partner", "CA", "--period", "2024", cwd=cwd).stdout
        assert "sent 2 now" in out
        assert "bob@example.com" not in [m.rcpt_tos[0] for m in server.messages[3:]]
        status = run("outbox", "--partner", "CA", "--period", "2024", "--all", cwd=cwd).stdout
        assert "2 sent" in status and "ana@example.com" in status
        assert "MEX-2024" in run("outbox", cwd=cwd).stdout


def test_a_killed_send_then_a_rerun_gives_exactly_one_each(home, tmp_path):
    """The server (another process) answers slowly; `reportgen send` is killed with SIGKILL midway."""
    maildir = tmp_path / "maildir"
    server = subprocess.Popen([sys.executable, str(FAKE_SERVER), str(maildir), "0.3"])
    try:
        deadline = time.monotonic() + 20
        while not (maildir / "port").exists():
            assert time.monotonic() < deadline and server.poll() is None, "the SMTP server did not start"
            time.sleep(0.05)
        cwd = home(int((maildir / "port").read_text()))
        people = [f"reader{n}@example.com" for n in range(1, 7)]
        tmp_csv = tmp_path / "people.csv"
        tmp_csv.write_text("email\n" + "\n".join(people) + "\n", encoding="utf-8")
        run("subscribers", "import", str(tmp_csv), cwd=cwd)
        sender = subprocess.Popen([sys.executable, "-m", "reportgen", "send", "--partner", "MX", "--period", "2024"],
                                  cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while len(list(maildir.glob("*.eml"))) < 2:
            assert time.monotonic() < deadline and sender.poll() is None, "send ended before it could be killed"
            time.sleep(0.02)
        time.sleep(0.1)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        out = run("send", "--partner", "MX", "--period", "2024", cwd=cwd).stdout
        status = run("outbox", "--partner", "MX", "--period", "2024", cwd=cwd).stdout
    finally:
        server.kill()
        server.wait()
    received = Counter(message_from_bytes(p.read_bytes(), policy=policy.default)["To"] for p in maildir.glob("*.eml"))
    assert received == Counter(people), (out, status)
    assert "0 pending" in status and "0 sending" in status


def test_subscribers_import_export_list_remove(home, tmp_path):
    cwd = home(25)
    listing = tmp_path / "list.csv"
    listing.write_text(
        "Email,Name,Partners,Status\n"
        "ana@example.com,Ana Ruiz,\"MX,CA\",\n"
        "not an address,Nobody,,\n"
        "bob@EXAMPLE.com,Bob,Narnia,\n"
        "carol@example.com,Carol,,unsubscribed\n"
        "ANA@example.com,Ana again,,\n"
        "dave@example.com,Dave,China,\n", encoding="utf-8")
    result = run("subscribers", "import", str(listing), cwd=cwd)
    assert result.stdout == "imported 3, already subscribed 0, bad rows 3\n"
    warnings = result.stderr.splitlines()
    assert len(warnings) == 3 and all(w.startswith("reportgen: warning: list.csv line ") for w in warnings)
    assert "line 3: 'not an address' is not a usable email address" in warnings[0]
    assert "line 4: unknown partner 'Narnia'" in warnings[1]
    assert "line 6: ANA@example.com already appears on line 2" in warnings[2]
    # carol unsubscribed: importing her again (even as active) leaves her unsubscribed
    again = tmp_path / "again.csv"
    again.write_text("carol@example.com\nerin@example.com,Erin\n", encoding="utf-8")
    assert run("subscribers", "import", str(again), cwd=cwd).stdout == "imported 1, already subscribed 1, bad rows 0\n"
    listed = run("subscribers", "list", cwd=cwd).stdout.splitlines()
    assert listed[-1] == "4 subscribers: 3 active, 1 unsubscribed"
    assert listed[0].split()[:5] == ["ana@example.com", "Ana", "Ruiz", "en", "MEX,CAN"]
    exported = run("subscribers", "export", cwd=cwd).stdout.splitlines()
    assert exported[0] == "email,name,language,partners,status,created,changed"
    assert exported[1].startswith('ana@example.com,Ana Ruiz,en,"MEX,CAN",active,')
    assert any(line.startswith("carol@example.com,Carol,en,,unsubscribed,") for line in exported)
    assert run("subscribers", "remove", "dave@example.com", cwd=cwd).stdout == "removed dave@example.com\n"
    failed = run("subscribers", "remove", "dave@example.com", cwd=cwd, ok=False)
    assert failed.returncode == 2 and failed.stderr == "reportgen: error: dave@example.com is not a subscriber\n"
    duplicate = run("subscribers", "add", "Ana@Example.com", cwd=cwd, ok=False)
    assert duplicate.stderr == ("reportgen: error: Ana@example.com is already a subscriber (active); "
                                "remove it first to add it again\n")
    bad = run("subscribers", "unsubscribe", "AQ.forgedforgedforgedforged", cwd=cwd, ok=False)
    assert bad.returncode == 2 and "not a valid unsubscribe token" in bad.stderr and "Traceback" not in bad.stderr
    overflowing = run("subscribers", "unsubscribe", "__________8.AAAAAAAAAAAAAAAAAAAAAA", cwd=cwd, ok=False)
    assert overflowing.returncode == 2  # a number past SQLite's integers: it was an OverflowError traceback
    assert overflowing.stderr == "reportgen: error: not a valid unsubscribe token (or its subscriber was removed)\n"


def test_names_cannot_forge_list_lines_and_exports_cannot_run_formulas(home, tmp_path):
    """A name with CR/LF printed raw forges lines of `subscribers list`; a cell starting = + - @ is a formula
    when the export is opened in a spreadsheet."""
    from reportgen.store.mail import MailStore, NewSubscriber

    cwd = home(25)
    forged = "Eve\r\nmallory@example.com                Mallory              en  (default)    active"
    listing = tmp_path / "list.csv"
    listing.write_text("email,name\n"
                       f'eve@example.com,"{forged}"\n'
                       '"=1+1@example.com","=HYPERLINK(""http://evil.example"",""open"")"\n'
                       "+44@example.com,@SUM(A1)\n", encoding="utf-8")
    assert run("subscribers", "import", str(listing), cwd=cwd).stdout.startswith("imported 3,")
    with MailStore(cwd / "data" / "reportgen.db") as box:  # a name stored before names were cleaned
        box.add([NewSubscriber("legacy@example.com", "Old\x1b[2Jname\rX")])
    listed = run("subscribers", "list", cwd=cwd).stdout
    assert "\r" not in listed and "\x1b" not in listed and len(listed.splitlines()) == 5
    assert "mallory@example.com" not in listed.splitlines()[-5][:32]
    assert "Old\\x1b[2Jname\\rX"[:20] in listed
    exported = run("subscribers", "export", cwd=cwd).stdout
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert cells and not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil.example\",\"open\")" in cells and "'+44@example.com" in cells
    # `import` reads its own export back as it was
    (tmp_path / "export.csv").write_text(exported, encoding="utf-8")
    run("subscribers", "remove", "+44@example.com", cwd=cwd)
    assert run("subscribers", "import", str(tmp_path / "export.csv"), cwd=cwd).stdout.startswith("imported 1,")
    assert run("subscribers", "list", cwd=cwd).stdout.count("+44@example.com ") == 1


def test_partners_are_named_as_a_user_writes_them(home):
    cwd = home(25)
    run("subscribers", "add", "erin@example.com", "--partners", "United Kingdom; MX, South Korea", cwd=cwd)
    assert run("subscribers", "list", cwd=cwd).stdout.split()[:3] == ["erin@example.com", "en", "GBR,MEX,KOR"]
    refused = run("subscribers", "add", "finn@example.com", "--partners", "Advanced Technology Products", cwd=cwd,
                  ok=False)
    assert refused.returncode == 2 and "is not a trading partner" in refused.stderr


def test_send_errors_are_one_line_and_secrets_stay_out(home, tmp_path):
    cwd = home(9)  # nothing listens on port 9
    run("subscribers", "add", "ana@example.com", cwd=cwd)
    env = {**os.environ, "REPORTGEN_SMTP_PASSWORD": "hunter2-very-secret", "REPORTGEN_SECRET_KEY": "s" * 40}
    failed = run("send", "--partner", "MX", "--period", "2024", cwd=cwd, ok=False, env=env)
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1] == ("reportgen: error: cannot connect to the SMTP server 127.0.0.1:9 "
                                              "(Connection refused)")
    assert "hunter2" not in failed.stdout + failed.stderr and "s" * 40 not in failed.stdout + failed.stderr
    assert not (cwd / "data" / "secret.key").exists()  # the key came from the environment
    out = run("send", "--partner", "MX", "--period", "2024", "--dry-run", cwd=cwd, env=env).stdout
    assert "wrote 1 message to output/digests/MEX-2024/" in out
    assert "s" * 40 not in (cwd / "output/digests/MEX-2024/00001-ana@example.com.eml").read_text()


def test_a_deferred_message_is_reported_and_the_exit_code_says_to_run_again(home):
    with smtp_server(refuse={"bob@example.com": "451 4.2.1 mailbox busy"}) as server:
        cwd = home(server.port)
        run("subscribers", "add", "ana@example.com", cwd=cwd)
        run("subscribers", "add", "bob@example.com", cwd=cwd)
        result = run("send", "--partner", "MX", "--period", "2024", cwd=cwd, ok=False)
    assert result.returncode == 1
    assert "sent 1 now (2 newly queued)\n  deferred bob@example.com  451 4.2.1 mailbox busy\n" in result.stdout
    assert result.stderr.splitlines()[-1] == ("reportgen: error: MEX-2024: the server deferred some messages; "
                                              "1 still pending: run `reportgen send` again")
