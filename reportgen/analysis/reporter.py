"""Facts from any reporter's side: the partner's figures among the reporter's partners, the reporter's largest
surplus and deficit partners, growth over the decade, and the same trade as the partner reported it.

Country totals only (plain dicts, as for Census briefings); product detail is `analysis.products`' work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping

from reportgen.analysis.changes import compare, percent
from reportgen.analysis.facts import build_facts
from reportgen.analysis.ranks import itemised
from reportgen.analysis.table import TradeTable
from reportgen.errors import InputError
from reportgen.models import Comparison, Facts, Figures, Mirror, Neighbour, Partner, Provenance
from reportgen.partners import WORLD
from reportgen.periods import Period

DECADE = 10  # growth is measured from the earliest stored year at most this many years back


def annual_table(rows, first_year: int, last_year: int) -> TradeTable:
    """A table of annual totals (YYYY periods): it covers whole years from the first stored to the last."""
    return TradeTable(rows, months=(f"{first_year}-01", f"{last_year}-12"))


def reporter_facts(table: TradeTable, reporter: Partner, partner: Partner, period: Period, *,
                   countries: Collection[str], residuals: Collection[str], name: Callable[[str], str],
                   provenance: Provenance, top_partners: int = 10) -> Facts:
    """The partner's figures, changes, records, ranks and shares, from the reporter's side.

    The stored history of a reporter's Comtrade figures is always shorter than Comtrade's own, so every
    record says how far back it reaches.
    """
    first, last = int(table.first_month[:4]), int(table.latest_month[:4])
    if not first <= period.year <= last:
        raise InputError(f"no {period.key} figures reported by {reporter.short_name} in the store: "
                         f"it holds {first} to {last}")
    if not table.values(period):  # a year between the first and the last that was never collected
        raise InputError(f"no {period.key} figures reported by {reporter.short_name} in the store: it holds {first} "
                         f"to {last} without {period.key}")
    figures = table.figures(partner.code, period)
    if figures is None or not figures.total_trade:
        raise InputError(f"{reporter.short_name} reported no trade with {partner.display_name} in {period.key}")
    # A source start before any stored year: every record says how far back the stored history reaches.
    facts = build_facts(table, partner, period, countries=countries, name=name, provenance=provenance,
                        residuals=residuals, source_start="0000-01", top_partners=top_partners)
    return dataclasses.replace(facts, reporter=reporter.code)


def balance_leaders(values: Mapping[str, Figures], countries: Collection[str],
                    name: Callable[[str], str]) -> tuple[Neighbour | None, Neighbour | None]:
    """The reporter's largest surplus and largest deficit among single countries (ties to the lower code)."""
    found = sorted((code, f.balance) for code, f in values.items() if code in countries)
    surplus = max((item for item in found if item[1] > 0), key=lambda item: item[1], default=None)
    deficit = min((item for item in found if item[1] < 0), key=lambda item: item[1], default=None)

    def named(item: tuple[str, int] | None) -> Neighbour | None:
        return Neighbour(item[0], name(item[0]), item[1]) if item else None

    return named(surplus), named(deficit)


def ranked(table: TradeTable, period: Period, countries: Collection[str], residuals: Collection[str]) -> bool:
    """Whether the period lists every partner of the reporter, so that its largest surplus and deficit are known."""
    return table.covers(period) and itemised(table.values(period), table.figures(WORLD, period), countries, residuals)


def decade_growth(table: TradeTable, partner: str, period: Period) -> Comparison | None:
    """The change from the earliest stored year of the decade before the period, when that is at least two
    years back (the year before is the story's own comparison)."""
    history = [(p, f) for p, f in table.history(partner, period) if p.year >= period.year - DECADE]
    if not history or history[0][0].year > period.year - 2:
        return None
    base, figures = history[0]
    return compare(table.figures(partner, period), figures, base)


def mirror(reported: Figures, mirrored: Figures, *, source: str, provenance: Provenance) -> Mirror:
    """The reporter's imports against the partner's exports of the same goods: where the two sides most often
    differ, since imports are valued with freight and insurance (CIF) and exports without (FOB)."""
    gap = reported.imports - mirrored.exports
    return Mirror(flow="import", reported=reported.imports, mirrored=mirrored.exports, gap=gap,
                  gap_pct=percent(reported.imports, mirrored.exports), source=source, provenance=provenance)
