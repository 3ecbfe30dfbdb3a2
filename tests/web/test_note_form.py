"""The editor's note on the web page: added, replaced and removed through a form with the page's CSRF token,
signed with the logged-in editor's name; a refused note comes back with the reason and stores nothing."""

from __future__ import annotations

import html
import re

import pytest

from reportgen.store import Store, notes

PAGE = "/briefings/CAN/2023"  # a briefing no other web test writes a note on
FORM = f"{PAGE}/note"


def token(client, editor) -> str:
    page = client.get(PAGE, headers=editor).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def stored(web_config):
    with Store(web_config.db_path) as store:
        return notes.get(store, "CAN", "2023", "en")


@pytest.fixture(autouse=True)
def no_note(web_config):
    """Every test starts and ends without a note on the page's briefing (the app and its store are shared)."""
    with Store(web_config.db_path) as store:
        notes.remove(store, "CAN", "2023")
    yield
    with Store(web_config.db_path) as store:
        notes.remove(store, "CAN", "2023")


def test_an_editor_adds_replaces_and_removes_the_note(client, editor, web_config):
    answer = client.post(FORM, data={"csrf_token": token(client, editor), "action": "save",
                                     "markdown": "Canada's *exports* held up, a [report](https://example.org/r) says."},
                         headers=editor)
    assert answer.status_code == 303 and answer.headers["Location"] == PAGE
    note = stored(web_config)
    assert note.editor == "editor" and note.markdown.startswith("Canada's *exports*")  # the login's name

    page = client.get(PAGE, headers=editor).get_data(as_text=True)
    assert "Saved the editor&#39;s note on Canada, 2023." in page
    assert f"signed editor, written {note.written}" in page and "Replace the note" in page
    briefing = client.get(f"{PAGE}/html", headers=editor).get_data(as_text=True)
    assert briefing.index('<p class="lede">') < briefing.index('<div class="editors-note"') \
        < briefing.index("Canada's <em>exports</em> held up") < briefing.index("<p>", briefing.index("</div>"))

    client.post(FORM, data={"csrf_token": token(client, editor), "action": "save", "markdown": "Second thoughts."},
                headers=editor)
    assert stored(web_config).markdown == "Second thoughts."
    briefing = client.get(f"{PAGE}/html", headers=editor).get_data(as_text=True)  # the kept page is made again
    assert "Second thoughts." in briefing and "held up" not in briefing

    answer = client.post(FORM, data={"csrf_token": token(client, editor), "action": "remove"}, headers=editor)
    assert answer.status_code == 303 and stored(web_config) is None
    assert "Removed the editor&#39;s note on Canada, 2023." in client.get(PAGE, headers=editor).get_data(as_text=True)
    assert 'class="editors-note"' not in client.get(f"{PAGE}/html", headers=editor).get_data(as_text=True)


@pytest.mark.parametrize(("markdown", "reason"), [
    ("Hello <script>alert(1)</script>", "the note holds raw HTML ('<script>')"),
    ("![x](https://tracker.example/p.png)", "images are not allowed in a note (remote or not)"),
    ("[win](javascript:alert(1))", "the link to 'javascript:alert(1)' is not allowed"),
    ("   ", "the note is empty"),
    ("y" * 2001, "the note has 2,001 characters; keep it to 2,000"),
], ids=["script", "image", "javascript", "empty", "long"])
def test_a_refused_note_is_shown_with_its_reason_and_nothing_is_stored(client, editor, web_config, markdown, reason):
    answer = client.post(FORM, data={"csrf_token": token(client, editor), "action": "save", "markdown": markdown},
                         headers=editor)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f"Not saved: {reason}" in html.unescape(page)
    assert f">{html.escape(markdown, quote=False)}</textarea>" in page  # the draft comes back, escaped, to fix
    assert stored(web_config) is None


def test_without_the_csrf_token_nothing_is_stored_or_removed(client, editor, web_config, app):
    for data in ({"markdown": "Forged."}, {"markdown": "Forged.", "csrf_token": "forged"}):
        answer = client.post(FORM, data=data, headers=editor)
        assert answer.status_code == 400 and "The form has expired" in answer.get_data(as_text=True)
    theirs = token(app.test_client(), editor)  # a token from another session
    assert client.post(FORM, data={"markdown": "Forged.", "csrf_token": theirs}, headers=editor).status_code == 400
    assert stored(web_config) is None

    client.post(FORM, data={"csrf_token": token(client, editor), "markdown": "Kept."}, headers=editor)
    assert client.post(FORM, data={"action": "remove"}, headers=editor).status_code == 400
    assert stored(web_config).markdown == "Kept."


def test_the_form_needs_a_login_and_a_real_briefing(client, editor, web_config):
    answer = client.post(FORM, data={"csrf_token": token(client, editor), "markdown": "x"})  # no login
    assert answer.status_code == 401 and stored(web_config) is None
    answer = client.post("/briefings/CAN/2031/note", data={"csrf_token": token(client, editor), "markdown": "x"},
                         headers=editor)
    assert answer.status_code == 400 and "no data for 2031 yet" in answer.get_data(as_text=True)
    answer = client.post(FORM, data={"csrf_token": token(client, editor), "action": "remove"}, headers=editor)
    assert answer.status_code == 400 and "has no editor&#39;s note to remove" in answer.get_data(as_text=True)
