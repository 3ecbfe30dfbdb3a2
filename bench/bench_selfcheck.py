"""Benchmark the self-check before publishing and print the figures (not a test: nothing here asserts).

    python bench/bench_selfcheck.py [--period 2024-12]

For every single country with trade in the period (the batch `build --all` makes): the time the check
takes on its briefing (the facts' numbers collected, the HTML read, each number traced) against the time
the briefing's HTML takes to render without it, charts aside; then the same for one briefing with its
charts and PDF, which the check does not touch. Also how often a wrong amount slips through because it
equals another figure of the same kind: 2,000 random amounts within half the balance either way.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from reportgen import pipeline
from reportgen.config import Config
from reportgen.errors import InputError
from reportgen.partners import bundled
from reportgen.render import selfcheck
from reportgen.render.format import money
from reportgen.render.html import environment, render_briefing

BUILT = "2026-11-23T12:00:00Z"


def timed(func, *args, **kwargs) -> tuple[float, object]:
    """The best of three runs, in CPU seconds of this process: the machine is shared, so wall time varies."""
    best, result = float("inf"), None
    for _ in range(3):
        started = time.process_time()
        result = func(*args, **kwargs)
        best = min(best, time.process_time() - started)
    return best, result


def cold() -> None:
    """Empty the check's caches of forms, as for a briefing whose figures none before it had."""
    for cache in (selfcheck._whole_forms, selfcheck._fraction_forms, selfcheck._string_forms):
        cache.cache_clear()


def slipped(facts, rnd: random.Random, tries: int = 2000) -> float:
    """The share of random wrong amounts near the balance that the check would take for figures of the facts."""
    found = selfcheck.trace_map(facts)
    size = abs(facts.figures.balance) or 10**6
    wrong = [money(int(size * rnd.uniform(0.5, 1.5))) for _ in range(tries)]
    return sum(all(selfcheck.traced(n, found) for n in selfcheck.numbers(w)) for w in wrong) / tries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2024-12")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-selfcheck-") as tmp:
        config = Config.model_validate({"data_dir": f"{tmp}/data", "output_dir": f"{tmp}/output", "feeds": []})
        data = pipeline.load(config)
        env = environment()
        render_briefing(env, pipeline.facts(config, data, "MX", args.period), [], built_at=BUILT)  # templates compiled
        checks, renders = [], []
        for partner in (p for p in bundled() if p.is_country and p.census_codes):
            try:
                facts = pipeline.facts(config, data, partner.code, args.period)
            except InputError:
                continue
            rendering, rendered = timed(render_briefing, env, facts, [], built_at=BUILT)
            cold()
            started = time.process_time()
            selfcheck.check(facts, html={"x.html": rendered.html}, allowed={"build time": BUILT})
            checks.append(time.process_time() - started)
            renders.append(rendering)
        total = sum(checks)
        print(f"self-check, {len(checks)} briefings of {args.period}, its caches emptied each time: "
              f"{statistics.median(checks) * 1e3:.1f} ms median, {max(checks) * 1e3:.1f} ms at most, {total:.2f} s in "
              f"all (CPU); the HTML render with it, charts aside: {statistics.median(renders) * 1e3:.1f} ms median")
        facts = pipeline.facts(config, data, "MX", args.period)
        moment = datetime.fromisoformat(BUILT)
        whole, _ = timed(pipeline.write, config, facts, ["html", "pdf"], Path(tmp) / "one", moment=moment)
        html = pipeline.render(config, facts, moment=moment).html
        cold()
        started = time.process_time()
        selfcheck.check(facts, html={"x.html": html}, allowed={"build time": BUILT})
        alone = time.process_time() - started
        print(f"one briefing with charts and PDF (MX {args.period}): {whole:.2f} s CPU, of which the check "
              f"{alone * 1e3:.1f} ms ({alone / whole:.1%})")
        rnd = random.Random(14)
        for code, period in (("MX", "2024"), ("MX", args.period), ("DE", "2009"), ("TV", "2016")):
            rate = slipped(pipeline.facts(config, data, code, period), rnd)
            print(f"wrong amounts near the balance taken for figures, {code} {period}: {rate:.1%}")


if __name__ == "__main__":
    main()
