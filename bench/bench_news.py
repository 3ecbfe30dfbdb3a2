"""Benchmark the news collector and the news lookup, and print the figures (nothing asserts).

    python bench/bench_news.py [--feeds 20] [--items 200]

A local server serves made-up feeds (half RSS 2.0 with HTML in CDATA, half Atom with escaped HTML),
every item a few hundred characters, dated across 2024, one in ten retelling another feed's story
under a near-identical headline. Measured:
1. fetching, parsing and storing every feed into an empty store (time, and the collect's peak of
   Python memory);
2. collecting again: every feed answers 304;
3. one briefing's news (the window query and the relevance), for three partners;
4. the peak memory of the process.
"""

from __future__ import annotations

import argparse
import logging
import random
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

WORDS = ("steel aluminum autos ports freight supply chain quota review talks ministers officials data growth "  # noqa: SIM905
         "factory output shipping border customs rules origin investment plants energy farm grain").split()
SUBJECTS = ["Mexico", "Canada", "China", "Japan", "Germany", "Vietnam", "the EU", "South Korea", "Brazil", "India"]
TOPICS = ["tariffs", "trade deficit", "trade talks", "aranceles", "exports"]


def stories(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(headline, html summary, ISO time) for `count` made-up stories dated across 2024."""
    out = []
    for n in range(count):
        subject, topic = rng.choice(SUBJECTS), rng.choice(TOPICS)
        head = f"{subject} {rng.choice(WORDS)} {topic} {' '.join(rng.sample(WORDS, 5))} {n}"
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        html = f"<p>{subject} {body}.</p><p><a href=\"/more/{n}\">More</a> <img src=\"/pixel/{n}.gif\"></p>"
        day = rng.randrange(366)
        out.append((head, html, f"2024-{1 + day // 31 % 12:02d}-{1 + day % 28:02d}T{rng.randrange(24):02d}:00:00Z"))
    return out


def rss(index: int, items: list[tuple[str, str, str]]) -> bytes:
    from datetime import datetime
    from email.utils import format_datetime

    entries = "".join(
        f"<item><title>{title}</title><link>/story/{index}/{n}?utm_source=rss</link><guid>f{index}-{n}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(when))}</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for n, (title, html, when) in enumerate(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed {index}</title>'
            f"<link>/</link><description>bench</description>{entries}</channel></rss>").encode()


def atom(index: int, items: list[tuple[str, str, str]]) -> bytes:
    from xml.sax.saxutils import escape

    entries = "".join(
        f"<entry><title>{title}</title><id>tag:bench,2024:{index}/{n}</id><link href=\"story/{index}/{n}\"/>"
        f"<updated>{when}</updated><summary type=\"html\">{escape(html)}</summary></entry>"
        for n, (title, html, when) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Feed {index}</title><id>tag:bench,2024:{index}</id><updated>2024-12-31T00:00:00Z</updated>"
            f"{entries}</feed>").encode()


def line(name: str, value: str) -> None:
    print(f"  {name:<56} {value:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=200)
    options = parser.parse_args()

    from pytest_httpserver import HTTPServer
    from werkzeug import Request, Response

    from reportgen import pipeline
    from reportgen.config import Config, FeedConfig, HttpConfig
    from reportgen.partners import bundled
    from reportgen.periods import Period

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    rng = random.Random(4)
    pool = stories(rng, options.feeds * options.items)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    feeds, size = [], 0
    for index in range(options.feeds):
        items = pool[index * options.items:(index + 1) * options.items]
        for n in range(0, len(items), 10):  # one in ten: another feed's story, retold with a tag
            other = rng.randrange(len(pool))
            title, html, when = pool[other]
            items[n] = (f"{title} - Feed {index}", html, when)
        body = (rss if index % 2 == 0 else atom)(index, items)
        size += len(body)
        etag = f'"bench-{index}"'

        def handle(request: Request, body=body, etag=etag) -> Response:
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            return Response(body, content_type="application/xml", headers={"ETag": etag})

        server.expect_request(f"/feeds/{index}.xml").respond_with_handler(handle)
        feeds.append(FeedConfig(name=f"Feed {index}", url=server.url_for(f"/feeds/{index}.xml")))
    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-news-"))
    config = Config(data_dir=work / "data", http=HttpConfig(retries=0), feeds=feeds)
    print(f"reportgen news bench: {options.feeds} feeds of {options.items} items ({size / 1e6:.1f} MB), in {work}")

    pipeline.open_store(config).close()  # the snapshot's seeding is not the collector's cost
    tracemalloc.start()
    started = time.perf_counter()
    reports = pipeline.collect_news(config)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    read, new = sum(r.read for r in reports), sum(r.new for r in reports)
    failed = [r.error for r in reports if r.error]
    line(f"fetch, parse and store ({read:,} items, {new:,} new)", f"{elapsed:.2f} s")
    line("  each item", f"{elapsed / max(read, 1) * 1000:.2f} ms")
    line("  peak Python memory during the collect", f"{peak / 1e6:.1f} MB")
    if failed:
        print("  failures:", *failed, sep="\n    ")

    started = time.perf_counter()
    again = pipeline.collect_news(config)
    line(f"collect again ({sum(r.unchanged for r in again)} of {len(again)} unchanged, 304)",
         f"{time.perf_counter() - started:.2f} s")
    server.stop()

    for code in ("MX", "CA", "JP"):
        started = time.perf_counter()
        items = pipeline.news_for(config, bundled().resolve(code), Period.parse("2024-06")).items
        took = (time.perf_counter() - started) * 1000
        line(f"one briefing's news, {code} 2024-06 ({len(items)} items)", f"{took:.1f} ms")
    line("peak memory of this process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
