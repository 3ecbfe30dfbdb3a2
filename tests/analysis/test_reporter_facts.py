"""Facts from another reporter's side, from annual totals: what a year missing from the store says."""

from __future__ import annotations

import pytest

from reportgen.analysis.reporter import annual_table, reporter_facts
from reportgen.errors import InputError
from reportgen.models import Partner, Provenance, Total
from reportgen.periods import Period

MEXICO = Partner("MEX", "Mexico", "Mexico", "country")
RUSSIA = Partner("RUS", "Russia", "Russia", "country")
PROVENANCE = Provenance("comtrade", "2026-12-04/00000000", "2026-12-04T09:00:00Z", "https://example.org", "0" * 64, "")


def table(years):
    rows = [Total(partner, flow, str(y), 100 + y, "v", 1)
            for y in years for partner in ("RUS", "WLD") for flow in ("export", "import")]
    return annual_table(rows, min(years), max(years))


def facts(years, period):
    return reporter_facts(table(years), MEXICO, RUSSIA, Period(period), countries={"RUS"}, residuals=(),
                          name=lambda code: code, provenance=PROVENANCE)


def test_a_year_never_collected_is_not_a_year_of_no_trade():
    with pytest.raises(InputError, match="no 2013 figures reported by Mexico in the store: it holds 2012 to 2014 "
                                         "without 2013"):
        facts([2012, 2014], 2013)


def test_a_year_outside_the_store():
    with pytest.raises(InputError, match="no 2015 figures reported by Mexico in the store: it holds 2012 to 2014"):
        facts([2012, 2013, 2014], 2015)


def test_the_facts_carry_the_reporter():
    result = facts([2012, 2013, 2014, 2015], 2015)
    assert result.reporter == "MEX" and result.figures.exports == 2115
    assert result.history_is_partial  # every record says how far back the stored years reach
