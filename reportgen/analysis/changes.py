"""Change between two periods: absolute, percent, and which way the balance moved."""

from __future__ import annotations

from reportgen.models import MEASURES, Comparison, Figures
from reportgen.periods import Period


def compare(now: Figures, then: Figures, then_period: Period) -> Comparison:
    """How `now` differs from `then` (the figures of `then_period`)."""
    change = {m: now[m] - then[m] for m in MEASURES}
    pct: dict[str, float | None] = {m: percent(now[m], then[m]) for m in ("exports", "imports", "total_trade")}
    pct["balance"] = gap_percent(now.balance, then.balance)
    return Comparison(period=then_period, figures=then, change=change, change_pct=pct,
                      balance_trend=balance_trend(now.balance, then.balance), driver=driver(change))


def driver(change: dict[str, int]) -> str | None:
    """The flow whose change moved the balance most in the direction it moved: a deficit that widened
    because imports rose by more than exports did was driven by imports."""
    moved = change["balance"]
    if not moved:
        return None
    pushes = {"exports": change["exports"], "imports": -change["imports"]}  # each flow's push on the balance
    return max((m for m, push in pushes.items() if (push > 0) == (moved > 0) and push), key=lambda m: abs(pushes[m]))


def percent(now: int, then: int) -> float | None:
    """Percent change, or None when there is nothing to compare against."""
    return None if then == 0 else (now - then) / then * 100


def gap_percent(now: int, then: int) -> float | None:
    """Change in the size of a deficit or surplus; None when the balance changed sign or was zero.

    A deficit growing from $148.5 billion to $168.6 billion is up 13.6%, though the signed balance fell.
    """
    if then == 0 or (now < 0) != (then < 0) or now == 0:
        return None
    return (abs(now) - abs(then)) / abs(then) * 100


def balance_trend(now: int, then: int) -> str:
    """widened or narrowed; reversed (deficit to surplus or back); opened from or closed to balanced
    trade (a zero balance is neither a deficit nor a surplus); or unchanged."""
    if now != 0 and then != 0 and (now < 0) != (then < 0):
        return "reversed"
    if abs(now) == abs(then):
        return "unchanged"
    if then == 0:
        return "opened"
    if now == 0:
        return "closed"
    return "widened" if abs(now) > abs(then) else "narrowed"
