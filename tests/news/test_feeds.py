"""Reading feeds: RSS and Atom into plain entries, whatever the encoding, dates, links or markup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reportgen.config import FeedConfig
from reportgen.errors import CollectError
from reportgen.sources.feeds import canonical_link, parse, plain_text, refuse_entities

from .conftest import FIXTURES

HOST = "feeds.test:8080"  # never contacted: parsing fetches nothing
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def read(name: str, *, url: str | None = None, content_type: str = "application/xml", language: str | None = None,
         body: bytes | None = None):
    url = url or f"http://{HOST}/feeds/{name}"
    feed = FeedConfig(name=name, url=url, **({"language": language} if language else {}))
    content = body if body is not None else (FIXTURES / name).read_bytes().replace(b"{host}", HOST.encode())
    return parse(content, feed, url=url, content_type=content_type, fetched_at=NOW)


def by_title(parsed, start: str):
    [entry] = [e for e in parsed.entries if e.title.startswith(start)]
    return entry


def test_rss_html_in_cdata_and_escaped_becomes_plain_text():
    parsed = read("wire.rss", content_type="application/rss+xml")
    assert parsed.warning == ""
    talks = by_title(parsed, "Mexico and U.S. open USMCA")
    assert talks.summary == ("Negotiators met for the first formal session. "
                             "Officials said the lead negotiator expects months of talks.")
    steel = by_title(parsed, "Steel tariff")
    assert steel.summary == "Suppliers warned that a 25% levy would raise costs & prices."
    escaped = by_title(parsed, "Quarterly bulletin")
    assert escaped.summary == "A summary escaped once too often. The international trade figures follow."


def test_rss_links_resolve_lose_tracking_and_only_http_stays():
    parsed = read("wire.rss")
    talks = by_title(parsed, "Mexico and U.S. open USMCA")
    assert talks.link == f"http://{HOST}/news/2025/usmca-review?id=7"  # relative, utm_* and #top gone
    assert by_title(parsed, "Border crossings").link == "http://www.example.org/news/border-waits"  # scheme-less
    assert by_title(parsed, "Quarterly bulletin").link == ""  # javascript: is no link


def test_rss_dates_are_utc_and_an_undated_entry_is_marked():
    parsed = read("wire.rss")
    talks = by_title(parsed, "Mexico and U.S. open USMCA")
    assert (talks.published, talks.dated) == ("2025-01-14T15:30:00Z", True)  # 10:30 EST
    assert by_title(parsed, "Canadian lumber").published == "2025-01-08T17:00:00Z"
    border = by_title(parsed, "Border crossings")
    assert (border.published, border.dated, border.guid) == ("2026-11-23T12:00:00Z", False, "")
    assert talks.guid == "wire-1001" and talks.language == "en-us"


def test_atom_html_titles_xml_base_and_fractional_seconds():
    parsed = read("desk.atom", content_type="application/atom+xml")
    duties = by_title(parsed, "Suppliers brace")
    assert duties.title == "Suppliers brace for steel duties"
    assert duties.link == "http://news.example.org/news/2025/steel-tariff-threat"  # host lower-cased, :80 dropped
    talks = by_title(parsed, "Mexico and U.S. open USMCA")
    assert talks.link == f"http://{HOST}/desk/stories/usmca-review-talks"  # against xml:base
    assert talks.published == "2025-01-14T16:05:00Z" and talks.guid == "tag:desk.example,2025:story/501"
    spanish = by_title(parsed, "Aranceles")
    assert spanish.published == "2025-02-04T00:00:00Z"  # published wins over updated, -06:00 made UTC
    assert spanish.summary == "Los fabricantes piden reglas estables. El T-MEC sigue vigente."  # from <content>
    assert by_title(parsed, "Pacific ports").summary == "Volumes rose 8% on the year."  # xhtml


def test_latin1_feed_with_spanish_dates():
    parsed = read("noticias-latin1.rss", content_type="application/rss+xml")
    assert parsed.warning == ""
    acuerdo = by_title(parsed, "México y EE.UU.")
    assert acuerdo.title == "México y EE.UU. acuerdan calendario para la revisión del T-MEC"
    assert "Año récord" in acuerdo.summary
    assert (acuerdo.published, acuerdo.dated) == ("2025-01-13T16:00:00Z", True)  # "lun, 13 ene 2025 10:00 -0600"
    assert by_title(parsed, "Exportaciones").published == "2025-01-15T12:00:00Z"  # a newline inside pubDate
    assert acuerdo.language == "es-mx"


def test_latin1_bytes_without_declaration_are_read_and_reported():
    body = (FIXTURES / "noticias-latin1.rss").read_bytes().split(b"?>", 1)[1]  # no XML declaration
    parsed = read("noticias-latin1.rss", body=body, content_type="text/xml")
    assert "malformed" in parsed.warning and "2 entries recovered and used" in parsed.warning
    assert by_title(parsed, "México y EE.UU.").summary.endswith("Año récord para el comercio.")


def test_configured_language_wins_over_the_feeds_own():
    assert {e.language for e in read("wire.rss", language="es").entries} == {"es"}


def test_hostile_markup_leaves_only_text():
    parsed = read("hostile.rss")
    relief = by_title(parsed, "Mexico tariff relief")
    assert relief.title == "Mexico tariff relief announced"
    assert relief.summary == "Relief for importers takes effect today."
    customs = by_title(parsed, "Mexico customs update")
    assert (customs.link, customs.summary) == ("", "Details")
    for entry in parsed.entries:
        text = f"{entry.title} {entry.summary} {entry.link}".lower()
        for bad in ("<", "script", "onclick", "onerror", "javascript", "steal", "pixel", "iframe", "passwd"):
            assert bad not in text


@pytest.mark.parametrize("link, canonical", [
    ("https://Example.COM/a/b?utm_source=x&id=3&UTM_Medium=y#frag", "https://example.com/a/b?id=3"),
    ("http://example.com", "http://example.com/"),
    ("https://example.com:443/x?fbclid=1&gclid=2&mc_cid=3", "https://example.com/x"),
    ("http://user:secret@example.com:8080/x", "http://example.com:8080/x"),
    ("https://example.com/a%20b?q=caf%C3%A9&ref=home", "https://example.com/a%20b?q=caf%C3%A9&ref=home"),
    ("javascript:alert(1)", ""), ("data:text/html,hi", ""), ("file:///etc/passwd", ""), ("/relative", ""),
    ("ftp://example.com/x", ""), ("http://example.com:99999/", ""), ("http://exa\x00mple.com/", ""),
])
def test_canonical_link(link, canonical):
    assert canonical_link(link) == canonical


def test_plain_text_keeps_words_apart_and_drops_what_is_not_text():
    assert plain_text("<p>One</p><p>Two<br>Three</p><ul><li>Four</li></ul>") == "One Two Three Four"
    assert plain_text("a <script>x()</script><style>p{}</style><!-- c -->b") == "a b"
    assert plain_text("Tariffs &lt; 5% &amp; rising") == "Tariffs < 5% & rising"
    assert plain_text("1 < 2 & 3 > 2", "text/plain") == "1 < 2 & 3 > 2"  # plain text stays as written...
    assert plain_text("<b>Bold</b> claim", "text/plain") == "Bold claim"  # ...unless it carries tags
    assert plain_text("word " * 400, limit=30).endswith("…") and len(plain_text("word " * 400, limit=30)) <= 31


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_documents_that_declare_entities_are_refused_unparsed(name):
    with pytest.raises(CollectError, match="declares XML entities"):
        read(name)


def test_entities_are_found_in_utf16_too():
    body = (FIXTURES / "billion-laughs.xml").read_text().replace('<?xml version="1.0"?>', "")
    with pytest.raises(CollectError, match="declares XML entities"):
        refuse_entities(("\ufeff" + body).encode("utf-16-le"), "utf16")
    with pytest.raises(CollectError, match="declares XML entities"):
        refuse_entities(body.encode("utf-16-be"), "utf16")


def test_a_page_that_is_not_a_feed_fails():
    html = b"<!doctype html><html><head><title>Sign in</title></head><body><p>Please log in</p></body></html>"
    with pytest.raises(CollectError, match=r"is not an RSS or Atom feed \(text/html"):
        read("portal", body=html, content_type="text/html; charset=utf-8")


def test_an_empty_but_valid_feed_is_no_failure():
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert read("quiet", body=body).entries == []


def test_a_body_that_names_a_file_is_read_as_a_document_never_opened(tmp_path):
    local = tmp_path / "secret.rss"
    local.write_bytes((FIXTURES / "wire.rss").read_bytes())
    with pytest.raises(CollectError, match="is not an RSS or Atom feed"):
        read("path", body=str(local).encode())


@pytest.mark.parametrize("kind", ["text/plain", "html"])
def test_control_characters_never_leave_the_feed(kind):
    """ESC and BEL in a title reached the store, `news list` on a terminal, the HTML and the email."""
    bell, esc, csi = "\x07", "\x1b", "\u009b"
    if kind == "html":
        title, summary = f"Tariffs&#27;[2J &lt;b&gt;rise&lt;/b&gt;{bell}", f"Steel{csi}31m duties &#7;widen"
    else:
        title, summary = f"Tariffs{esc}[2J rise{bell}", f"Steel{csi}31m duties{bell} widen"
    body = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Wire</title><item>"
            f"<title>{title}</title><description>{summary}</description><guid>id{esc}7</guid>"
            "<link>http://example.org/a</link></item></channel></rss>").encode()
    [entry] = read("controls.rss", body=body).entries
    for text in (entry.title, entry.summary, entry.guid):
        assert not [c for c in text if ord(c) < 32 or 0x7f <= ord(c) <= 0x9f], repr(text)
    # feedparser maps C1 as cp1252
    assert entry.title == "Tariffs [2J rise" and entry.summary.endswith("31m duties widen")


@pytest.mark.parametrize("codec", ["cp500", "cp273", "cp1026", "cp875", "cp037"])
@pytest.mark.parametrize("declared", ["in the document", "in the content type"])
def test_entities_are_found_in_every_ebcdic_code_page(codec, declared):
    """'<!' is 4C 4F in most EBCDIC code pages, 4C 5A only in cp037: a check in cp037 alone let them through."""
    body = (FIXTURES / "billion-laughs.xml").read_text().replace('<?xml version="1.0"?>', "")
    content_type = "application/xml"
    if declared == "in the document":
        body = f"<?xml version='1.0' encoding='{codec}'?>{body}"  # cp1026 has no '"' where cp037 has it
    else:
        content_type += f"; charset={codec}"
    with pytest.raises(CollectError, match="declares XML entities"):
        read("ebcdic", body=body.encode(codec), content_type=content_type)


def test_a_doctype_with_an_internal_subset_is_refused_whatever_it_declares():
    body = (b'<?xml version="1.0"?><!DOCTYPE rss [ <!ATTLIST item id CDATA "x"> ]>'
            b"<rss version='2.0'><channel><title>t</title></channel></rss>")
    with pytest.raises(CollectError, match="declares XML entities or a DTD"):
        read("subset", body=body)
    netscape = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>t</title>'
                b"<item><title>An item</title><link>http://example.org/a</link></item></channel></rss>")
    assert [e.title for e in read("netscape", body=netscape).entries] == ["An item"]  # a DTD by name is fine
