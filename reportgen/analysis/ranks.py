"""Ranks among single countries (never groups, the world or unallocated residuals), and how they moved."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from reportgen.models import Figures, Neighbour, Rank
from reportgen.periods import Period

# Countries and residuals must add up to the world total this closely before ranks mean anything: in
# 1991 Census itemised only the major partners (98.7% of the total), so a "28th-largest" then would
# only be 28th among those it listed.
COVERAGE = 0.995


def ordering(values: Mapping[str, Figures], measure: str, countries: Collection[str]) -> list[tuple[str, int]]:
    """Countries with some `measure`, largest first; ties broken by code so the order is stable.

    A country the United States bought nothing from is not a source of imports at all, let alone
    the 228th-largest."""
    found = [(code, figures[measure]) for code, figures in values.items() if code in countries and figures[measure] > 0]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def itemised(values: Mapping[str, Figures], world: Figures | None, countries: Collection[str],
             residuals: Collection[str]) -> bool:
    """Whether the period lists every partner: countries and residuals add up to the world's total trade."""
    if world is None or not world.total_trade:
        return False
    listed = sum(f.total_trade for code, f in values.items() if code in countries or code in residuals)
    return listed >= COVERAGE * world.total_trade


@dataclass(frozen=True)
class Ranking:
    """The countries with some of one measure in one period, largest first, and each one's place."""

    order: list[tuple[str, int]]
    places: dict[str, int]

    @classmethod
    def of(cls, values: Mapping[str, Figures], measure: str, countries: Collection[str]) -> Ranking:
        order = ordering(values, measure, countries)
        return cls(order, {code: i for i, (code, _) in enumerate(order, 1)})


def rank(partner: str, measure: str, now: Ranking, name: Callable[[str], str], *, year_ago: Ranking | None = None,
         base: Period | None = None, at_base: Ranking | None = None,
         lookback: Sequence[tuple[Period, Ranking]] = ()) -> Rank | None:
    """The partner's rank by `measure`, who is ahead and behind, and how it moved since `base`.

    `year_ago` gives the key figures' comparison column; `at_base` the ranking at `base`, the period a
    story measures the move against; `lookback` the periods just before the base, newest first, where a
    higher place than at the base makes the move "regained".
    """
    order, now_rank = now.order, now.places.get(partner)
    if now_rank is None:
        return None
    index = now_rank - 1

    def neighbour(i: int) -> Neighbour | None:
        return Neighbour(order[i][0], name(order[i][0]), order[i][1]) if 0 <= i < len(order) else None

    base_rank = at_base.places.get(partner) if at_base else None
    move, last_held, overtook, overtaken_by, passed = None, None, (), (), ()
    if base_rank is not None:
        was = at_base.places
        overtook = tuple(neighbour(i) for i in range(index + 1, len(order)) if was.get(order[i][0], 10**9) < base_rank)
        overtaken_by = tuple(neighbour(i) for i in range(index) if was.get(order[i][0], 0) > base_rank)
        if now_rank == base_rank:
            move = "held"
        elif now_rank > base_rank:
            move = "fell"
            passed = overtaken_by if len(overtaken_by) <= 2 and not overtook else ()
        else:
            last_held = next((p for p, ranking in lookback if ranking.places.get(partner, 10**9) <= now_rank), None)
            move = "regained" if last_held else "rose"
            passed = overtook if len(overtook) <= 2 and not overtaken_by else ()
    leaders = tuple(neighbour(i) for i in range(index)) if now_rank <= 3 else ()
    if {n.code for n in passed} <= {n.code for n in leaders}:
        passed = ()  # "behind Canada" has named them already
    return Rank(measure=measure, rank=now_rank, of=len(order), value=order[index][1],
                ahead=neighbour(index - 1), behind=neighbour(index + 1),
                previous_rank=year_ago.places.get(partner) if year_ago else None,
                base=base if base_rank is not None else None, base_rank=base_rank, move=move, last_held=last_held,
                leaders=leaders, overtook=overtook, overtaken_by=overtaken_by, passed=passed)
