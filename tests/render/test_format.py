"""House style for numbers: AP money, one-decimal percentages, period names."""

from __future__ import annotations

import pytest

from reportgen.render.format import (
    date_label,
    money,
    money_table,
    names,
    ordinal,
    pct,
    pct_prose,
    period_label,
    period_prose,
    place,
    signed_pct,
)


@pytest.mark.parametrize(("dollars", "text"), [
    (168_618_000_000, "$168.6 billion"),
    (-168_618_000_000, "$168.6 billion"),  # prose carries the sign in words
    (13_600_000_000, "$13.6 billion"),
    (13_000_000_000, "$13.0 billion"),
    (49_000_000, "$49 million"),
    (4_500_000, "$4.5 million"),
    (9_960_000, "$10 million"),  # a tenth below ten rounds up to ten: no decimal, like $49 million
    (10_450_000, "$10 million"),  # rounded once, not 10.5 then 11
    (850_000, "$850,000"),
    (999_940_000_000, "$999.9 billion"),
    (999_960_000_000, "$1.0 trillion"),
    (1_200_868_900_000, "$1.2 trillion"),
])
def test_money(dollars, text):
    assert money(dollars) == text


def test_percentages_and_tables():
    assert pct(13.568) == "13.6%" and pct(-2.74) == "2.7%" and pct(None) == "n/a"
    assert pct(0.05) == "0.1%"  # half up, as people round
    assert signed_pct(3.1) == "+3.1%" and signed_pct(-2.74) == "−2.7%" and signed_pct(0.01) == "0.0%"
    assert money_table(-11_314_600_000) == "−11,314.6" and money_table(26_511_500_000) == "26,511.5"
    assert pct_prose(15.71) == "15.7%" and pct_prose(0.05) == "0.1%" and pct_prose(0.0499) == "less than 0.1%"
    assert pct_prose(-0.03) == "less than 0.1%" and pct_prose(-99.96) == "100.0%"
    assert pct_prose(0) == "0.0%" and pct_prose(None) == "n/a"  # nothing at all is not "less than" anything
    assert pct_prose(3300.0) == "34-fold" and pct_prose(1234.5) == "more than 13-fold" and pct_prose(899.9) == "899.9%"


def test_periods_and_dates_in_sentences():
    assert period_prose("2024-05-ytd") == "the first five months of 2024"
    assert period_prose("2024-11-ytd", article=False) == "first 11 months of 2024"  # AP: figures from 10
    assert period_prose("2024-05") == "May 2024" and period_prose("2024") == "2024"
    assert date_label("2026-10-01T00:00:00Z") == "Oct. 1, 2026" and date_label("2025-09-05") == "Sept. 5, 2025"
    assert date_label("2025-03-05", year=False) == "March 5" and date_label("2025-06-30") == "June 30, 2025"


def test_words():
    assert period_label("2024") == "2024"
    assert period_label("2024-01") == "January 2024"
    assert period_label("2024-05-ytd") == "January–May 2024"
    assert [ordinal(n) for n in (1, 2, 3, 11, 21, 22, 112)] == [
        "top", "second-largest", "third-largest", "11th-largest", "21st-largest", "22nd-largest", "112th-largest"]
    assert [place(n) for n in (1, 9, 10, 13, 101, 223)] == ["first", "ninth", "10th", "13th", "101st", "223rd"]
    assert names(["Canada"]) == "Canada" and names(["Canada", "China", "Japan"]) == "Canada, China and Japan"
