"""RSS and Atom feeds: checked, parsed with feedparser, and turned into plain `FeedEntry` rows.

Feeds are untrusted input. A document that declares entities (billion laughs, external entities)
is refused before any parser sees it. feedparser gets the bytes as a stream, never as a string
(it would open a string that looks like a URL or a file path), with the response's content type
and address, so encodings are read right and relative links resolve. Titles and summaries leave
as plain text without control characters, any HTML in them cleaned by nh3 first; links are kept
only when they are http(s), and without tracking parameters. Fetching is the shared HTTP session's
job (`reportgen.http`).
"""

from __future__ import annotations

import calendar
import email.utils
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from reportgen.config import FeedConfig
from reportgen.controls import CONTROL, strip_controls
from reportgen.errors import CollectError
from reportgen.folding import fold
from reportgen.models import FeedEntry
from reportgen.timestamps import iso

SOURCE = "feeds"
MAX_TITLE = 300  # characters of a title kept
MAX_SUMMARY = 1200  # characters of a summary kept: enough for a teaser and for matching words
# An entity declaration, or a DOCTYPE with an internal subset (`[...]`): one by name only is harmless.
_DECLARATION = re.compile(rb"<!\s*(?:ENTITY|DOCTYPE[^>\[]*\[)", re.IGNORECASE)
# Query parameters that only track who clicked where; a link without them is the same page.
TRACKING = re.compile(r"^(utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|igshid|"
                      r"yclid|_ga|ocid|cmpid|icid|ncid|mkt_tok|sr_share|wt\.mc_id|at_medium|at_campaign)$",
                      re.IGNORECASE)
_BLOCK = re.compile(r"<(?=/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|pre|hr|dd|dt)\b)",
                    re.IGNORECASE)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)  # CDATA escaped once too often arrives as text
# ...or, escaped in the document itself, makes feedparser drop the whole text: unwrap it first.
_ESCAPED_CDATA = re.compile(rb"&lt;!\[CDATA\[(.*?)\]\]&gt;", re.DOTALL)
_REMOVED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "object", "embed", "template", "svg", "math", "title"}
_TAG = re.compile(r"<(?:/?[A-Za-z][\w-]*(?:[\s/>]|$)|!--)")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
# Month and day names of Spanish, Portuguese and French dates, which feedparser reads only in English.
_MONTHS = {"ene": "Jan", "fev": "Feb", "abr": "Apr", "avr": "Apr", "mai": "May", "juin": "Jun", "juil": "Jul",
           "ago": "Aug", "aou": "Aug", "set": "Sep", "out": "Oct", "dic": "Dec", "dez": "Dec", "janv": "Jan",
           "fevr": "Feb", "mars": "Mar", "sept": "Sep"}
_LOCAL_DATE = re.compile(r"^\s*(?:[^\W\d_]+\.?,?\s+)?(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{2,4})\s+(.*)$")


@dataclass
class ParsedFeed:
    """A feed's entries, and a warning when the document was malformed but entries were recovered."""

    entries: list[FeedEntry]
    warning: str = ""


