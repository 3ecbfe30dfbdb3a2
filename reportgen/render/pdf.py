"""Print a briefing's HTML to PDF with WeasyPrint (imported here only: it costs most of a second).

The page size, running header and "Page N of M" come from the @page rules of the stylesheet; the
PDF's title and language from the document's <title> and <html lang>, its author, subject, keywords and
creator from the <meta> elements, and its source and vintage from the `reportgen:` <meta> elements
(WeasyPrint's custom metadata: `reportgenvintage`, ... in the document information). `pages.make_up()`
lays a briefing out again when a chart that did not fit would leave a page part empty. A single build
can start a `Printer`: a second process that imports WeasyPrint and loads its fonts while the first one
draws the charts and writes the HTML. The web page keeps `WarmProcess`es of its own (reportgen.web.printing).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Self

from reportgen.errors import RenderError
from reportgen.files import write_atomic
from reportgen.render.pages import make_up

WARM_UP = ('<p style="font-family: DejaVu Serif">Aa <b>Aa</b></p>'
           '<p style="font-family: DejaVu Sans">Aa <b>Aa</b> 1</p>')  # the briefing's fonts

ALLOWED = ("data",)
_fonts = threading.local()  # a Pango font map is not for sharing between threads


def url_fetcher():
    """A WeasyPrint URL fetcher that reads data: URLs and refuses every other URL.

    A briefing is self-contained (stylesheet inlined, charts as data: URLs), so nothing a feed puts
    in it may make the PDF step read a local file or reach the network. A refused image is left
    out, with a warning on WeasyPrint's logger; the rest of the document still prints.
    """
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint 68 and later: a class that checks the scheme itself
        return urls.URLFetcher(allowed_protocols=ALLOWED, allow_redirects=False)

    def fetch(url: str, timeout: int = 10, ssl_context=None):
        if url.split(":", 1)[0].lower() not in ALLOWED:
            raise ValueError(f"reportgen does not fetch {url.split(':', 1)[0]}: URLs when printing")
        return urls.default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)

    return fetch


def font_config():
    """This thread's WeasyPrint font configuration, made once so that fonts are found and loaded once.

    It keeps the fonts of @font-face rules too: the bundled stylesheet has none, so none pile up.
    """
    from weasyprint.text.fonts import FontConfiguration

    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector paused while WeasyPrint lays out and writes (process-wide, for
    a fraction of a second).

    A briefing's layouts make some 10^5 objects, most freed by reference counting when the PDF is
    written. Collections meanwhile walk them again and again, and each full one walks every object
    the process holds too (a loaded store: 10^5 more): with two layouts, a tenth of a second a PDF.
    Paused, what the layouts leave is collected once, afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Page make-up's changes, from one briefing to the next of the same shape and language (see pages.make_up).
_made_up: dict = {}


def _shared_stylesheet(html: str) -> tuple[str, list]:
    """`html` without its first <style> element, and that stylesheet parsed, for `render(stylesheets=...)`.

    Every briefing's first <style> is the bundled stylesheet, the same text from one briefing to the next;
    parsing it again for each layout cost a tenth of the layout. It is parsed once per thread (WeasyPrint
    ties a stylesheet to its font configuration) and kept. Passed this way it ranks as a user stylesheet:
    still above the browser defaults, and below the document's own <style> (the page's footer, the sizes
    page make-up prints charts at), which is the order it had in the document.
    """
    import weasyprint

    start = html.find("<style>")
    end = html.find("</style>", start)
    if start < 0 or end < 0:
        return html, []
    text = html[start + len("<style>"):end]
    if not hasattr(_fonts, "sheets"):
        _fonts.sheets = {}
    sheets = _fonts.sheets
    if text not in sheets:
        if len(sheets) >= 8:  # a few stylesheets are in use at a time (briefing, test pages); never pile up
            sheets.clear()
        sheets[text] = weasyprint.CSS(string=text, url_fetcher=url_fetcher(), base_url=None,
                                      font_config=font_config())
    return html[:start] + html[end + len("</style>"):], [sheets[text]]


def write_pdf(html: str, target: Path) -> Path:
    """Write `html` as a PDF at `target`, atomically; title, language and metadata come from the document."""
    import weasyprint

    images: dict = {}  # decoded images, kept from one layout to the next

    def render(text: str):
        text, sheets = _shared_stylesheet(text)
        return weasyprint.HTML(string=text, url_fetcher=url_fetcher(), base_url=None).render(
            font_config=font_config(), cache=images, stylesheets=sheets)

    def lay_out_and_write(path):
        make_up(html, render, _made_up).write_pdf(path, custom_metadata=True)

    try:
        with _collector_paused():
            return write_atomic(target, lay_out_and_write)
    except OSError as exc:
        raise RenderError(f"{target}: cannot write the PDF ({exc.strerror or exc})") from None


def warm_up() -> None:
    """Import WeasyPrint and load the briefing's fonts, so that the first real PDF prints at full speed."""
    import weasyprint

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the process that started this one
    weasyprint.HTML(string=WARM_UP, url_fetcher=url_fetcher(), base_url=None).write_pdf(font_config=font_config())


class WarmProcess:
    """One process that imports WeasyPrint and loads the fonts as it starts, then runs one job at a time.

    `start` is the multiprocessing start method: "fork" for the command line (quick to start), "spawn"
    for a server with threads (a fork copies only the thread that made it). A process that dies makes
    `call` raise concurrent.futures.process.BrokenProcessPool.
    """

    def __init__(self, start: str, startup: float | None = None):
        self._startup = startup  # seconds the process may take to warm up before `call` gives up on it
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(start), initializer=warm_up)
        self._pid: Future[int] = self._pool.submit(os.getpid)  # starts the process now; answers once it is warm

    def ready(self) -> bool:
        return self._pid.done()

    def call(self, func: Callable, args: tuple, timeout: float | None = None):
        """`func(*args)` in the process, waiting at most `timeout` seconds (concurrent.futures.TimeoutError)."""
        self._pid.result(timeout=self._startup)  # a process that could not start raises BrokenProcessPool here
        return self._pool.submit(func, *args).result(timeout=timeout)

    def close(self) -> None:
        """Let the process finish what it is doing, then stop it; jobs not started are dropped."""
        self._pool.shutdown(cancel_futures=True)

    def kill(self) -> None:
        """Stop the process at once, whatever it is doing, and wait until the pool has noticed."""
        if self._pid.done() and not self._pid.exception():
            try:
                os.kill(self._pid.result(), signal.SIGKILL)
            except ProcessLookupError:
                pass
        # Waiting (briefly: the process is gone) lets the pool's own thread finish; one left running
        # fails with "Bad file descriptor" when the interpreter exits.
        self._pool.shutdown(wait=True, cancel_futures=True)


class Printer:
    """`write_pdf()` in a second process, warmed up from the start; for builds that print once or a few times.

    Use as a context manager. Errors come back as they would from `write_pdf()` itself.
    """

    def __init__(self):
        self._process = WarmProcess("fork")  # the command line has one thread: forking is safe and quick

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self._process.close()

    def write_pdf(self, html: str, target: Path) -> Path:
        try:
            return self._process.call(write_pdf, (html, target))
        except BrokenProcessPool:
            raise RenderError(f"{target}: the process printing the PDF stopped unexpectedly") from None
