"""The self-check end to end: a newsroom's template folder (`templates_dir`) that puts a wrong figure into a
briefing or a digest makes `reportgen build` and `reportgen send --dry-run` fail with one line naming it, and
leaves no file behind; the web page says the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import pipeline
from reportgen.config import load_config
from reportgen.render import selfcheck
from reportgen.render.format import money
from reportgen.render.html import bundled_templates

# (template, the text replaced, the wrong figure put in its place, what the error names)
INJECTIONS = {
    "computed": ("_key_figures.html", '<td role="cell">{{ f.figures.exports|money_cell }}</td>',
                 '<td role="cell">{{ (f.figures.balance * 1.1)|int|money_cell }}</td>', "$185.5 billion"),
    "literal": ("_story.html", '{{ "reached" if f.record else "widened to" }} {{ f.figures.balance|money }}',
                '{{ "reached" if f.record else "widened to" }} $999.9 billion', "$999.9 billion"),
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=180, check=False)


def one_line_error(result: subprocess.CompletedProcess, start: str) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("reportgen: error: " + start) and line.endswith(" is not a figure of the facts"), line
    return line


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def home(tmp_path: Path, seeded_store) -> Path:
    """A working folder with a copy of the seeded store, a subscriber, and a newsroom template folder (empty)."""
    seeded_store(tmp_path / "data")
    (tmp_path / "newsroom").mkdir()
    (tmp_path / "config.yaml").write_text(
        "templates_dir: newsroom\nfeeds: []\npublic_url: https://briefings.example.org\n"
        "email:\n  charts: hosted\nsmtp:\n  host: 127.0.0.1\n  port: 9\n  security: none\n", encoding="utf-8")
    assert run("subscribers", "add", "ana@example.com", cwd=tmp_path).returncode == 0
    return tmp_path


def inject(home: Path, template: str, old: str, new: str) -> None:
    text = (bundled_templates() / template).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{template} no longer holds {old!r}"
    target = home / "newsroom" / template
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(old, new), encoding="utf-8")


def test_the_wrong_figures_are_no_figures_of_the_facts(home):
    """The injected figures could otherwise pass as true ones (the check proves existence, not place)."""
    config = load_config(home / "config.yaml")
    facts = pipeline.facts(config, pipeline.load(config), "MX", "2024")
    assert money(int(facts.figures.balance * 1.1)) == "$185.5 billion"
    assert money(int(facts.figures.exports * 0.9)) == "$301.0 billion"
    found = selfcheck.trace_map(facts)
    assert ("185.5", "billion") not in found and ("999.9", "billion") not in found and ("301.0", "billion") not in found


@pytest.mark.parametrize("injection", INJECTIONS)
def test_a_briefing_with_a_wrong_figure_fails_the_build_and_writes_nothing(home, injection):
    template, old, new, named = INJECTIONS[injection]
    built = run("build", "--partner", "MX", "--period", "2024", "--out", "plain", cwd=home)
    assert built.returncode == 0 and files(home / "plain") == ["MEX-2024.html", "MEX-2024.pdf"]  # the control
    inject(home, template, old, new)
    line = one_line_error(run("build", "--partner", "MX", "--period", "2024", "--out", "out", cwd=home),
                          f'self-check: "{named}" in MEX-2024.html ("...')
    assert named in line.split("(", 1)[1]  # the words around it quote it
    assert files(home / "out") == []
    one_line_error(run("build", "--partner", "MX", "--period", "2024", cwd=home), f'self-check: "{named}"')
    assert files(home / "output") == []  # the archive: no briefing, index or feed


def test_a_digest_with_a_wrong_figure_fails_and_writes_nothing(home):
    sent = run("send", "--partner", "MX", "--period", "2024", "--dry-run", cwd=home)
    assert sent.returncode == 0, sent.stderr
    written = files(home / "output")
    assert "digests/MEX-2024/00001-ana@example.com.eml" in written and "2024/MEX/charts/chart-balance.png" in written
    for path in (home / "output").rglob("*"):
        if path.is_file():
            path.unlink()
    inject(home, "email/digest.txt", '{{ _("Key figures")|upper }}\n',
           '{{ _("Key figures")|upper }}\nYear to date: {{ (f.figures.exports * 0.9)|int|money }}\n')
    line = one_line_error(run("send", "--partner", "MX", "--period", "2024", "--dry-run", cwd=home),
                          'self-check: "$301.0 billion" in MEX-2024 digest (text) ("...')
    assert "Year to date: $301.0 billion" in line
    assert files(home / "output") == []  # no message, and no chart for the hosted digest


def test_the_web_page_shows_the_error(home):
    from reportgen.store import Store, users
    from reportgen.web.app import create_app
    from reportgen.web.printing import PdfWorkers

    config = load_config(home / "config.yaml")
    with Store(config.db_path) as store:
        users.add(store, "editor", "correct horse battery")
    inject(home, *INJECTIONS["literal"][:3])
    workers = PdfWorkers(1, timeout=60)
    try:
        client = create_app(config, workers=workers).test_client()
        import base64

        auth = {"Authorization": "Basic " + base64.b64encode(b"editor:correct horse battery").decode()}
        answer = client.get("/briefings/MEX/2024/html", headers=auth)
    finally:
        workers.close()
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    assert 'self-check: &#34;$999.9 billion&#34; in MEX-2024.html' in page and "is not a figure of the facts" in page
