"""A stand-in for UN Comtrade's preview and data APIs, answering in their exact shapes.

- `GET /public/v1/preview/C/{A|M}/HS?...` (no key, at most 500 records an answer) and
  `GET /data/v1/get/C/{A|M}/HS?...` (key in the `Ocp-Apim-Subscription-Key` header, at most 100,000);
- a success is `{"elapsedTime": "0.1 secs", "count": N, "data": [record, ...], "error": ""}`, the
  records in Comtrade's field order; an answer over the cap is cut to the cap, and says nothing else;
- a query with no data is `count: 0` with an empty list; a bad or missing key is the gateway's
  `{"statusCode": 401, "message": "Access denied due to invalid subscription key..."}`.

Queries filter on reporterCode, period, flowCode, partnerCode (absent: every partner, World
included), and cmdCode (`TOTAL`, `AG2`/`AG4`/`AG6` for every code of a level, or a list of codes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from werkzeug import Request, Response

PREVIEW = "/public/v1/preview"
DATA = "/data/v1/get"
DENIED = ("Access denied due to invalid subscription key. Make sure to provide a valid key for an active "
          "subscription.")
FLOW_DESC = {"X": "Export", "M": "Import", "RX": "Re-export", "RM": "Re-import"}
# M49 code -> (ISO alpha-3 as Comtrade gives it, description)
AREAS = {
    0: ("W00", "World"), 484: ("MEX", "Mexico"), 643: ("RUS", "Russian Federation"), 842: ("USA", "USA"),
    156: ("CHN", "China"), 124: ("CAN", "Canada"), 276: ("DEU", "Germany"), 392: ("JPN", "Japan"),
    490: ("S19", "Other Asia, nes"), 899: ("R91", "Areas, nes"), 837: ("XX", "Bunkers"),
}


def record(freq: str, reporter: int, period: str, flow: str, partner: int, cmd: str, value: float,
           description: str = "", **changes: object) -> dict:
    """One record as Comtrade writes it: every field, in its order; exports FOB, imports CIF."""
    iso, name = AREAS.get(partner, (f"X{partner}", f"Area {partner}"))
    reporter_iso, reporter_name = AREAS.get(reporter, (f"X{reporter}", f"Area {reporter}"))
    year = int(period[:4])
    month = int(period[4:]) if freq == "M" else 52
    level = 0 if cmd == "TOTAL" else len(cmd)
    fields = {
        "typeCode": "C", "freqCode": freq, "refPeriodId": int(f"{year}{month if freq == 'M' else 1:02d}01"),
        "refYear": year, "refMonth": month, "period": period, "reporterCode": reporter, "reporterISO": reporter_iso,
        "reporterDesc": reporter_name, "flowCode": flow, "flowDesc": FLOW_DESC[flow], "partnerCode": partner,
        "partnerISO": iso, "partnerDesc": name, "partner2Code": 0, "partner2ISO": "W00", "partner2Desc": "World",
        "classificationCode": "H4", "classificationSearchCode": "HS", "isOriginalClassification": True,
        "cmdCode": cmd, "cmdDesc": description or ("All Commodities" if cmd == "TOTAL" else f"Goods of {cmd}"),
        "aggrLevel": level, "isLeaf": level == 6, "customsCode": "C00", "customsDesc": "TOTAL CPC", "mosCode": "0",
        "motCode": 0, "motDesc": "TOTAL MOT", "qtyUnitCode": -1, "qtyUnitAbbr": "N/A", "qty": 0,
        "isQtyEstimated": False, "altQtyUnitCode": -1, "altQtyUnitAbbr": "N/A", "altQty": 0,
        "isAltQtyEstimated": False, "netWgt": 0, "isNetWgtEstimated": False, "grossWgt": 0,
        "isGrossWgtEstimated": False, "cifvalue": value if flow in ("M", "RM") else None,
        "fobvalue": value if flow in ("X", "RX") else None, "primaryValue": value, "legacyEstimationFlag": 0,
        "isReported": True, "isAggregate": level != 6,
    }
    fields.update(changes)
    return fields


class ComtradeFake:
    """A werkzeug handler over a list of records; counts requests; can answer the next ones with failures."""

    def __init__(self, records: Iterable[dict] = (), *, key: str = "", preview_cap: int = 500,
                 data_cap: int = 100_000):
        self.records = list(records)
        self.key = key
        self.caps = {PREVIEW: preview_cap, DATA: data_cap}
        self.failures: list[tuple[int, dict[str, str], str]] = []  # (status, headers, body) to answer first
        self.tamper: Callable[[dict], dict] | None = None  # damages records on their way out
        self.etag = ""  # sent with every answer when set (so that the HTTP cache keeps them)
        self.requests: list[Request] = []

    def select(self, freq: str, reporter: int, periods: set[str], flows: set[str], partners: set[int] | None,
               cmd: str) -> Iterator[dict]:
        """The records a query asks for, in the order held."""
        levels, codes = _commodities(cmd)
        for r in self.records:
            if (r["freqCode"] == freq and r["reporterCode"] == reporter and r["period"] in periods
                    and r["flowCode"] in flows and (partners is None or r["partnerCode"] in partners)
                    and (r["cmdCode"] in codes if codes else r["aggrLevel"] in levels)):
                yield r

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self.failures:
            status, headers, body = self.failures.pop(0)
            return Response(body, status=status, headers=headers, content_type="application/json")
        api = DATA if request.path.startswith(DATA) else PREVIEW
        if api == DATA and request.headers.get("Ocp-Apim-Subscription-Key") != self.key:
            return _json({"statusCode": 401, "message": DENIED}, 401)
        freq = request.path.rstrip("/").split("/")[-2]
        args = request.args
        partners = {int(p) for p in args["partnerCode"].split(",")} if args.get("partnerCode") else None
        found = self.select(freq, int(args["reporterCode"]), set(args["period"].split(",")),
                            set(args["flowCode"].split(",")), partners, args.get("cmdCode", "TOTAL"))
        data = []
        for r in found:  # an answer over the cap is cut to it, silently
            if len(data) == self.caps[api]:
                break
            data.append(self.tamper(r) if self.tamper else r)
        response = answer(data)
        if self.etag:
            response.headers["ETag"] = self.etag
        return response


def answer(data: list[dict]) -> Response:
    return _json({"elapsedTime": "0.12 secs", "count": len(data), "data": data, "error": ""})


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _commodities(cmd: str) -> tuple[set[int], set[str]]:
    """(levels, codes) a cmdCode asks for: AG6 is every six-digit code, TOTAL the total, else a list."""
    if cmd.upper() == "TOTAL":
        return {0}, {"TOTAL"}
    if cmd.upper().startswith("AG"):
        return {int(cmd[2:])}, set()
    return set(), set(cmd.split(","))


# Mexico's trade as the tests' stand-in reports it (made-up figures of the right size; Russia 2016 as in
# issue 12). (partner, flow) -> the 2016 value in dollars and cents; other years scale it down 5% a year.
MEXICO_2016 = {
    (0, "X"): 373_939_335_123.4, (0, "M"): 387_064_425_876.6,
    (842, "X"): 302_654_518_911.2, (842, "M"): 179_582_155_233.9,
    (643, "X"): 179_312_345.6, (643, "M"): 1_301_456_789.4,
    (156, "X"): 5_411_295_884.0, (156, "M"): 69_520_671_354.0,
    (124, "X"): 10_418_000_017.5, (124, "M"): 9_631_457_004.5,
    (276, "X"): 3_972_007_001.0, (276, "M"): 13_828_005_233.0,
    (490, "X"): 411_000_000.0, (490, "M"): 6_550_000_000.0,
    (899, "X"): 12_345_678.9, (899, "M"): 0.0,
}
# Mexico's exports to Russia in 2016 at HS6: two named lines among 620 in three chapters, more than one
# preview answer can hold (500), so the request must be split.
GEAR_BOXES, DRIVE_AXLES = 48_913_222.5, 12_004_001.49


def mexico_russia_hs6() -> dict[str, float]:
    """HS6 code -> 2016 exports to Russia: 620 lines, 870840 and 870850 among them."""
    lines = {"870840": GEAR_BOXES, "870850": DRIVE_AXLES}
    for chapter, count in (("84", 300), ("85", 250), ("87", 68)):
        n = 0
        for heading in range(1, 100):
            for sub in range(10, 100, 10):
                code = f"{chapter}{heading:02d}{sub:02d}"
                if n == count:
                    break
                if code not in lines:
                    lines[code] = 1000.0 + 37 * len(lines)
                    n += 1
    return lines


def mexico_records(years: range = range(2012, 2017)) -> list[dict]:
    """Mexico's totals with every partner, years 2012 to 2016, and its 2016 exports to Russia at HS2, HS4
    and HS6; with the rows a reporter also has that reportgen must leave out (re-exports, breakdowns)."""
    rows = []
    for year in years:
        scale = 0.95 ** (2016 - year)
        for (partner, flow), value in MEXICO_2016.items():
            rows.append(record("A", 484, str(year), flow, partner, "TOTAL", round(value * scale, 2)))
        rows.append(record("A", 484, str(year), "RX", 643, "TOTAL", 999_999.0))  # re-exports: not stored
        rows.append(record("A", 484, str(year), "X", 643, "TOTAL", 5_000.0, motCode=2100, motDesc="Air"))
        rows.append(record("A", 484, str(year), "M", 643, "TOTAL", 7_000.0, customsCode="C01"))
    lines = mexico_russia_hs6()
    for level in (2, 4, 6):
        summed: dict[str, float] = {}
        for code, value in lines.items():
            summed[code[:level]] = summed.get(code[:level], 0) + value
        for code, value in summed.items():
            description = {"870840": "Gear boxes and parts thereof", "870850": "Drive-axles with differential"}
            rows.append(record("A", 484, "2016", "X", 643, code, round(value, 2), description.get(code, "")))
    return rows
