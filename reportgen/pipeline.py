"""The pipeline, top to bottom: collect, store, analyse, write.

This is the only module that imports from more than one stage. The CLI and (later) the web page
call these functions; each takes the config and returns plain results.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.analysis import TradeTable, build_facts
from reportgen.config import Config
from reportgen.errors import DeliveryError, InputError
from reportgen.models import Facts, News, Partner, Provenance, Vintage
from reportgen.partners import Registry, bundled
from reportgen.periods import Period
from reportgen.sources import census_api, census_bulk, snapshot
from reportgen.store import Store

if TYPE_CHECKING:
    from reportgen.render.pdf import Printer

SOURCE = census_bulk.SOURCE
FORMATS = ("html", "pdf")
FIRST_MONTH = {census_bulk.SOURCE: f"{census_bulk.FIRST_YEAR}-01", census_api.SOURCE: census_api.FIRST_MONTH}


# -- collect and store --------------------------------------------------------------------------

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


def collect(config: Config, file: Path | None = None, *, use_snapshot: bool = False) -> Collected:
    """Read the Census bulk file (downloaded, from `file`, or the bundled snapshot) into the store."""
    registry = bundled()
    if use_snapshot:
        batch = snapshot.read(registry)
    elif file is not None:
        batch = census_bulk.read_file(file, registry)
    else:
        from reportgen.http import Http

        with Http(config.http, config.data_dir / "cache") as http:
            fetched = http.get(config.census.bulk_url, what="Census bulk file download")
        with Store(config.db_path) as store:  # an unchanged release is not parsed again
            known = store.find(SOURCE, hashlib.sha256(fetched.content).hexdigest())
        if known:
            return Collected(known, unchanged=True)
        batch = census_bulk.read_bytes(
            fetched.content, registry, name=config.census.bulk_url, origin=fetched.url,
            published=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), etag=fetched.etag,
            last_modified=fetched.last_modified,
        )
    # Parsed in full before the store is touched, so a bad file leaves it as it was.
    with Store(config.db_path) as store:
        result = store.add(batch)
    return Collected(result.vintage, result.unchanged, len(batch.observations), result.stored, batch.last_month,
                     batch.warnings)


def collect_api(config: Config, first: str, last: str, *, levels: Iterable[str] = (),
                partners: Iterable[str] = ()) -> Collected:
    """Read country totals (and commodity detail at `levels` for `partners`, every country if none
    is named) for the whole years from `first` to `last` from the Census API into the store."""
    from reportgen.http import Http

    registry = bundled()
    named = [registry.partner(p) for p in partners] or [p for p in registry if p.is_country and p.iso2]
    codes = [p.census_codes[0] for p in named]
    with Http(config.http, config.data_dir / "cache") as http:
        batch = census_api.collect(census_api.CensusApi(http), registry, first, last, levels=levels,
                                   partners=codes if levels else ())
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


def collect_news(config: Config) -> list[FeedReport]:
    """Fetch every configured feed and store its new entries; a feed that fails is reported, never raised."""
    from reportgen.errors import CollectError
    from reportgen.http import Http
    from reportgen.sources import feeds
    from reportgen.store.news import NewsStore

    reports = []
    with Http(config.http, config.data_dir / "cache", deadline=config.news.deadline) as http, \
            Store(config.db_path) as store:
        news = NewsStore(store)
        for feed in config.feeds:
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
                                 read_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
                report.read, report.new, report.warning = len(parsed.entries), added.new, parsed.warning
            except CollectError as exc:
                report.error = str(exc)
    return reports


# -- analyse ------------------------------------------------------------------------------------

@dataclass
class Detail:
    """One partner's commodity detail: (flow, month) -> {code: dollars}, and the newest vintage in it."""

    lines: dict[tuple[str, str], dict[str, int]]
    vintage: str


@dataclass
class Dataset:
    """What analysis reads: one source's totals (newest vintage per value), whom they cover, and any
    commodity detail."""

    table: TradeTable
    registry: Registry
    provenance: Provenance
    source_start: str
    scope: tuple[str, Period] | None = None  # the one briefing (partner code, period) a partial load is for
    detail: Detail | None = None  # the scope partner's commodity detail, read with the totals
    descriptions: dict[str, str] = field(default_factory=dict)  # commodity code -> the source's description
    db_path: Path | None = None  # a full load reads each partner's detail when asked: all of it would be big

    @property
    def countries(self) -> set[str]:
        return {p.code for p in self.registry if p.is_country}

    def detail_for(self, code: str, level: str) -> Detail | None:
        if self.scope is not None:
            return self.detail if code == self.scope[0] else None
        with Store(self.db_path) as store:
            return _detail(store, level, code)


