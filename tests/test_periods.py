from __future__ import annotations

import pytest

from reportgen.errors import InputError
from reportgen.periods import Period


@pytest.mark.parametrize(("text", "kind", "months"), [
    ("2024", "year", 12),
    ("2024-05", "month", 1),
    ("2024-05-ytd", "ytd", 5),
    ("2024-05-YTD", "ytd", 5),
    ("2024-01-ytd", "month", 1),  # January to January is the month
    ("2024-12-ytd", "year", 12),  # January to December is the year
])
def test_parse(text, kind, months):
    period = Period.parse(text)
    assert period.kind == kind and len(period.months) == months


def test_neighbours():
    assert Period.parse("2024-01").month_earlier().key == "2023-12"
    assert Period.parse("2024-05").year_earlier().key == "2023-05"
    assert Period.parse("2024-05").year_to_date().key == "2024-05-ytd"
    assert Period.parse("2024-05-ytd").same_span(2019).months[-1] == "2019-05"


@pytest.mark.parametrize("text", ["24", "2024-00", "2024-13", "2024/05", "May 2024", ""])
def test_bad_periods(text):
    with pytest.raises(InputError, match="is not a year"):
        Period.parse(text)
