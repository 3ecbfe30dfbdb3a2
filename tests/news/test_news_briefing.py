"""The acceptance: feeds served locally, `reportgen news collect`, then `reportgen build` shows the
relevant items and only those, in the HTML and the PDF; hostile feeds change nothing else."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from reportgen import pipeline
from reportgen.config import Config, FeedConfig
from reportgen.models import News, NewsItem

from .conftest import requested, serve

RELEVANT = [  # newest first, as the briefing lists them
    "Aranceles: la industria automotriz de México pide claridad",
    "Steel tariff threat hangs over auto suppliers",
    "Mexico customs update",
    "Mexico tariff relief announced",
    "Mexico and U.S. open USMCA review talks in Washington",
    "México y EE.UU. acuerdan calendario para la revisión del T-MEC",
    "Quarterly bulletin on trade statistics (draft)",
]
# other partners, sports, out of the window, undated, a duplicate
IRRELEVANT = ["Canadian lumber", "Benintendi", "Mexican peso slips", "Border crossings", "Exportaciones de café",
              "Pacific ports", "Washington - Trade Desk"]
HOSTILE = ["<script", "onclick", "onerror", "onmouseover", "javascript:", "steal", "pixel.gif", "<iframe", "/frame",
           "<object", "passwd", "lol", "data:text"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def briefing(threaded_server, tmp_path_factory, seeded_store):
    """Collect every fixture feed (twice) with the command line, then build the Mexico 2024 briefing."""
    server = threaded_server
    server.clear()
    server.expect_request("/feeds/gone.rss").respond_with_data("gone", status=404)
    feeds = [("Trade Wire", serve(server, "wire.rss", etag='"w"')), ("Trade Desk", serve(server, "desk.atom")),
             ("Noticias", serve(server, "noticias-latin1.rss")), ("Hostile", serve(server, "hostile.rss")),
             ("Laughs", serve(server, "billion-laughs.xml")), ("External", serve(server, "external-entity.xml")),
             ("Gone", server.url_for("/feeds/gone.rss"))]
    home = tmp_path_factory.mktemp("home")
    seeded_store(home / "data")
    (home / "config.yaml").write_text(yaml.safe_dump({
        "http": {"retries": 0, "timeout": 5}, "news": {"max_items": 10, "deadline": 5},
        "feeds": [{"name": name, "url": url} for name, url in feeds],
    }), encoding="utf-8")
    first, second = run("news", "collect", cwd=home), run("news", "collect", cwd=home)
    fetched = len(server.log)
    paths = run("build", "--partner", "MX", "--period", "2024", cwd=home).stdout.split()
    html = Path(home, next(p for p in paths if p.endswith(".html"))).read_text(encoding="utf-8")
    pdf = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(home / next(
        p for p in paths if p.endswith(".pdf"))).pages)
    return {"home": home, "first": first, "second": second, "html": html, "pdf": pdf,
            "during_build": requested(server)[fetched:]}


def news_section(html: str) -> str:
    return html.split('<section class="news">', 1)[1].split("</section>", 1)[0]


class _Titles(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "p" and ("class", "title") in attrs:
            self.inside = True
            self.found.append("")

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "p"

    def handle_data(self, data):
        if self.inside:
            self.found[-1] += data


def titles(section: str) -> list[str]:
    parser = _Titles()
    parser.feed(section)
    return parser.found


def test_collect_reports_each_feed_and_each_failure_on_one_line(briefing):
    out, err = briefing["first"].stdout.splitlines(), briefing["first"].stderr.splitlines()
    assert out == ["Trade Wire: 7 items, 7 new", "Trade Desk: 4 items, 2 new", "Noticias: 2 items, 2 new",
                   "Hostile: 2 items, 2 new"]
    assert len(err) == 3
    assert err[0].startswith("reportgen: skipped: feed 'Laughs' refused: the document declares XML entities")
    assert err[1].startswith("reportgen: skipped: feed 'External' refused")
    assert err[2].startswith("reportgen: skipped: feed 'Gone' failed:") and "404" in err[2]


def test_collecting_again_stores_nothing_twice(briefing):
    assert briefing["second"].stdout.splitlines() == [f"{name}: unchanged since the last collect"
                                                      for name in ("Trade Wire", "Trade Desk", "Noticias", "Hostile")]
    db = sqlite3.connect(briefing["home"] / "data" / "reportgen.db")
    assert db.execute("SELECT COUNT(*) FROM news_items").fetchone()[0] == 13  # 7 + 2 + 2 + 2


def test_the_briefing_shows_the_relevant_items_and_only_those(briefing):
    section = news_section(briefing["html"])
    assert titles(section) == RELEVANT
    for text in IRRELEVANT:
        assert text not in section


def test_each_item_is_linked_with_its_source_day_and_why(briefing):
    section = news_section(briefing["html"])
    port = section.split("127.0.0.1:", 1)[1].split("/", 1)[0]
    assert (f'<a href="http://127.0.0.1:{port}/news/2025/usmca-review?id=7">Mexico and U.S. open USMCA review talks'
            f" in Washington</a>") in section
    assert "Trade Wire · Jan. 14, 2025 · mentions Mexico, USMCA" in section
    assert "Noticias · Jan. 13, 2025 · mentions Mexico, T-MEC" in section
    assert '<p class="title" lang="es-mx">' in section
    assert '<p class="title" lang="en">Mexico customs update</p>' in section  # its javascript: link dropped


def test_nothing_hostile_reaches_the_html_or_the_pdf(briefing):
    for bad in HOSTILE:
        assert bad not in briefing["html"].lower(), bad
    assert "Relief for importers takes effect today." in briefing["html"]
    assert briefing["during_build"] == []  # printing fetched neither a story nor the tracking pixel


def test_the_pdf_carries_the_section(briefing):
    pdf = briefing["pdf"]
    assert "In the news" in pdf
    for title in RELEVANT[:3]:
        assert title in pdf
    assert "Benintendi" not in pdf and "alert" not in pdf


def test_news_list_shows_what_matched(briefing):
    out = run("news", "list", "--partner", "Mexico", "--since", "2025-01-14", cwd=briefing["home"]).stdout
    lines = out.splitlines()
    # An undated item stands at the time it was read (today), so it comes first, marked.
    assert lines[0].endswith("  Border crossings in Mexico report longer truck waits  "
                             "(Trade Wire, undated: first read that day)")
    assert lines[2] == "2025-02-04  Aranceles: la industria automotriz de México pide claridad  (Trade Desk)"
    assert lines[3].split()[0].startswith("http://127.0.0.1:") and lines[3].endswith(
        "[matched: Mexico, T-MEC, aranceles]")
    assert "2025-01-13" not in out  # before --since


def test_the_facts_carry_the_same_items(briefing):
    import json

    data = json.loads(run("facts", "--partner", "MX", "--period", "2024", "--json", cwd=briefing["home"]).stdout)
    assert [item["title"] for item in data["news"]] == RELEVANT
    assert data["news"][0]["matched"] == ["Mexico", "T-MEC", "aranceles"] and data["news"][0]["dated"] is True
    assert data["news_days"] == {"first": "2024-12-01", "last": "2025-02-14"}  # December and 45 days after


def test_a_briefing_with_no_matching_news_says_so(briefing, tmp_path):
    paths = run("build", "--partner", "JP", "--period", "2023", "--format", "html", "--out", str(tmp_path),
                cwd=briefing["home"]).stdout.split()
    section = news_section(Path(paths[0]).read_text(encoding="utf-8"))
    # the default window: the period's last month and the 45 days after it
    assert "No item in the news feeds from Dec. 1, 2023 to Feb. 14, 2024 names Japan or a trade topic." in section
    assert "<li>" not in section


@pytest.fixture(scope="module")
def mx_facts(tmp_path_factory, seeded_store):
    config = Config(data_dir=seeded_store(tmp_path_factory.mktemp("data")), output_dir=tmp_path_factory.mktemp("out"))
    return config, pipeline.facts(config, pipeline.load(config, partner="MX", period="2024"), "MX", "2024")


def test_a_link_or_an_image_in_an_item_cannot_make_the_pdf_step_fetch(mx_facts, httpserver, tmp_path):
    config, facts = mx_facts
    assert facts.news.items == ()  # looked up, nothing stored
    pixel = httpserver.url_for("/pixel.png")
    item = NewsItem(title=f'Mexico <img src="{pixel}">', link=httpserver.url_for("/story"), source="Wire",
                    published="2025-01-14T15:30:00Z", dated=True, matched=("Mexico",),
                    summary=f'<img src="{pixel}"> <link rel="stylesheet" href="{httpserver.url_for("/x.css")}">')
    [html, pdf] = pipeline.write(config, dataclasses.replace(facts, news=News((item,))), ["html", "pdf"], tmp_path)
    assert httpserver.log == []
    assert "&lt;img src=" in html.read_text(encoding="utf-8")  # shown as the text it is, never as markup
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    assert f'Mexico <img src="{pixel}">' in text


def test_feeds_never_read_leave_the_section_out(mx_facts):
    """Not "nothing matched", which would mislead, nor "the feeds had not been read", which is the operator's
    business (the command line warns): the briefing has no such section."""
    config, facts = mx_facts  # feeds configured (the defaults), never collected
    assert facts.news.items == () and not facts.news.feeds_read
    [html] = pipeline.write(config, facts, ["html"], config.output_dir)
    text = html.read_text(encoding="utf-8")
    assert '<section class="news">' not in text and "had not been read" not in text


def test_without_feeds_there_is_no_section(mx_facts):
    config, _ = mx_facts
    quiet = config.model_copy(update={"feeds": []})
    assert pipeline.facts(quiet, pipeline.load(quiet, partner="MX", period="2024"), "MX", "2024").news is None
    assert FeedConfig(name="x", url="https://example.org/feed").language == "en"
