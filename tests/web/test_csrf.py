"""The one form that changes something, adding a briefing to the archive, needs the page's CSRF token."""

from __future__ import annotations

import re

import feedparser
from pypdf import PdfReader


def token(client, editor) -> str:
    page = client.get("/briefings/MEX/2024", headers=editor).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def test_a_post_without_the_token_is_refused_and_changes_nothing(client, editor, web_config):
    index = web_config.output_dir / "index.html"
    before = index.read_bytes() if index.exists() else None
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/briefings/MEX/2024/archive", data=data, headers=editor)
        assert response.status_code == 400
        assert "The form has expired" in response.get_data(as_text=True)
    assert (index.read_bytes() if index.exists() else None) == before


def test_a_token_from_another_session_is_refused(app, editor):
    theirs = token(app.test_client(), editor)
    response = app.test_client().post("/briefings/MEX/2024/archive", data={"csrf_token": theirs}, headers=editor)
    assert response.status_code == 400


def test_the_form_adds_the_briefing_to_the_archive(client, editor, web_config, tmp_path):
    response = client.post("/briefings/MEX/2024/archive", data={"csrf_token": token(client, editor)}, headers=editor)
    assert response.status_code == 303 and response.headers["Location"] == "/briefings/MEX/2024"
    page = client.get("/briefings/MEX/2024", headers=editor).get_data(as_text=True)
    assert "Added to the archive: Mexico, 2024." in page
    assert 'href="/archive/2024/MEX/MEX-2024.html"' in page

    folder = web_config.output_dir / "2024" / "MEX"
    assert "$168.6 billion" in (folder / "MEX-2024.html").read_text(encoding="utf-8")
    pdf = client.get("/archive/2024/MEX/MEX-2024.pdf", headers=editor)
    assert pdf.status_code == 200
    (tmp_path / "a.pdf").write_bytes(pdf.data)
    assert "$168.6 billion" in PdfReader(tmp_path / "a.pdf").pages[0].extract_text()
    index = client.get("/archive/", headers=editor).get_data(as_text=True)
    assert 'href="2024/MEX/MEX-2024.html"' in index
    feed = feedparser.parse(client.get("/archive/feed.atom", headers=editor).data)
    assert not feed.bozo and any("$168.6 billion" in entry.title for entry in feed.entries)
