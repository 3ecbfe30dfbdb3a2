"""The balance's cells in the key figures: one rule (render.format), read the same in the briefing, the
HTML digest and its plain text (the command line's `facts` is checked in tests/test_cli.py)."""

from __future__ import annotations

import re

import pytest

from reportgen import pipeline
from reportgen.analysis.changes import compare
from reportgen.models import Figures
from reportgen.periods import Period
from reportgen.render.email import email_environment, render_digest
from reportgen.render.format import balance_amount, balance_change
from reportgen.render.html import environment, render_briefing


@pytest.mark.parametrize(("now", "then", "cell"), [
    ((100, 300), (100, 250), "widened 33.3%"),  # a deficit of 200 against 150
    ((100, 250), (100, 300), "narrowed 25.0%"),
    ((100, 300), (200, 400), "unchanged 0.0%"),
    ((300, 100), (100, 300), "reversed"),  # a deficit became a surplus: no percentage measures that
    ((100, 300), (200, 200), "n/a"),  # opened from balanced trade
    ((200, 200), (100, 300), "n/a"),  # closed to balanced trade
])
def test_the_change_cell(now, then, cell):
    assert balance_change(compare(Figures(*now), Figures(*then), Period.parse("2023"))) == cell


def test_the_amount_cell():
    assert balance_amount(-168_618_000_000) == "$168.6 billion deficit"
    assert balance_amount(2_140_000_000) == "$2.1 billion surplus"
    assert balance_amount(0) == "balanced"


def _html_row(html: str, table: str) -> list[str]:
    """The cells after 'Balance' in the table of class `table`."""
    row = re.search(r"Balance</t[hd]>(.*?)</tr>", html.split(f'class="{table}"')[1], re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def _text_row(text: str) -> list[str]:
    """The Balance line of the plain-text digest: columns of 15 (room for Spanish labels), 23 and 23 characters,
    two spaces, the change."""
    line = re.search(r"^Balance .*$", text, re.M).group(0)
    return [line[15:38].strip(), line[38:61].strip(), line[63:]]


@pytest.mark.parametrize(("partner", "period", "cells"), [
    ("MX", "2024", ["$168.6 billion deficit", "$148.5 billion deficit", "widened 13.6%"]),
    # The Cocos (Keeling) Islands: exports and imports of $0.1 million each; a year earlier no exports.
    ("CCK", "2024-12", ["balanced", "$200,000 deficit", "n/a"]),
])
def test_briefing_and_digest_read_the_same(config, dataset, partner, period, cells):
    facts = pipeline.facts(config, dataset, partner, period)
    briefing = render_briefing(environment(), facts, [], built_at="2026-11-23T12:00:00Z").html
    digest = render_digest(email_environment(), facts, [], briefing_url="https://example.org/b.html",
                           pdf_attached=False, publisher="The Desk")
    assert _html_row(briefing, "key-figures") == cells
    assert _html_row(digest.html, "figures") == cells
    assert _text_row(digest.text) == cells
