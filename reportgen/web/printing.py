"""PDFs for the web page, printed in warmed-up worker processes with a deadline.

A WeasyPrint render runs in a separate process, so a slow or stuck one cannot hold the server: after
`timeout` seconds the request gets a BusyError (a readable 503), the worker is killed and a fresh
one starts warming up. Workers are spawned, not forked: the server has threads, and a fork copies
only the thread that made it.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from reportgen.errors import BusyError
from reportgen.render.pdf import WarmProcess, write_pdf

STARTUP = 60.0  # seconds a new worker may take to import WeasyPrint and load its fonts


def pdf_bytes(html: str) -> bytes:
    """Print `html` with the briefing's PDF writer and return the file's bytes (runs in a worker)."""
    with tempfile.TemporaryDirectory(prefix="reportgen-web-") as tmp:
        return write_pdf(html, Path(tmp) / "briefing.pdf").read_bytes()


class PdfWorkers:
    """`count` PDF worker processes; each job waits at most `timeout` seconds for a worker and as long again to print.

    `printer(html) -> bytes` runs in the worker (pdf_bytes unless a test gives a slower one); it must
    be a module-level function, since it travels to the worker by name.
    """

    def __init__(self, count: int = 1, timeout: float = 30.0, printer: Callable[[str], bytes] = pdf_bytes):
        if count < 1 or timeout <= 0:
            raise ValueError("PdfWorkers needs at least one worker and a positive timeout")
        self.timeout = timeout
        self._printer = printer
        self._idle: queue.Queue[WarmProcess] = queue.Queue()
        self._all: set[WarmProcess] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(count):
            self._idle.put(self._start())

    def _start(self) -> WarmProcess:
        worker = WarmProcess("spawn", startup=STARTUP)
        with self._lock:
            self._all.add(worker)
        return worker

    def ready(self) -> bool:
        """Whether every idle worker has warmed up (the bench waits for this)."""
        with self._lock:
            return all(worker.ready() for worker in self._all)

    def pdf(self, html: str) -> bytes:
        """The PDF of `html`, printed by a worker within the deadline."""
        return self._run(self._printer, (html,))

    def write_pdf(self, html: str, target: Path) -> Path:
        """Write the PDF of `html` at `target` (the `printer` that pipeline.write takes)."""
        return self._run(write_pdf, (html, target))

    def _run(self, func: Callable, args: tuple):
        if self._closed:
            raise BusyError("the server is shutting down; try again in a moment")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise BusyError(f"every PDF worker is busy; try again in a moment (waited {self.timeout:g} s)") from None
        try:
            result = worker.call(func, args, self.timeout)
        except FutureTimeout:
            worker = self._replace(worker)
            raise BusyError(f"the PDF took longer than {self.timeout:g} s and was stopped; try again later") from None
        except BrokenProcessPool:
            worker = self._replace(worker)
            raise BusyError("the PDF worker stopped unexpectedly; a new one is starting, try again") from None
        finally:
            self._idle.put(worker)
        return result

    def _replace(self, worker: WarmProcess) -> WarmProcess:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        return self._start()

    def close(self) -> None:
        """Stop every worker (the idle ones wait for nothing; busy ones are killed)."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()
