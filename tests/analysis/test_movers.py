"""Movers on small made-up commodity detail, worked by hand."""

from __future__ import annotations

import pytest

from reportgen.analysis.movers import flow_movers
from reportgen.commodities import commodity_name
from reportgen.periods import Period

U = 100_000_000  # figures below are in units of $100 million a month


def detail(by_year: dict[int, dict[str, int]], flow: str = "import") -> dict:
    """The same monthly values in each month of each year."""
    return {(flow, f"{year}-{m:02d}"): {code: value * U for code, value in lines.items()}
            for year, lines in by_year.items() for m in range(1, 13)}


DATA = detail({
    2019: {"87": 56, "85": 40, "27": 20},
    2023: {"87": 100, "85": 60, "27": 40},  # a year: 1,200 + 720 + 480 = 2,400
    2024: {"87": 112, "85": 54, "27": 43},  # a year: 1,344 + 648 + 516 = 2,508, up 4.5%
})


def test_contributions_add_up_to_the_growth():
    m = flow_movers(DATA, "import", Period(2024), name=commodity_name)
    assert (m.total, m.previous_total) == (2_508 * U, 2_400 * U)
    assert m.change_pct == pytest.approx(4.5)
    assert [x.code for x in m.rising] == ["87", "27"] and [x.code for x in m.falling] == ["85"]
    vehicles = m.rising[0]
    assert vehicles.name == "Vehicles and parts"
    assert vehicles.change == 144 * U
    assert vehicles.contribution_pp == pytest.approx(6.0)  # 144 of last year's 2,400
    assert m.falling[0].contribution_pp == pytest.approx(-3.0)  # -72 of 2,400
    assert m.rising[1].contribution_pp == pytest.approx(1.5)  # +36 of 2,400
    assert vehicles.share == pytest.approx(1_344 / 2_508 * 100)
    assert vehicles.growth_5y == pytest.approx(100.0)  # 1,344 against 672 in 2019
    assert m.five_years_back.key == "2019"


def test_only_movers_over_the_threshold_are_notable():
    m = flow_movers(DATA, "import", Period(2024), name=commodity_name, threshold_pp=2.0)
    assert [x.code for x in m.rising if x.notable] == ["87"]  # 27 added only 1.5 points
    assert [x.code for x in m.falling if x.notable] == ["85"]  # -3 points


def test_no_movers_without_detail_for_the_year_before():
    assert flow_movers(DATA, "import", Period(2020), name=commodity_name) is None
    assert flow_movers(DATA, "export", Period(2024), name=commodity_name) is None


def test_months_and_year_to_date():
    m = flow_movers(DATA, "import", Period.parse("2024-03-ytd"), name=commodity_name)
    assert m.total == 3 * (112 + 54 + 43) * U
    assert flow_movers(DATA, "import", Period.parse("2024-07"), name=commodity_name).five_years_back.key == "2019-07"


def test_names():
    assert commodity_name("87") == "Vehicles and parts"
    assert commodity_name("8708") == "Auto parts"
    assert (commodity_name("8714", "PARTS AND ACCESSORIES OF MOTORCYCLES, BICYCLES")
            == "Parts and accessories of motorcycles")
    assert commodity_name("8714") == "HS 8714"
