"""How a dollar figure is rounded for readers: one rule for prose, key figures, charts and emails.

Billions and trillions carry one decimal, always ($297.0 billion beside $296.8 billion); millions carry
one below $10 million ($4.5 million) and none above ($49 million); smaller amounts are whole dollars.
Analysis uses the same rule to tell whether a revision would show at all.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shown(dollars: int) -> tuple[Decimal, str]:
    """The magnitude as a reader sees it, and its unit: (Decimal('168.6'), 'billion'), (Decimal('850000'), '')."""
    amount = Decimal(abs(int(dollars)))
    scale = next((i for i, (size, _) in enumerate(SCALES) if amount >= size), None)
    if scale is None:
        return amount, ""
    scaled = _scaled(amount, scale)
    if scaled >= 1000 and scale > 0:  # $999.96 billion rounds to 1,000: say $1.0 trillion
        scale -= 1
        scaled = _scaled(amount, scale)
    return scaled, SCALES[scale][1]


def _scaled(amount: Decimal, scale: int) -> Decimal:
    size, unit = SCALES[scale]
    places = 0 if unit == "million" and round_half_up(amount / size, 1) >= 10 else 1  # $9.96 million: $10 million
    return round_half_up(amount / size, places)
