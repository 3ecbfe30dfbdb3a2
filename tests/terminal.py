"""Run `python -m reportgen` with its stderr on a real pseudo-terminal (the pty module), or on a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str  # what the terminal (or the pipe) received


def on_terminal(*args: str, cwd: Path, timeout: float = 120) -> Ran:
    """The command with stderr on a pseudo-terminal, as a user at a shell sees it (stdout piped)."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "reportgen", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    received: list[bytes] = []

    def drain() -> None:  # read as it comes: a full terminal buffer would block the command
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command closed its end of the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        stdout, _ = process.communicate(timeout=timeout)
    finally:
        process.kill()
        reader.join(timeout=10)
        os.close(master)
    return Ran(process.returncode, stdout.decode(), b"".join(received).decode(errors="replace"))


def on_pipe(*args: str, cwd: Path, timeout: float = 120) -> Ran:
    """The command with stdout and stderr on pipes, as a scheduler or a script runs it."""
    done = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    return Ran(done.returncode, done.stdout, done.stderr)
