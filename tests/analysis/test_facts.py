"""Facts against figures worked out by hand from the official Census data (bundled snapshot).

Values in $ millions are copied from Census's country.xlsx (as of 2026-10-01); sums, differences
and percentages were worked out by hand from them, not by reportgen.
"""

from __future__ import annotations

import pytest

from reportgen.errors import InputError

M = 1_000_000  # the data are $ millions with one decimal: 334,492.1 -> 334_492_100_000 dollars


def millions(value: str) -> int:
    whole, _, tenth = value.replace(",", "").partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * M + int(tenth or 0) * M // 10)


def test_mexico_2024(facts_of):
    f = facts_of("MX", "2024")
    assert f.partner.code == "MEX"
    assert f.figures.exports == millions("334,492.1")
    assert f.figures.imports == millions("503,110.1")
    assert f.figures.balance == millions("-168,618.0")
    assert f.figures.total_trade == millions("837,602.2")
    # 2023: deficit 148,472.8; 168,618.0 / 148,472.8 - 1 = 13.568%
    c = f.year_ago
    assert c.period.key == "2023" and c.figures.balance == millions("-148,472.8")
    assert c.change["balance"] == millions("-20,145.2")
    assert round(c.change_pct["balance"], 3) == 13.568
    assert c.balance_trend == "widened"
    assert round(c.change_pct["exports"], 2) == 3.10  # 334,492.1 / 324,425.9
    assert round(c.change_pct["imports"], 2) == 6.39  # 503,110.1 / 472,898.7
    assert f.record is True
    assert f.records["balance"].history_start.key == "1991"
    assert f.records["balance"].compared == 33
    # Mexico is first by total trade and imports, second by exports behind Canada (350,605.6).
    assert (f.ranks["total_trade"].rank, f.ranks["imports"].rank, f.ranks["exports"].rank) == (1, 1, 2)
    assert f.ranks["exports"].ahead.code == "CAN" and f.ranks["exports"].ahead.value == millions("350,605.6")
    assert f.ranks["total_trade"].behind.code == "CAN"
    assert f.ranks["total_trade"].previous_rank == 1
    # 837,602.2 of U.S. total trade 2,063,024.4 + 3,263,893.3 = 5,326,917.7 -> 15.724%
    assert round(f.share["total_trade"], 3) == 15.724
    assert f.month_ago is None and f.ytd is None


def test_mexico_january_2024(facts_of):
    f = facts_of("Mexico", "2024-01")
    assert f.figures.exports == millions("26,511.5")
    assert f.figures.imports == millions("37,826.1")
    assert f.figures.balance == millions("-11,314.6")
    # January 2023: 27,258.7 and 36,720.5, deficit 9,461.8 -> deficit up 19.58%
    assert f.year_ago.figures.balance == millions("-9,461.8")
    assert round(f.year_ago.change_pct["balance"], 2) == 19.58
    assert round(f.year_ago.change_pct["exports"], 2) == -2.74
    # December 2023: 23,917.1 and 36,422.6, deficit 12,505.5 -> narrowed by 1,190.9 (9.52%)
    m = f.month_ago
    assert m.period.key == "2023-12"
    assert m.change["balance"] == millions("1,190.9")
    assert m.balance_trend == "narrowed"
    assert round(m.change_pct["balance"], 2) == -9.52
    assert f.ytd is None  # January's year to date is January itself
    # Ranks move against the month before: Mexico led imports in December too (a year earlier it was second),
    # and took back first place in total trade from Canada, which it had last held in November 2023.
    imports, total = f.ranks["imports"], f.ranks["total_trade"]
    assert (imports.rank, imports.base.key, imports.base_rank, imports.move, imports.previous_rank) == \
        (1, "2023-12", 1, "held", 2)
    assert (total.rank, total.base_rank, total.move, total.last_held.key) == (1, 2, "regained", "2023-11")
    assert [n.code for n in total.passed] == ["CAN"] and total.leaders == ()
    assert len(f.table) == 13 and f.table[0].period == "2023-01" and f.table[-1].period == "2024-01"


