"""Charts for briefings, drawn with matplotlib from the series analysis made (placeholder)."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.models import Facts


@dataclass(frozen=True)
class Chart:
    """One chart ready for an <img>: a data: URL with its text alternative."""

    id: str
    title: str
    alt: str
    src: str
    width: int
    height: int


def draw(facts: Facts, *, locale: str = "en_US") -> list[Chart]:
    return []
