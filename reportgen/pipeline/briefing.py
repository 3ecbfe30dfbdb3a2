"""Analyse and write: load the store, make a briefing's facts, render it into the archive or a folder."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jinja2

from reportgen.analysis import TradeTable, build_facts
from reportgen.analysis.movers import movers
from reportgen.analysis.news import relevant, window
from reportgen.analysis.revisions import revision
from reportgen.commodities import commodity_name, product_name_es
from reportgen.config import Config
from reportgen.delivery import archive
from reportgen.errors import InputError, StoreError
from reportgen.files import exclusive, write_atomic
from reportgen.languages import DEFAULT, LOCALES, suffix
from reportgen.models import EditorNote, Facts, Figures, News, Partner, Progress, Provenance, ReporterFacts, Revision
from reportgen.news_terms import terms_for
from reportgen.partners import Registry, bundled
from reportgen.periods import Period
from reportgen.pipeline.collect import open_store
from reportgen.render.charts import Chart, draw, in_language
from reportgen.render.facts_json import facts_to_dict, reporter_facts_to_dict
from reportgen.render.html import Rendered, environment, render_briefing
from reportgen.render.pdf import Printer, write_pdf
from reportgen.render.story_text import story_text
from reportgen.sources import census_api, census_bulk
from reportgen.store import Store, notes
from reportgen.store import archive as records
from reportgen.store.news import NewsStore
from reportgen.timestamps import iso

FORMATS = ("html", "pdf")
# For the operator (stderr, the job's log), never the reader: their briefing just has no "In the news".
NEWS_UNREAD = "no news feed has been read yet, so briefings have no 'In the news' section: run `reportgen news collect`"
FIRST_MONTH = {census_bulk.SOURCE: f"{census_bulk.FIRST_YEAR}-01", census_api.SOURCE: census_api.FIRST_MONTH}


@dataclass
class Detail:
    """One partner's commodity detail: (flow, month) -> {code: dollars}, and the newest vintage in it."""

    lines: dict[tuple[str, str], dict[str, int]]
    vintage: str
    read: str = ""  # when that vintage was read


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

    @functools.cached_property
    def countries(self) -> frozenset[str]:
        return frozenset(p.code for p in self.registry if p.is_country)

    @functools.cached_property
    def residuals(self) -> frozenset[str]:
        return frozenset(p.code for p in self.registry if p.kind == "unallocated")

    def detail_for(self, code: str, level: str) -> Detail | None:
        if self.scope is not None:
            return self.detail if code == self.scope[0] else None
        with Store(self.db_path) as store:
            return _detail(store, level, code)


