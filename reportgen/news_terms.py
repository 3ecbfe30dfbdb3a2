"""The words that name each partner in the news, kept in one place (`data/news_terms.csv`).

Each row is a partner's store code, a term, its language and its kind: `name` (matched as words,
case- and accent-insensitive), `exact` (a short acronym matched in capitals only: EU, not the
Portuguese "eu") or `not` (a phrase that does not name the partner: New Mexico, Gulf of Mexico).
A partner's own short name from the registry always counts, so every country has at least one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from importlib import resources

from reportgen.analysis.news import Terms
from reportgen.models import Partner

KINDS = ("name", "exact", "not")


@cache
def _rows() -> dict[str, list[tuple[str, str]]]:
    text = resources.files("reportgen").joinpath("data/news_terms.csv").read_text(encoding="utf-8")
    rows: dict[str, list[tuple[str, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        if row["kind"] not in KINDS:
            raise ValueError(f"news_terms.csv: unknown kind {row['kind']!r} for {row['term']!r}")
        rows.setdefault(row["partner"], []).append((row["term"], row["kind"]))
    return rows


def terms_for(partner: Partner, topics: Iterable[str] = ()) -> Terms:
    """The terms that make an item concern `partner`, and the topic words that make it concern any briefing."""
    rows = _rows().get(partner.code, [])
    names = [partner.short_name, *(term for term, kind in rows if kind == "name")]
    return Terms.build(names=names, exact=[term for term, kind in rows if kind == "exact"],
                       excluded=[term for term, kind in rows if kind == "not"], topics=topics)
