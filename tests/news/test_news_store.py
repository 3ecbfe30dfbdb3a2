"""News in the SQLite store: each story once, by guid, by canonical link or by its headline."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from reportgen.errors import StoreError
from reportgen.folding import word_string
from reportgen.models import FeedEntry
from reportgen.store import Store
from reportgen.store.news import NewsStore, same_headline

WIRE, DESK = "http://feeds.test/wire.rss", "http://feeds.test/desk.atom"
STORY = FeedEntry(feed="Wire", feed_url=WIRE, guid="w-1", title="Mexico and U.S. open USMCA review talks",
                  link="https://news.example.org/usmca-review", published="2025-01-14T15:30:00Z", dated=True,
                  summary="Negotiators met.", language="en")


@pytest.fixture
def news(tmp_path):
    with Store(tmp_path / "reportgen.db") as store:
        yield NewsStore(store)


def add(news: NewsStore, *entries: FeedEntry, url: str = WIRE, content: bytes = b"doc") -> tuple[int, int]:
    added = news.add(entries, url=url, name="x", content=content, read_at="2026-11-23T12:00:00Z")
    return added.new, added.duplicates


def test_entries_come_back_as_stored_newest_first(news):
    older = replace(STORY, guid="w-0", title="Canadian lumber mills cut shifts", link="https://news.example.org/lumber",
                    published="2025-01-08T17:00:00Z", dated=False)
    assert add(news, older, STORY) == (2, 0)
    assert news.since() == [STORY, older]
    assert news.between(datetime(2025, 1, 8, 17, tzinfo=UTC), datetime(2025, 1, 14, 15, 30, tzinfo=UTC)) == [older]


def test_the_same_guid_of_the_same_feed_is_one_story(news):
    assert add(news, STORY) == (1, 0)
    assert add(news, replace(STORY, title="Corrected headline", link="https://news.example.org/other")) == (0, 1)
    other_feed = replace(STORY, feed="Desk", feed_url=DESK, title="A different story entirely here",
                         link="https://news.example.org/different")
    assert add(news, other_feed, url=DESK) == (1, 0)  # guids are the feed's own: another feed's w-1 is not this


def test_the_same_canonical_link_in_another_feed_is_one_story(news):
    add(news, STORY)
    assert add(news, replace(STORY, feed="Desk", feed_url=DESK, guid="d-9", title="Talks begin"), url=DESK) == (0, 1)


def test_a_feed_that_points_new_entries_at_one_page_keeps_them(news):
    """The Census indicators feed links every month's release to the same indicator page."""
    march = replace(STORY, guid="ind-3", title="Advance Monthly Retail Sales, March 2025",
                    link="https://www.census.gov/retail/index.html", published="2025-04-15T12:30:00Z")
    april = replace(march, guid="ind-4", title="Advance Monthly Retail Sales, April 2025",
                    published="2025-05-15T12:30:00Z")
    assert add(news, march, april) == (2, 0)
    assert add(news, replace(april, guid="ind-4-again")) == (0, 1)  # a changed guid with the same title and link


def test_without_a_guid_the_link_is_the_key(news):
    first = replace(STORY, guid="")
    assert add(news, first, replace(first, title="Mexico and US open USMCA review talks (updated)")) == (1, 1)


def test_a_home_page_link_is_nobodys_key(news):
    home = replace(STORY, guid="", link="https://www.bea.gov/")
    other = replace(home, feed="Desk", feed_url=DESK, title="Personal income rose in July across most states")
    assert add(news, home) == (1, 0)
    assert add(news, other, url=DESK) == (1, 0)


def test_a_near_identical_headline_in_another_feed_within_days_is_one_story(news):
    add(news, STORY)
    echo = replace(STORY, feed="Desk", feed_url=DESK, guid="d-1",
                   title="Mexico, US open USMCA review talks - Trade Desk", link="https://desk.example.org/usmca",
                   published="2025-01-16T09:00:00Z")
    assert add(news, echo, url=DESK) == (0, 1)
    later = replace(echo, guid="d-2", link="https://desk.example.org/usmca-2", published="2025-01-20T09:00:00Z")
    assert add(news, later, url=DESK) == (1, 0)  # six days on: a new story under an old headline


@pytest.mark.parametrize("a, b, same", [
    ("U.S. and Mexico agree to pause tariffs", "US and Mexico agree to pause tariffs - Reuters", True),
    ("U.S. and Mexico agree to pause tariffs", "U.S., Mexico agree to pause tariff", True),
    ("México y EE.UU. acuerdan pausa de aranceles", "Mexico y EEUU acuerdan la pausa de aranceles", True),
    ("Trump announces tariffs on imports from Mexico starting next week",
     "Trump announces tariffs on imports from Canada starting next week", False),
    ("Mexico exports rise 5% in January", "Mexico exports rise 6% in January", False),
    ("Tariff threat looms over auto industry", "Tariff threat looms over the steel industry", False),
    ("Live updates", "Live updates", False),  # too short to tell a story by
])
def test_same_headline(a, b, same):
    assert same_headline(word_string(a), word_string(b)) is same


def test_adding_is_all_or_nothing(news, tmp_path):
    broken = replace(STORY, guid="w-2", link="https://news.example.org/2", feed=None)  # NOT NULL fails mid-batch
    with pytest.raises(StoreError, match="cannot store the news entries"):
        add(news, replace(STORY, guid="w-3", link="https://news.example.org/3"), broken)
    assert news.count() == 0
    assert not news.unchanged(WIRE, b"doc")


def test_an_unchanged_document_is_known_by_its_hash(news):
    add(news, STORY, content=b"version 1")
    assert news.unchanged(WIRE, b"version 1") and not news.unchanged(WIRE, b"version 2")


def test_the_tables_live_beside_the_trade_data(tmp_path):
    with Store(tmp_path / "reportgen.db") as store:
        NewsStore(store)
    tables = {row[0] for row in sqlite3.connect(tmp_path / "reportgen.db").execute("SELECT name FROM sqlite_master")}
    assert {"observations", "vintages", "news_items", "news_feeds", "news_by_time"} <= tables
