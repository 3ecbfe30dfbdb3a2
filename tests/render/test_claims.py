"""Every "record" and "the largest (highest, lowest) since" in a lede, checked against the bundled
Census figures: the balance, imports and exports of every country, for a few years and months.

The figures here are read from the snapshot's own rows ($ millions, one decimal) with the csv
module, apart from the store and the analysis: a claim the data does not earn fails here, whoever
made it.
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
def figures() -> dict[str, dict[str, dict[str, int]]]:
    """Census code -> measure -> {'2024': value, '2024-05': value, ...} in tenths of a million dollars."""
    raw = resources.files("reportgen").joinpath("data/census_country.csv.gz").read_bytes()
    found: dict[str, dict[str, dict[str, int]]] = {}
    for row in csv.DictReader(io.StringIO(gzip.decompress(raw).decode())):
        own = found.setdefault(row["CTY_CODE"], {"exports": {}, "imports": {}, "balance": {}})
        for key, exports, imports in [(row["year"], row["EYR"], row["IYR"])] + [
                (f"{row['year']}-{n:02d}", row["E" + m], row["I" + m]) for n, m in enumerate(MONTHS, 1)]:
            own["exports"][key], own["imports"][key] = tenths(exports), tenths(imports)
            own["balance"][key] = tenths(exports) - tenths(imports)
    # Census leaves a partner out of a year it had no trade in: a gap between its first and last year is zero.
    for own in found.values():
        years = sorted(int(key) for key in own["exports"] if "-" not in key)
        for year in range(years[0], years[-1] + 1):
            for key in [str(year)] + [f"{year}-{n:02d}" for n in range(1, 13)]:
                for measure in own:
                    own[measure].setdefault(key, 0)
    return found


def key_of(said: str) -> str:
    """'2021' -> '2021'; 'June 2021' -> '2021-06'."""
    if " " not in said:
        return said
    month, year = said.split()
    return f"{year}-{NAMES.index(month) + 1:02d}"


def check(clause: str, values: dict[str, int], period: str, gap: bool) -> int:
    """Assert the record or "since" claims in one clause about one measure; return how many there were.

    `gap`: the balance, judged by the size of the deficit or surplus; else a flow, judged high when the
    clause says it rose or reached a high, low when it fell."""
    now = values[period]
    earlier = {k: v for k, v in values.items() if ("-" in k) == ("-" in period) and k < period}
    if gap:
        at_least = [k for k, v in earlier.items() if (v < 0) == (now < 0) and abs(v) >= abs(now)]
    elif "record low" in clause or "lowest since" in clause:
        at_least = [k for k, v in earlier.items() if v <= now]
    else:
        at_least = [k for k, v in earlier.items() if v >= now]
    claims = 0
    if re.search(r"\ba (monthly )?record\b", clause):
        claims += 1
        assert not at_least, f"{period}: a record in {clause!r}, but {max(at_least)} was as far out"
    if found := re.search(r"the (?:largest|highest|lowest) since ((?:[A-Z][a-z]+ )?\d{4})", clause):
        claims += 1
        since = key_of(found.group(1))
        assert since in at_least, f"{period}: {since} was not as far out, in {clause!r}"
        assert max(at_least) == since, f"{period}: {max(at_least)} was as far out, after {since}, in {clause!r}"
    return claims


@pytest.mark.parametrize("period", ["2024", "2023", "2024-12", "2024-05", "2022-03", "2020-04"])
def test_every_record_claim_in_a_lede_is_earned(config, dataset, figures, period):
    env = environment()
    checked = claims = 0
    for partner in (p for p in bundled() if p.is_country):
        mine = figures.get(partner.census_codes[0])
        try:
            facts = pipeline.facts(config, dataset, partner.code, period)
        except InputError:  # no trade with it in the period
            continue
        assert facts.figures.balance == mine["balance"][period] * 100_000, partner.code  # the store holds the file
        lede = story(render_briefing(env, facts, [], built_at="x").html).split("\n\n")[1]
        balance, _, flows = lede.partition(" Imports from")
        imports, _, exports = flows.partition("; exports to")
        checked += 1
        if facts.figures.balance:
            claims += check(balance, mine["balance"], period, gap=True)
        claims += check(imports, mine["imports"], period, gap=False)
        claims += check(exports, mine["exports"], period, gap=False)
    assert checked > 150 and claims > 50  # the check ran over real claims


WORDS = {"top": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
         "ninth": 9}


def place_of(said: str) -> int:
    """'top' -> 1, 'second-largest' -> 2, '109th-largest' -> 109."""
    word = said.removesuffix("-largest")
    return WORDS[word] if word in WORDS else int(word[:-2])


@pytest.mark.parametrize("period", ["2024", "2024-05", "2020-04"])
def test_every_rank_in_a_story_is_the_place_among_countries(config, dataset, figures, period):
    """Ranked by hand: countries (never groups) with some of the measure, largest first, ties by code."""
    countries = {p.census_codes[0]: p.code for p in bundled() if p.is_country}

    def ranking(measure: str) -> list[str]:
        values = {code: (figures[census]["exports"][period] + figures[census]["imports"][period]
                         if measure == "total_trade" else figures[census][measure][period])
                  for census, code in countries.items() if period in figures.get(census, {}).get("exports", {})}
        return sorted((code for code, v in values.items() if v > 0), key=lambda code: (-values[code], code))

    order = {measure: ranking(measure) for measure in ("total_trade", "imports", "exports")}
    env = environment()
    for code in order["total_trade"]:
        text = story(render_briefing(env, pipeline.facts(config, dataset, code, period), [], built_at="x").html)
        said = re.search(r"(?:was|remained) the (\S+) U\.S\. trading partner", text)
        assert place_of(said.group(1)) == order["total_trade"].index(code) + 1, (code, said.group(0))
        for measure, role in (("imports", "source of U.S. imports"), ("exports", "destination for U.S. exports")):
            found = re.search(rf"the (\S+) {re.escape(role)}", text)
            if code in order[measure]:
                assert place_of(found.group(1)) == order[measure].index(code) + 1, (code, found.group(0))
            else:
                assert found is None, (code, found.group(0))  # none of it: no rank at all