def load(config: Config, *, as_of: str | None = None, partner: str | None = None,
         period: str | Period | None = None) -> Dataset:
    """All of one source's totals, or, given a partner and a period, only what that one briefing reads.

    A briefing reads its partner's whole history and every partner's figures in the period's year and
    the three before (ranks, shares, the year to date and its comparisons, and the places held before
    the base of a rank's move: see `analysis.facts.LOOKBACK`); reading no more than that
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
            rows = store.totals(source, as_of=as_of, partner=scope[0], years=(year - 3, year))
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
    for line in store.detail(census_api.SOURCE, int(level[2:]), partner):
        lines.setdefault((line.flow, line.period), {})[line.code] = line.value
        newest = max(newest, line.seq)
    if not lines:
        return None
    vintage = store.vintage_at(census_api.SOURCE, newest)
    return Detail(lines, vintage.label, vintage.collected_at)


def facts(config: Config, data: Dataset, partner: str, period: str | Period, *, detail: bool = True) -> Facts:
    """The facts for a partner (as the user wrote it) and a period, with what drove the change when
    commodity detail covers it."""
    who, when = data.registry.partner(partner), _period(period)
    if data.scope is not None and data.scope != (who.code, when):
        raise ValueError(f"the data were loaded for {data.scope[0]} in {data.scope[1]}, not {who.code} in {when}")
    result = build_facts(
        data.table, who, when, countries=data.countries, name=data.registry.name, provenance=data.provenance,
        residuals=data.residuals, source_start=data.source_start, table_months=config.briefing.table_months,
        top_partners=config.briefing.top_partners, detail=detail,
    )
    lines = data.detail_for(who.code, config.movers.level) if detail else None
    result = dataclasses.replace(result, news=news_for(config, who, when),
                                 first_reported=first_reported(data, who.code, when, result.figures))
    if lines is None:
        return result
    drivers = movers(lines.lines, when, level=config.movers.level, source=census_api.SOURCE, vintage=lines.vintage,
                     name=lambda code: commodity_name(code, data.descriptions.get(code, "")), spanish=product_name_es,
                     threshold_pp=config.movers.threshold, top=config.movers.top)
    return dataclasses.replace(result, movers=dataclasses.replace(drivers, read=lines.read))


def first_reported(data: Dataset, partner: str, period: Period, figures: Figures) -> Revision | None:
    """The period's figures as the first stored vintage that held it reported them, when that vintage is
    not the one used (a later release revised them, or repeated them unchanged)."""
    source, used = data.provenance.source, data.provenance.vintage
    with Store(data.db_path) as store:
        first = store.first_vintage(source, period.last_month, upto=used)
        if first is None or first.label == used:
            return None
        table = TradeTable(store.totals(source, as_of=first.label, partner=partner),
                           months=store.month_range(source, as_of=first.label))
    then = table.figures(partner, period)
    return revision(then, figures, vintage=first.label, published=first.published) if then else None


def news_for(config: Config, partner: Partner, period: Period | None = None, *, since: datetime | None = None,
             limit: int | None = None) -> News | None:
    """The stored news that concerns a partner, newest first: in a briefing's window (one indexed query),
    or since a day. None when a briefing has no news to look up (no feeds, or `news.max_items` 0)."""
    if period is not None:
        if not _news_wanted(config):
            return None
        start, end = window(period, config.news.days_before, config.news.days_after)
        days = (start.date().isoformat(), (end - timedelta(days=1)).date().isoformat())  # `end` is excluded
    else:
        start, end = since or datetime(1900, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)
        days = (since.date().isoformat() if since else "", "")
    with Store(config.db_path) as store:
        news = NewsStore(store)
        entries, feeds_read = news.between(start, end), news.feeds_read() > 0
    items = relevant(entries, terms_for(partner, config.news.topics), start=start, end=end,
                     limit=limit if limit is not None else config.news.max_items)
    return News(items, *days, feeds_read=feeds_read)


def _news_wanted(config: Config) -> bool:
    """Whether briefings look up news at all: feeds configured and room for items."""
    return bool(config.feeds and config.news.max_items)


def news_warning(config: Config) -> str:
    """NEWS_UNREAD when briefings would show news but no feed was ever read, else ''."""
    if not _news_wanted(config):
        return ""
    with Store(config.db_path) as store:
        return "" if NewsStore(store).feeds_read() else NEWS_UNREAD


def _period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


# -- write --------------------------------------------------------------------------------------

def build_time() -> datetime:
    """The build time; SOURCE_DATE_EPOCH pins it for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC).replace(microsecond=0)


def note_for(config: Config, result: Facts | ReporterFacts, lang: str = DEFAULT) -> EditorNote | None:
    """The editor's note on this briefing in `lang`, if one was written (`reportgen note`, the web page)."""
    with Store(config.db_path) as store:
        return notes.get(store, _archive_code(result), result.period.key, lang)


def edition_environment(config: Config, language: str = DEFAULT) -> jinja2.Environment:
    """The templates' environment of one language's edition (English numbers follow `briefing.locale`)."""
    return environment(config.templates_dir, config.briefing.locale, language)


def render(config: Config, result: Facts | ReporterFacts, *, moment: datetime | None = None,
           language: str = DEFAULT, charts: list[Chart] | None = None,
           editions: dict[str, str] | None = None, note: EditorNote | None = None) -> Rendered:
    """One briefing's HTML and headline in one language, in memory: the charts drawn (unless given: the
    editions of one briefing share them), the stylesheet inlined, `note` under the lede. A briefing from
    another reporter's side has its own page and story templates (each language its own story)."""
    env = edition_environment(config, language)
    pages = {}
    if isinstance(result, ReporterFacts):
        pages = {"template": "reporter.html", "story": env.globals["reporter_story_template"]}
    if charts is None:
        charts = draw(result, locale=config.briefing.locale, language=language)
    return render_briefing(env, result, charts, built_at=iso(moment or build_time()),
                           page_size=config.briefing.page_size, publisher=config.publisher.name,
                           editions=editions, note=note, **pages)


