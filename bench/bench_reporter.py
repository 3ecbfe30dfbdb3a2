"""Benchmark briefings from another reporter's side, and print the figures (nothing asserts).

    python bench/bench_reporter.py [--rows 1000000]

Measured:
1. the product tables with pandas: HS6 detail of one reporter (made-up values, 5,000 codes x partners x two
   years, `--rows` in all) into a DataFrame, then one partner's product mix for each flow;
2. a reporter's facts and its HTML from the Comtrade test fixture (tests/fixtures/comtrade_mex.csv);
3. the peak memory of the process.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "tests" / "reporter"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    start = time.perf_counter()
    from reportgen.analysis.products import detail_frame, product_mix
    from reportgen.commodities import product_groups
    from reportgen.periods import Period
    print(f"import pandas and products: {time.perf_counter() - start:.2f} s")

    rng = random.Random(12)
    codes = [f"{rng.randrange(10, 98):02d}{rng.randrange(1, 99):02d}{rng.randrange(10, 99):02d}" for _ in range(5000)]
    partners = [f"P{n:03d}" for n in range(max(1, args.rows // (len(codes) * 4)))]
    rows = [(p, flow, year, code, rng.randrange(1, 10**8)) for p in partners for flow in ("export", "import")
            for year in ("2012", "2016") for code in codes][:args.rows]
    start = time.perf_counter()
    frame = detail_frame(rows)
    print(f"DataFrame of {len(frame):,} detail rows ({len(partners)} partners): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    for flow in ("export", "import"):
        product_mix(frame, partners[0], flow, Period(2016), Period(2012), total=10**12, groups=product_groups(),
                    name=str)
    print(f"product mix, one partner, both flows: {(time.perf_counter() - start) * 1000:.0f} ms")

    from comtrade_seed import seed

    from reportgen import pipeline
    from reportgen.config import Config

    with tempfile.TemporaryDirectory() as folder:
        config = Config(data_dir=Path(folder), feeds=[])
        seed(config.db_path)
        start = time.perf_counter()
        facts = pipeline.reporter.facts(config, "MX", "RU", "2016")
        print(f"reporter facts, MEX-RUS 2016 (fixture): {(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        pipeline.render(config, facts)
        print(f"its HTML with charts: {(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
