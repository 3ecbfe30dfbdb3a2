"""Print a briefing's HTML to PDF with WeasyPrint (imported here only: it costs most of a second)."""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import RenderError
from reportgen.files import write_atomic


def url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    """Allow only data: URLs: nothing in a briefing may make the PDF step read a file or the network.

    A briefing is self-contained (stylesheet inlined, charts as data: URLs), so no other URL is needed.
    """
    from weasyprint import default_url_fetcher

    if not url.startswith("data:"):
        raise ValueError(f"reportgen does not fetch {url.split(':', 1)[0]}: URLs when printing")
    return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)


def write_pdf(html: str, target: Path) -> Path:
    """Write `html` as a PDF at `target`, atomically; title and language come from the document."""
    import weasyprint

    try:
        document = weasyprint.HTML(string=html, url_fetcher=url_fetcher, base_url=None)
        return write_atomic(target, lambda path: document.write_pdf(path))
    except OSError as exc:
        raise RenderError(f"{target}: cannot write the PDF ({exc.strerror or exc})") from None
