"""`reportgen users`: accounts made from a prompt (asked twice on a terminal) or from stdin; no password shown."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from reportgen.store import Store, users


def reportgen(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", str(data_dir), "users", *args],
                          input=stdin, capture_output=True, text=True, timeout=60, check=False)


def test_add_list_change_and_remove_from_stdin(tmp_path):
    data = tmp_path / "data"
    first = reportgen(data, "add", "ana", stdin="first long password\n")
    assert (first.returncode, first.stdout, first.stderr) == (0, "added editor ana\n", "")
    assert reportgen(data, "add", "bo", stdin="second long password\r\n").returncode == 0
    assert reportgen(data, "list").stdout == "ana\nbo\n"
    changed = reportgen(data, "add", "ana", stdin="a new long password\n")
    assert changed.stdout == "changed the password of editor ana\n"
    with Store(data / "reportgen.db") as store:
        assert users.verify(users.get(store, "ana"), "a new long password")
        assert users.verify(users.get(store, "bo"), "second long password")
    removed = reportgen(data, "remove", "bo")
    assert (removed.returncode, removed.stdout) == (0, "removed editor bo\n")
    assert reportgen(data, "list").stdout == "ana\n"


def test_mistakes_end_with_one_line_and_exit_2(tmp_path):
    data = tmp_path / "data"
    for args, stdin, says in [
        (("add", "ana"), "short\n", "the password is too short"),
        (("add", "ana"), "", "the password is too short"),
        (("add", "a:b"), "long enough password\n", "user name 'a:b'"),
        (("remove", "nobody"), "", "there is no editor named 'nobody'"),
    ]:
        result = reportgen(data, *args, stdin=stdin)
        assert result.returncode == 2
        assert result.stderr.startswith("reportgen: error: ") and says in result.stderr
        assert len(result.stderr.splitlines()) == 1
        assert "short\n" not in result.stderr and "long enough" not in result.stderr


def test_on_a_terminal_the_password_is_asked_twice_and_not_echoed(tmp_path):
    pid, terminal = pty.fork()
    if pid == 0:  # the child: reportgen on a terminal of its own
        os.execv(sys.executable, [sys.executable, "-m", "reportgen", "--data-dir", str(tmp_path / "data"),
                                  "users", "add", "cleo"])
    seen = everything = b""

    def answer(prompt: bytes, line: str | None) -> None:
        nonlocal seen, everything
        deadline = time.monotonic() + 30
        while prompt not in seen and time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.5)[0]:
                try:
                    chunk = os.read(terminal, 1024)
                except OSError:
                    break
                seen, everything = seen + chunk, everything + chunk
        assert prompt in seen, seen
        seen = seen.split(prompt, 1)[1]
        if line is not None:
            os.write(terminal, line.encode() + b"\r")

    answer(b"Password: ", "one long password")
    answer(b"Repeat for confirmation: ", "not the same one")
    answer(b"Password: ", "one long password")
    answer(b"Repeat for confirmation: ", "one long password")
    answer(b"added editor cleo", None)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"two entered values do not match" in everything
    assert b"long password" not in everything and b"not the same" not in everything
    with Store(tmp_path / "data" / "reportgen.db") as store:
        assert users.verify(users.get(store, "cleo"), "one long password")
