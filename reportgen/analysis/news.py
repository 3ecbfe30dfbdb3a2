"""Which news items concern a briefing: pure functions, stored entries in, `NewsItem`s out.

An item concerns a briefing when its title or summary names the partner (`Terms.names`, from
`data/news_terms.csv`) or a topic word (config `news.topics`), and it was published within the
period's window. Matching is on whole words, case- and accent-insensitive: México matches
"mexico", "tariffs" does not match "tariff", and "trade" never matches "trader". Each item keeps
the terms that matched, so a briefing can say why it is there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from reportgen.folding import word_string
from reportgen.models import FeedEntry, NewsItem
from reportgen.periods import Period
from reportgen.timestamps import iso

_SET_ASIDE = " ~"  # what an excluded phrase becomes: no term matches it, and words stay apart


@dataclass(frozen=True)
class _Matcher:
    """Terms as one regular expression over a text's folded words, and each term's display form."""

    pattern: re.Pattern[str] | None
    shown: dict[str, str]  # folded term -> the term as written

    @classmethod
    def of(cls, terms: Iterable[str], *, keep_case: bool = False) -> _Matcher:
        shown: dict[str, str] = {}
        for term in terms:
            key = word_string(term, keep_case=keep_case)
            if key:
                shown.setdefault(key, term)
        if not shown:
            return cls(None, {})
        alternatives = "|".join(re.escape(k) for k in sorted(shown, key=len, reverse=True))
        return cls(re.compile(f"(?:^| )({alternatives})(?= |$)"), shown)

    def find(self, text: str) -> list[str]:
        if self.pattern is None:
            return []
        return list(dict.fromkeys(self.shown[m.group(1)] for m in self.pattern.finditer(text)))

    def set_aside(self, text: str) -> str:
        return text if self.pattern is None else self.pattern.sub(_SET_ASIDE, text)


@dataclass(frozen=True)
class Terms:
    """What makes an item concern one briefing: the partner's names, and topic words for any partner."""

    names: _Matcher
    exact: _Matcher  # acronyms matched in capitals only
    excluded: _Matcher  # phrases set aside before names are looked for
    topics: _Matcher

    @classmethod
    def build(cls, *, names: Iterable[str], exact: Iterable[str] = (), excluded: Iterable[str] = (),
              topics: Iterable[str] = ()) -> Terms:
        return cls(_Matcher.of(names), _Matcher.of(exact, keep_case=True), _Matcher.of(excluded), _Matcher.of(topics))

    def match(self, text: str) -> tuple[list[str], list[str]]:
        """The partner terms and the topic words `text` mentions, each once, in order of appearance."""
        folded = _folded(text)
        names = self.names.find(self.excluded.set_aside(folded))
        if self.exact.pattern is not None:
            names += [t for t in self.exact.find(word_string(text, keep_case=True)) if t not in names]
        return names, self.topics.find(folded)


@lru_cache(maxsize=16384)
def _folded(text: str) -> str:
    """A text's folded words, kept: a batch of briefings matches the same items against each partner."""
    return word_string(text)


def window(period: Period, days_before: int, days_after: int) -> tuple[datetime, datetime]:
    """From `days_before` days before the first day of the period's last month to `days_after` days
    after the period's end (the end itself excluded), in UTC."""
    first = datetime(period.year, period.month, 1, tzinfo=UTC)
    after = datetime(period.year + period.month // 12, period.month % 12 + 1, 1, tzinfo=UTC)
    return first - timedelta(days=days_before), after + timedelta(days=days_after)


def relevant(entries: Iterable[FeedEntry], terms: Terms, *, start: datetime, end: datetime,
             limit: int) -> tuple[NewsItem, ...]:
    """At most `limit` entries published in [start, end) that mention the partner or a topic, newest first.

    Items that name the partner and a topic come first ("Mexico" and "tariff"), then those that name
    the partner, then those with a topic only: a flood of general tariff news cannot push the
    partner's own news out of its briefing, and the partner's trade news beats its other news.
    """
    low, high = iso(start), iso(end)
    chosen: list[tuple[tuple[bool, bool], str, NewsItem]] = []
    for entry in entries:
        if not low <= entry.published < high:
            continue
        names, topics = terms.match(f"{entry.title}\n{entry.summary}")
        if names or topics:
            item = NewsItem(title=entry.title, link=entry.link, source=entry.feed, published=entry.published,
                            dated=entry.dated, summary=entry.summary, matched=(*names, *topics),
                            language=entry.language)
            chosen.append(((bool(names and topics), bool(names)), entry.published, item))
    chosen.sort(key=lambda c: (c[0], c[1]), reverse=True)
    kept = sorted(chosen[:max(limit, 0)], key=lambda c: c[1], reverse=True)
    return tuple(item for _, _, item in kept)