def load(config: Config, *, as_of: str | None = None, partner: str | None = None,
         period: str | Period | None = None) -> Dataset:
    """All of one source's totals, or, given a partner and a period, only what that one briefing reads.

    A briefing reads its partner's whole history and every partner's figures in the period's year and
    the year before (ranks, shares, the year to date and its comparisons); reading no more than that
    keeps a single build fast however long the store's history. The source is the preferred one
    (config `sources.prefer`) unless only the other holds the period.
    """
    if (partner is None) != (period is None):
        raise ValueError("load() takes a partner and a period together, or neither")
    with open_store(config) as store:
        registry = bundled().with_extra(store.partners())
        scope = None
        if partner is not None:
            scope = (registry.partner(partner).code, _period(period))
        source = source_for(store, config, scope[1] if scope else None)
        vintage = store.vintage(source, as_of)
        if scope is None:
            table = TradeTable(store.iter_totals(source, as_of=as_of))
        else:
            year = scope[1].year
            rows = store.totals(source, as_of=as_of, partner=scope[0], years=(year - 1, year))
            table = TradeTable(rows, months=store.month_range(source, as_of=as_of))
        detail = _detail(store, config.movers.level, scope[0]) if scope else None
        descriptions = store.descriptions()
    provenance = Provenance(
        source=vintage.source, vintage=vintage.label, published=vintage.published, origin=vintage.origin,
        sha256=vintage.sha256, collected_at=vintage.collected_at, note=vintage.note,
    )
    return Dataset(table, registry, provenance, FIRST_MONTH[source], scope, detail, descriptions, config.db_path)


def source_for(store: Store, config: Config, period: Period | None) -> str:
    """The preferred source, unless it lacks the period and the other source has it."""
    preferred = config.sources.prefer
    other = census_api.SOURCE if preferred == census_bulk.SOURCE else census_bulk.SOURCE
    for source in (preferred, other):
        first, last = store.month_range(source)
        if first and (period is None or first <= period.months[0] and period.last_month <= last):
            return source
    return preferred


def _detail(store: Store, level: str, partner: str) -> Detail | None:
    """A partner's commodity detail at an HS level, or None if the store has none."""
    lines: dict[tuple[str, str], dict[str, int]] = {}
    newest = 0
    for _, flow, month, code, value, seq in store.detail(census_api.SOURCE, int(level[2:]), partner):
        lines.setdefault((flow, month), {})[code] = value
        newest = max(newest, seq)
    return Detail(lines, store.vintage_at(census_api.SOURCE, newest).label) if lines else None


def facts(config: Config, data: Dataset, partner: str, period: str | Period, *, detail: bool = True) -> Facts:
    """The facts for a partner (as the user wrote it) and a period, with what drove the change when
    commodity detail covers it."""
    from reportgen.analysis.movers import movers
    from reportgen.commodities import commodity_name

    who, when = data.registry.partner(partner), _period(period)
    if data.scope is not None and data.scope != (who.code, when):
        raise ValueError(f"the data were loaded for {data.scope[0]} in {data.scope[1]}, not {who.code} in {when}")
    result = build_facts(
        data.table, who, when, countries=data.countries, name=data.registry.name, provenance=data.provenance,
        source_start=data.source_start, table_months=config.briefing.table_months,
        top_partners=config.briefing.top_partners, detail=detail,
    )
    lines = data.detail_for(who.code, config.movers.level) if detail else None
    result = dataclasses.replace(result, news=news_for(config, who, when))
    if lines is None:
        return result
    drivers = movers(lines.lines, when, level=config.movers.level, source=census_api.SOURCE, vintage=lines.vintage,
                     name=lambda code: commodity_name(code, data.descriptions.get(code, "")),
                     threshold_pp=config.movers.threshold, top=config.movers.top)
    return dataclasses.replace(result, movers=drivers)


def news_for(config: Config, partner: Partner, period: Period | None = None, *, since: datetime | None = None,
             limit: int | None = None) -> News | None:
    """The stored news that concerns a partner, newest first: in a briefing's window (one indexed query),
    or since a day. None when a briefing has no news to look up (no feeds, or `news.max_items` 0)."""
    from reportgen.analysis.news import relevant, window
    from reportgen.news_terms import terms_for
    from reportgen.store.news import NewsStore

    if period is not None:
        if not config.feeds or not config.news.max_items:
            return None
        start, end = window(period, config.news.days_before, config.news.days_after)
        days = (start.date().isoformat(), (end - timedelta(days=1)).date().isoformat())  # `end` is excluded
    else:
        start, end = since or datetime(1900, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)
        days = (since.date().isoformat() if since else "", "")
    with Store(config.db_path) as store:
        entries = NewsStore(store).between(start, end)
    items = relevant(entries, terms_for(partner, config.news.topics), start=start, end=end,
                     limit=limit if limit is not None else config.news.max_items)
    return News(items, *days)


