"""`reportgen note` end to end: a real process, a real store, the briefing built again and read as HTML and PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.models import EditorNote
from reportgen.render.format import date_label
from reportgen.store import Store, notes

NOTE = """Officials in Mexico City expect the *gap* to narrow as **USMCA** talks resume; see the
[USTR statement](https://ustr.gov/usmca).

> "Auto parts will lead," said a trade attaché.
"""
LEDE = "the Census Bureau reported on Oct. 1."
NEXT = "The deficit grew 13.6% from $148.5 billion in 2023"


def run(*args: str, cwd: Path, ok: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120, check=False, input=stdin)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reportgen: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def stored(home: Path, partner: str = "MEX", period: str = "2024", lang: str = "en") -> EditorNote | None:
    with Store(home / "data" / "reportgen.db") as store:
        return notes.get(store, partner, period, lang)


@pytest.fixture
def home(tmp_path: Path, seeded_store) -> Path:
    """A working folder with a copy of the seeded store, no config: output goes to ./output."""
    seeded_store(tmp_path / "data")
    return tmp_path


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_a_note_shows_under_the_lede_in_html_and_pdf_survives_a_rebuild_and_can_be_removed(home):
    (home / "note.md").write_text(NOTE, encoding="utf-8")
    before = datetime.now(UTC).replace(microsecond=0)
    saved = run("note", "--partner", "Mexico", "--period", "2024", "--file", "note.md", "--editor", "Jane Doe",
                cwd=home)
    note = stored(home)
    assert note is not None and (note.editor, note.markdown) == ("Jane Doe", NOTE.strip())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", note.written)
    assert before <= datetime.fromisoformat(note.written) <= datetime.now(UTC) + timedelta(seconds=1)
    assert saved.stdout == (f"saved the editor's note on MEX-2024: Jane Doe, {note.written}\n"
                            "the note shows from the next build of MEX-2024 on: "
                            "`reportgen build --partner MEX --period 2024`\n")

    byline = f"Editor's note</span> — Jane Doe, {date_label(note.written)}</p>"
    for _ in range(2):  # built, then built again: the note stays
        run("build", "--partner", "MX", "--period", "2024", cwd=home)
        html = (home / "output" / "2024" / "MEX" / "MEX-2024.html").read_text(encoding="utf-8")
        assert html.index(LEDE) < html.index('<div class="editors-note"') < html.index(byline) < html.index(NEXT)
        assert ("<p>Officials in Mexico City expect the <em>gap</em> to narrow as <strong>USMCA</strong> talks "
                'resume; see the\n<a href="https://ustr.gov/usmca" rel="noopener noreferrer">USTR statement</a>.</p>'
                ) in html
        text = pdf_text(home / "output" / "2024" / "MEX" / "MEX-2024.pdf")
        assert text.index(LEDE) < text.index(f"EDITOR'S NOTE — Jane Doe, {date_label(note.written)}") \
            < text.index("Officials in Mexico City expect the gap to narrow") \
            < text.index("\"Auto parts will lead,\" said a trade attaché.") < text.index(NEXT)

    shown = run("note", "--partner", "MX", "--period", "2024", cwd=home).stdout
    assert shown == f"MEX-2024: editor's note by Jane Doe, written {note.written}\n{NOTE.strip()}\n"

    removed = run("note", "--partner", "MX", "--period", "2024", "--remove", cwd=home)
    assert removed.stdout == (f"removed the editor's note on MEX-2024: Jane Doe, {note.written}\n"
                              "MEX-2024 is in the archive: run `reportgen build --partner MEX --period 2024` "
                              "to take the note out of it\n")
    assert stored(home) is None
    run("build", "--partner", "MX", "--period", "2024", cwd=home)
    html = (home / "output" / "2024" / "MEX" / "MEX-2024.html").read_text(encoding="utf-8")
    assert 'class="editors-note"' not in html and "Officials in Mexico City" not in html
    assert "EDITOR'S NOTE" not in pdf_text(home / "output" / "2024" / "MEX" / "MEX-2024.pdf")
    assert run("note", "--partner", "MX", "--period", "2024", cwd=home).stdout == "MEX-2024: no editor's note\n"
    one_line_error(run("note", "--partner", "MX", "--period", "2024", "--remove", cwd=home, ok=False),
                   "MEX-2024 has no editor's note to remove")


@pytest.mark.parametrize(("markdown", "message"), [
    ("Context.\n\n<script>alert('x')</script>\n", "raw HTML"),
    ("See ![the chart](https://tracker.example/pixel.png)\n", "images are not allowed"),
    ("[Read more](javascript:alert(document.cookie))\n", "the link to 'javascript:alert(document.cookie)'"),
    ("", "the note is empty"),
    ("word " * 500, "keep it to 2,000"),
])
def test_a_refused_note_stores_nothing_and_leaves_the_note_before(home, markdown, message):
    run("note", "--partner", "MX", "--period", "2024", "--file", "-", "--editor", "Jane Doe", stdin="Kept.", cwd=home)
    kept = stored(home)
    refused = run("note", "--partner", "MX", "--period", "2024", "--file", "-", "--editor", "Eve", stdin=markdown,
                  cwd=home, ok=False)
    one_line_error(refused, message)
    assert refused.stdout == ""
    assert stored(home) == kept


def test_bad_partner_period_language_and_options_get_one_line(home):
    (home / "note.md").write_text("A note.", encoding="utf-8")
    for args, message in [
        (("--partner", "Mexcio", "--period", "2024"), "unknown partner 'Mexcio'; did you mean Mexico?"),
        (("--partner", "MX", "--period", "2024-13"), "period '2024-13' is not a year"),
        (("--partner", "MX", "--period", "2031"), "no data for 2031 yet"),
        (("--partner", "MX", "--period", "2024", "--lang", "fr"), "language 'fr': reportgen writes en or es"),
        (("--partner", "MX", "--period", "2024", "--file", "note.md", "--remove"), "not both"),
        (("--partner", "MX", "--period", "2024", "--editor", "Jane"), "--editor goes with --file"),
        (("--partner", "MX", "--period", "2024", "--file", "missing.md"), "missing.md: cannot read the note"),
    ]:
        one_line_error(run("note", *args, cwd=home, ok=False), message)
    (home / "latin1.md").write_bytes("Año".encode("latin-1"))
    one_line_error(run("note", "--partner", "MX", "--period", "2024", "--file", "latin1.md", cwd=home, ok=False),
                   "latin1.md: the note is not UTF-8 text")
    assert stored(home) is None


def test_the_editor_defaults_to_the_login_name(home):
    import os

    env = {**os.environ, "USER": "jdoe"}
    result = subprocess.run([sys.executable, "-m", "reportgen", "note", "--partner", "MX", "--period", "2024-05",
                             "--file", "-"], cwd=home, input="A note.", capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert stored(home, period="2024-05").editor == "jdoe"


def test_replacing_a_note_keeps_the_newest_and_languages_are_apart(home):
    run("note", "--partner", "MX", "--period", "2024", "--file", "-", "--editor", "Ana", stdin="First.", cwd=home)
    run("note", "--partner", "MX", "--period", "2024", "--file", "-", "--editor", "Ben", stdin="Second.", cwd=home)
    run("note", "--partner", "MX", "--period", "2024", "--file", "-", "--editor", "Ana", "--lang", "es",
        stdin="Nota en español.", cwd=home)
    assert (stored(home).editor, stored(home).markdown) == ("Ben", "Second.")
    assert (stored(home, lang="es").editor, stored(home, lang="es").markdown) == ("Ana", "Nota en español.")
    newest = stored(home)
    with Store(home / "data" / "reportgen.db") as store:  # a write that started before the newest one is dropped
        assert not notes.put(store, EditorNote("MEX", "2024", "en", "Stale.", "Cy", "2000-01-01T00:00:00Z"))
        assert notes.get(store, "MEX", "2024", "en") == newest
        assert len(store.vintages()) == 1  # the notes table joined the store; nothing else moved


def test_a_briefing_from_another_reporters_side_keeps_its_own_note(home):
    """A note is keyed by the briefing's archive code: MEX for Census's, MEX-RUS from Mexico's side; the code
    for the latter needs Comtrade figures, so without them the note is refused as a build would be."""
    one_line_error(run("note", "--reporter", "MX", "--partner", "RU", "--period", "2016", "--file", "-",
                       "--editor", "Jane", stdin="A note.", cwd=home, ok=False), "no annual figures reported by Mexico")
