"""Benchmark the record of builds as the archive grows, and print the figures (nothing asserts).

    python bench/bench_archive.py [--years 12]

An archive of every single country's monthly briefing in English and Spanish for `--years` years (one build
each, keeping Mexico's facts and story of the bundled 2024-12 as every build's: some 9 kB), then what is read
from it: one briefing's earlier builds (`history`, once per briefing archived), the newest build of every
briefing (`latest`, once per index) and what changed in one briefing (the desk, for each draft it lists).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

PARTNERS = 220


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=12)
    options = parser.parse_args()

    import json

    from reportgen import pipeline
    from reportgen.config import Config
    from reportgen.pipeline.briefing import _facts_dict
    from reportgen.pipeline.desk import _changes
    from reportgen.render.html import environment, render_briefing
    from reportgen.render.story_text import story_text
    from reportgen.store import Store
    from reportgen.store import archive as records

    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-archive-"))
    config = Config(data_dir=work / "data")
    mexico = pipeline.facts(config, pipeline.load(config), "MX", "2024-12")
    facts = json.dumps(_facts_dict(mexico), ensure_ascii=False)
    story = story_text(render_briefing(environment(), mexico, [], built_at="2026-01-05T12:00:00Z").html)

    months = [f"{year}-{month:02d}" for year in range(2026 - options.years, 2026) for month in range(1, 13)]
    with Store(work / "archive.db") as store:
        started = time.perf_counter()
        for month in months:
            for number in range(PARTNERS):
                built = records.Built(f"P{number:03d}", month, f"{month}-05T12:00:00Z", "census-country", month,
                                      "Headline", f"{month[:4]}/P{number:03d}", facts=facts, story=story)
                records.record(store, built, {"en": "Headline", "es": "Titular"})
        count = len(months) * PARTNERS
        print(f"reportgen bench: an archive of {count:,} briefings in two languages "
              f"({time.perf_counter() - started:.1f} s to record)")
        newest = records.history(store, "P100", months[-1])[0]
        for name, call, repeat in (("history of one briefing", lambda: records.history(store, "P100", months[-1]), 200),
                                   ("latest build of every briefing", lambda: records.latest(store), 3),
                                   ("what changed in one briefing", lambda: _changes(store, newest), 20)):
            started = time.perf_counter()
            for _ in range(repeat):
                call()
            print(f"  {name:<36} {(time.perf_counter() - started) / repeat * 1000:9.2f} ms")


if __name__ == "__main__":
    main()
