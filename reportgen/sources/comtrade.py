"""UN Comtrade: any reporter's goods trade with its partners, in total and by HS commodity, annual or monthly.

Two APIs answer in one JSON shape, `{"elapsedTime", "count", "data": [record, ...], "error"}`: the
keyless preview (at most 500 records an answer) and, when COMTRADE_API_KEY is set, the data API (at
most 100,000), the key sent in a request header and never put in a URL, a log, a vintage or a
message. An answer holding exactly the cap may have been cut short, so the request is split (by
period, by flow, by partner, by HS chapter, by HS heading) until every answer is under it; one that
cannot be split further stores nothing. Refusals come as JSON too: `{"statusCode": 401, "message":
...}` from the gateway, or a non-empty `error` beside the data.

Records are kept only for the totals of Comtrade's breakdowns (second partner World, customs procedure
C00, mode of transport 0, mode of supply "0") and for flows X and M. Values are the reporter's own
(`primaryValue`: exports FOB, imports CIF), rounded to whole dollars. Partners are UN M49 codes: 0 is
the world, countries map through the partner registry, and areas that are no country ("Other Asia,
nes", bunkers, free zones) are stored as `M49-<code>`, residuals never ranked.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from reportgen.config import ComtradeConfig
from reportgen.errors import CollectError, InputError
from reportgen.http import Http, redact
from reportgen.models import MAX_DOLLARS, Batch, Observation, Partner, Vintage
from reportgen.partners import WORLD, Registry

SOURCE = "comtrade"
KEY_VARIABLE = "COMTRADE_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
PREVIEW_CAP = 500
DATA_CAP = 100_000
FLOWS = {"X": "export", "M": "import"}
LEVELS = {"total": 0, "hs2": 2, "hs4": 4, "hs6": 6}
MAX_PERIODS = 12  # periods in one request
FIRST_YEAR = 1962  # Comtrade's oldest annual data
# The rows that are the totals of Comtrade's breakdowns: the others split the same trade again.
TOTALS_OF_BREAKDOWNS = {"partner2Code": 0, "customsCode": "C00", "motCode": 0, "mosCode": "0"}
REQUIRED = ("freqCode", "period", "reporterCode", "flowCode", "partnerCode", "cmdCode", "primaryValue",
            *TOTALS_OF_BREAKDOWNS)
COUNT = re.compile(rb'"count"\s*:\s*([0-9]+)')


@dataclass(frozen=True)
class Query:
    """One request: periods and flows of one reporter, all partners or one, one HS level, perhaps under a code."""

    freq: str  # A or M
    reporter: str  # M49 code
    periods: tuple[str, ...]  # Comtrade's form: 2016, or 201605
    flows: tuple[str, ...]  # X, M
    partner: str | None  # M49 code; None for all partners
    level: int  # 0 for TOTAL, else 2, 4 or 6 digits
    under: str = ""  # only the codes under this HS chapter or heading

    def cmd_code(self) -> str | None:
        """The cmdCode parameter; None when the codes under `under` are too many to list (split first)."""
        if self.level == 0:
            return "TOTAL"
        if not self.under:
            return f"AG{self.level}"
        if self.level - len(self.under) == 2:  # every code one level down: 8701 to 8799
            return ",".join(f"{self.under}{n:02d}" for n in range(1, 100))
        return None

    def params(self, cap: int) -> dict[str, str]:
        params = {"reporterCode": self.reporter, "period": ",".join(self.periods), "flowCode": ",".join(self.flows),
                  "cmdCode": self.cmd_code() or "", "partner2Code": "0", "customsCode": "C00", "motCode": "0",
                  "maxRecords": str(cap), "includeDesc": "true"}
        if self.partner is not None:
            params["partnerCode"] = self.partner
        return params

    def describe(self) -> str:
        what = "totals" if self.level == 0 else f"HS{self.level}" + (f" under {self.under}" if self.under else "")
        who = "all partners" if self.partner is None else f"partner {self.partner}"
        flows = "/".join(FLOWS[f] + "s" for f in self.flows)
        return f"Comtrade {flows} of reporter {self.reporter}, {who}, {what}, {_shown(self.periods)}"


def _shown(periods: tuple[str, ...]) -> str:
    first, last = (_period(p) for p in (periods[0], periods[-1]))
    return first if first == last else f"{first} to {last}"


def _period(code: str) -> str:
    """The store's form of a Comtrade period: 2016 stays, 201605 becomes 2016-05."""
    return code if len(code) == 4 else f"{code[:4]}-{code[4:]}"


