"""What a request names is checked before it is used: unknown partners and periods get a readable 400,
and nothing from a request reaches the file system outside the archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportgen.web.views import checked_path

TRAVERSAL = "../../etc/passwd"


def page(response) -> str:
    text = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1>" in text and "Traceback" not in text and "root:" not in text
    return text


@pytest.mark.parametrize(("query", "says"), [
    ("partner=Mexcio&period=2024", "did you mean Mexico?"),
    ("partner=MX&period=2024-13", "is not a year (2024), a month (2024-05)"),
    ("partner=MX&period=last year", "is not a year"),
    ("partner=MX&period=2031", "no data for 2031"),
    ("partner=WLD&period=2024", "the world is the total"),
    ("partner=0007&period=2024", "is not a trading partner"),
    ("partner=&period=2024", "choose a partner"),
    ("period=2024", "choose a partner"),
    ("partner=MX", "choose a period"),
    ("partner=" + "M" * 500 + "&period=2024", "too long"),
    (f"partner={TRAVERSAL}&period=2024", "unknown partner"),
    (f"partner=MX&period={TRAVERSAL}", "is not a year"),
    ("partner=%00&period=2024", "unknown partner"),
])
def test_a_bad_choice_is_a_readable_400(client, editor, query, says):
    response = client.get(f"/briefing?{query}", headers=editor)
    assert response.status_code == 400
    text = page(response)
    assert "That briefing cannot be made" in text
    assert says in text.replace("&#39;", "'")


@pytest.mark.parametrize("path", [
    "/briefings/Mexcio/2024", "/briefings/MEX/2024-00/pdf", "/briefings/MEX/1990/html",
    "/briefings/MEX/2031/pdf", f"/briefings/MEX/{TRAVERSAL.replace('/', '%2F')}",
])
def test_a_bad_briefing_address_is_a_readable_400_or_404(client, editor, path):
    response = client.get(path, headers=editor)
    assert response.status_code in (400, 404)
    page(response)


def test_a_briefing_named_any_way_moves_to_its_canonical_address(client, editor):
    response = client.get("/briefing?partner=Mexico&period=2024", headers=editor)
    assert response.status_code == 302 and response.headers["Location"] == "/briefings/MEX/2024"
    response = client.get("/briefings/mx/2024-05-YTD/pdf", headers=editor)
    assert response.status_code == 302 and response.headers["Location"] == "/briefings/MEX/2024-05-ytd/pdf"


@pytest.fixture(scope="module")
def archive(web_config):
    """A small archive: a briefing, a PDF, the feed, and things that must never be served."""
    root = web_config.output_dir
    (root / "2024" / "MEX").mkdir(parents=True, exist_ok=True)
    (root / "2024" / "MEX" / "MEX-2024.html").write_text("<h1>a briefing</h1>")
    (root / "2024" / "MEX" / "MEX-2024.pdf").write_bytes(b"%PDF-1.7 not really")
    (root / "2024" / "MEX" / ".MEX-2024.pdf.abc.tmp").write_bytes(b"half")
    (root / "2024" / "MEX" / ".hidden.html").write_text("hidden")
    (root / "feed.atom").write_text("<feed/>")
    (root / "notes.txt").write_text("not for the web")
    outside = root.parent / "outside.html"
    outside.write_text("secret outside the archive")
    link = root / "link.html"
    if not link.exists():
        os.symlink(outside, link)
    return root


@pytest.mark.parametrize(("name", "kind"), [
    ("2024/MEX/MEX-2024.html", "text/html"), ("2024/MEX/MEX-2024.pdf", "application/pdf"),
    ("feed.atom", "application/atom+xml"),
])
def test_the_archive_serves_briefings_pdfs_and_the_feed(client, editor, archive, name, kind):
    response = client.get(f"/archive/{name}", headers=editor)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(kind)
    assert response.data == (archive / name).read_bytes()


@pytest.mark.parametrize("name", [
    TRAVERSAL, "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "%2Fetc%2Fpasswd",
    "2024/../../outside.html", "link.html", "notes.txt", "2024/MEX/.MEX-2024.pdf.abc.tmp", "2024/MEX/.hidden.html",
    "..\\..\\etc\\passwd", "2024/MEX/MEX-2024.html%00.pdf",
])
def test_the_archive_refuses_anything_else(client, editor, archive, name):
    response = client.get(f"/archive/{name}", headers=editor, follow_redirects=True)  # `//` is merged first
    assert response.status_code in (400, 404), response.status_code
    text = page(response)
    assert "secret outside" not in text and "not for the web" not in text


def test_checked_path_keeps_to_the_archive(tmp_path: Path):
    assert checked_path(tmp_path, "2024/MEX/MEX-2024.pdf") == tmp_path / "2024" / "MEX" / "MEX-2024.pdf"
    assert checked_path(tmp_path, "index.html") == tmp_path / "index.html"
    for name in (TRAVERSAL, "/etc/passwd", "../x.html", "a/../../x.html", "x.db", "reportgen.lock", "x.html/..",
                 "", ".", "..", "a\\..\\x.html", "x.html\0", "x.py"):
        assert checked_path(tmp_path, name) is None, name


def test_the_archive_address_without_a_slash_moves(client, editor, archive):
    response = client.get("/archive", headers=editor)
    assert response.status_code == 308 and response.headers["Location"] == "/archive/"


def test_an_archived_page_names_its_charset_once(client, editor, archive):
    response = client.get("/archive/2024/MEX/MEX-2024.html", headers=editor)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("path", ["/archive", "/archive//2024/MEX/MEX-2024.html", "//archive//feed.atom",
                                  "/briefing?partner=Mexico&period=2024", "/briefings/mx/2024"])
def test_redirects_never_name_the_host_the_client_sent(client, editor, archive, path):
    """A Location built from the Host header would send readers (and caches) to whatever host a client names."""
    response = client.get(path, headers={**editor, "Host": "evil.example"})
    assert response.status_code in (301, 302, 303, 307, 308)
    location = response.headers["Location"]
    assert "evil.example" not in location and location.startswith("/") and not location.startswith("//")
