"""Benchmark the editors' web page and print the figures (not a test: nothing here asserts).

    python bench/bench_web.py [--repeat 7]

Starts `reportgen serve` in its own process on a free port, from the bundled data in a temporary
folder (no network), logs in over HTTP Basic like a browser, and times after warm-up:

1. the PDF of one briefing (Mexico, 2024), the page already viewed (its HTML kept by the server);
2. the PDF of a briefing not viewed yet (charts and HTML drawn, then printed): one partner each time;
3. the briefing's HTML, kept and not yet drawn.

Target on a 2-core machine: a PDF answered in under 0.5 s warm.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TARGET = 0.5
NAME, PASSWORD = "bench", "a password for the bench"
PARTNERS = ["CAN", "CHN", "DEU", "JPN", "KOR", "GBR", "IND", "FRA", "ITA", "BRA", "NLD", "CHE", "TWN", "VNM"]


def timed(base: str, path: str, header: dict[str, str]) -> tuple[float, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    started = time.perf_counter()
    with opener.open(urllib.request.Request(base + path, headers=header), timeout=60) as response:
        body = response.read()
    return time.perf_counter() - started, body


def report(label: str, times: list[float], target: float | None = None) -> None:
    verdict = "" if target is None else f"  (target < {target:.1f} s: {'met' if max(times) < target else 'MISSED'})"
    print(f"{label:<44} median {statistics.median(times):.3f} s  min {min(times):.3f}  max {max(times):.3f}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-web-") as tmp:
        root = Path(tmp)
        (root / "config.yaml").write_text("data_dir: data\noutput_dir: output\nfeeds: []\n")
        command = [sys.executable, "-m", "reportgen", "--config", str(root / "config.yaml")]
        subprocess.run([*command, "users", "add", NAME], input=PASSWORD + "\n", text=True, check=True,
                       capture_output=True)
        started = time.perf_counter()
        server = subprocess.Popen([*command, "serve", "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=root,
                                  env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            base = "http://127.0.0.1:" + re.search(r":(\d+)/", server.stdout.readline())[1]
            header = {"Authorization": "Basic " + base64.b64encode(f"{NAME}:{PASSWORD}".encode()).decode()}
            print(f"server answering after {time.perf_counter() - started:.2f} s (data loaded)")
            first, pdf = timed(base, "/briefings/MEX/2024/pdf", header)
            assert pdf.startswith(b"%PDF"), pdf[:100]
            print(f"first PDF (worker still warming up)             {first:.3f} s")
            for _ in range(2):  # warm-up: the worker's caches and the server's
                timed(base, "/briefings/MEX/2024/pdf", header)
            report("PDF, Mexico 2024, page viewed", [timed(base, "/briefings/MEX/2024/pdf", header)[0]
                                                     for _ in range(args.repeat)], TARGET)
            report("PDF, a briefing not viewed yet", [timed(base, f"/briefings/{code}/2024/pdf", header)[0]
                                                      for code in PARTNERS[:args.repeat]], TARGET)
            report("HTML, Mexico 2024, kept", [timed(base, "/briefings/MEX/2024/html", header)[0]
                                               for _ in range(args.repeat)])
            report("HTML, a briefing not drawn yet", [timed(base, f"/briefings/{code}/2023/html", header)[0]
                                                      for code in PARTNERS[:args.repeat]])
            report("the chooser page", [timed(base, "/", header)[0] for _ in range(args.repeat)])
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