def _period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


# -- write --------------------------------------------------------------------------------------

def build_time() -> datetime:
    """The build time; SOURCE_DATE_EPOCH pins it for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC).replace(microsecond=0)


def write(config: Config, result: Facts, formats: Iterable[str] = FORMATS, out_dir: Path | None = None, *,
          printer: Printer | None = None, moment: datetime | None = None) -> list[Path]:
    """Render one briefing in each format, the PDF through `printer` if given; return the paths written.

    Without `out_dir` the briefing goes to its folder in the archive, the sources box lists the
    vintages of its earlier builds, and the build is recorded (the caller rewrites the index).
    """
    from reportgen.delivery import archive
    from reportgen.files import write_atomic
    from reportgen.render.charts import draw
    from reportgen.render.html import environment, render_briefing
    from reportgen.store import archive as records

    formats = list(formats)
    moment = moment or build_time()
    code, key = result.partner.code, result.period.key
    if out_dir is None:
        with Store(config.db_path) as store:
            earlier = tuple((b.built_at, b.source, b.vintage) for b in records.history(store, code, key))
        result = dataclasses.replace(result, provenance=dataclasses.replace(result.provenance, history=earlier))
    env = environment(config.templates_dir, config.briefing.locale)
    charts = draw(result, locale=config.briefing.locale)
    rendered = render_briefing(env, result, charts, built_at=moment.strftime("%Y-%m-%d %H:%M UTC"),
                               page_size=config.briefing.page_size)
    folder = out_dir or config.output_dir / archive.folder(code, result.period)
    stem = folder / archive.stem(code, result.period)
    written = []
    if "html" in formats:
        written.append(write_atomic(stem.with_suffix(".html"), rendered.html))
    if "pdf" in formats:
        from reportgen.render.pdf import write_pdf

        print_pdf = printer.write_pdf if printer else write_pdf
        written.append(print_pdf(rendered.html, stem.with_suffix(".pdf")))
    if out_dir is None:
        # A format not built this time would be left from an earlier vintage: an archived briefing's
        # files always say the same thing.
        for kind in set(FORMATS) - set(formats):
            stem.with_suffix(f".{kind}").unlink(missing_ok=True)
        with Store(config.db_path) as store:
            records.record(store, records.Built(code, key, moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                result.provenance.source, result.provenance.vintage,
                                                rendered.headline, archive.folder(code, result.period)))
    return written


def write_index(config: Config) -> list[Path]:
    """Rewrite the archive's index page and Atom feed from the record of builds."""
    from reportgen.delivery import archive
    from reportgen.render.html import environment
    from reportgen.store import archive as records

    with Store(config.db_path) as store:
        builds = records.latest(store)
    return archive.write_index(environment(config.templates_dir, config.briefing.locale), config.output_dir, builds,
                               public_url=config.public_url,
                               updated=build_time().strftime("%Y-%m-%dT%H:%M:%SZ"))


def build(config: Config, partner: str, period: str, formats: Iterable[str] = FORMATS,
          out_dir: Path | None = None) -> list[Path]:
    """collect (from the store) -> analyse -> write, for one partner and period.

    Without `out_dir`, into the archive, holding the data folder's lock (a running monthly job
    finishes first). The PDF is printed by a second process that gets WeasyPrint ready while this one
    draws the charts.
    """
    from reportgen.files import exclusive
    from reportgen.render.pdf import Printer

    formats = list(formats)
    result = facts(config, load(config, partner=partner, period=period), partner, period)
    # Started once partner and period are known good, so that a typo fails at once; and forked only
    # from a process with a single thread (the command line, not a threaded web server).
    use_printer = "pdf" in formats and threading.active_count() == 1
    archiving = out_dir is None
    with exclusive(config.data_dir, wait=600, what="build") if archiving else contextlib.nullcontext():
        with Printer() if use_printer else contextlib.nullcontext() as printer:
            written = write(config, result, formats, out_dir, printer=printer)
        if archiving:
            write_index(config)
    return written


@dataclass
class BatchResult:
    written: list[Path]
    skipped: list[tuple[str, str]]  # (partner code, reason)


