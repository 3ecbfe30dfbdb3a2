"""The Spanish (es-MX) edition: the same numbers as the English one, and wording reviewed by hand.

The golden files (tests/expected/*.es.txt) were read line by line as a Mexican copy editor would: agreement
("las exportaciones aumentaron", "el déficit se amplió"), house style ("mil millones de dólares", "T-MEC").
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from test_story import EXPECTED, story

from reportgen import pipeline
from reportgen.errors import InputError
from reportgen.periods import Period
from reportgen.render.html import environment, render_briefing

PERIODS = ("2024", "2024-01", "2024-05", "2024-05-ytd", "2016", "2009")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class BodyText(HTMLParser):
    """The text a reader sees: the page's body, without its style and metadata."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.body = False

    def handle_starttag(self, tag, attrs):
        self.body = self.body or tag == "body"

    def handle_data(self, data):
        if self.body:
            self.parts.append(data)


def numbers(html: str) -> Counter:
    """The number tokens of a page's text, separators normalised (12,345.6 and 12345.6 are one number)."""
    parser = BodyText()
    parser.feed(html)
    return Counter(token.replace(",", "") for token in NUMBER.findall(" ".join(parser.parts)))


@pytest.mark.parametrize("period", PERIODS)
def test_every_number_in_the_spanish_text_is_the_english_one(config, dataset, period):
    english, spanish = environment(), environment(language="es")
    when = Period.parse(period)
    traded = {code for code, figures in dataset.table.values(when).items() if figures.total_trade}
    partners = [p for p in dataset.registry if p.code in traded and p.kind in ("country", "group")]
    assert len(partners) > 150, len(partners)
    for partner in partners:
        facts = pipeline.facts(config, dataset, partner.code, when, detail=False)
        texts = [render_briefing(env, facts, [], built_at="2026-11-23T12:00:00Z").html for env in (english, spanish)]
        assert numbers(texts[1]) == numbers(texts[0]), (partner.code, period)


@pytest.mark.parametrize("period", ["2024", "2024-01", "2024-05-ytd"])
def test_the_spanish_story_matches_the_reviewed_text(config, dataset, period):
    facts = pipeline.facts(config, dataset, "MEX", period)
    rendered = render_briefing(environment(language="es"), facts, [], built_at="2026-11-23T12:00:00Z")
    assert story(rendered.html) == (EXPECTED / f"MEX-{period}.es.txt").read_text(encoding="utf-8")


def test_the_spanish_page_says_its_language(mx_2024):
    html = render_briefing(environment(language="es"), mx_2024, [], built_at="2026-11-23T12:00:00Z").html
    assert '<html lang="es-MX">' in html
    assert "<h2>Cifras clave</h2>" in html and "<h2>Key figures" not in html


def test_a_language_reportgen_does_not_write_is_one_clear_error():
    from reportgen.languages import language

    with pytest.raises(InputError, match=r"^language 'fr': reportgen writes en or es$"):
        language("fr")
