"""Benchmark the core pipeline and print the figures (not a test: nothing here asserts).

    python bench/bench_core.py [--period 2024-12] [--repeat 5]

1. collect: a full-size country.xlsx (about 9,200 rows, 1985 onwards, in the official layout) served
   from a local HTTP server: first download and store, then a revalidation that costs a 304;
2. facts for every single-country partner for one period, in one process;
3. one briefing (HTML and PDF) in a new process, and warm in a running one;
4. briefings for every single country for one month as a batch (`build --all`, both cores);
5. the same batch in English and Spanish (`--lang en,es`): facts and charts shared by the two editions;
with the peak memory (max RSS) of each process. Targets on a 2-core machine: new process <= 2.0 s,
warm <= 0.35 s, batch <= 60 s, memory <= 400 MB a process.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"new process": 2.0, "warm": 0.35, "batch": 60.0, "memory": 400.0}


def full_size_workbook() -> bytes:
    """The bundled 1991-2024 rows, with 1991's repeated under 1985-1990, plus 2025 through May."""
    import csv

    import openpyxl

    text = gzip.decompress(resources.files("reportgen").joinpath("data/census_country.csv.gz").read_bytes()).decode()
    header, *rows = list(csv.reader(io.StringIO(text)))
    by_year: dict[int, list[list[str]]] = {}
    for row in rows:
        by_year.setdefault(int(row[0]), []).append(row)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("country")
    sheet.append(header)
    for year in range(1985, 2026):
        template = by_year[max(year, 1991)] if year < 2025 else by_year[2024]
        for row in template:
            values = [float(v) for v in row[3:]]
            if year == 2025:  # June to December not yet published: zeros, as Census writes them
                values = values[:5] + [0.0] * 7 + [sum(values[:5])] + values[13:18] + [0.0] * 7 + [sum(values[13:18])]
            sheet.append([year, row[1], row[2], *values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Linux keeps a process's peak RSS across exec, so a child started from this process (which holds
# the workbook and a loaded store by then) would report this process's peak as its own. Children
# are started from a small launcher instead, which times them and reports their peak.
LAUNCHER = """import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status),
      usage.ru_utime + usage.ru_stime)
"""


def child(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run `python -m reportgen ARGS` and return (seconds, peak MB of that process and its children, CPU seconds
    of both: on a machine shared with others the wall time varies more than the work done)."""
    result = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, "-m", "reportgen", *args], cwd=cwd,
                            env=env, capture_output=True, text=True, check=False)
    seconds, peak_kb, code, cpu = result.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"reportgen {' '.join(args)} failed: {result.stderr}")
    return float(seconds), int(peak_kb) / 1024, float(cpu)


def line(name: str, value: str, target: str = "") -> None:
    print(f"  {name:<44} {value:>14}   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--period", default="2024-12")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    from pytest_httpserver import HTTPServer

    from reportgen import pipeline
    from reportgen.config import CensusConfig, Config, HttpConfig
    from reportgen.errors import InputError
    from reportgen.periods import Period

    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    print(f"reportgen bench: {os.cpu_count()} cores, Python {sys.version.split()[0]}, working in {work}")

    # 1. collect
    workbook = full_size_workbook()
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/country.xlsx").respond_with_handler(_conditional(workbook))
    server.start()
    config = Config(data_dir=work / "data", output_dir=work / "output",
                    census=CensusConfig(bulk_url=server.url_for("/country.xlsx")),
                    http=HttpConfig(retries=0))
    print("collect")
    started = time.perf_counter()
    result = pipeline.collect(config)
    line(f"download, parse, store ({len(workbook) / 1e6:.1f} MB, {result.values:,} values)",
         f"{time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    result = pipeline.collect(config)
    line(f"again: 304, unchanged={result.unchanged}", f"{time.perf_counter() - started:.2f} s")
    server.stop()

    # 2. facts for every partner
    print(f"facts, every single country, {options.period}")
    started = time.perf_counter()
    data = pipeline.load(config)
    loaded = time.perf_counter() - started
    codes = sorted(data.countries & set(data.table.values(Period.parse(options.period))))
    started = time.perf_counter()
    for code in codes:
        try:
            pipeline.facts(config, data, code, options.period)
        except InputError:
            pass
    elapsed = time.perf_counter() - started
    line("load the store", f"{loaded:.2f} s")
    line(f"facts for {len(codes)} partners", f"{elapsed:.2f} s", f"({elapsed / len(codes) * 1000:.1f} ms each)")

    # 3. one briefing, new process and warm
    print("one briefing, HTML and PDF (Mexico)")
    # Bytecode written by the first run, as an installed package has it (some shells set PYTHONDONTWRITEBYTECODE).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    args = ["--data-dir", str(config.data_dir), "build", "--partner", "MX", "--period", options.period,
            "--out", str(work / "one")]
    child(args, ROOT, env)  # warm the OS file cache and write the bytecode
    runs = [child(args, ROOT, env) for _ in range(options.repeat)]
    seconds = statistics.median(r[0] for r in runs)
    line("new process (median)", f"{seconds:.2f} s", f"target <= {TARGETS['new process']} s")
    line("new process peak memory", f"{max(r[1] for r in runs):.0f} MB", f"target <= {TARGETS['memory']:.0f} MB")
    pipeline.write(config, pipeline.facts(config, data, "MX", options.period), out_dir=work / "warm")  # first: imports
    times = []
    for code in ["MEX", "CAN", "CHN", "DEU", "JPN"] * max(1, options.repeat // 5 + 1):
        started = time.perf_counter()
        pipeline.write(config, pipeline.facts(config, data, code, options.period), out_dir=work / "warm")
        times.append(time.perf_counter() - started)
    line(f"warm, in a running process (median of {len(times)})", f"{statistics.median(times):.3f} s",
         f"target <= {TARGETS['warm']} s")
    line("this process's peak memory", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    # 4. the batch
    print(f"batch: every single country, {options.period}, HTML and PDF, both cores")
    seconds, peak, cpu = child(["--data-dir", str(config.data_dir), "build", "--all", "--period", options.period,
                                "--out", str(work / "batch")], ROOT, env)
    count = len(list((work / "batch").glob("*.pdf")))
    line(f"{count} briefings", f"{seconds:.1f} s", f"target <= {TARGETS['batch']:.0f} s "
         f"({seconds / max(count, 1) * 1000:.0f} ms each)")
    line("CPU time, all processes", f"{cpu:.1f} s")
    line("largest process's peak memory", f"{peak:.0f} MB", f"target <= {TARGETS['memory']:.0f} MB")

    # 5. the batch in both languages: facts and charts made once, two editions of each briefing
    print(f"batch: every single country, {options.period}, English and Spanish, HTML and PDF, both cores")
    seconds, peak, cpu = child(["--data-dir", str(config.data_dir), "build", "--all", "--period", options.period,
                                "--lang", "en,es", "--out", str(work / "both")], ROOT, env)
    count = len(list((work / "both").glob("*.pdf")))
    line(f"{count} briefings ({count // 2} in each language)", f"{seconds:.1f} s",
         f"target <= {TARGETS['batch']:.0f} s ({seconds / max(count, 1) * 1000:.0f} ms each)")
    line("CPU time, all processes", f"{cpu:.1f} s")
    line("largest process's peak memory", f"{peak:.0f} MB", f"target <= {TARGETS['memory']:.0f} MB")


def _conditional(body: bytes):
    from werkzeug import Response

    etag = '"bench-1"'

    def handle(request):
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag, "Last-Modified": "Wed, 01 Jul 2026 12:00:00 GMT"},
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    return handle


if __name__ == "__main__":
    main()
