"""Every claim a story makes, for every country and a spread of years, months and years to date, checked
against the bundled Census figures: records and "the largest (highest, lowest) since", how far back the
history reaches, ranks and who is named ahead, rank words and the base they are measured against, the
peer and USMCA sentences, and the desk's rules (a named base for every comparison, at most two "record"
in a paragraph, one "since" in a sentence).

The figures here are read from the snapshot's own rows ($ millions, one decimal) with the csv module,
apart from the store and the analysis, and the rules are written out again from the phrasing rules: a
claim the data does not earn fails here, whoever made it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from decimal import ROUND_HALF_UP, Decimal
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
COUNT_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
WORDS = {"top": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
         "ninth": 9, "first": 1}
ROLES = {"total_trade": "U.S. trading partner", "imports": "source of U.S. imports",
         "exports": "destination for U.S. exports"}
PERIODS = ["2024", "2023", "2024-12", "2024-05", "2024-01", "2022-03", "2020-04", "2024-05-ytd", "2021-09-ytd",
           "1992", "1991"]
USMCA = {"MEX": ("0005", "0021"), "CAN": ("0006", "0022")}  # NAFTA, then USMCA preference rows


def tenths(text: str) -> int:
    return round(float(text or 0) * 10)


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, tuple[int, int]]]:
    """Census code -> '2024' or '2024-05' -> (exports, imports) in tenths of a million dollars.

    A year a partner is missing from between its first and last is a year of no trade. A code that
    begins after the file's first year begins with its first month of trade, one that ends before the
    last year ends with its last (Yugoslavia's 1992 row runs to June): the zeros outside are no code, not
    no trade, and a year only partly inside has no annual figures."""
    raw = resources.files("reportgen").joinpath("data/census_country.csv.gz").read_bytes()
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for row in csv.DictReader(io.StringIO(gzip.decompress(raw).decode())):
        own = found.setdefault(row["CTY_CODE"], {})
        own[row["year"]] = (tenths(row["EYR"]), tenths(row["IYR"]))
        for n, m in enumerate(MONTHS, 1):
            own[f"{row['year']}-{n:02d}"] = (tenths(row["E" + m]), tenths(row["I" + m]))
    for own in found.values():
        years = sorted(int(key) for key in own if "-" not in key)
        traded = sorted(key for key, pair in own.items() if "-" in key and any(pair)) or ["1991-01"]
        start = traded[0] if years[0] > 1991 else "1991-01"
        end = traded[-1] if years[-1] < 2024 else "2024-12"
        for year in range(years[0], years[-1] + 1):
            for key in [str(year)] + [f"{year}-{n:02d}" for n in range(1, 13)]:
                own.setdefault(key, (0, 0))
        for key in list(own):
            first, last = (key, key) if "-" in key else (key + "-01", key + "-12")
            if first < start or last > end:
                del own[key]
    return found


def value(rows, code: str, key: str, measure: str) -> int | None:
    """A partner's measure in a period key ('2024', '2024-05' or '2024-05-ytd'), or None without a row."""
    own = rows.get(code, {})
    if key.endswith("-ytd"):
        year, month = int(key[:4]), int(key[5:7])
        pairs = [own.get(f"{year}-{m:02d}") for m in range(1, month + 1)]
        if None in pairs:
            return None
        pair = (sum(p[0] for p in pairs), sum(p[1] for p in pairs))
    else:
        pair = own.get(key)
        if pair is None:
            return None
    exports, imports = pair
    return {"exports": exports, "imports": imports, "balance": exports - imports,
            "total_trade": exports + imports}[measure]


def kind(key: str) -> str:
    return "ytd" if key.endswith("-ytd") else "month" if "-" in key else "year"


def earlier(key: str) -> list[str]:
    """Every comparable period before `key`, in the file's history, oldest first."""
    if kind(key) == "month":
        return [f"{y}-{m:02d}" for y in range(1991, int(key[:4]) + 1) for m in range(1, 13) if f"{y}-{m:02d}" < key]
    return [str(y) + key[4:] for y in range(1991, int(key[:4]))]


def year_ago(key: str) -> str:
    return str(int(key[:4]) - 1) + key[4:]


def month_before(key: str) -> str:
    y, m = int(key[:4]), int(key[5:7])
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def base_of(key: str) -> str:
    """The period a story compares ranks with: the month before a month, else the same span a year earlier."""
    return month_before(key) if kind(key) == "month" else year_ago(key)


def key_of(said: str, period: str) -> str:
    """'2021' -> '2021'; 'June 2021' -> '2021-06'; a year in a year-to-date story -> that year's same span."""
    if " " in said:
        month, year = said.split()
        return f"{year}-{NAMES.index(month) + 1:02d}"
    return said + period[4:] if kind(period) == "ytd" else said


def label(key: str) -> str:
    """How a story names a period: '2023', 'May 2023', 'the first five months of 2023'."""
    if kind(key) == "year":
        return key
    month = int(key[5:7])
    if kind(key) == "month":
        return f"{NAMES[month - 1]} {key[:4]}"
    return f"the first {COUNT_WORDS[month - 1] if month < 10 else month} months of {key[:4]}"


def base_label(key: str, story_period: str) -> str:
    """A base as a story names it: the month before a month is its name alone ("December")."""
    if kind(story_period) == "month" and key == month_before(story_period):
        return NAMES[int(key[5:7]) - 1]
    return label(key)


def money(tenths_of_millions: int) -> str:
    """The house rounding rule, written out again: $297.0 billion, $49 million, $4.5 million, $850,000."""
    dollars = Decimal(abs(tenths_of_millions)) * 100_000

    def rounded(scale: int, places: int) -> Decimal:
        return (dollars / scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    if dollars >= 10**12 or rounded(10**9, 1) >= 1000:
        return f"${rounded(10**12, 1)} trillion"
    if dollars >= 10**9 or rounded(10**6, 0) >= 1000:
        return f"${rounded(10**9, 1):,} billion"
    if dollars >= 10**6:
        small = rounded(10**6, 1)
        return f"${rounded(10**6, 0):,} million" if small >= 10 else f"${small} million"
    return f"${dollars:,.0f}"


def ranking(rows, countries: dict[str, str], key: str, measure: str) -> list[str]:
    """Store codes of the countries with some `measure` in `key`, largest first, ties by code."""
    values = {code: value(rows, census, key, measure) for census, code in countries.items()}
    return sorted((c for c, v in values.items() if v and v > 0), key=lambda c: (-values[c], c))


def place_of(said: str) -> int:
    """'top' -> 1, 'second-largest' -> 2, '109th-largest' -> 109, 'second' -> 2, '110th' -> 110."""
    word = said.removesuffix("-largest")
    return WORDS[word] if word in WORDS else int(word[:-2])


def sentences(paragraph: str) -> list[str]:
    return re.split(r"(?<=[.])\s+(?=[A-Z])", paragraph)


def check_claim(clause: str, rows, census: str, measure: str, period: str, *, gap: bool) -> int:
    """Assert the record and "since" claims one clause makes about one measure; return how many it made.

    The balance is judged by the size of the deficit or surplus; a flow high when the clause says it rose
    or is highest, low when it fell or is lowest."""
    now = value(rows, census, period, measure)
    history = {k: v for k in earlier(period) if (v := value(rows, census, k, measure)) is not None}
    if gap:
        at_least = [k for k, v in history.items() if (v < 0) == (now < 0) and abs(v) >= abs(now)]
    elif re.search(r"record lows?\b|lowest (?:for the period )?since", clause):
        at_least = [k for k, v in history.items() if v <= now]
    else:
        at_least = [k for k, v in history.items() if v >= now]
    claims = 0
    if re.search(r"\brecords?\b", clause):
        claims += 1
        assert not at_least, f"{census} {period}: a record in {clause!r}, but {max(at_least)} was as far out"
        assert len(history) >= 3, f"{census} {period}: a record over {len(history)} earlier periods: {clause!r}"
    if found := re.search(r"(?:largest|highest|lowest)(?: for the period)? since ((?:[A-Z][a-z]+ )?\d{4})", clause):
        claims += 1
        since = key_of(found.group(1), period)
        assert since in at_least and max(at_least) == since, \
            f"{census} {period}: {max(at_least, default=None)} was the latest as far out, not {since}: {clause!r}"
    return claims


def check_reach(blocks: list[str], rows, census: str, period: str) -> None:
    """'in data back to 1991' is said once, in the first paragraph with a record, and names where the
    partner's history starts: its first month in a monthly comparison, else its first year."""
    body = blocks[2:]
    reach = r"in data back to ((?:[A-Z][a-z]+ )?\d{4})"
    said = [(i, found) for i, b in enumerate(body) for found in re.findall(reach, b)]
    first = next((i for i, b in enumerate(body) if re.search(r"\brecords?\b", b)), None)
    if first is None:
        assert not said, f"{census} {period}: the history's reach without a record: {said}"
        return
    assert len(said) == 1 and said[0][0] == first, f"{census} {period}: the reach said as {said}, a record in {first}"
    monthly = kind(period) == "month" and not body[first].startswith(("In the first", "For the full year"))
    if monthly:
        start = min(k for k in rows[census] if "-" in k)
        expected = f"{NAMES[int(start[5:]) - 1]} {start[:4]}"
    else:  # the first year whose same span the partner's history covers
        span = period[4:] if kind(period) == "ytd" else ""
        if kind(period) == "month":  # a month's year to date
            span = period[4:] + "-ytd" if period[5:] not in ("01", "12") else ""
        expected = next(str(y) for y in range(1991, 2025) if value(rows, census, str(y) + span, "balance") is not None)
    assert said[0][1] == expected, (census, period, said)


def check_ranks(text: str, rows, countries, code: str, period: str) -> int:
    """Places, who is named ahead, rank words and their base, and whom a move names: against the ranking
    worked out here; returns how many rank statements were checked."""
    order = {m: ranking(rows, countries, period, m) for m in ROLES}
    base = base_of(period)
    # 1991 lists only the major partners: no place then is a place at all
    at_base = {m: ranking(rows, countries, base, m) if base[:4] > "1991" else [] for m in ROLES}
    lookback, p = [], base
    for _ in range(12 if kind(period) == "month" else 2):
        p = month_before(p) if kind(period) == "month" else year_ago(p)
        if p[:4] > "1991":
            lookback.append(p)
    names = {p.code: p.display_name for p in bundled()}
    checked = 0
    for measure, role in ROLES.items():
        found = re.search(rf"(?:(remained|regained its place as|became|was) )?the (\S+) {re.escape(role)}"
                          rf"((?:, behind [^,.]+?)?)((?:, (?:as in|up from|down from) [^,.]+?)?)"
                          rf"(?:, passing ([^,.]+?))?(?= as [^,.]+ moved ahead| and the|, with|\.|,)"
                          rf"(?: as ([^,.]+?) moved ahead)?", text)
        if code not in order[measure]:
            assert found is None, (code, period, found and found.group(0))
            continue
        assert found, f"{code} {period}: no {role} sentence in {text!r}"
        checked += 1
        verb, said, behind, move, passing, moved_ahead = found.groups()
        rank = order[measure].index(code) + 1
        assert place_of(said) == rank, (code, period, found.group(0))
        leaders = [names[c] for c in order[measure][: rank - 1]] if rank <= 3 else []
        assert behind == (f", behind {' and '.join(leaders)}" if leaders else ""), (code, period, found.group(0))
        then = at_base[measure].index(code) + 1 if code in at_base[measure] else None
        where = base_label(base, period)
        if then is None:
            assert move == "" and verb in (None, "was"), (code, period, found.group(0))
        elif then == rank:  # the place held: "remained ..., as in 2023"; a role that held says nothing more
            verbs = ("remained",) if measure == "total_trade" else (None, "was")
            assert verb in verbs, (code, period, found.group(0))
            assert move == (f", as in {where}" if measure == "total_trade" else ""), (code, period, found.group(0))
        else:
            assert move == f", {'up' if rank < then else 'down'} from {_place(then)} in {where}", \
                (code, period, found.group(0))
            if measure == "total_trade":
                held = [k for k in lookback if code in (o := ranking(rows, countries, k, measure)) and
                        o.index(code) + 1 <= rank]
                expected = "was" if rank > then else ("regained its place as" if held else "became")
                assert verb == expected, (code, period, found.group(0), held)
            ahead_then = set(at_base[measure][: then - 1])
            behind_then = set(at_base[measure][then:])
            for group, was in ((passing, ahead_then), (moved_ahead, behind_then)):
                for other in named(group, names) if group else []:
                    now_ahead = order[measure].index(other) < rank - 1
                    assert other in was and now_ahead == (group is moved_ahead), (code, period, other, found.group(0))
    return checked


def named(group: str, names: dict[str, str]) -> list[str]:
    """The codes of one or two partners named as 'Canada' or 'Trinidad and Tobago and Japan'."""
    codes = {name: code for code, name in names.items()}
    if group in codes:
        return [codes[group]]
    for cut in [m.start() for m in re.finditer(" and ", group)]:
        left, right = group[:cut], group[cut + 5:]
        if left in codes and right in codes:
            return [codes[left], codes[right]]
    raise AssertionError(f"{group!r} names no partner")


def _place(rank: int) -> str:
    words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
    if rank <= 9:
        return words[rank - 1]
    return f"{rank}{'th' if 10 <= rank % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(rank % 10, 'th')}"


def check_desk_rules(blocks: list[str], period: str) -> None:
    """At most two "record" in a paragraph, one "since" in a sentence, and a named base for every change."""
    yoy = label(year_ago(period))
    for paragraph in blocks[2:]:
        assert len(re.findall(r"\brecords?\b", paragraph)) <= 2, paragraph
        for sentence in sentences(paragraph):
            assert len(re.findall(r"\bsince\b", sentence)) <= 1, sentence
        if re.search(r"\b(?:rose|fell|widened|narrowed|grew|shrank|up|down) \d", paragraph):
            before = str(int(period[:4]) - 1)
            if paragraph.startswith(("In the first", "For the full year")):  # a month's year to date
                bases = [f"in the same months of {before}", f"from the same months of {before}", f"in {before}."]
            else:
                bases = [f"in {yoy}", f"Compared with {yoy},"]
                if kind(period) == "month":
                    bases.append(f"Compared with {NAMES[int(month_before(period)[5:7]) - 1]},")
            assert any(b in paragraph for b in bases), f"{period}: no base named in {paragraph!r}"


@pytest.mark.parametrize("period", PERIODS)
def test_every_claim_in_every_story_is_earned(config, dataset, rows, period):
    env = environment()
    census_countries = [p for p in bundled() if p.is_country and p.census_codes]  # the United States is none
    countries = {p.census_codes[0]: p.code for p in census_countries}
    checked = claims = ranked = 0
    for partner in census_countries:
        census = partner.census_codes[0]
        try:
            facts = pipeline.facts(config, dataset, partner.code, period)
        except InputError:  # no trade with it in the period
            continue
        assert facts.figures.balance == value(rows, census, period, "balance") * 100_000, partner.code
        text = story(render_briefing(env, facts, [], built_at="2026-11-23T12:00:00Z").html)
        blocks = text.strip().split("\n\n")
        headline, lede = blocks[0], blocks[2]
        checked += 1
        assert facts.provenance.published[:10] == "2026-10-01" and "the Census Bureau reported on Oct. 1." in lede

        if value(rows, census, period, "balance"):
            claims += check_claim(lede, rows, census, "balance", period, gap=True)
        record = re.search(r"\brecord\b", headline) is not None
        assert record == ("largest" in lede and "on record" in lede), (headline, lede)
        assert ("a record for the period" in headline) == (record and kind(period) == "ytd"), headline

        change = next((b for b in blocks[3:] if b.startswith(("The deficit", "The surplus", "Compared with " + label(
            year_ago(period)) + ","))), "")
        for sentence in sentences(change):  # each flow's clause starts with its name; a shared claim ends the last
            for clause in re.split(r"(?i)\b(?=(?:imports from|exports to) )", sentence)[1:]:
                shared = re.search(r", both .*", clause)
                for measure in ("imports", "exports") if shared else [clause[:7].lower()]:
                    claims += check_claim(shared.group(0) if shared else clause, rows, census, measure, period,
                                          gap=False)
        check_reach(blocks, rows, census, period)
        check_desk_rules(blocks, period)

        if period.startswith("1991"):  # Census itemised only the major partners: no ranks at all
            assert "-largest" not in text and "top " not in text and "trading partner" not in text, text
            continue
        ranked += check_ranks(text, rows, countries, partner.code, period)
        check_peer_and_preference(text, rows, countries, partner.code, census, period)
    assert checked > (60 if period == "1991" else 150)  # the checks ran over real stories
    if period != "1991":
        assert ranked > 300
    if period not in ("1991", "1992"):  # a record needs three earlier periods
        assert claims > 30


def check_peer_and_preference(text: str, rows, countries, code: str, census: str, period: str) -> None:
    """A top-five partner's nearest neighbour by total trade, with its balance; Mexico's and Canada's imports
    under NAFTA or USMCA preference, as a share of general imports."""
    order = ranking(rows, countries, period, "total_trade")
    census_of = {c: k for k, c in countries.items()}
    names = {p.code: p.display_name for p in bundled()}
    found = re.search(r"([A-Z][^.,]+), the (\S+) partner, had (?:a (deficit|surplus) of (\S+ \S+)|balanced trade) in "
                      r"the same period\.", text)
    rank = order.index(code) + 1
    if rank > 5:
        assert found is None, (code, period)
    else:
        total = {c: value(rows, census_of[c], period, "total_trade") for c in order[:6]}
        neighbours = [c for c in (order[rank - 2] if rank > 1 else None, order[rank]) if c]
        nearest = min(neighbours, key=lambda c: abs(total[c] - total[code]))  # the one ahead on a tie
        balance = value(rows, census_of[nearest], period, "balance")
        assert found and found.group(1) == names[nearest][:1].upper() + names[nearest][1:], (code, period, text)
        assert place_of(found.group(2)) == order.index(nearest) + 1
        assert found.group(3) == ("deficit" if balance < 0 else "surplus") and found.group(4) == money(balance)
    claimed = re.search(r"claimed (NAFTA|USMCA|NAFTA or USMCA) preference totaled (\S+ \S+), equal to ([\d.]+)% of "
                        r"general imports from", text)
    if code not in USMCA:
        assert claimed is None
        return
    programs = [(name, value(rows, row, period, "imports")) for name, row in zip(("NAFTA", "USMCA"), USMCA[code])]
    programs = [(name, v) for name, v in programs if v]
    if not programs:  # before NAFTA (1994)
        assert claimed is None, (code, period)
        return
    assert claimed, (code, period)
    assert claimed.group(1) == " or ".join(name for name, _ in programs)
    total = sum(v for _, v in programs)
    assert claimed.group(2) == money(total)
    share = Decimal(total) / Decimal(value(rows, census, period, "imports")) * 100
    assert claimed.group(3) == str(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
