"""The editor's note in the email digest: under the lede in the HTML and the plain text, as the briefing has it."""

from __future__ import annotations

import html
from email import message_from_bytes, policy

from reportgen import pipeline
from reportgen.models import EditorNote
from reportgen.render import email as render
from reportgen.render.format import date_label
from reportgen.store import Store, notes

from .conftest import subscribe

NOTE = "Talks on **rules of origin** resume in June; see [the agenda](https://ustr.gov/usmca).\n\n- Autos\n- Steel"
LEDE_END = "the Census Bureau reported on Oct. 1."
CHANGE = "The deficit grew 13.6% from $148.5 billion in 2023"


def digest(config, tmp_path):
    subscribe(config, "ana@example.com")
    [eml] = pipeline.send(config, "MX", "2024", dry_run=True, out_dir=tmp_path / "eml").written
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    return msg.get_body(("html",)).get_content(), msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_the_stored_note_is_under_the_lede_in_the_html_and_the_text(make_config, tmp_path):
    config = make_config(9)  # a dry run never connects
    written = "2026-12-04T09:15:00Z"
    with Store(config.db_path) as store:
        notes.put(store, EditorNote("MEX", "2024", "en", NOTE, "Jane Doe", written))
    page, text = digest(config, tmp_path)

    assert page.isascii()  # the digest's HTML is ASCII: the dash travels as a character reference
    shown = html.unescape(" ".join(page.split()))
    byline = f"Editor's note</span> — Jane Doe, {date_label(written)}</p>"
    assert shown.index(LEDE_END) < shown.index('class="editors-note"') < shown.index(byline) \
        < shown.index("Talks on <strong") < shown.index(CHANGE)
    assert '<a href="https://ustr.gov/usmca" rel="noopener noreferrer"' in shown
    assert "border-left:3px solid #b3261e" in shown.replace(": ", ":")  # styled inline, as mail clients need

    note_text = ("EDITOR'S NOTE — Jane Doe, Dec. 4, 2026\n\n"
                 "Talks on rules of origin resume in June; see the agenda\n(https://ustr.gov/usmca).\n\n"
                 "- Autos\n- Steel\n\n")
    before, after = text.split(note_text)
    assert before.endswith("reported\non Oct. 1.\n\n") and after.startswith(CHANGE)  # the lede, wrapped at 72


def test_without_a_note_the_digest_is_as_before(make_config, tmp_path):
    page, text = digest(make_config(9), tmp_path)
    assert 'class="editors-note"' not in page and "EDITOR'S NOTE" not in text
    assert f"reported\non Oct. 1.\n\n{CHANGE}" in text


def test_the_rendered_digest_names_the_note_for_the_number_check(make_config):
    config = make_config(9)
    facts = pipeline.facts(config, pipeline.load(config, partner="MX", period="2024"), "MX", "2024")
    note = EditorNote("MEX", "2024", "en", "Up 12% since **2019**.", "Jane Doe", "2026-12-04T09:15:00Z")
    env = render.email_environment()
    rendered = render.render_digest(env, facts, [], briefing_url="https://x.example/b", pdf_attached=False, note=note)
    assert rendered.editorial == {"editor's note": "EDITOR'S NOTE — Jane Doe, Dec. 4, 2026\n\nUp 12% since 2019."}
    assert render.render_digest(env, facts, [], briefing_url="https://x.example/b", pdf_attached=False).editorial == {}
