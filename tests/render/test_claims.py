"""Every "record" and "the largest since" in a lede, checked against the bundled Census figures.

The balances here are worked out from the snapshot's own rows ($ millions, one decimal) with the
csv module, apart from the store and the analysis, for every country and a few periods: a claim the
data does not earn fails here, whoever made it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from importlib import resources

import pytest
from test_story import story

from reportgen import pipeline
from reportgen.errors import InputError
from reportgen.partners import bundled
from reportgen.render.html import environment, render_briefing

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"]


def tenths(text: str) -> int:
    return round(float(text or 0) * 10)


@pytest.fixture(scope="module")
def balances() -> dict[str, dict[str, int]]:
    """Census code -> {'2024': balance, '2024-05': balance, ...} in tenths of a million dollars."""
    raw = resources.files("reportgen").joinpath("data/census_country.csv.gz").read_bytes()
    found: dict[str, dict[str, int]] = {}
    for row in csv.DictReader(io.StringIO(gzip.decompress(raw).decode())):
        own = found.setdefault(row["CTY_CODE"], {})
        own[row["year"]] = tenths(row["EYR"]) - tenths(row["IYR"])
        for number, month in enumerate(MONTHS, 1):
            own[f"{row['year']}-{number:02d}"] = tenths(row["E" + month]) - tenths(row["I" + month])
    return found


def key_of(said: str) -> str:
    """'2021' -> '2021'; 'June 2021' -> '2021-06'."""
    if " " not in said:
        return said
    month, year = said.split()
    return f"{year}-{NAMES.index(month) + 1:02d}"


@pytest.mark.parametrize("period", ["2024", "2023", "2024-12", "2024-05", "2022-03", "2020-04"])
def test_every_balance_claim_in_a_lede_is_earned(config, dataset, balances, period):
    env = environment()
    monthly = "-" in period
    checked = claims = 0
    for partner in (p for p in bundled() if p.is_country):
        history = balances.get(partner.census_codes[0], {})
        now = history.get(period, 0)
        try:
            facts = pipeline.facts(config, dataset, partner.code, period)
        except InputError:  # no trade with it in the period
            continue
        if facts.figures.balance == 0:
            continue
        assert facts.figures.balance == now * 100_000, partner.code  # the store holds what the file says
        lede = story(render_briefing(env, facts, [], built_at="x").html).split("\n\n")[1]
        balance_sentence = lede.split(" Imports from")[0]
        earlier = {k: v for k, v in history.items() if ("-" in k) == monthly and "2015" <= k < period}
        as_large = [k for k, v in earlier.items() if (v < 0) == (now < 0) and abs(v) >= abs(now)]
        checked += 1
        if "a record" in balance_sentence or "a monthly record" in balance_sentence:
            claims += 1
            assert not as_large, f"{partner.code} {period}: a record, but {sorted(as_large)[-1]} was as large"
        if found := re.search(r"the largest since ((?:[A-Z][a-z]+ )?\d{4})", balance_sentence):
            claims += 1
            since = key_of(found.group(1))
            assert since in as_large, f"{partner.code} {period}: {since} was smaller"
            assert max(as_large) == since, f"{partner.code} {period}: {max(as_large)} was as large, after {since}"
    assert checked > 150 and claims > 5  # the check ran over real claims
