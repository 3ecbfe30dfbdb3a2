"""Country totals by partner and period, and the period arithmetic on them.

Each partner's periods map to (exports, imports) in whole dollars, a missing flow counting as 0.
Months are summed into years to date; a calendar year uses the annual total as published when the
source has one (it is not the sum of the rounded months), else the sum of its twelve months.
Plain dicts rather than a DataFrame: a briefing reads a few hundred values, and pandas' import
and per-call overhead cost more than the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable

from reportgen.analysis.ranks import Ranking
from reportgen.models import Figures, Total
from reportgen.periods import Period


class TradeTable:
    """All partners' totals from one source, newest vintage per value.

    `rows` are the store's totals. When they are only part of
    the store (one partner's history and the years around a period), `months` gives the store's
    first and last month, so that what is "available" does not depend on what was read.
    """

    def __init__(self, rows: Iterable[Total], months: tuple[str, str] | None = None):
        self._own: dict[str, dict[str, tuple[int, int]]] = {}
        for row in rows:
            own = self._own.setdefault(row.partner, {})
            exports, imports = own.get(row.period, (0, 0))
            own[row.period] = (row.value, imports) if row.flow == "export" else (exports, row.value)
        for own in self._own.values():
            _fill_gaps(own)
        if months is None:
            keys = {period for own in self._own.values() for period in own if len(period) == 7}
            months = (min(keys), max(keys)) if keys else ("", "")
        self.first_month, self.latest_month = months
        self._values: dict[Period, dict[str, Figures]] = {}
        self._rankings: dict[tuple, Ranking] = {}
        self._months: dict[str, list[str]] = {}

    def covers(self, period: Period) -> bool:
        """Whether every month of the period is in the table."""
        return (bool(self.latest_month) and self.first_month <= period.months[0]
                and period.last_month <= self.latest_month)

    def values(self, period: Period) -> dict[str, Figures]:
        """The figures of every partner with complete data for the period (cached: a batch asks again)."""
        if period not in self._values:
            found = {partner: self._figures(own, period) for partner, own in self._own.items()}
            self._values[period] = {partner: figures for partner, figures in found.items() if figures is not None}
        return self._values[period]

    def ranking(self, period: Period, measure: str, countries: frozenset[str]) -> Ranking:
        """The countries' ranking by `measure` in the period (cached: every briefing of a batch ranks the same
        periods, the month before and the year before included)."""
        key = (period, measure, countries)
        if key not in self._rankings:
            self._rankings[key] = Ranking.of(self.values(period), measure, countries)
        return self._rankings[key]

    def figures(self, partner: str, period: Period) -> Figures | None:
        return self._figures(self._own.get(partner, {}), period)

    @staticmethod
    def _figures(own: dict[str, tuple[int, int]], period: Period) -> Figures | None:
        """The published annual total for a calendar year if there is one, else the sum of the months (all of them)."""
        pair = own.get(str(period.year)) if period.kind == "year" else None
        if pair is None:
            try:
                pairs = [own[key] for key in period.months]
            except KeyError:
                return None
            pair = (sum(p[0] for p in pairs), sum(p[1] for p in pairs))
        return Figures(exports=pair[0], imports=pair[1])

    def span(self, partner: str) -> tuple[str, str] | None:
        """The partner's first and last month in the table."""
        keys = self._month_keys(partner)
        return (keys[0], keys[-1]) if keys else None

    def within(self, partner: str, period: Period) -> Figures | None:
        """The sum of the partner's months that fall in the period, or None if none do: for series that
        begin or end inside it (NAFTA preference ended in June 2020, USMCA's began in July)."""
        own = self._own.get(partner, {})
        pairs = [own[key] for key in period.months if key in own]
        return Figures(sum(p[0] for p in pairs), sum(p[1] for p in pairs)) if pairs else None

    def history(self, partner: str, period: Period) -> list[tuple[Period, Figures]]:
        """The partner's figures for every comparable period up to and including `period`, oldest first."""
        own = self._own.get(partner)
        if own is None:
            return []
        if period.kind == "month":
            return [(Period(int(key[:4]), int(key[5:]), "month"), Figures(*own[key]))
                    for key in self._month_keys(partner) if key <= period.last_month]
        years = range(int(self.first_month[:4]), period.year + 1) if self.latest_month else []
        found = [(period.same_span(year), self._figures(own, period.same_span(year))) for year in years]
        return [(p, figures) for p, figures in found if figures is not None]

    def month_rows(self, partner: str, last_month: str, count: int) -> list[tuple[str, Figures]]:
        """The partner's last `count` months up to `last_month`, oldest first."""
        keys = [key for key in self._month_keys(partner) if key <= last_month][-count:]
        return [(key, Figures(*self._own[partner][key])) for key in keys]

    def _month_keys(self, partner: str) -> list[str]:
        """The partner's months, oldest first (cached: every briefing of a batch asks for them)."""
        if partner not in self._months:
            self._months[partner] = sorted(key for key in self._own.get(partner, {}) if len(key) == 7)
        return self._months[partner]


def _fill_gaps(own: dict[str, tuple[int, int]]) -> None:
    """Months missing between a partner's first and last month are months of no trade.

    Census leaves a partner out of a year in which it had no trade (Libya in 1994-1999, North Korea in
    2017-2022): a gap in its rows is zero, not unknown, or a "record low" would skip those years.
    """
    keys = [key for key in own if len(key) == 7]
    if not keys:
        return
    first, last = min(keys), max(keys)
    year, month = int(first[:4]), int(first[5:])
    while (key := f"{year}-{month:02d}") < last:
        own.setdefault(key, (0, 0))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
