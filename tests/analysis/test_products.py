"""Product composition with pandas: codes grouped as readers name them, one HS level at a time, and "less than"
bounds that hold for the figure as a reader sees it rounded."""

from __future__ import annotations

import pytest

from reportgen.analysis.products import below, detail_frame, group_key, product_mix
from reportgen.commodities import product_groups
from reportgen.periods import Period


@pytest.mark.parametrize(("dollars", "bound"), [
    (3_699_214, 5_000_000),  # $3.7 million
    (4_949_999, 5_000_000),  # $4.9 million
    (4_950_000, 10_000_000),  # shown as $5.0 million: not "less than $5 million"
    (999_999, 1_000_000),  # $999,999 is shown as is
    (1_000_000, 2_000_000),
    (19_600_000, 50_000_000),  # $20 million when rounded
    (361_419_453, 500_000_000),
])
def test_less_than_bound(dollars, bound):
    assert below(dollars) == bound


def test_groups_from_the_bundled_table():
    groups = product_groups()
    assert groups["870840"] == groups["870850"] == "gear boxes and drive axles for vehicles"
    assert group_key("870840", groups) == "gear boxes and drive axles for vehicles"
    assert group_key("870899", groups) == "870899"  # no group: the code stands on its own
    assert group_key("8708", {"87": "vehicles"}) == "vehicles"  # a group of a chapter holds its headings


def test_mix_sums_groups_at_the_finest_level_only():
    rows = [
        ("RUS", "export", "2016", "870840", 30), ("RUS", "export", "2016", "870850", 20),
        ("RUS", "export", "2016", "8708", 50),  # the same goods at HS4: never added to the HS6 lines
        ("RUS", "export", "2016", "220300", 40), ("RUS", "export", "2012", "870840", 4),
        ("RUS", "export", "2012", "220300", 40), ("CHN", "export", "2016", "220300", 999),
    ]
    mix = product_mix(detail_frame(rows), "RUS", "export", Period(2016), Period(2012), total=200,
                      groups={"870840": "gear boxes", "870850": "gear boxes"}, name=lambda code: f"HS {code}")
    assert mix.level == "HS6" and mix.base == Period(2012)
    assert [(x.name, x.codes, x.value, x.base_value) for x in mix.lines] == [
        ("gear boxes", ("870840", "870850"), 50, 4), ("HS 220300", ("220300",), 40, 40)]
    assert mix.lines[0].share == 25.0 and mix.lines[0].growth_pct == 1150.0
    assert mix.lines[0].base_below == 1_000  # $4: less than $1,000, the first step of the ladder
    assert mix.lines[1].base_below is None and mix.lines[1].growth_pct == 0.0


def test_no_detail_no_mix():
    frame = detail_frame([("RUS", "import", "2016", "310210", 5)])
    assert product_mix(frame, "RUS", "export", Period(2016), None, total=10, groups={}, name=str) is None
