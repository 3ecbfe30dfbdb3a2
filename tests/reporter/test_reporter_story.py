"""Briefings from another reporter's side, from the Comtrade fixture: the story against wording written by
hand (tests/expected/MEX-RUS-2016.txt), every claim against the fixture's own rows read apart from the store
and the analysis, the mirror sentence against Census figures, and the archive place."""

from __future__ import annotations

import csv
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from comtrade_seed import FIXTURE, seed

from reportgen import pipeline
from reportgen.errors import InputError
from reportgen.models import Batch, Observation, Vintage
from reportgen.store import Store

EXPECTED = Path(__file__).resolve().parent.parent / "expected"
WORDS = {"top": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
         "ninth": 9}
NAMES = {"RUS": "Russia", "USA": "the United States", "CHN": "China", "ZAF": "South Africa", "EGY": "Egypt",
         "NGA": "Nigeria", "JPN": "Japan", "VNM": "Vietnam"}


class StoryText(HTMLParser):
    """The headline, the dateline and the story paragraphs, up to the key-figures box."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.done = False

    def handle_starttag(self, tag, attrs):
        if tag == "aside":
            self.done = True
        elif not self.done and tag in ("h1", "p") and dict(attrs).get("class", "") != "kicker":
            self.current = []

    def handle_endtag(self, tag):
        if tag in ("h1", "p") and self.current is not None:
            self.blocks.append(" ".join("".join(self.current).split()))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def story(html: str) -> str:
    parser = StoryText()
    parser.feed(html)
    return "\n\n".join(parser.blocks) + "\n"


@pytest.fixture(scope="module")
def rows() -> dict[tuple[str, str, str, str], int]:
    """(reporter, partner, flow, period) -> dollars, TOTAL rows of the fixture, read with the csv module."""
    with FIXTURE.open(encoding="utf-8") as handle:
        return {(r["reporter"], r["partner"], r["flow"], r["period"]): int(r["value"])
                for r in csv.DictReader(handle) if r["commodity"] == "TOTAL"}


def brief(config, partner: str, period: str = "2016") -> str:
    return story(pipeline.render(config, pipeline.reporter.facts(config, "MX", partner, period)).html)


def test_golden_text(comtrade_config):
    expected = (EXPECTED / "MEX-RUS-2016.txt").read_text(encoding="utf-8")
    assert brief(comtrade_config, "RU") == expected


def place(rows, partner: str, flow: str, period: str) -> int | None:
    """The partner's place among Mexico's partners by one flow: countries only (never WLD nor M49-* areas)."""
    values = {p: v for (rep, p, f, y), v in rows.items()
              if rep == "MEX" and f == flow and y == period and p != "WLD" and not p.startswith("M49-") and v > 0}
    order = sorted(values, key=lambda p: (-values[p], p))
    return order.index(partner) + 1 if partner in order else None


def ordinal_of(word: str) -> int:
    return WORDS[word] if word in WORDS else int(re.match(r"\d+", word)[0])


@pytest.mark.parametrize("partner", ["RUS", "USA", "CHN", "ZAF", "EGY", "NGA", "JPN", "VNM"])
@pytest.mark.parametrize("period", ["2016", "2015"])
def test_ranks_are_earned_and_name_their_base(comtrade_config, rows, partner, period):
    text = brief(comtrade_config, partner, period)
    listed_2014 = ("MEX", "JPN", "import", "2014") in rows  # 2012-2014 hold a few partners only: no ranks then
    for flow, role in (("import", "source of imports"), ("export", "export market")):
        moved = r"(, as in (\d{4})|, (up|down) from (\w+) in (\d{4}))?"
        found = re.search(rf"(top|\w+)(?:-largest)? {role}(?:, behind [^,.]+)?" + moved, text)
        assert found, f"{partner} {period}: no {role} rank in {text!r}"
        assert ordinal_of(found[1]) == place(rows, partner, flow, period), f"{partner} {period} {role}"
        before = place(rows, partner, flow, str(int(period) - 1))
        if period == "2015" and not listed_2014:
            assert found[2] is None, f"{partner} 2015: a move against 2014, when 2014 lists few partners"
        elif before == place(rows, partner, flow, period):
            assert found[3] == str(int(period) - 1)
        else:
            assert found[6] == str(int(period) - 1) and ordinal_of(found[5]) == before
            assert found[4] == ("up" if before > place(rows, partner, flow, period) else "down")


def history(rows, partner: str, measure: str, last: int) -> list[tuple[int, int]]:
    out = []
    for year in range(2012, last + 1):
        x, m = rows.get(("MEX", partner, "export", str(year))), rows.get(("MEX", partner, "import", str(year)))
        if x is not None or m is not None:
            x, m = x or 0, m or 0
            out.append((year, {"exports": x, "imports": m, "balance": x - m}[measure]))
    return out


@pytest.mark.parametrize("partner", ["RUS", "USA", "CHN"])
@pytest.mark.parametrize("period", ["2016", "2015", "2014"])
def test_records_and_since_are_earned(comtrade_config, rows, partner, period):
    """A record is the extreme of every stored year (three earlier at least), said with how far back the data go;
    "since" names the latest year at least as extreme, two or more years back."""
    text = brief(comtrade_config, partner, period)
    year = int(period)
    for measure, subject in (("exports", "xports to"), ("imports", "mports from")):
        past = history(rows, partner, measure, year)
        now, earlier = past[-1][1], past[:-1]
        high = now >= earlier[-1][1]
        beaten = [y for y, v in earlier if (v >= now if high else v <= now)]
        paragraph = text.split("\n\n")[3]
        shared = re.search(r", both (records|the (?:highest|lowest) since \d{4})\.", paragraph)
        clause = re.search(rf"{subject} .*?(?= while | and (?:im|ex)ports |\.(?: |$))", paragraph)[0]
        sentence = clause + (f", {shared[1]}" if shared else "")
        if len(earlier) >= 3 and not beaten:
            assert "record" in sentence, f"{partner} {period} {measure}: a record not claimed: {sentence}"
        else:
            assert "record" not in sentence, f"{partner} {period} {measure}: an unearned record: {sentence}"
        since = re.search(r"since (\d{4})", sentence)
        if beaten and year - beaten[-1] >= 2:
            assert since and int(since[1]) == beaten[-1], f"{partner} {period} {measure}: {sentence}"
        else:
            assert not since, f"{partner} {period} {measure}: an unearned 'since': {sentence}"
    balances = history(rows, partner, "balance", year)
    balance_record = len(balances) >= 4 and all(  # the largest gap of its sign: a record deficit or surplus
        abs(v) < abs(balances[-1][1]) or (v < 0) != (balances[-1][1] < 0) for _, v in balances[:-1])
    flow_record = "record" in text.split("\n\n")[3]
    assert ("record" in text.split("\n")[0]) == (balance_record or flow_record), f"{partner} {period}: headline"
    if "record" in text:
        assert text.count("in data back to 2012") == 1
    assert len(re.findall(r"\brecord\b", text.split("\n\n")[3])) <= 2


def test_shares_and_balance_leaders(comtrade_config, rows):
    text = brief(comtrade_config, "RU")

    def pct(part: int, whole: int) -> str:
        value = Decimal(part) / Decimal(whole) * 100
        return "less than 0.1%" if value < Decimal("0.05") else f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)}%"

    x, m = rows[("MEX", "RUS", "export", "2016")], rows[("MEX", "RUS", "import", "2016")]
    wx, wm = rows[("MEX", "WLD", "export", "2016")], rows[("MEX", "WLD", "import", "2016")]
    assert f"It accounted for {pct(m, wm)} of Mexico's imports and {pct(x, wx)} of its exports." in text
    balances = {p: rows.get(("MEX", p, "export", "2016"), 0) - rows.get(("MEX", p, "import", "2016"), 0)
                for (rep, p, _, y) in rows if rep == "MEX" and y == "2016" and p != "WLD" and not p.startswith("M49")}
    surplus, deficit = max(balances, key=balances.get), min(balances, key=balances.get)
    assert f"largest goods trade surplus in 2016 was with {NAMES[surplus]}" in text
    assert f"and its largest deficit with {NAMES[deficit]}" in text


def test_product_base_is_named_and_less_than_is_exact(comtrade_config):
    """"less than $5 million" only for a base that, rounded as readers see it, is under $5 million."""
    facts = pipeline.reporter.facts(comtrade_config, "MX", "RU", "2016")
    gear = facts.products[0].lines[0]
    assert gear.codes == ("870840", "870850")
    assert (gear.value, gear.base_value) == (31_204_118 + 17_812_547, 2_086_310 + 1_612_904)
    assert "up from less than $5 million in 2012" in story(pipeline.render(comtrade_config, facts).html)
    fertilizers = facts.products[1].lines[0]
    assert fertilizers.base_below is None  # 12% growth: the story names the 2012 figure itself


def test_unknown_period_and_partner_raise(comtrade_config):
    with pytest.raises(InputError, match="no 2017 figures reported by Mexico"):
        pipeline.reporter.facts(comtrade_config, "Mexico", "RU", "2017")
    with pytest.raises(InputError, match="Mexico reported no trade with"):
        pipeline.reporter.facts(comtrade_config, "MEX", "GRL", "2016")


def with_census_2016(config) -> list[int]:
    """Seed `config`'s store with the Comtrade fixture and Census's 2016 figures for Mexico; the U.S. exports
    to Mexico by month."""
    seed(config.db_path)
    exports = [19_004_118_330 + n * 1_000_000 for n in range(12)]  # U.S. exports to Mexico, by month of 2016
    census = [Observation("MEX", "export", f"2016-{n + 1:02d}", v) for n, v in enumerate(exports)]
    census += [Observation("MEX", "import", f"2016-{n + 1:02d}", 24_500_000_000) for n in range(12)]
    census += [Observation("MEX", "export", "2016", sum(exports)),
               Observation("MEX", "import", "2016", 294_000_000_000)]
    vintage = Vintage("census-bulk", "2026-10-01/0c0ffee0", "2026-10-01T12:00:00Z", "country.xlsx", "0c0ffee0")
    with Store(config.db_path) as store:
        store.add(Batch(vintage, census, last_month="2016-12"))
    return exports


def test_mirror_against_census(comtrade_config, tmp_path):
    """Mexico's imports from the United States beside the U.S. exports to Mexico Census reported; CIF vs f.a.s."""
    config = comtrade_config.model_copy(update={"data_dir": tmp_path / "data"})
    exports = with_census_2016(config)
    text = brief(config, "US")
    mexico = 179_582_331_006  # Mexico's imports from the United States, as the fixture holds them
    gap = sum(exports) - mexico
    percent = Decimal(gap) / Decimal(sum(exports)) * 100
    assert (f"Mexico's imports from the United States, as it reported them, were ${Decimal(gap) / 10**9:.1f} billion "
            f"or {percent.quantize(Decimal('0.1'), ROUND_HALF_UP)}% less than the "
            f"${Decimal(sum(exports)) / 10**9:.1f} billion the Census Bureau reported as U.S. exports to Mexico in "
            "2016: imports are valued CIF, including freight and insurance, and exports f.a.s.") in text


