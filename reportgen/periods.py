"""Reporting periods: a month, a year to date, or a calendar year.

The store holds months (`2024-05`) and published annual totals (`2024`); a year to date is always
the sum of its months. Periods are written `2024` (year), `2024-05` (month) and `2024-05-ytd`
(January to May 2024).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from reportgen.errors import InputError

PeriodKind = Literal["year", "month", "ytd"]
_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(-ytd)?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A span of whole months ending in `month` of `year`."""

    year: int
    month: int = 12
    kind: PeriodKind = "year"

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read `2024`, `2024-05` or `2024-05-ytd`."""
        match = _PATTERN.match(text.strip())
        if not match or not 1 <= int(match[2] or 12) <= 12:
            raise InputError(f"period {text!r} is not a year (2024), a month (2024-05) or a year to date (2024-05-ytd)")
        year, month = int(match[1]), int(match[2] or 12)
        if match[2] is None:
            return cls(year)
        return cls.ytd(year, month) if match[3] else cls(year, month, "month")

    @classmethod
    def ytd(cls, year: int, month: int) -> Period:
        """January to `month`; a full year to date is the calendar year, January alone the month."""
        if month == 12:
            return cls(year)
        return cls(year, month, "month" if month == 1 else "ytd")

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        return f"{self.year}-{self.month:02d}" + ("-ytd" if self.kind == "ytd" else "")

    @property
    def first_month(self) -> int:
        return self.month if self.kind == "month" else 1

    @property
    def months(self) -> list[str]:
        """The store keys of the months this period covers."""
        return [f"{self.year}-{m:02d}" for m in range(self.first_month, self.month + 1)]

    @property
    def last_month(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def year_earlier(self) -> Period:
        return Period(self.year - 1, self.month, self.kind)

    def month_earlier(self) -> Period:
        """The previous month (monthly periods only)."""
        if self.kind != "month":
            raise ValueError("only a month has a previous month")
        return Period(self.year - 1, 12, "month") if self.month == 1 else Period(self.year, self.month - 1, "month")

    def just_before(self, other: Period) -> bool:
        """Whether this month is the one right before month `other`: a story then names it by its month
        alone ("Compared with December")."""
        return self.kind == other.kind == "month" and self.year * 12 + self.month + 1 == other.year * 12 + other.month

    def year_to_date(self) -> Period:
        return Period.ytd(self.year, self.month)

    def same_span(self, year: int) -> Period:
        """This period's span in another year (2019 for 2024-05-ytd gives 2019-05-ytd)."""
        return Period(year, self.month, self.kind)

    def __str__(self) -> str:
        return self.key


def month_key(year: int, month: int) -> str:
    return f"{year}-{month:02d}"
