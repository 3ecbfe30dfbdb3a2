"""Benchmark the Census API source and the movers analysis, and print the figures (nothing asserts).

    python bench/bench_api.py [--period 2024-12]

A local server answers in the API's shapes (the tests' stand-in, tests/fakes/census_api.py) with
every partner's official monthly totals from the bundled snapshot and a made-up split of each into
the 97 HS2 chapters. Measured:
1. collecting a year of HS2 detail for one partner (and every partner's totals);
2. collecting two years of HS2 detail for every country (the batch's input);
3. the analysis, facts and what drove the change, for every country for one month.
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


def line(name: str, value: str) -> None:
    print(f"  {name:<52} {value:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--period", default="2024-12")
    options = parser.parse_args()

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


if __name__ == "__main__":
    main()
