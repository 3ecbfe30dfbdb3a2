"""Benchmark the monthly job and print the figures (nothing asserts).

    python bench/bench_run.py [--partners 20]

A full `reportgen run --offline` for the largest partners of the bundled data, in a new process,
then the second run that finds nothing new. Target: the run for 20 partners in under 30 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=20)
    options = parser.parse_args()

    from reportgen import pipeline
    from reportgen.config import Config
    from reportgen.periods import Period

    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-run-"))
    data = pipeline.load(Config(data_dir=work / "data"))
    leaders = [code for code, _ in data.table.ranking(Period.parse("2024-12"), "total_trade", data.countries).order]
    partners = leaders[: options.partners]
    (work / "config.yaml").write_text(f"partners: [{', '.join(partners)}]\n")
    print(f"reportgen run bench: {os.cpu_count()} cores, {len(partners)} partners, working in {work}")

    for label in ("first run (briefs, archives, sends)", "second run (nothing new)"):
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "reportgen", "run", "--offline"], cwd=work,
                                capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        print(f"  {label:<40} {seconds:6.1f} s   exit {result.returncode}")
        for line in result.stderr.splitlines():
            print(f"    {line}")
    pdfs = len(list((work / "output").rglob("*.pdf")))
    print(f"  {pdfs} PDFs in the archive (target: 20 partners in under 30 s)")


if __name__ == "__main__":
    main()
