"""Print a briefing's HTML to PDF with WeasyPrint (imported here only: it costs most of a second).

The page size, running header and "Page N of M" come from the @page rules of the stylesheet; the
PDF's title and language from the document's <title> and <html lang>.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportgen.errors import RenderError
from reportgen.files import write_atomic

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


def write_pdf(html: str, target: Path) -> Path:
    """Write `html` as a PDF at `target`, atomically; title and language come from the document."""
    import weasyprint

    try:
        document = weasyprint.HTML(string=html, url_fetcher=url_fetcher(), base_url=None)
        return write_atomic(target, lambda path: document.write_pdf(path, font_config=font_config()))
    except OSError as exc:
        raise RenderError(f"{target}: cannot write the PDF ({exc.strerror or exc})") from None
