"""Ranks among single countries (never groups, the world or unallocated residuals)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from reportgen.models import Figures, Neighbour, Rank


def ordering(values: Mapping[str, Figures], measure: str, countries: Collection[str]) -> list[tuple[str, int]]:
    """Countries with some `measure`, largest first; ties broken by code so the order is stable.

    A country the United States bought nothing from is not a source of imports at all, let alone
    the 228th-largest."""
    found = [(code, figures[measure]) for code, figures in values.items() if code in countries and figures[measure] > 0]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def rank(partner: str, measure: str, now: Mapping[str, Figures], before: Mapping[str, Figures] | None,
         countries: Collection[str], name: Callable[[str], str]) -> Rank | None:
    """The partner's rank by `measure`, who is just ahead and behind, and who it passed since `before`."""
    order = ordering(now, measure, countries)
    codes = [code for code, _ in order]
    if partner not in codes:
        return None
    index = codes.index(partner)

    def neighbour(i: int) -> Neighbour | None:
        return Neighbour(order[i][0], name(order[i][0]), order[i][1]) if 0 <= i < len(order) else None

    previous_rank, overtook, overtaken_by = None, (), ()
    if before is not None:
        earlier = [code for code, _ in ordering(before, measure, countries)]
        if partner in earlier:
            previous_rank = earlier.index(partner) + 1
            was_ahead = set(earlier[: previous_rank - 1])
            was_behind = set(earlier[previous_rank:])
            overtook = tuple(neighbour(i) for i in range(index + 1, len(order)) if codes[i] in was_ahead)
            overtaken_by = tuple(neighbour(i) for i in range(index) if codes[i] in was_behind)
    return Rank(measure=measure, rank=index + 1, of=len(order), value=order[index][1],
                ahead=neighbour(index - 1), behind=neighbour(index + 1), previous_rank=previous_rank,
                overtook=overtook, overtaken_by=overtaken_by)