class Comtrade:
    """A client for the preview or the keyed data API, through the shared HTTP session."""

    def __init__(self, http: Http, config: ComtradeConfig, *, key: str | None = None):
        self.http = http
        key = os.environ.get(KEY_VARIABLE, "").strip() if key is None else key
        self.keyed = bool(key)
        self.base_url = (config.data_url if key else config.preview_url).rstrip("/")
        self.cap = DATA_CAP if key else PREVIEW_CAP
        self._key = key
        self._kept: dict[Query, list[dict]] = {}
        self.requests = 0
        self.bytes_read = 0

    def url(self, query: Query) -> str:
        """The request's address: never with the key, which goes in a header."""
        return f"{self.base_url}/C/{query.freq}/HS?{urlencode(query.params(self.cap))}"

    def records(self, query: Query) -> Iterator[dict]:
        """Every record of `query`, answer by answer, the request split until each answer is under the cap.

        Records are handed on as each answer arrives and not kept (a year at HS6 is two million of
        them), except the totals and coarser levels that tell how to split (`kept`).
        """
        if query in self._kept:
            yield from self._kept[query]
            return
        records = self._answer(query) if query.cmd_code() is not None else None
        if records is not None:
            yield from records
            return
        parts = self._split(query)  # the answer held the cap (or the codes are too many to ask): perhaps cut short
        if not parts:
            raise CollectError(f"{query.describe()}: Comtrade answered with {self.cap:,} records, its limit, so "
                               "the answer may be cut short, and the request cannot be split further; nothing stored")
        for part in parts:
            yield from self.records(part)

    def kept(self, query: Query) -> list[dict]:
        """Every record of `query`, kept for whoever asks again (totals, and the levels that guide a split)."""
        if query not in self._kept:
            self._kept[query] = list(self.records(query))
        return self._kept[query]

    def _split(self, query: Query) -> list[Query]:
        """Smaller requests that together ask what `query` asks: by period, flow, partner, chapter, heading."""
        if len(query.periods) > 1:
            return [replace(query, periods=(p,)) for p in query.periods]
        if len(query.flows) > 1:
            return [replace(query, flows=(f,)) for f in query.flows]
        if query.partner is None and query.level > 0:  # the partners are those the totals list
            codes = {str(r.get("partnerCode")) for r in self._totals(query)}
            return [replace(query, partner=code) for code in sorted(codes, key=int) if code.isdigit()]
        if query.level >= 4 and len(query.under) + 4 <= query.level:  # by the codes two digits down that trade
            coarser = self.kept(replace(query, level=len(query.under) + 2))
            codes = {str(r.get("cmdCode")) for r in coarser}
            return [replace(query, under=code) for code in sorted(codes) if code.isdigit()]
        return []

    def _totals(self, query: Query) -> list[dict]:
        """Every partner's totals in the query's period and flow: from an answer already read, if one holds them."""
        period, flow = query.periods[0], query.flows[0]
        for asked, records in self._kept.items():
            if asked.level == 0 and asked.partner is None and period in asked.periods and flow in asked.flows:
                return [r for r in records if str(r.get("period")) == period and r.get("flowCode") == flow]
        return self.kept(replace(query, level=0, under=""))

    def _answer(self, query: Query) -> list[dict] | None:
        """The records of one request, or None when the answer holds the cap (it may have been cut)."""
        url = self.url(query)
        self.requests += 1
        fetched = self.http.get(url, what=query.describe(), accept=(400, 401, 403, 404),
                                headers={KEY_HEADER: self._key} if self._key else None,
                                max_bytes=(1024 if self.keyed else 5) * 1024 * 1024)
        self.bytes_read += len(fetched.content)
        if fetched.status != 200:
            raise CollectError(f"{query.describe()}: Comtrade refused the request (HTTP {fetched.status}): "
                               f"{self._message(fetched.content)}")
        counted = COUNT.search(fetched.content[:256])  # a full answer need not be parsed to be split
        if counted and int(counted.group(1)) >= self.cap:
            return None
        try:
            answer = json.loads(fetched.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CollectError(f"{query.describe()}: the answer is not valid JSON "
                               f"({getattr(exc, 'msg', 'not UTF-8')})") from None
        if not isinstance(answer, dict):
            raise CollectError(f"{query.describe()}: the answer is not a JSON object")
        if answer.get("error") or ("data" not in answer and answer.get("message")):
            message = self._message(fetched.content)
            raise CollectError(f"{query.describe()}: Comtrade answered with an error: {message}")
        data, count = answer.get("data"), answer.get("count")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise CollectError(f"{query.describe()}: the answer has no list of records under \"data\"")
        if count is not None and count != len(data):
            raise CollectError(f"{query.describe()}: the answer counts {count!r} records but holds {len(data)}")
        return None if len(data) >= self.cap else data

    def _message(self, content: bytes) -> str:
        """The API's own words for a refusal, one line, the key hidden."""
        try:
            answer = json.loads(content)
            text = (answer.get("error") or answer.get("message") or "") if isinstance(answer, dict) else ""
        except (json.JSONDecodeError, UnicodeDecodeError):
            text = content.decode("utf-8", errors="replace")
        text = redact(" ".join(str(text).split()), self._key)[:300] or "no message"
        if "subscription key" in text.lower() or "access denied" in text.lower():
            text += f" (check {KEY_VARIABLE})" if self._key else ""
        return text


def reporter_of(registry: Registry, text: str) -> Partner:
    """The reporter a user named (MX, MEX, 484, Mexico): a country with a UN M49 code."""
    who = registry.resolve(text)
    if who.kind != "country" or not who.m49_codes:
        raise InputError(f"{who.display_name} cannot be a Comtrade reporter: it is not a country with a UN M49 code")
    return who


def partner_of(registry: Registry, text: str, reporter: Partner) -> Partner:
    """The partner a user named, which Comtrade must know by an M49 code."""
    who = registry.partner(text, reporter=reporter.code)
    if not who.m49_codes:
        raise InputError(f"{who.display_name} has no UN M49 code: Comtrade cannot be asked for trade with it")
    return who


def periods(freq: str, first: str, last: str, *, today: datetime | None = None) -> list[str]:
    """Comtrade's periods from `first` to `last` (years; months YYYY-MM or whole years for freq M), all ended."""
    now = today or datetime.now(UTC)
    pattern = r"[0-9]{4}" if freq == "A" else r"[0-9]{4}(-(0[1-9]|1[0-2]))?"
    for text, option in ((first, "--from"), (last, "--to")):
        if not re.fullmatch(pattern, text):
            raise InputError(f"{option} {text!r}: give a year, YYYY" + (" or a month, YYYY-MM" if freq == "M" else ""))
    if freq == "A":
        years = list(range(int(first), int(last) + 1))
        found = [str(y) for y in years]
        ended = f"{now.year - 1}"
    else:
        start = first if len(first) == 7 else f"{first}-01"
        end = last if len(last) == 7 else f"{last}-12"
        index = [y * 12 + m - 1 for y, m in ((int(start[:4]), int(start[5:])), (int(end[:4]), int(end[5:])))]
        found = [f"{i // 12}{i % 12 + 1:02d}" for i in range(index[0], index[1] + 1)]
        previous = now.year * 12 + now.month - 2
        ended = f"{previous // 12}-{previous % 12 + 1:02d}"
    if not found:
        raise InputError(f"--from {first} is after --to {last}")
    if int(found[0][:4]) < FIRST_YEAR:
        raise InputError(f"--from {first}: Comtrade's data start in {FIRST_YEAR}")
    if _period(found[-1]) > ended:
        raise InputError(f"{_period(found[-1])} has not ended yet, so Comtrade has no figures for it "
                         f"(the latest possible is {ended})")
    return found


def plan(freq: str, reporter: str, wanted: list[str], partner: str | None, level: int) -> list[Query]:
    """The requests: every partner's totals (for ranks and shares), and the detail asked for, one period and
    flow at a time (the largest answers: a split they would need anyway)."""
    chunks = [tuple(wanted[i:i + MAX_PERIODS]) for i in range(0, len(wanted), MAX_PERIODS)]
    queries = [Query(freq, reporter, chunk, ("X", "M"), None, 0) for chunk in chunks]
    if level:
        queries += [Query(freq, reporter, (p,), (f,), partner, level) for p in wanted for f in FLOWS]
    return queries


def collect(api: Comtrade, registry: Registry, reporter: Partner, wanted: list[str], *, freq: str = "A",
            partner: Partner | None = None, level: int = 0) -> Batch:
    """Every request of the plan, read in full and checked before anything is stored; one batch, one vintage."""
    queries = plan(freq, reporter.m49_codes[0], wanted, partner.m49_codes[0] if partner else None, level)
    rows = Rows(registry, reporter, freq, wanted)
    for query in queries:
        if query.level == 0:
            records = api.kept(query)
            rows.check_published(records, query.periods)
        else:
            records = api.records(query)
        for record in records:
            rows.add(record, query)
    return rows.batch(api, queries[0], partner=partner, level=level)


class Rows:
    """The observations read so far, keyed, with the partners and descriptions they brought."""

    def __init__(self, registry: Registry, reporter: Partner, freq: str, wanted: list[str]):
        self.registry, self.reporter, self.freq = registry, reporter, freq
        self.wanted = set(wanted)
        self.order = list(wanted)
        self.values: dict[tuple[str, str, str, str], int] = {}  # (partner, flow, period, commodity) -> dollars
        self.partners: dict[str, str] = {}  # M49 code as given -> the key's partner (see _partner)
        self.new_partners: dict[str, Partner] = {}
        self.descriptions: dict[str, str] = {}

    def check_published(self, records: list[dict], asked: tuple[str, ...]) -> None:
        """Refuse periods Comtrade has no figures for: an empty answer is no news of zero trade."""
        seen = {str(r.get("period")) for r in records}
        missing = [p for p in asked if p not in seen]
        if missing:
            shown = ", ".join(_period(p) for p in missing)
            name = self.reporter.display_name
            raise CollectError(f"Comtrade has not published {name[:1].upper() + name[1:]}'s {shown} figures")

    def add(self, record: dict, query: Query) -> None:
        if any(name not in record for name in REQUIRED):
            missing = next(name for name in REQUIRED if name not in record)
            raise CollectError(f"{query.describe()}: a record has no {missing} field")
        if record["flowCode"] not in FLOWS:
            return  # re-exports and re-imports are not stored
        if any(record[name] != value for name, value in TOTALS_OF_BREAKDOWNS.items()):
            return  # a breakdown of a total kept elsewhere
        period, code = str(record["period"]), str(record["partnerCode"])
        if record["freqCode"] != self.freq or period not in self.wanted:
            raise CollectError(f"{query.describe()}: a record is for period {period!r} ({record['freqCode']}), "
                               "not one asked for")
        if str(record["reporterCode"]) != self.reporter.m49_codes[0]:
            raise CollectError(f"{query.describe()}: a record is reported by {record['reporterCode']!r}, not "
                               f"{self.reporter.m49_codes[0]} ({self.reporter.short_name})")
        commodity = str(record["cmdCode"])
        if not (commodity == "TOTAL" if query.level == 0 else commodity.isdigit() and len(commodity) == query.level):
            raise CollectError(f"{query.describe()}: commodity code {commodity!r} is not what was asked for")
        value = _dollars(record["primaryValue"], query, code, period)
        if code not in self.partners:
            self.partners[code] = self._partner(code, record, query)
        key = (self.partners[code], FLOWS[record["flowCode"]], sys.intern(period), sys.intern(commodity))
        known = self.values.setdefault(key, value)
        if known != value:
            raise CollectError(f"{query.describe()}: two different values for partner {code}, {commodity}, {period}")
        if commodity != "TOTAL" and commodity not in self.descriptions:
            description = record.get("cmdDesc")
            if isinstance(description, str) and description.strip():
                self.descriptions[commodity] = description.strip()

    def _partner(self, code: str, record: dict, query: Query) -> str:
        """The store's code of a partner code; `<code>|<M49 code>` for a partner that has several (merged later)."""
        if not code.isdigit():
            raise CollectError(f"{query.describe()}: partner code {code!r} is not an M49 code")
        if code == "0":
            return WORLD
        known = self.registry.by_m49(code)
        if known is not None:
            return known.code if len(known.m49_codes) == 1 else f"{known.code}|{code}"
        store_code = f"M49-{int(code)}"
        if store_code not in self.new_partners:
            name = str(record.get("partnerDesc") or f"Area {code}").strip()[:100]
            self.new_partners[store_code] = Partner(code=store_code, name=name, short_name=name, kind="unallocated")
        return store_code

    def observations(self) -> list[Observation]:
        """The rows to store, in key order; a partner's M49 codes merged (Sudan had two, before and after 2011)."""
        values = self.values
        for key in [k for k in values if "|" in k[0]]:
            merged = (key[0].split("|")[0], *key[1:])
            values[merged] = values.get(merged, 0) + values.pop(key)
        reporter, shown = self.reporter.code, {p: _period(p) for p in self.wanted}
        observations = [Observation(partner=k[0], flow=k[1], period=shown[k[2]], value=values[k], commodity=k[3],
                                    reporter=reporter) for k in sorted(values)]
        values.clear()  # a year at HS6 for every partner is two million rows: held once
        return observations

    def batch(self, api: Comtrade, first: Query, *, partner: Partner | None, level: int) -> Batch:
        observations = self.observations()
        # The content, not the answers' bytes (which carry a timing): the same figures again are unchanged.
        digest = hashlib.sha256()
        for o in observations:
            digest.update(f"{o.reporter}|{o.partner}|{o.flow}|{o.period}|{o.commodity}|{o.value}\n".encode())
        sha = digest.hexdigest()
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        note = (f"{self.reporter.code}, {_shown(tuple(self.order))}, {'annual' if self.freq == 'A' else 'monthly'}"
                + (f", HS{level} detail for {partner.code if partner else 'every partner'}" if level else ""))
        vintage = Vintage(source=SOURCE, label=f"{now[:10]}/{sha[:8]}", published=now, origin=api.url(first),
                          sha256=sha, collected_at=now, note=note)
        last = _period(self.order[-1])
        return Batch(vintage=vintage, observations=observations, new_partners=list(self.new_partners.values()),
                     last_month=last if len(last) == 7 else f"{last}-12", descriptions=self.descriptions)


def _dollars(value: object, query: Query, code: str, period: str) -> int:
    """Comtrade's primaryValue (a JSON number of dollars, cents and all) as whole dollars."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CollectError(f"{query.describe()}: value {value!r} for partner {code} in {period} is not a number")
    if value < 0 or value > MAX_DOLLARS:
        raise CollectError(f"{query.describe()}: value {value!r} for partner {code} in {period} is not a trade figure")
    return math.floor(value + 0.5)