def build_all(config: Config, period: str, formats: Iterable[str] = FORMATS, out_dir: Path | None = None,
              *, jobs: int = 0, partners: Iterable[str] | None = None) -> BatchResult:
    """Briefings for `partners` (every single country with trade in `period` if None), on `jobs`
    processes (0: one per core); without `out_dir`, into the archive under the data folder's lock.

    The data are loaded once; forked workers share them copy-on-write.
    """
    import multiprocessing

    from reportgen.files import exclusive

    data = load(config)
    when = Period.parse(period)
    if partners is not None:
        codes = [data.registry.partner(p).code for p in partners]
    else:
        codes = sorted(data.countries & set(data.table.values(when))) if data.table.covers(when) else []
    if not codes:
        facts(config, data, "MEX", when)  # raises the same clear error a single build would
    tasks = [(code, tuple(formats), out_dir) for code in codes]
    global _batch
    _batch = (config, data, when, build_time())
    jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    with exclusive(config.data_dir, wait=600, what="build") if out_dir is None else contextlib.nullcontext():
        if jobs <= 1:
            results = [_build_one(task) for task in tasks]
        else:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                results = pool.map(_build_one, tasks, chunksize=1)  # one at a time: the cores finish together
        if out_dir is None:
            write_index(config)
    written = [path for paths, _ in results for path in paths]
    skipped = [(code, reason) for (code, _, _), (_, reason) in zip(tasks, results) if reason]
    return BatchResult(written, skipped)


_batch: tuple[Config, Dataset, Period, datetime] | None = None  # set before forking so workers inherit it


def _build_one(task: tuple[str, tuple[str, ...], Path | None]) -> tuple[list[Path], str]:
    code, formats, out_dir = task
    config, data, when, moment = _batch  # type: ignore[misc]
    try:
        return write(config, facts(config, data, code, when), formats, out_dir, moment=moment), ""
    except InputError as exc:  # no trade in the period: nothing to say, and not an error for a batch
        return [], str(exc)


# -- deliver: the email digest ------------------------------------------------------------------

SMTP_PASSWORD = "REPORTGEN_SMTP_PASSWORD"


@dataclass
class SendReport:
    """What `send` did for one issue, and how the issue's outbox stands after it."""

    issue: str
    subject: str
    queued: int = 0  # outbox rows added by this run
    outbox: dict[str, int] = field(default_factory=dict)  # rows by state, after the run
    delivery: object = None  # reportgen.delivery.smtp.Delivery; None for a dry run
    written: list[Path] = field(default_factory=list)  # the .eml files of a dry run
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.delivery is None:
            return f"{self.issue}: {len(self.written)} messages written (dry run)"
        states = ", ".join(f"{count} {state}" for state, count in self.outbox.items() if count)
        return f"{self.issue}: {states or 'no subscribers'}"


def send(config: Config, partner: str, period: str, *, dry_run: bool = False, resend_unknown: bool = False,
         out_dir: Path | None = None) -> SendReport:
    """Email one issue's digest to each active subscriber who follows the partner, exactly once.

    The digest is made from the same facts as the briefing. Rows are queued in the outbox, then sent
    over SMTP (or written as .eml files to `out_dir` with `dry_run`, which changes nothing).
    """
    from reportgen.delivery import digest as mail
    from reportgen.delivery import smtp, tokens
    from reportgen.store.mail import MailStore

    data = load(config, partner=partner, period=period)
    result = facts(config, data, partner, period)
    issue = mail.issue_key(result.partner.code, result.period)
    key = tokens.secret_key(config.data_dir)
    domain = mail.sender_address(config.smtp.sender)[1].rpartition("@")[2]
    follows = result.partner.code in {data.registry.partner(p).code for p in config.partners}

    def message_id(email: str) -> str:
        return tokens.message_id(key, issue, email, domain)

    def copy(row, wire: bool = True) -> bytes:
        token = tokens.unsubscribe_token(key, row.subscriber, row.email)
        return letter.render(row.email, row.name, message_id=row.message_id, token=token, wire=wire)

    digest = _digest(config, result, issue)
    letter = mail.Letter(digest)
    report = SendReport(issue, digest.subject)
    if not digest.one_click:
        report.notes.append(f"public_url {config.public_url} is not https: List-Unsubscribe-Post (one-click, "
                            "RFC 8058) is left out")
    if dry_run:
        from reportgen.files import write_atomic

        folder = out_dir or config.output_dir / "digests" / issue
        with MailStore(config.db_path) as box:
            for n, row in enumerate(box.would_send(issue, result.partner.code, follows, message_id,
                                                   resend_unknown=resend_unknown), 1):
                safe = "".join(ch if ch.isalnum() or ch in "@.+-_" else "_" for ch in row.email)
                report.written.append(write_atomic(folder / f"{n:05d}-{safe}.eml", copy(row, wire=False)))
        return report
    with _issue_lock(config, issue), MailStore(config.db_path) as box:
        known = box.issue(issue)
        provenance = result.provenance
        if known and (known[1], known[2]) != (provenance.source, provenance.vintage):
            report.notes.append(f"{issue} was first sent from {known[1]} vintage {known[2]}; messages still to send "
                                f"carry {provenance.source} vintage {provenance.vintage}")
        report.queued = box.queue(issue, digest.subject, provenance.source, provenance.vintage, result.partner.code,
                                  follows, message_id)
        box.recover(issue, resend_unknown=resend_unknown)
        envelope_from = mail.sender_address(config.smtp.sender)[1]
        report.delivery = smtp.deliver(config.smtp, os.environ.get(SMTP_PASSWORD, ""), issue, box, copy, envelope_from)
        report.outbox = box.counts(issue)
    left = report.outbox["pending"]
    if report.delivery.stopped or left:  # callers (the monthly job) must not take the issue for done
        why = report.delivery.stopped or "the server deferred some messages"
        raise SendIncomplete(f"{issue}: {why}; {left} still pending: run `reportgen send` again", report)
    return report