def write(config: Config, result: Facts | ReporterFacts, formats: Iterable[str] = FORMATS,
          out_dir: Path | None = None, *, printer: Printer | None = None, moment: datetime | None = None,
          languages: Iterable[str] = (DEFAULT,)) -> list[Path]:
    """Render one briefing in each language and format, the PDF through `printer` if given; return the paths
    written. The editions share the facts and the charts: English keeps its file names (MEX-2024.html),
    another language adds its code (MEX-2024.es.html).

    Without `out_dir` the briefing goes to its folder in the archive, the sources box lists the
    vintages of its earlier builds, and the build is recorded (the caller rewrites the index). Either way
    the editor's note stored for the briefing is shown, so a rebuild keeps it.
    """
    formats = list(formats)
    moment = moment or build_time()
    code, key = _archive_code(result), result.period.key
    # Under `job.approval: required` an archived build is a draft, kept out of the public archive until
    # an editor approves it (pipeline.desk.approve copies it in).
    draft = out_dir is None and config.job.approval == "required"
    if out_dir is None:
        with Store(config.db_path) as store:
            earlier = tuple((b.built_at, b.source, b.vintage, _published(store, b.source, b.vintage))
                            for b in records.history(store, code, key, published_only=True))
        result = _with_history(result, earlier)
    languages = list(languages)
    name = archive.stem(code, result.period)
    if out_dir is None:
        # An edition already in the archive (or on the desk) is rebuilt with the one asked for: the editions of
        # an archived briefing are of one vintage, and `build --lang es` does not take the English one away.
        there = [base / archive.folder(code, result.period) for base in (config.output_dir, config.drafts_dir)]
        languages += [lang for lang in LOCALES if lang not in languages and any(
            (place / f"{name}{suffix(lang)}.{kind}").is_file() for place in there for kind in FORMATS)]
    charts = draw(result, locale=config.briefing.locale)  # once: each edition swaps in its words
    linked = "html" if "html" in formats else "pdf"  # what a reader of one edition is sent to for another
    links = {lang: f"{name}{suffix(lang)}.{linked}" for lang in languages}
    editions = {lang: render(config, result, moment=moment, language=lang,
                             charts=[in_language(chart, lang) for chart in charts],
                             editions={other: href for other, href in links.items() if other != lang},
                             note=note_for(config, result, lang))
                for lang in languages}
    folder = out_dir or (config.drafts_dir if draft else config.output_dir) / archive.folder(code, result.period)
    written = []
    for lang, rendered in editions.items():
        stem = folder / (name + suffix(lang))
        if "html" in formats:
            written.append(write_atomic(stem.with_name(stem.name + ".html"), rendered.html))
        if "pdf" in formats:
            print_pdf = printer.write_pdf if printer else write_pdf
            written.append(print_pdf(rendered.html, stem.with_name(stem.name + ".pdf")))
    if out_dir is None:
        # A format not built this time would be left from an earlier vintage: an archived briefing's files
        # always say the same thing.
        for lang in LOCALES:
            stem = folder / (name + suffix(lang))
            for kind in FORMATS:
                if lang not in languages or kind not in formats:
                    stem.with_name(f"{stem.name}.{kind}").unlink(missing_ok=True)
        with Store(config.db_path) as store:
            first = editions.get(DEFAULT, next(iter(editions.values())))
            built = records.Built(code, key, iso(moment), result.provenance.source, result.provenance.vintage,
                                  first.headline, archive.folder(code, result.period),
                                  records.DRAFT if draft else records.PUBLISHED,
                                  json.dumps(_facts_dict(result), ensure_ascii=False), story_text(first.html))
            records.record(store, built, {lang: rendered.headline for lang, rendered in editions.items()})
    return written


def _facts_dict(result: Facts | ReporterFacts) -> dict:
    """The facts as `reportgen facts --json` prints them, kept with each build for the "what changed" view."""
    return reporter_facts_to_dict(result) if isinstance(result, ReporterFacts) else facts_to_dict(result)


def _archive_code(result: Facts | ReporterFacts) -> str:
    """A briefing's name in the archive: the partner (MEX) for Census's, reporter and partner (MEX-RUS) otherwise."""
    return result.code if isinstance(result, ReporterFacts) else result.partner.code


def _with_history(result: Facts | ReporterFacts, earlier: tuple) -> Facts | ReporterFacts:
    """The facts with their earlier builds listed in the provenance, for the sources box."""
    if isinstance(result, ReporterFacts):
        return dataclasses.replace(result, facts=_with_history(result.facts, earlier))
    return dataclasses.replace(result, provenance=dataclasses.replace(result.provenance, history=earlier))


def _published(store: Store, source: str, label: str) -> str:
    """When a stored vintage was published, for an earlier build's line; '' if the store no longer has it."""
    try:
        return store.vintage(source, label).published
    except StoreError:
        return ""


def write_index(config: Config) -> list[Path]:
    """Rewrite the archive's index page and Atom feed from the record of builds."""
    with Store(config.db_path) as store:
        builds = records.latest(store)
    return archive.write_index(edition_environment(config), config.output_dir, builds,
                               public_url=config.public_url, publisher=config.publisher.name,
                               publisher_url=config.publisher_url, updated=iso(build_time()),
                               languages={lang: edition_environment(config, lang)
                                          for lang in config.languages if lang != DEFAULT})


