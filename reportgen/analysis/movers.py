"""What drove the change: the commodities behind a move in exports or imports.

For one partner, one HS level and one period, each commodity's change against the same period a
year earlier, in dollars and in percentage points of the flow's growth (change / last year's total
x 100: the contributions add up to the flow's percent change), its share of the flow, and its
growth against five years earlier when the data reach that far. Only movers whose contribution
passes a threshold earn a sentence; the tables show the largest either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reportgen.periods import Period


@dataclass(frozen=True)
class Mover:
    code: str
    name: str
    value: int
    previous: int
    change: int
    contribution_pp: float | None  # percentage points of the flow's growth
    share: float | None  # percent of the flow in the period
    growth_5y: float | None  # percent change against five years earlier
    notable: bool  # passes the threshold: worth a sentence


@dataclass(frozen=True)
class FlowMovers:
    flow: str  # export or import
    total: int
    previous_total: int
    change_pct: float | None
    rising: tuple[Mover, ...]  # largest increases first
    falling: tuple[Mover, ...]  # largest decreases first
    five_years_back: Period | None  # the period growth_5y compares with, when the data reach it


@dataclass(frozen=True)
class Movers:
    level: str  # HS2 or HS4
    exports: FlowMovers | None
    imports: FlowMovers | None
    source: str
    vintage: str

    def __iter__(self):
        return iter(m for m in (self.exports, self.imports) if m is not None)


Detail = Mapping[tuple[str, str], Mapping[str, int]]  # (flow, month) -> {commodity: dollars}


def flow_movers(detail: Detail, flow: str, period: Period, *, name: Callable[[str], str],
                threshold_pp: float = 0.5, top: int = 5) -> FlowMovers | None:
    """The movers of one flow, or None when the detail does not cover the period and the year before."""
    now = _sums(detail, flow, period)
    before = _sums(detail, flow, period.year_earlier())
    if now is None or before is None:
        return None
    back = period.same_span(period.year - 5)
    five = _sums(detail, flow, back)
    total, previous_total = sum(now.values()), sum(before.values())

    def mover(code: str) -> Mover:
        value, previous = now.get(code, 0), before.get(code, 0)
        contribution = (value - previous) / previous_total * 100 if previous_total else None
        old = five.get(code, 0) if five is not None else 0
        return Mover(code=code, name=name(code), value=value, previous=previous, change=value - previous,
                     contribution_pp=contribution, share=value / total * 100 if total else None,
                     growth_5y=(value - old) / old * 100 if old else None,
                     notable=contribution is not None and abs(contribution) >= threshold_pp)

    movers = sorted((mover(code) for code in now.keys() | before.keys()), key=lambda m: (-m.change, m.code))
    return FlowMovers(
        flow=flow, total=total, previous_total=previous_total,
        change_pct=(total - previous_total) / previous_total * 100 if previous_total else None,
        rising=tuple(m for m in movers if m.change > 0)[:top],
        falling=tuple(m for m in reversed(movers) if m.change < 0)[:top],
        five_years_back=back if five is not None else None,
    )


def _sums(detail: Detail, flow: str, period: Period) -> dict[str, int] | None:
    """Each commodity's total over the period's months; None unless every month has detail."""
    sums: dict[str, int] = {}
    for month in period.months:
        lines = detail.get((flow, month))
        if not lines:
            return None
        for code, value in lines.items():
            sums[code] = sums.get(code, 0) + value
    return sums
