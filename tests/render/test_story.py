"""The story text of whole briefings against wording written by hand (tests/expected/).

The expected files were written from the Census figures and the phrasing rules, not produced by
reportgen: a change of wording shows up here as a diff to review.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportgen import pipeline
from reportgen.render.html import environment, headline, render_briefing

EXPECTED = Path(__file__).resolve().parent.parent / "expected"


class StoryText(HTMLParser):
    """The headline, the dateline and the story paragraphs, up to the key-figures box."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.done = False

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class", "")
        if tag == "aside":
            self.done = True
        elif not self.done and tag in ("h1", "p") and classes != "kicker":
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


@pytest.mark.parametrize(("partner", "period"), [
    ("MEX", "2024"), ("MEX", "2024-01"), ("MEX", "2024-05"), ("MEX", "2024-05-ytd"), ("CAN", "2024"),
    ("CHN", "2024"), ("MEX", "2022-09"),
])
def test_story_matches_the_reviewed_text(config, dataset, partner, period):
    facts = pipeline.facts(config, dataset, partner, period)
    rendered = render_briefing(environment(), facts, [], built_at="2026-11-23T12:00:00Z")
    assert story(rendered.html) == (EXPECTED / f"{partner}-{period}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("partner", "expected"), [
    ("Canada", "U.S. goods trade deficit with Canada narrows to $61.2 billion in 2024"),
    ("China", "U.S. goods trade deficit with China widens to $297.0 billion in 2024, largest since 2022"),
    ("Netherlands", "U.S. goods trade surplus with the Netherlands"),
])
def test_headlines_follow_the_rules(config, dataset, partner, expected):
    assert headline(environment(), pipeline.facts(config, dataset, partner, "2024")).startswith(expected)


def test_a_group_is_described_by_its_share_not_a_rank(config, dataset):
    text = story(render_briefing(environment(), pipeline.facts(config, dataset, "European Union", "2024"), [],
                                 built_at="2026-11-23T12:00:00Z").html)
    # 2024: exports 369,998.3, imports 606,719.2 -> total 976,717.5 -> 18.3% of 5,326,917.7
    assert ("The European Union accounted for 18.3% of U.S. goods trade, with total goods trade of $976.7 billion."
            in text)
    assert "largest U.S. trading partner" not in text


def test_a_headline_is_plain_text_escaped_once_in_the_page(config, dataset):
    facts = pipeline.facts(config, dataset, "Cote d'Ivoire", "2024")
    title = headline(environment(), facts)
    assert title.startswith("U.S. goods trade deficit with Cote d'Ivoire")
    html = render_briefing(environment(), facts, [], built_at="2026-11-23T12:00:00Z").html
    assert "<title>U.S. goods trade deficit with Cote d&#39;Ivoire" in html and "&amp;#39;" not in html


def test_a_move_in_rank_names_one_or_two_partners_passed_else_the_place_a_year_earlier(config, dataset):
    env = environment()

    def ranks_paragraph(partner: str) -> str:
        facts = pipeline.facts(config, dataset, partner, "2024")
        text = story(render_briefing(env, facts, [], built_at="2026-11-23T12:00:00Z").html)
        return next(block for block in text.split("\n\n") if "U.S. trading partner" in block)

    # Ranked by hand from the Census annual totals of single countries, 2021 to 2024.
    vietnam = ranks_paragraph("Vietnam")  # total trade 8th in 2022, 9th in 2023, 8th again past the United Kingdom
    assert vietnam.startswith("Vietnam regained its place as the eighth-largest U.S. trading partner, up from ninth "
                              "in 2023, passing the United Kingdom, with total goods trade of $149.4 billion (2.8% "
                              "of the U.S. total).")
    germany = ranks_paragraph("Germany")  # exports 5th -> 7th: the United Kingdom and Japan went past
    assert ("seventh-largest destination for U.S. exports, down from fifth in 2023 as the United Kingdom and Japan "
            "moved ahead.") in germany
    aruba = ranks_paragraph("Aruba")  # 110th -> 109th while four went one way and three the other; 109th in 2022
    assert aruba.startswith("Aruba regained its place as the 109th-largest U.S. trading partner, up from 110th in "
                            "2023, with total goods trade of $728 million (less than 0.1% of the U.S. total).")
    barbados = ranks_paragraph("Barbados")  # 104th both years: partners swapping around it is not news
    assert barbados.startswith("Barbados remained the 104th-largest U.S. trading partner, as in 2023, with total "
                               "goods trade of $819 million (less than 0.1% of the U.S. total). It was")
    assert "passing" not in aruba + barbados and "behind" not in vietnam + aruba + barbados


def test_zero_is_balanced_trade_not_a_surplus_and_no_imports_earn_no_rank(config, dataset):
    """Tiny partners, from the Census figures ($ millions): the Cocos (Keeling) Islands exported 0.1
    and imported 0.1 in December 2024, against 0.0 and 0.2 a year before and 0.0 and 0.1 in November;
    Tuvalu had no trade in April 2019 and sold nothing to the United States in April 2020."""
    env = environment()

    def text(partner: str, period: str) -> str:
        facts = pipeline.facts(config, dataset, partner, period)
        return story(render_briefing(env, facts, [], built_at="2026-11-23T12:00:00Z").html)

    cocos = text("CCK", "2024-12")
    assert cocos.startswith("U.S. goods trade with the Cocos (Keeling) Islands balanced in December 2024\n\n")
    assert ("U.S. goods trade with the Cocos (Keeling) Islands was balanced in December 2024, after a deficit of "
            "$200,000 in December 2023, the Census Bureau reported on Oct. 1.\n\n"
            "Compared with December 2023, exports to the Cocos (Keeling) Islands rose from zero to $100,000 while "
            "imports from the Cocos (Keeling) Islands fell 50.0% to $100,000.") in cocos
    assert ("Compared with November, the balance moved from a deficit of $100,000 to balanced trade: exports "
            "rose from zero and imports were unchanged.") in cocos
    assert "surplus" not in cocos

    tuvalu = text("Tuvalu", "2020-04")
    assert tuvalu.startswith("U.S. posts $100,000 goods trade surplus with Tuvalu in April 2020\n\n")
    assert ("The United States posted a goods trade surplus of $100,000 with Tuvalu in April 2020, after no trade "
            "in April 2019, the Census Bureau reported on Oct. 1.\n\n"
            "Compared with April 2019, exports to Tuvalu rose from zero to $100,000 and imports from Tuvalu were "
            "zero, as in April 2019.") in tuvalu
    assert "source of U.S. imports" not in tuvalu  # buying nothing is not being the 228th-largest source
    # 210 countries bought U.S. goods that month; Tuvalu's $0.1 million ties with Timor-Leste's and comes after it
    # by code; in March it had been 214th
    assert "It was the 209th-largest destination for U.S. exports, up from 214th in March" in tuvalu
