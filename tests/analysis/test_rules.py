"""The rules that earn words: records, "largest since", sign changes, overtaking.

Small made-up tables, so that each rule can be seen to fire and not to fire.
"""

from __future__ import annotations

import pytest

from reportgen.analysis.changes import balance_trend, compare, gap_percent
from reportgen.analysis.ranks import Ranking, rank
from reportgen.analysis.records import record
from reportgen.analysis.table import TradeTable
from reportgen.models import Comparison, Figures, Total
from reportgen.periods import Period

B = 1_000_000_000


def yearly(balances: dict[int, int]) -> list[tuple[Period, Figures]]:
    """A history of calendar years with the given balances ($ billions), exports fixed at 100."""
    return [(Period(y), Figures(100 * B, (100 - b) * B)) for y, b in sorted(balances.items())]


def test_record_deficit_needs_the_whole_history():
    r = record(yearly({2015: -10, 2016: -12, 2017: -11, 2018: -15}), "balance", "low")
    assert r.is_record and r.since is None and r.history_start.key == "2015" and r.compared == 3


def test_too_short_a_history_earns_no_record():
    r = record(yearly({2016: -12, 2017: -11, 2018: -15}), "balance", "low")
    assert not r.is_record


def test_largest_since():
    r = record(yearly({2015: -10, 2016: -20, 2017: -11, 2018: -12, 2019: -15}), "balance", "low")
    assert not r.is_record and r.since.key == "2016"


def test_a_tie_earns_neither_a_record_nor_a_since_that_skips_it():
    # Matching the largest deficit is not a record ...
    r = record(yearly({2015: -10, 2016: -15, 2017: -11, 2018: -15}), "balance", "low")
    assert not r.is_record and r.since.key == "2016"
    # ... and "the largest since 2016" would pass over 2018, which was as large.
    r = record(yearly({2015: -10, 2016: -20, 2017: -11, 2018: -15, 2019: -12, 2020: -15}), "balance", "low")
    assert r.since.key == "2018"


def test_no_largest_since_when_the_year_before_was_larger():
    r = record(yearly({2015: -10, 2016: -20, 2017: -11, 2018: -16, 2019: -15}), "balance", "low")
    assert not r.is_record and r.since is None


def test_monthly_largest_since_needs_a_year_between():
    months = [(Period(2023, m, "month"), Figures(10 * B, (10 + b) * B)) for m, b in
              [(1, 9), (2, 1), (3, 2), (4, 3), (5, 1), (6, 1), (7, 1), (8, 1), (9, 1), (10, 1), (11, 1), (12, 1)]]
    months.append((Period(2024, 1, "month"), Figures(10 * B, 14 * B)))
    r = record(months, "balance", "low")
    assert r.since.key == "2023-01"  # twelve months back: worth saying
    r = record(months[1:], "balance", "low")
    assert r.is_record  # January 2023 dropped: the deficit of 4 beats every month left


def test_gap_percent_and_trend():
    assert gap_percent(-168, -148) == pytest.approx(13.5135, rel=1e-4)  # a deficit growing is "up"
    assert gap_percent(-100, -120) == pytest.approx(-16.6667, rel=1e-4)
    assert gap_percent(10, -20) is None  # sign changed: a percentage would mislead
    assert gap_percent(-10, 0) is None
    assert balance_trend(10, -20) == "reversed"
    assert balance_trend(-20, -10) == "widened"
    assert balance_trend(30, 20) == "widened"  # a surplus grows too
    assert balance_trend(-5, -5) == "unchanged"
    assert balance_trend(0, -200) == "closed"  # balanced trade is neither a deficit nor a surplus
    assert balance_trend(100, 0) == "opened"
    assert balance_trend(0, 0) == "unchanged"


def test_compare():
    c = compare(Figures(110, 220), Figures(100, 200), Period(2023))
    assert c.change == {"exports": 10, "imports": 20, "balance": -10, "total_trade": 30}
    assert c.change_pct["exports"] == pytest.approx(10.0) and c.change_pct["balance"] == pytest.approx(10.0)
    assert compare(Figures(5, 0), Figures(0, 0), Period(2023)).change_pct["exports"] is None


