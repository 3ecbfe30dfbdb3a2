"""Revisions: how the figures used differ from those first reported for the same period."""

from __future__ import annotations

from reportgen.models import Figures, Revision
from reportgen.rounding import shown

# A revision smaller than both of these is not worth a sentence.
MATERIAL_DOLLARS = 50_000_000  # $0.05 billion
MATERIAL_PERCENT = 0.05


def revision(first: Figures, now: Figures, *, vintage: str, published: str) -> Revision:
    """The first-reported figures, with the measures whose revision a story should mention."""
    revised = tuple(m for m in ("balance", "imports", "exports") if material(first[m], now[m]))
    return Revision(vintage=vintage, published=published, figures=first, revised=revised)


def material(then: int, now: int) -> bool:
    """Whether a value revised from `then` to `now` moved enough to mention, and would read differently."""
    if then == now or ((then < 0) == (now < 0) and then and now and shown(then) == shown(now)):
        return False
    change = abs(now - then)
    return change >= MATERIAL_DOLLARS or (then != 0 and change / abs(then) * 100 >= MATERIAL_PERCENT)