def test_mexico_january_to_may_2024(facts_of):
    f = facts_of("MEX", "2024-05-ytd")
    # 26,511.5 + 27,007.7 + 27,075.1 + 29,481.5 + 29,071.2 = 139,147.0
    assert f.figures.exports == millions("139,147.0")
    # 37,826.1 + 39,992.2 + 41,373.4 + 42,857.0 + 43,671.0 = 205,719.7
    assert f.figures.imports == millions("205,719.7")
    assert f.figures.balance == millions("-66,572.7")
    # 2023: 133,927.7 - 193,804.1 = -59,876.4 -> deficit up 11.18%
    assert f.year_ago.figures.balance == millions("-59,876.4")
    assert round(f.year_ago.change_pct["balance"], 2) == 11.18
    assert f.month_ago is None


def test_monthly_briefing_carries_its_year_to_date(facts_of):
    f = facts_of("MX", "2024-05")
    assert f.period.kind == "month" and f.figures.exports == millions("29,071.2")
    assert f.ytd is not None and f.ytd.period.key == "2024-05-ytd"
    assert f.ytd.figures.exports == millions("139,147.0")


def test_december_year_to_date_is_the_published_year(facts_of):
    """January-December uses the annual total, which is not the sum of the rounded months."""
    f = facts_of("MX", "2024-12")
    assert f.ytd.period.key == "2024"
    assert f.ytd.figures.exports == millions("334,492.1")  # the months sum to 334,492.0


def test_canada_2024_narrowed(facts_of):
    f = facts_of("Canada", "2024")
    # 350,605.6 - 411,771.6 = -61,166.0; 2023: -63,598.2 -> narrowed 3.82%
    assert f.figures.balance == millions("-61,166.0")
    assert f.year_ago.balance_trend == "narrowed"
    assert round(f.year_ago.change_pct["balance"], 2) == -3.82
    assert f.record is False
    assert f.ranks["exports"].rank == 1 and f.ranks["exports"].ahead is None
    assert f.ranks["total_trade"].rank == 2 and f.ranks["total_trade"].ahead.code == "MEX"
    assert f.ranks["imports"].rank == 3  # behind Mexico (503,110.1) and China (440,319.4)


def test_china_2024(facts_of):
    f = facts_of("CN", "2024")
    # 143,271.7 - 440,319.4 = -297,047.7; 2023: -279,607.8 -> widened 6.24%
    assert f.figures.balance == millions("-297,047.7")
    assert round(f.year_ago.change_pct["balance"], 2) == 6.24
    assert f.ranks["total_trade"].rank == 3
    assert f.ranks["imports"].rank == 2


@pytest.mark.parametrize("name", ["MX", "MEX", "2010", "Mexico", "méxico", " mexico "])
def test_partner_names(facts_of, name):
    assert facts_of(name.strip(), "2024").partner.code == "MEX"


def test_groups_are_never_ranked(facts_of, dataset):
    f = facts_of("European Union", "2024")
    assert f.partner.kind == "group" and f.ranks == {}
    top = [n.code for n in facts_of("MX", "2024").charts.top_partners]
    assert all(dataset.registry.get(code).is_country for code in top)


def test_unknown_partner_suggests_names(facts_of):
    with pytest.raises(InputError, match="unknown partner 'Mexcio'; did you mean Mexico"):
        facts_of("Mexcio", "2024")


@pytest.mark.parametrize(("period", "message"), [
    ("2025", "no data for 2025 yet: the latest available period is 2024-12"),
    ("2025-01", "the latest available period is 2024-12"),
    ("1990", "the store's figures start in 1991-01"),
    ("2024-13", "is not a year"),
    ("last year", "is not a year"),
])
def test_periods_outside_the_data(facts_of, period, message):
    with pytest.raises(InputError, match=message):
        facts_of("MX", period)


@pytest.mark.parametrize(("name", "code"), [("EU", "0003"), ("uk", "GBR"), ("Korea", "KOR"), ("Holland", "NLD")])
def test_aliases(facts_of, name, code):
    assert facts_of(name, "2024").partner.code == code