class SendIncomplete(DeliveryError):
    """A send that left messages pending (a lost connection, a 4xx): the next run sends them."""

    def __init__(self, message: str, report: SendReport):
        super().__init__(message)
        self.report = report


@contextlib.contextmanager
def _issue_lock(config: Config, issue: str):
    """One sender per issue at a time; a second one stops at once (exit 75: try again later)."""
    from filelock import FileLock, Timeout

    from reportgen.errors import LockedError

    config.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(config.data_dir / f"send-{issue}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise LockedError(f"another `reportgen send` of {issue} is running; try again when it is done") from None
    try:
        yield
    finally:
        lock.release()


def _digest(config: Config, result: Facts, issue: str):
    """Render the issue's digest once: charts as PNG (attached or written to the archive), the PDF if asked."""
    import tempfile

    from reportgen.delivery import archive
    from reportgen.delivery import digest as mail
    from reportgen.files import write_atomic
    from reportgen.render import email as render
    from reportgen.render.charts import draw

    folder = archive.folder(result.partner.code, result.period)
    stem = archive.stem(result.partner.code, result.period)
    charts, images = [], []
    for chart in draw(result, locale=config.briefing.locale, fmt="png"):
        name = f"{chart.id}.png"
        if config.email.charts == "cid":
            cid = f"{chart.id}.{issue}@reportgen"
            charts.append(render.EmailChart(chart, f"cid:{cid}"))
            images.append(mail.image_part(charts[-1].png, cid, name))
        else:
            charts.append(render.EmailChart(chart, mail.chart_url(config.public_url, folder, name)))
            write_atomic(config.output_dir / folder / "charts" / name, charts[-1].png)
    pdf = None
    if config.email.attach_pdf:
        with tempfile.TemporaryDirectory(prefix="reportgen-digest-") as tmp:
            path = write(config, result, ["pdf"], Path(tmp))[0]
            pdf = mail.pdf_part(path.read_bytes(), f"{stem}.pdf")
    env = render.email_environment(config.templates_dir, config.briefing.locale)
    rendered = render.render_digest(env, result, charts, briefing_url=mail.briefing_url(config.public_url, folder, stem),
                                    pdf_attached=pdf is not None)
    return mail.Digest(issue, rendered.subject, rendered.html, rendered.text, config.smtp.sender, config.public_url,
                       (render.RECIPIENT, render.UNSUBSCRIBE_URL), tuple(images), pdf)


@dataclass(frozen=True)
class Unsubscribed:
    email: str
    changed: bool  # False: the subscriber had already left


def unsubscribe(config: Config, token: str) -> Unsubscribed:
    """Unsubscribe whoever a token from a digest names (the CLI and the web page's one-click endpoint)."""
    from reportgen.delivery import tokens
    from reportgen.store.mail import MailStore

    number = tokens.token_subscriber(token)
    with MailStore(config.db_path) as box:
        who = box.subscriber(id=number) if number is not None else None
        if who is None or not tokens.verify(tokens.secret_key(config.data_dir), token, who.id, who.email):
            raise InputError("not a valid unsubscribe token (or its subscriber was removed)")
        return Unsubscribed(who.email, box.set_status(who.id, "unsubscribed"))
