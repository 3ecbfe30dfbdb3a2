"""A stand-in for the Census International Trade API, answering in its exact shapes.

- JSON array of arrays, every cell a string, row 0 the header, the predicate columns the query
  used but did not ask for (`COMM_LVL`, `time`) appended at the end;
- HTTP 204 with an empty body when a valid query has no data; HTTP 400 with a line of text for an
  unknown variable; HTTP 200 with an HTML page when the key is missing or wrong.

Country totals are official figures (tests/fixtures/census_api_totals.json). The commodity splits
are made up: fixed shares of each month's official total, the last code taking the remainder so
that the detail adds up to the total exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

from werkzeug import Request, Response

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "census_api_totals.json"
PREFIX = "/data/timeseries/intltrade"
KEY_PAGE = ("<!DOCTYPE html><html><head><title>Invalid Key</title></head>"
            "<body>A valid key must be included with each data API request.</body></html>")

# Made-up HS2 shares of Mexico's totals, by flow and year; "98" takes what is left.
SHARES = {
    ("export", "2023"): {"84": 0.16, "85": 0.14, "87": 0.12, "27": 0.14, "39": 0.07, "10": 0.03},
    ("export", "2024"): {"84": 0.17, "85": 0.15, "87": 0.11, "27": 0.12, "39": 0.07, "10": 0.035},
    ("import", "2023"): {"87": 0.30, "85": 0.20, "84": 0.18, "27": 0.04, "94": 0.03, "07": 0.03},
    ("import", "2024"): {"87": 0.32, "85": 0.19, "84": 0.20, "27": 0.03, "94": 0.03, "07": 0.035},
}
HS4_OF_87 = {"8703": 0.40, "8708": 0.45}  # of chapter 87; "8704" takes the rest
DESCRIPTIONS = {
    "84": "NUCLEAR REACTORS, BOILERS, MACHINERY", "85": "ELECTRIC MACHINERY, SOUND AND TV EQUIPMENT",
    "87": "VEHICLES, EXCEPT RAILWAY OR TRAMWAY, AND PARTS", "27": "MINERAL FUEL, OIL ETC.", "39": "PLASTICS",
    "10": "CEREALS", "94": "FURNITURE AND BEDDING", "07": "VEGETABLES", "98": "SPECIAL CLASSIFICATION PROVISIONS",
    "8703": "PASSENGER MOTOR VEHICLES", "8708": "PARTS FOR MOTOR VEHICLES", "8704": "MOTOR VEHICLES FOR GOODS",
}


def split(total: int, shares: dict[str, float], rest: str) -> list[tuple[str, int]]:
    """Whole-dollar parts of `total` in the given shares, `rest` taking what is left."""
    parts = [(code, int(total * share)) for code, share in shares.items()]
    return parts + [(rest, total - sum(value for _, value in parts))]


class CensusApiFake:
    """A werkzeug handler; counts requests and can fail the next ones with a 5xx."""

    def __init__(self, key: str = "test-key-0123456789"):
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.names: dict[str, str] = data["names"]
        self.totals: dict[str, dict[str, dict[str, int]]] = data["totals"]
        self.key = key
        self.failures: list[int] = []  # statuses to answer with before answering properly
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self.failures:
            return Response("There was an error while running your query", status=self.failures.pop(0))
        if request.args.get("key") != self.key:
            return Response(KEY_PAGE, content_type="text/html;charset=utf-8")
        endpoint = request.path.removeprefix(PREFIX).strip("/").split("/")[0]
        flow = {"exports": "export", "imports": "import"}.get(endpoint)
        if flow is None or not request.path.endswith("/hs"):
            return Response(f"error: unknown dataset '{request.path}'", status=404, content_type="text/plain")
        value, commodity = ("ALL_VAL_MO", "E_COMMODITY") if flow == "export" else ("GEN_VAL_MO", "I_COMMODITY")
        variables = request.args.get("get", "").split(",")
        allowed = {"CTY_CODE", "CTY_NAME", value, value.replace("_MO", "_YR"), commodity, f"{commodity}_SDESC"}
        for variable in variables:
            if variable not in allowed:
                return Response(f"error: unknown variable '{variable}'", status=400, content_type="text/plain")
        months = self._months(request.args.get("time", ""))
        if months is None:
            return Response("error: invalid 'time' value", status=400, content_type="text/plain")
        level = request.args.get("COMM_LVL")
        codes = [request.args["CTY_CODE"]] if "CTY_CODE" in request.args else list(self.totals)
        rows = []
        for code in codes:
            for month in months:
                total = self.totals.get(code, {}).get(flow, {}).get(month)
                if total is None:
                    continue
                for line, dollars in self._lines(code, flow, month, total, level):
                    cells = {"CTY_CODE": code, "CTY_NAME": self.names.get(code, code), value: str(dollars),
                             value.replace("_MO", "_YR"): "0", commodity: line,
                             f"{commodity}_SDESC": DESCRIPTIONS.get(line, "")}
                    row = [cells[v] for v in variables]
                    row += ([level] if level else []) + [month]  # predicates asked but not got
                    rows.append(row)
        if not rows:
            return Response(status=204)
        header = variables + (["COMM_LVL"] if level else []) + ["time"]
        return Response(json.dumps([header, *rows]), content_type="application/json;charset=utf-8")

    def _lines(self, code: str, flow: str, month: str, total: int, level: str | None) -> list[tuple[str, int]]:
        if level is None:
            return [("", total)]
        shares = SHARES.get((flow, month[:4])) if code == "2010" else None
        if shares is None:
            return []
        chapters = split(total, shares, "98")
        if level == "HS2":
            return chapters
        lines = []
        for chapter, value in chapters:  # HS4: only chapter 87 is broken down; others stand as one line
            lines += split(value, HS4_OF_87, "8704") if chapter == "87" else [(f"{chapter}00", value)]
        return lines

    @staticmethod
    def _months(text: str) -> list[str] | None:
        text = text.strip()
        if text.startswith("from "):
            try:
                _, first, _, last = text.split()
            except ValueError:
                return None
        else:
            first = last = text
        if len(first) != 7 or len(last) != 7:
            return None
        months, year, month = [], int(first[:4]), int(first[5:])
        while f"{year}-{month:02d}" <= last:
            months.append(f"{year}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months