def table_rows():
    """Three countries and a group, annual totals for 2023 and 2024 (exports, imports in dollars)."""
    data = {("AAA", "2023"): (50, 50), ("BBB", "2023"): (70, 60), ("CCC", "2023"): (10, 10),
            ("GRP", "2023"): (500, 500),
            ("AAA", "2024"): (90, 80), ("BBB", "2024"): (60, 60), ("CCC", "2024"): (10, 20),
            ("GRP", "2024"): (500, 500)}
    for (partner, period), (e, i) in data.items():
        yield Total(partner, "export", period, e, "v1", 1)
        yield Total(partner, "import", period, i, "v1", 1)


def test_rank_overtaking_and_groups():
    table = TradeTable(table_rows())
    countries = {"AAA", "BBB", "CCC"}
    def ranking(year: int) -> Ranking:
        return Ranking.of(table.values(Period(year)), "total_trade", countries)

    now, before = ranking(2024), ranking(2023)
    r = rank("AAA", "total_trade", now, str.lower, year_ago=before, base=Period(2023), at_base=before)
    assert (r.rank, r.of, r.previous_rank, r.base_rank, r.move) == (1, 3, 2, 2, "rose")
    assert [n.code for n in r.overtook] == ["BBB"] and r.ahead is None and r.behind.name == "bbb"
    assert [n.code for n in r.passed] == ["BBB"]
    r = rank("BBB", "total_trade", now, str.lower, year_ago=before, base=Period(2023), at_base=before)
    assert r.rank == 2 and r.move == "fell" and [n.code for n in r.overtaken_by] == ["AAA"]
    assert [n.name for n in r.leaders] == ["aaa"] and r.passed == ()  # "behind aaa" names it already
    assert rank("GRP", "total_trade", now, str.lower, at_base=before) is None  # groups are never ranked


def test_a_place_held_just_before_the_base_is_regained_not_reached():
    """AAA was first in 2022, second in 2023 and first again in 2024: it regained the place; BBB, third
    in 2022 and 2023 and second in 2024, became second."""
    def rows(year, values):
        for code, (e, i) in values.items():
            yield Total(code, "export", str(year), e, "v", 1)
            yield Total(code, "import", str(year), i, "v", 1)

    table = TradeTable([*rows(2022, {"AAA": (90, 0), "CCC": (80, 0), "BBB": (70, 0)}),
                        *rows(2023, {"CCC": (90, 0), "AAA": (80, 0), "BBB": (70, 0)}),
                        *rows(2024, {"AAA": (90, 0), "BBB": (85, 0), "CCC": (80, 0)})])
    ranking = {year: Ranking.of(table.values(Period(year)), "exports", {"AAA", "BBB", "CCC"})
               for year in (2022, 2023, 2024)}
    kwargs = {"base": Period(2023), "at_base": ranking[2023], "lookback": [(Period(2022), ranking[2022])]}
    aaa = rank("AAA", "exports", ranking[2024], str, **kwargs)
    bbb = rank("BBB", "exports", ranking[2024], str, **kwargs)
    assert (aaa.move, aaa.last_held) == ("regained", Period(2022))
    assert (bbb.move, bbb.last_held, [n.code for n in bbb.leaders]) == ("rose", None, ["AAA"])


def test_years_use_published_totals_and_months_sum():
    rows = [Total("AAA", flow, f"2024-{m:02d}", 10, "v", 1) for m in range(1, 13) for flow in ("export", "import")]
    rows += [Total("AAA", "export", "2024", 121, "v", 1), Total("AAA", "import", "2024", 119, "v", 1)]
    rows += [Total("BBB", flow, f"2024-{m:02d}", 1, "v", 1) for m in range(1, 13) for flow in ("export", "import")]
    table = TradeTable(rows)
    assert table.figures("AAA", Period(2024)) == Figures(121, 119)  # the published annual total
    assert table.figures("BBB", Period(2024)) == Figures(12, 12)  # no annual row: the months' sum
    assert table.figures("AAA", Period.parse("2024-03-ytd")) == Figures(30, 30)


@pytest.mark.parametrize(("then", "change", "pct", "move"), [
    (100, 0, 0.0, "unchanged"), (0, 50, None, "from zero"), (100, -100, -100.0, "to zero"),
    (100, 20, 20.0, "up"), (100, -20, -20.0, "down"),
])
def test_a_flow_moves_by_a_percentage_only_between_non_zero_values(then, change, pct, move):
    c = Comparison(Period.parse("2012"), Figures(then, 7), {"exports": change, "imports": 0},
                   {"exports": pct, "imports": 0.0}, "widened")
    assert c.move("exports") == move and c.move("imports") == "unchanged"
