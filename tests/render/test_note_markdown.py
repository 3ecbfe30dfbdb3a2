"""An editor's note in Markdown: the safe subset written as HTML and plain text, and everything else refused."""

from __future__ import annotations

import pytest

from reportgen.errors import InputError
from reportgen.models import EditorNote
from reportgen.render import notes
from reportgen.render.html import editorial, environment

NOTE = r"""Mexico's *record* deficit comes as **USMCA** talks near; see [USTR](https://ustr.gov/usmca) and
<https://www.census.gov/foreign-trade>.

> "We expect the gap to narrow," said a trade official.\
> A second line of the quote.

- Auto parts led the rise, and this item is long enough to wrap at seventy-two characters.
- Steel fell ([figures](http://example.org/steel?a=1&b=2)).

3. third
4. fourth
"""


def test_the_subset_is_written_as_html():
    html = str(notes.to_html(NOTE))
    assert html.startswith("<p>Mexico's <em>record</em> deficit comes as <strong>USMCA</strong> talks near; see "
                           '<a href="https://ustr.gov/usmca" rel="noopener noreferrer">USTR</a> and\n'
                           '<a href="https://www.census.gov/foreign-trade" rel="noopener noreferrer">')
    assert ('<blockquote>\n<p>"We expect the gap to narrow," said a trade official.<br>\n'
            "A second line of the quote.</p>\n</blockquote>") in html
    assert '<li>Steel fell (<a href="http://example.org/steel?a=1&amp;b=2" rel="noopener noreferrer">figures</a>).' \
        in html
    assert '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>' in html


def test_the_subset_is_written_as_plain_text_for_the_digest():
    assert notes.to_text(NOTE) == (
        "Mexico's record deficit comes as USMCA talks near; see USTR\n"
        "(https://ustr.gov/usmca) and https://www.census.gov/foreign-trade.\n"
        "\n"
        "> \"We expect the gap to narrow,\" said a trade official.\n"
        "> A second line of the quote.\n"
        "\n"
        "- Auto parts led the rise, and this item is long enough to wrap at\n"
        "  seventy-two characters.\n"
        "- Steel fell (figures (http://example.org/steel?a=1&b=2)).\n"
        "\n"
        "3. third\n"
        "4. fourth"
    )


def test_text_that_looks_like_html_but_is_escaped_stays_text():
    assert str(notes.to_html("Use &lt;b&gt; for bold, 5 > 4 \\*not emphasis\\*")) == \
        "<p>Use &lt;b&gt; for bold, 5 &gt; 4 *not emphasis*</p>"


@pytest.mark.parametrize(("markdown", "message"), [
    ("<script>alert(1)</script>", "the note holds raw HTML ('<script>alert(1)</script>'), which is not allowed"),
    ("Read this <script>alert(1)</script> now", "raw HTML ('<script>')"),
    ('Look <img src="https://evil.example/x.png">', "raw HTML ('<img src=\"https://evil.example/x.png\">')"),
    ("<!-- hidden -->", "raw HTML ('<!-- hidden -->')"),
    ("![chart](https://evil.example/track.png)", "images are not allowed in a note (remote or not)"),
    ("![chart](chart.png)", "images are not allowed in a note (remote or not)"),
    ("[click](javascript:alert(1))", "the link to 'javascript:alert(1)' is not allowed: only http:// and https://"),
    ("[click](JaVaScRiPt:alert(1))", "the link to 'JaVaScRiPt:alert(1)' is not allowed"),
    ("[click][1]\n\n[1]: javascript:alert(1)", "the link to 'javascript:alert(1)' is not allowed"),
    ("[click](data:text/html;base64,PHNjcmlwdD4=)", "the link to 'data:text/html;base64,PHNjcmlwdD4=' is not allowed"),
    ("<mailto:desk@example.org>", "the link to 'mailto:desk@example.org' is not allowed"),
    ("[here](//evil.example/)", "the link to '//evil.example/' is not allowed"),
    ("# A heading", "headings are not allowed in a note"),
    ("Run `rm -rf`", "code (`...`) is not allowed in a note"),
    ("", "the note is empty"),
    (" \n\t\n ", "the note is empty"),
    ("x" * 2001, "the note has 2,001 characters; keep it to 2,000"),
    ("bell\x07", "the note holds a control character (U+0007)"),
])
def test_anything_outside_the_subset_is_refused_with_one_line(markdown, message):
    with pytest.raises(InputError) as refused:
        notes.check(markdown)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_note_of_the_longest_length_is_kept_and_line_ends_are_made_unix():
    assert notes.check("x" * 2000) == "x" * 2000
    assert notes.check("  one\r\ntwo\rthree  \r\n") == "one\ntwo\nthree"


@pytest.mark.parametrize(("name", "kept"), [("  Jane   Doe ", "Jane Doe"), ("María José Núñez", "María José Núñez")])
def test_editor_names_are_trimmed(name, kept):
    assert notes.check_editor(name) == kept


@pytest.mark.parametrize(("name", "message"), [
    ("", "the note needs an editor's name"), ("x" * 81, "keep it to 80"), ("Jane\u202eDoe", "control character"),
])
def test_odd_editor_names_are_refused(name, message):
    with pytest.raises(InputError, match=message):
        notes.check_editor(name)


def test_the_note_as_readers_read_it_is_named_for_the_number_check():
    """Numbers in the note (and its date) are the editor's, not data: a check that traces numbers gets them."""
    note = EditorNote("MEX", "2024", "en", "Talks resume on **June 30**, 2025.", "Jane Doe", "2026-12-04T09:15:00Z")
    assert editorial(environment(), note) == {
        "editor's note": "EDITOR'S NOTE — Jane Doe, Dec. 4, 2026\n\nTalks resume on June 30, 2025."}
    assert editorial(environment(), None) == {}


def test_a_stored_note_that_the_rules_refuse_stops_the_build_with_a_message_naming_it(config, mx_2024):
    """Notes are checked when written; one that got into the store otherwise is not printed, and the
    error says which note to fix."""
    from reportgen import pipeline
    from reportgen.errors import RenderError
    from reportgen.render import email

    bad = EditorNote("MEX", "2024", "en", "<b>bold</b>", "Jane Doe", "2026-12-04T09:15:00Z")
    with pytest.raises(RenderError, match=r"^the editor's note on MEX-2024: the note holds raw HTML \('<b>'\)"):
        pipeline.render(config, mx_2024, note=bad)
    with pytest.raises(RenderError, match="^the editor's note on MEX-2024: "):
        email.render_digest(email.email_environment(), mx_2024, [], briefing_url="https://x.example/b",
                            pdf_attached=False, note=bad)
