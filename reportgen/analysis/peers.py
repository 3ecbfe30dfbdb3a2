"""The partner beside its peers: the nearest top-five partner, and imports under NAFTA or USMCA preference."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reportgen.models import Figures, Peer, Preference, Rank

TOP = 5  # partners this high get a sentence about their nearest peer

# Census lists imports for consumption that claimed a trade agreement's preference as rows of their own,
# beside the countries: NAFTA until June 2020, USMCA from July 2020.
PREFERENCE_ROWS = {
    "MEX": (("NAFTA", "0005"), ("USMCA", "0021")),
    "CAN": (("NAFTA", "0006"), ("USMCA", "0022")),
}


def peer(rank: Rank | None, values: Mapping[str, Figures], name: Callable[[str], str]) -> Peer | None:
    """The partner next in rank by total trade whose total is nearest (the one ahead on a tie), for a
    top-five partner."""
    if rank is None or rank.rank > TOP:
        return None
    candidates = [(n, rank.rank + step) for n, step in ((rank.ahead, -1), (rank.behind, 1)) if n is not None]
    if not candidates:
        return None
    nearest, place = min(candidates, key=lambda c: abs(c[0].value - rank.value))
    return Peer(nearest.code, name(nearest.code), place, values[nearest.code])


def preference(partner: str, figures: Figures, within: Callable[[str], Figures | None]) -> Preference | None:
    """The imports from `partner` that claimed NAFTA or USMCA preference in the period, and their share of
    its general imports; None for other partners or when no preference row has figures. `within` gives a
    row's figures over the months of the period it covers (2020 has six months of each program)."""
    found = [(program, within(code)) for program, code in PREFERENCE_ROWS.get(partner, ())]
    claimed = [(program, f.imports) for program, f in found if f is not None and f.imports > 0]
    if not claimed or not figures.imports:
        return None
    total = sum(value for _, value in claimed)
    return Preference(" or ".join(program for program, _ in claimed), total, total / figures.imports * 100)
