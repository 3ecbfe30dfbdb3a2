"""What drove the change: the commodities behind a move in exports or imports.

For one partner, one HS level and one period, each commodity's change against the same period a
year earlier, in dollars and in percentage points of the flow's growth (change / last year's total
x 100: the contributions add up to the flow's percent change), its share of the flow, and its
growth against five years earlier when the data reach that far. Only movers whose contribution
passes a threshold earn a sentence; the tables show the largest either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reportgen.models import FlowMovers, Mover, Movers
from reportgen.periods import Period

NOTABLE = 3  # sentences about at most this many movers a flow


Detail = Mapping[tuple[str, str], Mapping[str, int]]  # (flow, month) -> {commodity: dollars}


def flow_movers(detail: Detail, flow: str, period: Period, *, name: Callable[[str], str],
                spanish: Callable[[str], str] = lambda code: "", threshold_pp: float = 0.5,
                top: int = 5) -> FlowMovers | None:
    """The movers of one flow, or None when the detail does not cover the period and the year before. `name`
    names a commodity code in English, `spanish` in Spanish ('' for none)."""
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
                     notable=contribution is not None and abs(contribution) >= threshold_pp, name_es=spanish(code))

    movers = sorted((mover(code) for code in now.keys() | before.keys()), key=lambda m: (-m.change, m.code))
    notable = sorted((m for m in movers if m.notable), key=lambda m: (-abs(m.change), m.code))[:NOTABLE]
    return FlowMovers(
        flow=flow, total=total, previous_total=previous_total,
        change_pct=(total - previous_total) / previous_total * 100 if previous_total else None,
        rising=tuple(m for m in movers if m.change > 0)[:top],
        falling=tuple(m for m in reversed(movers) if m.change < 0)[:top],
        notable=tuple(notable), threshold_pp=threshold_pp,
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


def movers(detail: Detail, period: Period, *, level: str, source: str, vintage: str,
           name: Callable[[str], str], spanish: Callable[[str], str] = lambda code: "", threshold_pp: float = 0.5,
           top: int = 5) -> Movers | None:
    """Movers of exports and imports; None when the detail covers neither."""
    exports, imports = (flow_movers(detail, flow, period, name=name, spanish=spanish, threshold_pp=threshold_pp,
                                    top=top)
                        for flow in ("export", "import"))
    if exports is None and imports is None:
        return None
    return Movers(level=level, exports=exports, imports=imports, source=source, vintage=vintage)
