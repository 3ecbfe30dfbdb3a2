"""The Census International Trade API: country totals, and commodity detail at HS2 and HS4.

Responses are JSON arrays of arrays, every cell a string, row 0 the header; predicate columns
such as `time` may be appended, so columns are found by name. Money is whole dollars. The API
answers a query with no data yet with HTTP 204, a bad query with HTTP 400 and a line of text, and a
missing or invalid key with HTTP 200 and an HTML page. The key comes from CENSUS_API_KEY and is
redacted from everything the HTTP session stores or reports.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from reportgen import timestamps
from reportgen.errors import CollectError
from reportgen.http import Http, redact
from reportgen.models import MAX_DOLLARS, Batch, Observation, Progress, Vintage
from reportgen.partners import WORLD, Registry

SOURCE = "census-api"
BASE_URL = "https://api.census.gov/data/timeseries/intltrade"
KEY_SIGNUP = "https://api.census.gov/data/key_signup.html"
FIRST_MONTH = "2010-01"
LEVELS = ("HS2", "HS4")
ALL_COUNTRIES = "-"  # the API's row for the total of all countries
WHOLE_NUMBER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class Flow:
    flow: str  # the store's name
    endpoint: str
    value: str  # the monthly value column
    commodity: str  # the commodity code column


FLOWS = (Flow("export", "exports", "ALL_VAL_MO", "E_COMMODITY"), Flow("import", "imports", "GEN_VAL_MO", "I_COMMODITY"))


@dataclass(frozen=True)
class Query:
    """One request: a flow, a span of months within one year, all partners or one, totals or one HS level."""

    flow: Flow
    first: str  # YYYY-MM
    last: str
    partner: str | None = None  # a Census country code
    level: str | None = None  # HS2 or HS4; None for country totals

    def params(self) -> dict[str, str]:
        columns = ["CTY_CODE", "CTY_NAME", self.flow.value]
        if self.level:
            columns[2:2] = [self.flow.commodity, f"{self.flow.commodity}_SDESC"]
        params = {"get": ",".join(columns)}
        if self.level:
            params["COMM_LVL"] = self.level
        if self.partner:
            params["CTY_CODE"] = self.partner
        params["time"] = self.first if self.first == self.last else f"from {self.first} to {self.last}"
        return params

    def describe(self) -> str:
        what = f"{self.level} detail" if self.level else "country totals"
        who = f" for Census code {self.partner}" if self.partner else ""
        return f"Census API {self.flow.endpoint} {what}{who}, {self.first} to {self.last}"


def plan(first: str, last: str, *, levels: Iterable[str] = (), partners: Iterable[str] = ()) -> list[Query]:
    """The requests for the whole years from `first` to `last`, split so that none is big: by flow, by
    year, and for commodity detail by partner (every partner's HS4 lines at once would run to millions).

    Whole years, so that each year's figures come from one vintage: a later collect of the same year
    replaces all of it, never half (the API answers with the months it has published).
    """
    if first > last:
        raise CollectError(f"--from {first} is after --to {last}")
    if first < FIRST_MONTH:
        raise CollectError(f"the Census API has data from {FIRST_MONTH}; --from {first} is earlier")
    spans = [(f"{year}-01", f"{year}-12") for year in range(int(first[:4]), int(last[:4]) + 1)]
    queries = [Query(flow, a, b) for flow in FLOWS for a, b in spans]
    queries += [Query(flow, a, b, partner, level) for level in levels for partner in partners
                for flow in FLOWS for a, b in spans]
    return queries


class CensusApi:
    """A client for the API, through the shared HTTP session."""

    def __init__(self, http: Http, *, base_url: str | None = None, key: str | None = None):
        self.http = http
        self.base_url = (base_url or os.environ.get("CENSUS_API_BASE_URL") or BASE_URL).rstrip("/")
        self.key = key if key is not None else os.environ.get("CENSUS_API_KEY", "")
        if not self.key:
            raise CollectError(f"set CENSUS_API_KEY to your Census API key (a free one: {KEY_SIGNUP})")

    def url(self, query: Query) -> str:
        return f"{self.base_url}/{query.flow.endpoint}/hs?{urlencode({**query.params(), 'key': self.key})}"

    def rows(self, query: Query) -> tuple[list[dict[str, str]], bytes]:
        """The answer to one query as dicts keyed by column name, and the raw body (for the vintage)."""
        fetched = self.http.get(self.url(query), what=query.describe(), accept=(400,), max_bytes=100 * 1024 * 1024)
        if fetched.status == 204:
            if query.level:  # a partner with no trade in a product detail: nothing to add
                return [], b""
            raise CollectError(f"{query.describe()}: not published yet; {self._latest_hint(query)}")
        text = fetched.content.decode("utf-8", errors="replace").strip()
        if fetched.status == 400:  # its text may quote the request, key and all
            message = redact(" ".join(text.split()), self.key)[:300] or "no message"
            raise CollectError(f"{query.describe()}: the Census API rejected the query: {message}")
        if not text.startswith("["):
            # The API's way of saying the key is missing or wrong: a 200 with an HTML page.
            raise CollectError(f"the Census API answered with a web page instead of data: the key in CENSUS_API_KEY "
                               f"is missing or invalid (get one at {KEY_SIGNUP})")
        return parse(text, query.describe()), fetched.content

    def _latest_hint(self, query: Query) -> str:
        """Which month the API has last, found with a small query for the world's exports."""
        year = int(query.first[:4])
        for start in (year, year - 1, year - 2):
            probe = Query(FLOWS[0], f"{start}-01", f"{start}-12", ALL_COUNTRIES)
            fetched = self.http.get(self.url(probe), what="Census API latest month", accept=(400,))
            if fetched.status == 200 and fetched.content.lstrip().startswith(b"["):
                months = [row.get("time", "") for row in parse(fetched.content.decode(), "latest month")]
                if months:
                    return f"the latest month available is {max(months)}"
        return "the API has no data for the months asked"


def parse(text: str, what: str) -> list[dict[str, str]]:
    """Rows of a JSON array-of-arrays answer, as dicts keyed by the header row."""
    try:
        table = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectError(f"{what}: the answer is not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(table, list) or not table or not all(isinstance(row, list) for row in table):
        raise CollectError(f"{what}: the answer is not a table with a header row")
    header = [str(name) for name in table[0]]
    rows = []
    for number, row in enumerate(table[1:], start=1):
        if len(row) != len(header):
            raise CollectError(f"{what}: row {number} has {len(row)} cells for {len(header)} columns")
        rows.append(dict(zip(header, row)))
    return rows


def collect(api: CensusApi, registry: Registry, first: str, last: str, *, levels: Iterable[str] = (),
            partners: Iterable[str] = (), progress: Progress | None = None) -> Batch:
    """Every query of the plan, read in full before anything is stored; one batch, one vintage.
    `progress` hears of the queries answered ("queries")."""
    totals: dict[tuple[str, str, str, str], int] = {}
    bodies = hashlib.sha256()
    last_month = ""
    unknown: set[str] = set()
    descriptions: dict[str, str] = {}
    queries = plan(first, last, levels=levels, partners=partners)
    for done, query in enumerate(queries):
        if progress:
            progress("queries", done, len(queries))
        rows, body = api.rows(query)
        bodies.update(body)
        for row in rows:
            if query.level and row.get(f"{query.flow.commodity}_SDESC"):
                descriptions[row[query.flow.commodity].strip()] = row[f"{query.flow.commodity}_SDESC"].strip()
            partner, flow, period, commodity, value = _observation(row, query, registry)
            if partner is None:
                unknown.add(f"{row['CTY_CODE']} ({row.get('CTY_NAME', '').strip()})")
                continue
            totals[(partner, flow, period, commodity)] = totals.get((partner, flow, period, commodity), 0) + value
            last_month = max(last_month, period)
    if progress:
        progress("queries", len(queries), len(queries))
    if last_month > f"{datetime.now(UTC):%Y-%m}":  # a month not yet over has no figures: the answer is wrong
        raise CollectError(f"the Census API answered with figures for {last_month}, after the current month")
    sha = bodies.hexdigest()
    now = timestamps.now()
    vintage = Vintage(source=SOURCE, label=f"{now[:10]}/{sha[:8]}", published=now, origin=api.base_url,
                      sha256=sha, collected_at=now,
                      note=f"{first} to {last}" + (f", {'/'.join(levels)} detail" if levels else ""))
    observations = [Observation(partner=p, flow=f, period=period, value=v, commodity=c)
                    for (p, f, period, c), v in totals.items()]
    warnings = [f"Census codes not in the partner list, left out: {', '.join(sorted(unknown))}"] if unknown else []
    return Batch(vintage=vintage, observations=observations, last_month=last_month, warnings=warnings,
                 descriptions=descriptions)


def _observation(row: dict[str, str], query: Query, registry: Registry) -> tuple:
    """(partner, flow, period, commodity, dollars) of one answer row; partner None for rows not kept."""
    try:
        code, period, value = row["CTY_CODE"].strip(), row["time"], row[query.flow.value]
    except KeyError as exc:
        raise CollectError(f"{query.describe()}: the answer has no {exc.args[0]} column") from None
    commodity = "TOTAL"
    if query.level:
        commodity = row.get(query.flow.commodity, "").strip()
        if not commodity.isdigit():
            raise CollectError(f"{query.describe()}: commodity code {commodity!r} is not an HS code")
    if code == ALL_COUNTRIES:
        partner = WORLD
    else:
        known = registry.by_census(code.zfill(4))
        partner = known.code if known is not None else None
    if not WHOLE_NUMBER.fullmatch(value.strip()):
        raise CollectError(f"{query.describe()}: value {value!r} for {code} in {period} is not a whole number")
    if len(value.strip().lstrip("-")) > 15 or abs(int(value)) > MAX_DOLLARS:  # length first: int() refuses 4,300 digits
        raise CollectError(f"{query.describe()}: value {value.strip()} for {code} in {period} is beyond any trade "
                           f"figure (over ${MAX_DOLLARS // 10**12} trillion)")
    if len(period) != 7 or period[4] != "-":
        raise CollectError(f"{query.describe()}: time {period!r} is not a month")
    # A million rows repeat a few hundred months and codes: one string object each, not one a row.
    return partner, query.flow.flow, sys.intern(period), sys.intern(commodity), int(value)