def refuse_entities(content: bytes, name: str, content_type: str = "application/xml") -> None:
    """Raise CollectError if the document declares entities or a DTD subset of its own, in any encoding.

    Declarations can only do harm (expansion bombs, reading files or URLs); no real feed needs them. The
    check reads the document as feedparser will (its own decoding, from the content type's charset, the
    XML declaration or the byte-order mark: EBCDIC code pages too), and as raw bytes.
    """
    from feedparser.encodings import convert_to_utf8

    candidates = [content, convert_to_utf8({"content-type": content_type}, content, {})]
    if b"\x00" in content[:64]:  # UTF-16 or UTF-32 without a byte-order mark or declaration
        candidates += [content.decode(codec, "ignore").encode("utf-8")
                       for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")]
    if any(_DECLARATION.search(text) for text in candidates):
        raise CollectError(f"feed {name!r} refused: the document declares XML entities or a DTD of its own "
                           "(a billion-laughs or external-entity attack?); it was not parsed")


def parse(content: bytes, feed: FeedConfig, *, url: str, content_type: str, fetched_at: datetime) -> ParsedFeed:
    """Read a fetched document into entries; raise CollectError if it is hostile or not a feed at all."""
    import feedparser

    headers_type = content_type or "application/xml"
    refuse_entities(content, feed.name, headers_type)
    content = _ESCAPED_CDATA.sub(rb"\1", content)
    # feedparser's own HTML pass (sanitising, resolving links inside the HTML) is skipped: every
    # title and summary is reduced to plain text through nh3 below, and the pass costs most of the time.
    result = feedparser.parse(io.BytesIO(content), response_headers={
        "content-type": headers_type, "content-location": url},
        sanitize_html=False, resolve_relative_uris=False)
    problem = _one_line(result.get("bozo_exception")) if result.get("bozo") else ""
    language = feed.language if "language" in feed.model_fields_set else (
        result.feed.get("language") or feed.language)
    language = language if _LANGUAGE.match(language or "") else ""
    entries = [e for raw in result.entries if (e := _entry(raw, feed, url, fetched_at, language)) is not None]
    # A well-formed feed may be empty; a document that is neither a feed nor yields an entry is a failure.
    if not entries and (problem or not result.get("version")):
        got = f"{content_type.split(';')[0]}, " if content_type else ""
        raise CollectError(f"feed {feed.name!r} failed: {url} is not an RSS or Atom feed "
                           f"({got}{problem or 'no entries'})")
    warning = ""
    if problem:
        warning = f"feed {feed.name!r} is malformed ({problem}); {len(entries)} entries recovered and used"
    return ParsedFeed(entries, warning)


def _entry(raw, feed: FeedConfig, url: str, fetched_at: datetime, language: str) -> FeedEntry | None:
    title = _text(raw, "title", MAX_TITLE)
    summary = _text(raw, "summary", MAX_SUMMARY)
    if not summary and raw.get("content"):
        content = raw["content"][0]
        summary = plain_text(content.get("value", ""), content.get("type", "text/html"), MAX_SUMMARY)
    link = canonical_link(_fix_schemeless(raw.get("feedburner_origlink") or raw.get("link") or "", url))
    if not title:
        title = _shorten(summary, 120)
    if not title and not link:
        return None
    published, dated = _published(raw)
    if published is None:
        published = fetched_at
    return FeedEntry(
        feed=feed.name, feed_url=feed.url, guid=CONTROL.sub("", str(raw.get("id") or ""))[:500], title=title, link=link,
        published=iso(published), dated=dated, summary=summary, language=language,
    )


def _text(raw, key: str, limit: int) -> str:
    detail = raw.get(f"{key}_detail") or {}
    return plain_text(raw.get(key) or "", detail.get("type", "text/html"), limit)


def plain_text(value: str, content_type: str = "text/html", limit: int = MAX_SUMMARY) -> str:
    """The readable text of a title or summary: HTML cleaned by nh3, then its tags and entities resolved.

    Text declared plain but carrying tags is read as HTML too: RSS titles often are, whatever they say.
    """
    if content_type != "text/plain" or _TAG.search(value):
        import nh3

        value = _BLOCK.sub(" <", _CDATA.sub(r"\1", value))  # paragraphs stay apart as words
        value = html.unescape(nh3.clean(value, tags=set(), attributes={}, strip_comments=True,
                                        clean_content_tags=_REMOVED_WITH_CONTENT))
    return _shorten(strip_controls(value), limit)  # ESC or BEL would reach a terminal, HTML and email


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def _fix_schemeless(link: str, feed_url: str) -> str:
    """'www.bea.gov/news/...' written without a scheme resolves against the feed's folder: undo that."""
    base = urljoin(feed_url, ".")
    if link.startswith(base) and link[len(base):].lower().startswith("www."):
        return f"{urlsplit(feed_url).scheme}://{link[len(base):]}"
    return link


def canonical_link(link: str) -> str:
    """The link as the store keys it: http(s) only, host lower-cased, tracking parameters and fragment gone.

    Anything else (javascript:, data:, file:, a relative link nothing resolved) gives ''.
    """
    link = link.strip()
    if not link or re.search(r"[\x00-\x1f\x7f]", link):
        return ""
    parts = urlsplit(link.replace(" ", "%20"))
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return ""
    netloc = f"[{host}]" if ":" in host else host  # hostname is lower-cased and without user:password@
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        netloc += f":{port}"
    query = "&".join(p for p in parts.query.split("&") if p and not TRACKING.match(unquote(p.split("=", 1)[0])))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _published(raw) -> tuple[datetime | None, bool]:
    """The entry's time in UTC and True, or (None, False) when it has no date feedparser or we can read."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(raw, key)  # not raw.get: feedparser would stand `updated` in for `published`, and warn
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC), True
            except (OverflowError, ValueError, OSError):
                continue
    for key in ("published", "updated", "created"):
        if dict.get(raw, key) and (moment := _local_date(dict.get(raw, key))) is not None:
            return moment, True
    return None, False


def _local_date(text: str) -> datetime | None:
    """'Seg, 24 Set 2018 19:42:40 -0300' or 'lun, 06 ene 2025 ...': RFC 822 with names in another language."""
    match = _LOCAL_DATE.match(text)
    if not match:
        return None
    day, month, year, rest = match.groups()
    name = fold(month)
    english = _MONTHS.get(name) or _MONTHS.get(name[:3]) or name[:3].capitalize()
    try:
        moment = email.utils.parsedate_to_datetime(f"{day} {english} {year} {rest}")
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _one_line(exc: object) -> str:
    """A parser's complaint, short and on one line."""
    if exc is None:
        return ""
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= 120 else text[:119] + "…"
