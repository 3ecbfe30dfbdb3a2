"""Collect and store: the Census bulk file or snapshot, the Census API, UN Comtrade, the news feeds."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reportgen import timestamps
from reportgen.config import Config
from reportgen.errors import CollectError, InputError
from reportgen.http import Http
from reportgen.models import Progress, Vintage
from reportgen.partners import bundled
from reportgen.sources import census_api, census_bulk, comtrade, feeds, snapshot
from reportgen.store import Store
from reportgen.store.news import NewsStore

SOURCE = census_bulk.SOURCE


def open_store(config: Config) -> Store:
    """Open the store, seeding an empty one with the bundled snapshot so everything works offline."""
    store = Store(config.db_path)
    if store.is_empty(SOURCE):
        store.add(snapshot.read(bundled()))
    return store


@dataclass
class Collected:
    """What one collect did: the vintage, and how many values it read and stored."""

    vintage: Vintage
    unchanged: bool  # the same file was already stored
    values: int = 0
    stored: int = 0  # values new or revised against the vintage before
    last_month: str = ""
    warnings: list[str] = field(default_factory=list)


def collect(config: Config, file: Path | None = None, *, use_snapshot: bool = False,
            progress: Progress | None = None) -> Collected:
    """Read the Census bulk file (downloaded, from `file`, or the bundled snapshot) into the store;
    `progress` hears of the download, the rows read and the rows parsed."""
    registry = bundled()
    if use_snapshot:
        batch = snapshot.read(registry, progress)
    elif file is not None:
        batch = census_bulk.read_file(file, registry, progress=progress)
    else:
        with Http(config.http, config.data_dir / "cache") as http:
            fetched = http.get(config.census.bulk_url, what="Census bulk file download", progress=progress)
        with Store(config.db_path) as store:  # an unchanged release is not parsed again
            known = store.find(SOURCE, hashlib.sha256(fetched.content).hexdigest())
        if known:
            return Collected(known, unchanged=True)
        batch = census_bulk.read_bytes(
            fetched.content, registry, name=config.census.bulk_url, origin=fetched.url,
            published=timestamps.now(), etag=fetched.etag,
            last_modified=fetched.last_modified, progress=progress,
        )
    # Parsed in full before the store is touched, so a bad file leaves it as it was.
    with Store(config.db_path) as store:
        result = store.add(batch)
    return Collected(result.vintage, result.unchanged, len(batch.observations), result.stored, batch.last_month,
                     batch.warnings)


def collect_api(config: Config, first: str, last: str, *, levels: Iterable[str] = (),
                partners: Iterable[str] = (), progress: Progress | None = None) -> Collected:
    """Read country totals (and commodity detail at `levels` for `partners`, every country if none
    is named) for the whole years from `first` to `last` from the Census API into the store;
    `progress` hears of the queries answered."""
    registry = bundled()
    named = ([registry.partner(p) for p in partners]
             or [p for p in registry if p.is_country and p.iso2 and p.census_codes])
    codes = [p.census_codes[0] for p in named]
    with Http(config.http, config.data_dir / "cache") as http:
        batch = census_api.collect(census_api.CensusApi(http), registry, first, last, levels=levels,
                                   partners=codes if levels else (), progress=progress)
    with Store(config.db_path) as store:
        result = store.add(batch)
    return Collected(result.vintage, result.unchanged, len(batch.observations), result.stored, batch.last_month,
                     batch.warnings)


def collect_comtrade(config: Config, reporter: str, first: str, last: str, *, partner: str | None = None,
                     detail: str = "total", freq: str = "A") -> Collected:
    """Read a reporter's goods trade (every partner's totals, and HS detail for `partner` or every partner)
    from UN Comtrade into the store, for the years (or months) from `first` to `last`."""
    registry = bundled()
    who = comtrade.reporter_of(registry, reporter)
    other = comtrade.partner_of(registry, partner, who) if partner else None
    if detail not in comtrade.LEVELS:
        raise InputError(f"--detail {detail!r}: choose total, hs2, hs4 or hs6")
    wanted = comtrade.periods(freq, first, last)
    with Http(config.http, config.data_dir / "cache") as http:
        batch = comtrade.collect(comtrade.Comtrade(http, config.comtrade), registry, who, wanted, freq=freq,
                                 partner=other, level=comtrade.LEVELS[detail])
    with Store(config.db_path) as store:
        result = store.add(batch)
    return Collected(result.vintage, result.unchanged, len(batch.observations), result.stored, batch.last_month,
                     batch.warnings)


@dataclass
class FeedReport:
    """What collecting one feed did: entries read and stored, or why it was left out."""

    name: str
    url: str
    read: int = 0
    new: int = 0
    unchanged: bool = False  # the same document as at the last collect: not parsed again
    warning: str = ""  # malformed, entries recovered and used
    error: str = ""  # not read: nothing of it stored


def collect_news(config: Config, progress: Progress | None = None) -> list[FeedReport]:
    """Fetch every configured feed and store its new entries; a feed that fails is reported, never raised.
    `progress` hears of the feeds done."""
    reports = []
    with Http(config.http, config.data_dir / "cache", deadline=config.news.deadline) as http, \
            Store(config.db_path) as store:
        news = NewsStore(store)
        for done, feed in enumerate(config.feeds):
            if progress:
                progress("feeds", done, len(config.feeds))
            report = FeedReport(feed.name, feed.url)
            reports.append(report)
            try:
                fetched = http.get(feed.url, max_bytes=config.news.max_bytes, what=f"feed {feed.name!r}")
                if news.unchanged(feed.url, fetched.content):  # a 304, or the same bytes again
                    report.unchanged = True
                    continue
                now = datetime.now(UTC)
                parsed = feeds.parse(fetched.content, feed, url=fetched.url, content_type=fetched.content_type,
                                     fetched_at=now)
                added = news.add(parsed.entries, url=feed.url, name=feed.name, content=fetched.content,
                                 read_at=timestamps.iso(now))
                report.read, report.new, report.warning = len(parsed.entries), added.new, parsed.warning
            except CollectError as exc:
                report.error = str(exc)
        if progress:
            progress("feeds", len(config.feeds), len(config.feeds))
    return reports
