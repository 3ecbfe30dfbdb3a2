"""Nothing internal reaches a reader: briefings (HTML and PDF), digests (HTML and text), the archive's
index and feed speak of the publisher and the Census Bureau, never of source ids, vintage labels,
hashes or the tool; machines still find the vintage in the <meta> elements, the PDF's metadata, the
facts JSON and the archive's record of builds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from pypdf import PdfReader

from reportgen import pipeline
from reportgen.config import Config
from reportgen.render.facts_json import facts_to_dict
from reportgen.store import Store
from reportgen.store import archive as records

PUBLISHER = 'Gulf "Coast" Trade & Desk'  # quotes and an ampersand: escaped right in HTML, CSS and XML
BRIEFINGS = [("MX", "2024"), ("CA", "2024-05")]


class _Visible(HTMLParser):
    """What a reader sees of an HTML page: its text (the <title> too) and its alt and title attributes."""

    HIDDEN = ("style", "script")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.meta: dict[str, list[str]] = {}
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "meta" and "name" in attrs:
            self.meta.setdefault(attrs["name"], []).append(attrs.get("content", ""))
        self.parts.extend(attrs[name] for name in ("alt", "title") if attrs.get(name))

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> tuple[str, dict[str, list[str]]]:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.meta


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def site(tmp_path_factory, seeded_store):
    """Two briefings in the archive (MX 2024 built twice, so it lists an earlier build) and the MX 2024
    digest written as .eml by a dry run."""
    root = tmp_path_factory.mktemp("site")
    config = Config.model_validate({
        "data_dir": str(seeded_store(root / "data")), "output_dir": str(root / "output"),
        "public_url": "https://news.example",
        "publisher": {"name": PUBLISHER, "url": "https://desk.example/"},
        "smtp": {"sender": "Desk <desk@example.org>"}, "feeds": [],  # no news: the news tests cover it
    })
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", "1795435200")  # 2026-11-23 12:00 UTC
        pipeline.build(config, "MX", "2024", formats=["html"])
        env.setenv("SOURCE_DATE_EPOCH", "1795438800")  # an hour later
        for partner, period in BRIEFINGS:
            pipeline.build(config, partner, period)
    from reportgen.store.mail import MailStore, NewSubscriber

    with MailStore(config.db_path) as box:
        box.add([NewSubscriber("ana@example.com", "Ana")])
    [eml] = pipeline.send(config, "MX", "2024", dry_run=True, out_dir=root / "eml").written
    digest = message_from_bytes(eml.read_bytes(), policy=policy.default)
    with Store(config.db_path) as store:
        vintage = store.vintage("census-bulk")
    return config, vintage, digest


def internal_words(vintage) -> list[str]:
    return ["census-bulk", "census-api", vintage.label, vintage.sha256[:8], "vintage", "SHA-256",
            "feeds had not been read", "reportgen", "bundled"]


def assert_clean(text: str, vintage, where: str) -> None:
    for word in internal_words(vintage):
        assert word.lower() not in text.lower(), f"{word!r} in the {where}"


@pytest.mark.parametrize(("partner", "period"), BRIEFINGS)
def test_briefings_name_the_publisher_and_no_internals(site, partner, period):
    config, vintage, _ = site
    code = {"MX": "MEX", "CA": "CAN"}[partner]
    stem = config.output_dir / period / code / f"{code}-{period}"
    text, meta = visible(stem.with_suffix(".html").read_text(encoding="utf-8"))
    assert_clean(text, vintage, f"{code} {period} HTML")
    assert meta["author"] == [PUBLISHER]
    assert ("Sources U.S. Census Bureau, U.S. International Trade in Goods by Country (country.xlsx), "
            "released Oct. 1, 2026; read ") in text
    assert "Built Nov. 23, 2026, 13:00 UTC." in text

    printed = pdf_text(stem.with_suffix(".pdf"))
    assert_clean(printed, vintage, f"{code} {period} PDF")
    pages = len(PdfReader(stem.with_suffix(".pdf")).pages)
    assert printed.count(f"{PUBLISHER} · Census basis, not seasonally adjusted") == pages  # every page's footer
    assert PdfReader(stem.with_suffix(".pdf")).metadata.author == PUBLISHER


def test_an_earlier_build_is_told_by_its_dates(site):
    config, _, _ = site
    text, meta = visible((config.output_dir / "2024/MEX/MEX-2024.html").read_text(encoding="utf-8"))
    assert ("An earlier version of this briefing was built on Nov. 23, 2026, 12:00 UTC from figures released "
            "Oct. 1, 2026.") in text
    assert meta["reportgen:earlier-build"] == ["2026-11-23T12:00:00Z census-bulk 2026-10-01/86b70f62"]


def test_the_digest_names_the_publisher_and_no_internals(site):
    _, vintage, digest = site
    html, _ = visible(digest.get_body(("html",)).get_content())
    plain = " ".join(digest.get_body(("plain",)).get_content().split())
    for text, where in ((html, "digest HTML"), (plain, "digest text")):
        assert_clean(text, vintage, where)
        assert ("Source: U.S. Census Bureau, U.S. International Trade in Goods by Country (country.xlsx), released "
                "Oct. 1, 2026. Census basis, goods, not seasonally adjusted.") in text
        assert f"You receive this digest from {PUBLISHER} because ana@example.com subscribed to it." in text
    assert digest["From"] == "Desk <desk@example.org>"  # the sender stays as configured


def test_the_archive_index_and_feed_name_the_publisher(site):
    config, vintage, _ = site
    text, meta = visible((config.output_dir / "index.html").read_text(encoding="utf-8"))
    assert_clean(text, vintage, "archive index")
    assert meta["author"] == [PUBLISHER]
    assert text.startswith(f"{PUBLISHER}: briefings on U.S. trade {PUBLISHER} ")  # the <title>, then the heading

    feed = feedparser.parse(config.output_dir / "feed.atom")
    assert not feed.bozo and feed.feed.title == PUBLISHER
    assert feed.feed.author_detail == {"name": PUBLISHER, "href": "https://desk.example/"}
    assert len(feed.entries) == 2
    for entry in feed.entries:
        assert_clean(f"{entry.title} {entry.summary}", vintage, "feed entry")
    assert feed.entries[0].summary == ("U.S. trade in goods in 2024, from U.S. Census Bureau figures; Census basis, "
                                       "not seasonally adjusted.")
    raw = (config.output_dir / "feed.atom").read_text(encoding="utf-8")
    assert "vintage" not in raw and "census-bulk" not in raw


def test_machines_still_find_the_vintage(site):
    """In the HTML's <meta> elements, the PDF's document information, the facts JSON and the archive's record."""
    config, vintage, _ = site
    stem = config.output_dir / "2024" / "MEX" / "MEX-2024"
    _, meta = visible(stem.with_suffix(".html").read_text(encoding="utf-8"))
    assert meta["reportgen:source"] == ["census-bulk"] and meta["reportgen:vintage"] == [vintage.label]
    assert meta["reportgen:sha256"] == [vintage.sha256] and meta["reportgen:published"] == ["2026-10-01T00:00:00Z"]
    assert meta["reportgen:origin"][0].startswith("https://www.census.gov/foreign-trade/balance/country.xlsx")

    info = PdfReader(stem.with_suffix(".pdf")).metadata
    assert info["/reportgenvintage"] == vintage.label and info["/reportgensha256"] == vintage.sha256

    data = facts_to_dict(pipeline.facts(config, pipeline.load(config, partner="MX", period="2024"), "MX", "2024"))
    assert (data["source"], data["vintage"], data["provenance"]["sha256"]) == ("census-bulk", vintage.label,
                                                                                vintage.sha256)
    with Store(config.db_path) as store:
        builds = records.history(store, "MEX", "2024")
    assert {(b.source, b.vintage) for b in builds} == {("census-bulk", vintage.label)} and len(builds) == 2


