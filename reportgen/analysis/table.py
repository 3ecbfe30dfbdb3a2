"""Country totals as a DataFrame, and the period arithmetic on it.

One row per (partner, period) with `export` and `import` in whole dollars (int64). Months are
summed into years to date; a calendar year uses the annual total as published when the source
has one (it is not the sum of the rounded months), else the sum of its twelve months.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

import pandas as pd

from reportgen.models import Figures
from reportgen.periods import Period

COLUMNS = ["export", "import"]


class TradeTable:
    """All partners' totals from one source, newest vintage per value."""

    def __init__(self, rows: Iterable[tuple]):
        frame = pd.DataFrame.from_records(list(rows), columns=["partner", "flow", "period", "value", "vintage", "seq"],
                                          exclude=["vintage", "seq"])
        if frame.empty:
            frame = pd.DataFrame({"partner": [], "flow": [], "period": [], "value": []})
        wide = frame.pivot(index=["partner", "period"], columns="flow", values="value")
        self.frame = wide.reindex(columns=COLUMNS).fillna(0).astype("int64").sort_index()
        self._values: dict[Period, pd.DataFrame] = {}

    @cached_property
    def month_keys(self) -> list[str]:
        """Every month in the table, oldest first."""
        periods = self.frame.index.get_level_values("period").unique()
        return sorted(p for p in periods if len(p) == 7)

    @property
    def latest_month(self) -> str:
        return self.month_keys[-1] if self.month_keys else ""

    @property
    def first_month(self) -> str:
        return self.month_keys[0] if self.month_keys else ""

    def covers(self, period: Period) -> bool:
        """Whether every month of the period is in the table."""
        return bool(self.month_keys) and self.first_month <= period.months[0] and period.last_month <= self.latest_month

    def values(self, period: Period) -> pd.DataFrame:
        """Exports and imports of every partner with complete data for the period (cached)."""
        if period not in self._values:
            self._values[period] = self._compute(period)
        return self._values[period]

    def _compute(self, period: Period) -> pd.DataFrame:
        months = period.months
        picked = self.frame[self.frame.index.get_level_values("period").isin(months)]
        grouped = picked.groupby(level="partner")
        summed = grouped.sum()[grouped.size() == len(months)]
        if period.kind == "year":
            annual = self.frame.xs(str(period.year), level="period") if str(period.year) in self._period_index else None
            if annual is not None:
                summed = pd.concat([annual, summed[~summed.index.isin(annual.index)]])
        return summed.sort_index()

    @cached_property
    def _period_index(self) -> set[str]:
        return set(self.frame.index.get_level_values("period"))

    def figures(self, partner: str, period: Period) -> Figures | None:
        values = self.values(period)
        if partner not in values.index:
            return None
        row = values.loc[partner]
        return Figures(exports=int(row["export"]), imports=int(row["import"]))

    def history(self, partner: str, period: Period) -> list[tuple[Period, Figures]]:
        """The partner's figures for every comparable period up to and including `period`, oldest first."""
        if partner not in self.frame.index.get_level_values("partner"):
            return []
        if period.kind == "month":
            own = self.frame.loc[partner]
            return [
                (Period(int(key[:4]), int(key[5:]), "month"), Figures(int(row.export), int(row.import_)))
                for key, row in own[own.index.str.len() == 7].rename(columns={"import": "import_"}).iterrows()
                if key <= period.last_month
            ]
        years = range(int(self.first_month[:4]), period.year + 1) if self.month_keys else []
        found = []
        for year in years:
            figures = self.figures(partner, period.same_span(year))
            if figures is not None:
                found.append((period.same_span(year), figures))
        return found

    def month_rows(self, partner: str, last_month: str, count: int) -> list[tuple[str, Figures]]:
        """The partner's last `count` months up to `last_month`, oldest first."""
        if partner not in self.frame.index.get_level_values("partner"):
            return []
        own = self.frame.loc[partner]
        own = own[(own.index.str.len() == 7) & (own.index <= last_month)].tail(count)
        return [(key, Figures(int(e), int(i))) for key, e, i in zip(own.index, own["export"], own["import"])]
