"""Which items concern a briefing: words not substrings, any case and accent, in the period's window."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from reportgen.analysis.news import Terms, relevant, window
from reportgen.config import NewsConfig
from reportgen.models import FeedEntry
from reportgen.news_terms import terms_for
from reportgen.partners import bundled
from reportgen.periods import Period

TOPICS = NewsConfig().topics
ENTRY = FeedEntry(feed="Wire", feed_url="http://feeds.test/wire.rss", guid="", title="", link="https://x.test/a",
                  published="2025-01-14T15:30:00Z", dated=True, summary="", language="en")


def terms(partner: str) -> Terms:
    return terms_for(bundled().resolve(partner), TOPICS)


@pytest.mark.parametrize("text, names, topics", [
    ("Mexico and U.S. open USMCA review talks", ["Mexico", "USMCA"], []),
    ("MÉXICO PIDE CLARIDAD SOBRE ARANCELES", ["Mexico"], ["aranceles"]),
    ("Los mexicanos y el T-MEC", ["mexicanos", "T-MEC"], []),
    ("Revisión del t mec", ["T-MEC"], []),
    ("Mexico's trade deficit with the U.S.", ["Mexico"], ["trade deficit"]),
    ("Mexicotown fair; Neomexican art", [], []),  # words, not substrings
    ("New Mexico lawmakers meet", [], []),
    ("Gulf of Mexico storm; Mexico City markets", ["Mexico"], []),  # the second mention still counts
    ("Benintendi trade sends outfielder to New York", [], []),  # "trade" alone is no topic
    ("Tariff relief for importers", [], ["tariff"]),  # the term as configured
    ("Tariffs tariff TARIFFS", [], ["tariffs", "tariff"]),  # each term once, in order of appearance
    ("NAFTA y TLCAN, historia", ["NAFTA", "TLCAN"], []),
])
def test_mexico_terms(text, names, topics):
    assert terms("MX").match(text) == (names, topics)


def test_north_american_agreement_names_both_partners():
    assert terms("CA").match("USMCA review; CUSMA in Canada's words") == (["USMCA", "CUSMA", "Canada"], [])
    assert terms("CN").match("USMCA review") == ([], [])


def test_short_acronyms_match_in_capitals_only():
    eu = terms("EU")
    assert eu.match("EU tariffs on steel") == (["EU"], ["tariffs"])
    assert eu.match("eu acho que sim") == ([], [])  # Portuguese "I"
    assert eu.match("la UE y la Unión Europea") == (["Unión Europea", "UE"], [])


def test_every_country_answers_to_its_own_name():
    assert terms("Paraguay").match("Paraguay exports soy") == (["Paraguay"], [])


@pytest.mark.parametrize("period, start, end", [
    ("2024", "2024-12-01", "2025-02-15"),  # up to and including February 14, 45 days after December 31
    ("2024-05", "2024-05-01", "2024-07-16"),
    ("2024-05-ytd", "2024-05-01", "2024-07-16"),
])
def test_window_runs_from_the_last_month_to_weeks_after(period, start, end):
    low, high = window(Period.parse(period), 0, 45)
    assert (low.date().isoformat(), high.date().isoformat()) == (start, end)
    assert window(Period.parse(period), 10, 0)[0].date().isoformat() < start


def entry(title: str, published: str, **changes) -> FeedEntry:
    return replace(ENTRY, title=title, published=published, link=f"https://x.test/{len(title)}-{published}", **changes)


def test_relevant_items_are_in_the_window_newest_first_and_say_why():
    start, end = window(Period.parse("2024"), 0, 45)
    entries = [
        entry("Mexico opens USMCA review", "2025-01-14T15:30:00Z"),
        entry("Canadian mills cut shifts", "2025-01-08T17:00:00Z"),
        entry("Mexican peso slips", "2024-10-05T09:00:00Z"),  # before the window
        entry("Mexico on the eve of the window", "2024-11-30T23:59:59Z"),
        entry("Mexico at the window's first second", "2024-12-01T00:00:00Z"),
        entry("Mexico after the window", "2025-02-15T00:00:00Z"),  # the end is excluded
        entry("Quiet day", "2025-01-10T10:00:00Z", summary="Steel tariffs were discussed."),
    ]
    items = relevant(entries, terms("MX"), start=start, end=end, limit=5)
    assert [(i.title, i.matched) for i in items] == [
        ("Mexico opens USMCA review", ("Mexico", "USMCA")),
        ("Quiet day", ("tariffs",)),
        ("Mexico at the window's first second", ("Mexico",)),
    ]
    assert items[0].source == "Wire" and items[0].link.startswith("https://") and items[0].dated


def test_the_partner_s_own_news_is_chosen_before_topic_news():
    start, end = window(Period.parse("2024"), 0, 45)
    general = [entry(f"Tariffs story {n}", f"2025-02-{n:02d}T12:00:00Z") for n in range(1, 10)]
    own = [entry("Mexico story", "2024-12-20T12:00:00Z")]
    items = relevant(general + own, terms("MX"), start=start, end=end, limit=3)
    assert [i.title for i in items] == ["Tariffs story 9", "Tariffs story 8", "Mexico story"]  # still newest first
    assert relevant(own, terms("MX"), start=start, end=end, limit=0) == ()


def test_the_partner_s_trade_news_comes_before_its_other_news():
    start, end = window(Period.parse("2024"), 0, 45)
    entries = [entry("Mexico City hosts a film festival", "2025-02-10T12:00:00Z"),
               entry("Mexico answers steel tariffs", "2024-12-15T12:00:00Z"),
               entry("Tariffs on solar panels", "2025-02-12T12:00:00Z")]
    items = relevant(entries, terms("MX"), start=start, end=end, limit=2)
    assert [i.title for i in items] == ["Mexico City hosts a film festival", "Mexico answers steel tariffs"]
    items = relevant(entries, terms("MX"), start=start, end=end, limit=1)
    assert [i.title for i in items] == ["Mexico answers steel tariffs"]


def test_nothing_relevant_is_an_empty_tuple():
    start, end = window(Period.parse("2024"), 0, 45)
    assert relevant([entry("Canadian mills", "2025-01-08T17:00:00Z")], terms("MX"), start=start, end=end,
                    limit=5) == ()
    assert isinstance(start, datetime) and start.tzinfo is UTC