def test_a_publisher_name_cannot_break_out_of_the_page_footer(site):
    config, _, _ = site
    html = (config.output_dir / "2024/MEX/MEX-2024.html").read_text(encoding="utf-8")
    footer = re.search(r"@bottom-left \{\s*content: (\"[^\"]*\");", html)
    assert footer and footer.group(1) == r'"Gulf \22 Coast\22  Trade \26  Desk · Census basis, not seasonally adjusted"'


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=home, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result


WARNING = ("reportgen: warning: no news feed has been read yet, so briefings have no 'In the news' section: "
           "run `reportgen news collect`")


def test_build_and_send_warn_when_no_feed_was_ever_read(tmp_path, seeded_store):
    """Feeds configured (the defaults) but never collected: the operator is told, the reader sees no section."""
    seeded_store(tmp_path / "data")
    (tmp_path / "config.yaml").write_text("public_url: https://news.example\nsmtp: {sender: Desk <desk@example.org>}\n")
    built = cli(tmp_path, "build", "--partner", "MX", "--period", "2024", "--format", "html")
    assert built.stderr.splitlines() == [WARNING]
    html = (tmp_path / built.stdout.split()[0]).read_text(encoding="utf-8")
    assert '<section class="news">' not in html and "In the news" not in visible(html)[0]

    cli(tmp_path, "subscribers", "add", "ana@example.com")
    sent = cli(tmp_path, "send", "--partner", "MX", "--period", "2024", "--dry-run", "--out", "eml")
    assert sent.stderr.splitlines() == [WARNING]
    [eml] = (tmp_path / "eml").iterdir()
    digest = message_from_bytes(eml.read_bytes(), policy=policy.default)
    for kind in ("html", "plain"):
        body = digest.get_body((kind,)).get_content()
        assert "In the news" not in body and "IN THE NEWS" not in body and "feeds had not been read" not in body

    facts = json.loads(cli(tmp_path, "facts", "--partner", "MX", "--period", "2024", "--json").stdout)
    assert facts["news_feeds_read"] is False  # the fact is still there, for machines

    (tmp_path / "config.yaml").write_text("feeds: []\n")  # no feeds at all: nothing to warn about
    assert cli(tmp_path, "build", "--partner", "MX", "--period", "2024", "--format", "html").stderr == ""
