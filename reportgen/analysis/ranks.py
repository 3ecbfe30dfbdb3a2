"""Ranks among single countries (never groups, the world or unallocated residuals), and how they moved."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

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


def place(partner: str, measure: str, values: Mapping[str, Figures] | None, countries: Collection[str]) -> int | None:
    """The partner's place by `measure` in one period, or None when it had none of it (or no ranks exist)."""
    if values is None:
        return None
    codes = [code for code, _ in ordering(values, measure, countries)]
    return codes.index(partner) + 1 if partner in codes else None


def rank(partner: str, measure: str, now: Mapping[str, Figures], countries: Collection[str],
         name: Callable[[str], str], *, year_ago: Mapping[str, Figures] | None = None, base: Period | None = None,
         at_base: Mapping[str, Figures] | None = None,
         lookback: Sequence[tuple[Period, Mapping[str, Figures]]] = ()) -> Rank | None:
    """The partner's rank by `measure`, who is ahead and behind, and how it moved since `base`.

    `year_ago` gives the key figures' comparison column; `at_base` the figures at `base`, the period a
    story measures the move against; `lookback` the periods just before the base, newest first, where a
    higher place than at the base makes the move "regained".
    """
    order = ordering(now, measure, countries)
    codes = [code for code, _ in order]
    if partner not in codes:
        return None
    index = codes.index(partner)
    now_rank = index + 1

    def neighbour(i: int) -> Neighbour | None:
        return Neighbour(order[i][0], name(order[i][0]), order[i][1]) if 0 <= i < len(order) else None

    base_rank = place(partner, measure, at_base, countries)
    move, last_held, overtook, overtaken_by, passed = None, None, (), (), ()
    if base_rank is not None:
        earlier = [code for code, _ in ordering(at_base, measure, countries)]
        was_ahead, was_behind = set(earlier[: base_rank - 1]), set(earlier[base_rank:])
        overtook = tuple(neighbour(i) for i in range(index + 1, len(order)) if codes[i] in was_ahead)
        overtaken_by = tuple(neighbour(i) for i in range(index) if codes[i] in was_behind)
        if now_rank == base_rank:
            move = "held"
        elif now_rank > base_rank:
            move = "fell"
            passed = overtaken_by if len(overtaken_by) <= 2 and not overtook else ()
        else:
            last_held = next((p for p, values in lookback if (place(partner, measure, values, countries) or 0) in
                              range(1, now_rank + 1)), None)
            move = "regained" if last_held else "rose"
            passed = overtook if len(overtook) <= 2 and not overtaken_by else ()
    leaders = tuple(neighbour(i) for i in range(index)) if now_rank <= 3 else ()
    if {n.code for n in passed} <= {n.code for n in leaders}:
        passed = ()  # "behind Canada" has named them already
    return Rank(measure=measure, rank=now_rank, of=len(order), value=order[index][1],
                ahead=neighbour(index - 1), behind=neighbour(index + 1),
                previous_rank=place(partner, measure, year_ago, countries),
                base=base if base_rank is not None else None, base_rank=base_rank, move=move, last_held=last_held,
                leaders=leaders,
                overtook=overtook, overtaken_by=overtaken_by, passed=passed)