def build(config: Config, partner: str, period: str, formats: Iterable[str] = FORMATS,
          out_dir: Path | None = None, languages: Iterable[str] | None = None) -> list[Path]:
    """collect (from the store) -> analyse -> write, for one partner and period.

    Without `out_dir`, into the archive, holding the data folder's lock (a running monthly job
    finishes first). The PDF is printed by a second process that gets WeasyPrint ready while this one
    draws the charts. `languages` defaults to the config's.
    """
    return publish(config, facts(config, load(config, partner=partner, period=period), partner, period), formats,
                   out_dir, languages)


def publish(config: Config, result: Facts | ReporterFacts, formats: Iterable[str] = FORMATS,
            out_dir: Path | None = None, languages: Iterable[str] | None = None) -> list[Path]:
    """Write one briefing's facts in each language (the config's by default; into the archive without
    `out_dir`, and rewrite its index)."""
    formats = list(formats)
    languages = tuple(languages or config.languages)
    # Started once partner and period are known good, so that a typo fails at once; and forked only
    # from a process with a single thread (the command line, not a threaded web server).
    use_printer = "pdf" in formats and threading.active_count() == 1
    archiving = out_dir is None
    with exclusive(config.data_dir, wait=600, what="build") if archiving else contextlib.nullcontext():
        with Printer() if use_printer else contextlib.nullcontext() as printer:
            written = write(config, result, formats, out_dir, printer=printer, languages=languages)
        if archiving:
            write_index(config)
    return written


@dataclass
class BatchResult:
    written: list[Path]
    skipped: list[tuple[str, str]]  # (partner code, reason)


def build_all(config: Config, period: str, formats: Iterable[str] = FORMATS, out_dir: Path | None = None,
              *, jobs: int = 0, partners: Iterable[str] | None = None,
              progress: Progress | None = None, languages: Iterable[str] | None = None) -> BatchResult:
    """Briefings for `partners` (every single country with trade in `period` if None), on `jobs`
    processes (0: one per core); without `out_dir`, into the archive under the data folder's lock.
    `progress` hears of the partners done ("build"). Each briefing is written in `languages` (the config's
    by default), its facts made and its charts drawn once for all of them.

    The data are loaded once; forked workers share them copy-on-write.
    """
    import multiprocessing

    data = load(config)
    when = Period.parse(period)
    if partners is not None:
        codes = [data.registry.partner(p).code for p in partners]
    else:
        codes = sorted(data.countries & set(data.table.values(when))) if data.table.covers(when) else []
    if not codes:
        facts(config, data, "MEX", when)  # raises the same clear error a single build would
    tasks = [(code, tuple(formats), out_dir, tuple(languages or config.languages)) for code in codes]
    global _batch
    _batch = (config, data, when, build_time())
    jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    # The loaded data, out of the cyclic collector's way while the batch runs: it never walks them again, and
    # forked workers never touch their pages to do so (copy-on-write pages stay shared).
    gc.freeze()
    try:
        with exclusive(config.data_dir, wait=600, what="build") if out_dir is None else contextlib.nullcontext():
            results = []
            if progress:
                progress("build", 0, len(tasks))
            with contextlib.ExitStack() as stack:
                if jobs <= 1:
                    done = map(_build_one, tasks)
                else:
                    pool = stack.enter_context(multiprocessing.get_context("fork").Pool(jobs))
                    done = pool.imap(_build_one, tasks, chunksize=1)  # one at a time: the cores finish together
                for result in done:  # in the order of `tasks`
                    results.append(result)
                    if progress:
                        progress("build", len(results), len(tasks))
            if out_dir is None:
                write_index(config)
    finally:
        gc.unfreeze()
    written = [path for paths, _ in results for path in paths]
    skipped = [(task[0], reason) for task, (_, reason) in zip(tasks, results) if reason]
    return BatchResult(written, skipped)


_batch: tuple[Config, Dataset, Period, datetime] | None = None  # set before forking so workers inherit it
_batch_warm = False  # whether this process has frozen what its first briefing of a batch brought in


def _build_one(task: tuple[str, tuple[str, ...], Path | None, tuple[str, ...]]) -> tuple[list[Path], str]:
    global _batch_warm
    code, formats, out_dir, languages = task
    config, data, when, moment = _batch  # type: ignore[misc]
    try:
        return write(config, facts(config, data, code, when), formats, out_dir, moment=moment,
                     languages=languages), ""
    except InputError as exc:  # no trade in the period: nothing to say, and not an error for a batch
        return [], str(exc)
    finally:
        if not _batch_warm:  # matplotlib, WeasyPrint, fonts and caches: each full collection walked them again
            gc.freeze()
            _batch_warm = True
