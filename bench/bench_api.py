"""Benchmark the Census API source and the movers analysis, and print the figures (nothing asserts).

    python bench/bench_api.py [--period 2024-12]

A local server answers in the API's shapes (the tests' stand-in, tests/fakes/census_api.py) with
every partner's official monthly totals from the bundled snapshot and a made-up split of each into
the 97 HS2 chapters. Measured:
1. collecting a year of HS2 detail for one partner (and every partner's totals);
2. collecting two years of HS2 detail for every country (the batch's input);
3. the analysis, facts and what drove the change, for every country for one month;
4. UN Comtrade: a reporter's year at HS6 with every partner (~5,000 codes x ~200 partners x 2 flows,
   two million records) from a stand-in for the keyed data API in its JSON shape and its
   100,000-record cap, so the collect splits the requests as it would against Comtrade: fetch,
   parse and store, timed, with the peak memory of a process that does only that
   (`python bench/bench_api.py --comtrade` runs this line alone).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes.census_api import PREFIX, CensusApiFake, split  # noqa: E402 (tests/ is on the path only from here)

KEY = "bench-key-0000"
CHAPTERS = [f"{c:02d}" for c in range(1, 98) if c != 77]


class EveryPartner(CensusApiFake):
    """The stand-in with every partner of the snapshot, and HS2 detail for all of them."""

    def __init__(self):
        super().__init__(KEY)
        text = gzip.decompress(resources.files("reportgen").joinpath("data/census_country.csv.gz").read_bytes())
        rows = list(csv.reader(io.StringIO(text.decode())))
        self.totals = {}
        for row in rows[1:]:
            code = "-" if row[1] == "0015" else row[1]
            for flow, offset in (("import", 3), ("export", 16)):
                months = self.totals.setdefault(code, {}).setdefault(flow, {})
                for m in range(12):
                    months[f"{row[0]}-{m + 1:02d}"] = round(float(row[offset + m]) * 1_000_000)
        self.names = {code: code for code in self.totals}
        self.shares = {}
        for code in self.totals:  # a fixed made-up split of each partner's trade, drifting by year
            rng = random.Random(code)
            weights = [rng.random() ** 3 for _ in CHAPTERS]
            self.shares[code] = [w / sum(weights) for w in weights]

    def _lines(self, code, flow, month, total, level):
        if level is None:
            return [("", total)]
        drift = 1 + (int(month[:4]) - 2020) * 0.02
        shares = {c: s * (drift if i % 2 else 1 / drift) for i, (c, s) in enumerate(zip(CHAPTERS, self.shares[code]))}
        scale = 0.999 / sum(shares.values())
        return split(total, {c: s * scale for c, s in list(shares.items())[:-1]}, CHAPTERS[-1])


COMTRADE_KEY = "bench-comtrade-key-0000"


def hs6_codes(count: int = 5000) -> list[str]:
    """`count` made-up six-digit codes spread over the HS chapters, a few dozen lines a chapter."""
    codes = []
    for n in range(count):
        chapter = CHAPTERS[n % len(CHAPTERS)]
        codes.append(f"{chapter}{(n // len(CHAPTERS)) % 99 + 1:02d}{(n // (len(CHAPTERS) * 99)) * 10 + 10:02d}")
    return codes


class ComtradeYear:
    """A stand-in for Comtrade's keyed data API holding one reporter's year at HS6 with ~200 partners.

    Answers are built from per-code JSON templates (the records' exact shape, tests/fakes/comtrade.py), so
    the server is not what is measured; an answer over the cap is cut to it, as Comtrade's are.
    """

    def __init__(self, reporter: int, year: str, partners: list[int], codes: list[str], cap: int = 100_000):
        import json

        from fakes.comtrade import record

        self.partners, self.codes, self.cap, self.year = partners, codes, cap, year
        self.templates = {}
        for flow in "XM":
            for code in ["TOTAL", *codes]:
                text = json.dumps(record("A", reporter, year, flow, 999_999, code, 1.5, f"Goods of {code}"))
                self.templates[flow, code] = text.replace("999999", "@P@").replace("1.5", "@V@")
        self.requests = 0

    def value(self, partner: int, code: str, flow: str) -> str:
        seed = partner * 7919 + (0 if code == "TOTAL" else int(code)) * 31 + (flow == "M")
        return f"{seed % 9_999_991 * (1000 if code == 'TOTAL' else 1) + 0.25:.2f}"

    def __call__(self, request):
        from werkzeug import Response

        self.requests += 1
        if request.headers.get("Ocp-Apim-Subscription-Key") != COMTRADE_KEY:
            return Response('{"statusCode": 401, "message": "Access denied"}', status=401)
        args = request.args
        partners = [int(p) for p in args["partnerCode"].split(",")] if "partnerCode" in args else self.partners
        cmd = args["cmdCode"]
        known = set(self.codes)
        codes = (["TOTAL"] if cmd == "TOTAL" else self.codes if cmd == "AG6"
                 else [c for c in cmd.split(",") if c in known])
        flows = args["flowCode"].split(",") if self.year in args["period"].split(",") else []
        data = []
        for flow in flows:
            for partner in partners:
                for code in codes:
                    if len(data) == self.cap:
                        break
                    data.append(self.templates[flow, code].replace("@P@", str(partner))
                                .replace("@V@", self.value(partner, code, flow)))
        body = f'{{"elapsedTime":"1.20 secs","count":{len(data)},"data":[{",".join(data)}],"error":""}}'
        return Response(body, content_type="application/json")


def serve_comtrade(port, ready) -> None:
    """Serve the stand-in in a process of its own, so that its memory is not counted."""
    import logging

    from pytest_httpserver import HTTPServer

    from reportgen.partners import bundled

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    partners = sorted({int(p.m49_codes[0]) for p in bundled() if p.is_country and p.m49_codes})[:199]
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(re.compile("^/data/.*")).respond_with_handler(
        ComtradeYear(484, "2016", [0, *partners], hs6_codes()))
    server.start()
    port.value = server.port
    ready.set()
    while True:
        time.sleep(3600)


def bench_comtrade() -> None:
    """One reporter's year at HS6 with every partner, in a process that does nothing else."""
    import multiprocessing

    from reportgen.config import ComtradeConfig, Config, HttpConfig
    from reportgen.http import Http
    from reportgen.partners import bundled
    from reportgen.sources import comtrade
    from reportgen.store import Store

    port, ready = multiprocessing.Value("i", 0), multiprocessing.Event()
    server = multiprocessing.Process(target=serve_comtrade, args=(port, ready), daemon=True)
    server.start()
    ready.wait(60)
    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-comtrade-"))
    os.environ["COMTRADE_API_KEY"] = COMTRADE_KEY
    config = Config(data_dir=work / "data", http=HttpConfig(retries=0, timeout=120),
                    comtrade=ComtradeConfig(data_url=f"http://127.0.0.1:{port.value}/data/v1/get"))
    before = peak_rss()
    # What pipeline.collect_comtrade does, in its two steps, each timed.
    registry = bundled()
    started = time.perf_counter()
    with Http(config.http, config.data_dir / "cache") as http:
        api = comtrade.Comtrade(http, config.comtrade)
        batch = comtrade.collect(api, registry, registry.get("MEX"), ["2016"], level=6)
    fetched = time.perf_counter()
    with Store(config.db_path) as store:
        result = store.add(batch)
    stored = time.perf_counter()
    peak = peak_rss()
    server.terminate()
    line(f"Comtrade: Mexico's 2016 at HS6, every partner ({len(batch.observations):,} values)",
         f"{stored - started:.1f} s")
    line(f"  fetch and parse ({api.requests} requests, {server_bytes(api):.0f} MB of JSON)",
         f"{fetched - started:.1f} s")
    line(f"  store ({result.stored:,} rows)", f"{stored - fetched:.1f} s")
    line(f"  peak memory of the collecting process (before: {before / 1024:.0f} MB)", f"{peak / 1024:.0f} MB")
    line("  store file", f"{(work / 'data' / 'reportgen.db').stat().st_size / 1e6:.0f} MB")
    shutil.rmtree(work)  # 400 MB of made-up figures


def peak_rss() -> int:
    """This process's peak resident memory in KiB: Linux's VmHWM, which, unlike ru_maxrss, starts anew at exec."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def server_bytes(api) -> float:
    return api.bytes_read / 1e6


def line(name: str, value: str) -> None:
    print(f"  {name:<52} {value:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--period", default="2024-12")
    parser.add_argument("--comtrade", action="store_true", help="Run the Comtrade line only.")
    options = parser.parse_args()
    if options.comtrade:
        bench_comtrade()
        return

    from pytest_httpserver import HTTPServer

    from reportgen import pipeline
    from reportgen.config import Config, HttpConfig

    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-api-"))
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(re.compile(f"^{PREFIX}/.*")).respond_with_handler(EveryPartner())
    server.start()
    os.environ.update(CENSUS_API_BASE_URL=server.url_for(PREFIX), CENSUS_API_KEY=KEY)
    config = Config(data_dir=work / "data", output_dir=work / "output", http=HttpConfig(retries=0))
    print(f"reportgen API bench: {os.cpu_count()} cores, working in {work}")
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    started = time.perf_counter()
    result = pipeline.collect_api(config, "2024-01", "2024-12", levels=["HS2"], partners=["MX"])
    line(f"a year of HS2 detail for Mexico + all totals ({result.values:,} values)",
         f"{time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    result = pipeline.collect_api(config, "2023-01", "2024-12", levels=["HS2"])
    line(f"two years of HS2 detail for every country ({result.values:,} values)",
         f"{time.perf_counter() - started:.1f} s")
    server.stop()

    started = time.perf_counter()
    data = pipeline.load(config)
    line("load the totals (detail is read partner by partner)", f"{time.perf_counter() - started:.2f} s")
    from reportgen.errors import InputError
    from reportgen.periods import Period

    codes = sorted(data.countries & set(data.table.values(Period.parse(options.period))))
    started = time.perf_counter()
    with_movers = 0
    for code in codes:
        try:
            with_movers += pipeline.facts(config, data, code, options.period).movers is not None
        except InputError:  # no trade with the partner that month
            pass
    elapsed = time.perf_counter() - started
    line(f"facts and movers for {len(codes)} countries, {options.period} ({with_movers} with movers)",
         f"{elapsed:.2f} s")
    line("  each", f"{elapsed / max(len(codes), 1) * 1000:.1f} ms")
    line("peak memory of this process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    sys.stdout.flush()
    # In a new process, so that its peak memory is its own.
    subprocess.run([sys.executable, __file__, "--comtrade"], check=True)


if __name__ == "__main__":
    main()