def test_archive_place_and_nothing_internal(comtrade_config):
    """output/2016/MEX-RUS/MEX-RUS-2016.html and .pdf; readers see no source ids or hashes, machines find them."""
    from pypdf import PdfReader

    written = pipeline.reporter.build(comtrade_config, "MX", "RU", "2016")
    out = comtrade_config.output_dir
    assert written == [out / "2016/MEX-RUS/MEX-RUS-2016.html", out / "2016/MEX-RUS/MEX-RUS-2016.pdf"]
    html = written[0].read_text(encoding="utf-8")
    facts = pipeline.reporter.facts(comtrade_config, "MX", "RU", "2016")
    label, sha = facts.provenance.vintage, facts.provenance.sha256
    assert f'<meta name="reportgen:vintage" content="{label}">' in html
    assert f'<meta name="reportgen:sha256" content="{sha}">' in html
    assert '<meta name="reportgen:reporter" content="MEX">' in html
    body = re.sub(r"<head>.*</head>", "", html, flags=re.DOTALL)
    body = re.sub(r'src="data:[^"]*"', "", body)
    pdf = " ".join(page.extract_text() for page in PdfReader(written[1]).pages)
    for text in (body, pdf):
        for internal in (label, label.split("/")[1], sha[:8], "comtrade", "M49-"):
            assert internal not in text
    assert "UN Comtrade" in pdf and "Gear boxes and drive axles for vehicles" in pdf
    assert "MEX-RUS-2016.html" in (out / "index.html").read_text(encoding="utf-8")


def test_reads_on_a_phone(comtrade_config, tmp_path):
    """390 CSS px in Debian's chromium: nothing scrolls sideways, the three charts load, nothing is fetched."""
    from playwright.sync_api import sync_playwright

    [html] = pipeline.write(comtrade_config, pipeline.reporter.facts(comtrade_config, "MX", "RU", "2016"), ["html"],
                            tmp_path)
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(html.as_uri(), wait_until="load")
        width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        images = page.evaluate("Array.from(document.images, i => [i.alt, i.complete, i.naturalWidth, i.width])")
        browser.close()
    assert inner == 390 and width <= inner, f"the page scrolls sideways: {width}px wide"
    assert [alt.split(":")[0] for alt, *_ in images] == ["Line chart", "Bar chart", "Bar chart"]
    assert all(complete and natural > 0 and 0 < shown <= inner for _, complete, natural, shown in images)
    assert [url for url in requested if not url.startswith("data:") and url != html.as_uri()] == []
