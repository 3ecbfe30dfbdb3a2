"""Benchmark how closely the web page's PDF workers keep their deadline, and print the figures (nothing asserts).

    python bench/bench_pdf_worker.py [--timeout 2.0] [--rounds 3]

A render that hangs is given to a pool of one worker: printed are how long the caller waited for its
BusyError (against the deadline), how long the stuck worker took to go, and how long the next PDF took
(served by the fresh worker that replaced it). tests/web/test_pdf_worker.py checks that these things
happen; this script says how soon.
"""

from __future__ import annotations

import argparse
import os
import time

from reportgen.errors import BusyError
from reportgen.web.printing import PdfWorkers

HANG = 60.0


def hanging_print(html: str) -> bytes:
    """A render that hangs on a page titled "hang" (runs in the worker: a module-level function)."""
    if "<title>hang</title>" in html:
        time.sleep(HANG)
    return b"%PDF-1.7 " + str(os.getpid()).encode()


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] == "Z"  # killed, not yet reaped
    except FileNotFoundError:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=2.0, help="the workers' deadline, seconds")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workers = PdfWorkers(1, timeout=args.timeout, printer=hanging_print)
    try:
        for round_ in range(1, args.rounds + 1):
            stuck = int(workers.pdf("<p>quick</p>").split()[1])
            started = time.monotonic()
            try:
                workers.pdf("<title>hang</title>")
                print("the hanging render returned: no deadline?")
                return
            except BusyError:
                waited = time.monotonic() - started
            while not gone(stuck) and time.monotonic() - started < HANG:
                time.sleep(0.01)
            stopped = time.monotonic() - started
            started = time.monotonic()
            fresh = int(workers.pdf("<p>quick again</p>").split()[1])
            print(f"round {round_}: BusyError after {waited:.2f} s (deadline {args.timeout:g} s, over by "
                  f"{waited - args.timeout:+.2f} s); stuck worker gone after {stopped:.2f} s; next PDF from "
                  f"{'a fresh' if fresh != stuck else 'THE SAME'} worker in {time.monotonic() - started:.2f} s")
    finally:
        workers.close()


if __name__ == "__main__":
    main()
