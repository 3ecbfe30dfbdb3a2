"""The command line: a thin shell that loads the config and calls the pipeline.

Errors a user can cause end as one line on stderr and a non-zero exit; `--debug` shows the
traceback instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reportgen import __version__, job, pipeline
from reportgen.cli.context import config_of, typed_path
from reportgen.cli.mail import outbox, send, subscribers
from reportgen.cli.news import news
from reportgen.cli.notes import note
from reportgen.cli.progress import info, is_quiet, progress
from reportgen.cli.web import serve, users
from reportgen.config import Config
from reportgen.errors import InputError, ReportgenError, hide_secrets
from reportgen.languages import languages
from reportgen.partners import bundled
from reportgen.periods import Period
from reportgen.pipeline import FORMATS
from reportgen.render.facts_json import facts_to_dict, reporter_facts_to_dict
from reportgen.render.format import balance_amount, balance_change, money, pct_prose, period_label, signed_pct
from reportgen.store import Store


class Shell(click.Group):
    """Turns ReportgenError into `reportgen: error: ...` and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReportgenError as exc:
            if ctx.meta.get("debug"):
                raise
            click.echo(f"reportgen: error: {hide_secrets(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("reportgen: interrupted", err=True)
            sys.exit(130)


@click.group(cls=Shell, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: ./config.yaml if present, else built-in defaults).")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of the store, overriding the config's data_dir.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress bars and no informational lines; results, warnings and errors still print.")
@click.version_option(__version__, prog_name="reportgen")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, data_dir: Path | None, debug: bool, quiet: bool) -> None:
    """Official trade statistics in, wire-style briefings out.

    \b
    Example:
      reportgen --data-dir /srv/reportgen/data facts --partner MX --period 2024
    """
    ctx.meta["debug"] = debug
    ctx.meta["quiet"] = quiet
    ctx.meta["config_args"] = (config_path, data_dir)


@cli.command()
@click.option("--source", type=click.Choice(["census-bulk", "census-api", "comtrade"]), default="census-bulk",
              show_default=True, help="The bulk file country.xlsx, the Census International Trade API (key in "
              "CENSUS_API_KEY), or UN Comtrade for any reporter (key, optional, in COMTRADE_API_KEY).")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False),
              help="census-bulk: read this country.xlsx (or CSV in its layout) instead of downloading.")
@click.option("--snapshot", is_flag=True, help="census-bulk: load the snapshot bundled with reportgen (no network).")
@click.option("--from", "first", metavar="YYYY-MM",
              help="census-api: the first month (default: January of last year); comtrade: the first year (YYYY; "
              "YYYY-MM with --freq M).")
@click.option("--to", "last", metavar="YYYY-MM",
              help="census-api: the last month (default: two months ago); comtrade: the last year (default: --from).")
@click.option("--detail", default="",
              help="census-api: commodity detail too, comma-separated: hs2, hs4; comtrade: total (default), hs2, hs4 "
              "or hs6.")
@click.option("--partner", "partners", multiple=True,
              help="census-api: partners for the detail, repeatable (default: every country); comtrade: the one "
              "partner of the detail (default: every partner).")
@click.option("--reporter", help="comtrade: the reporting country: MX, MEX, 484 or Mexico.")
@click.option("--freq", type=click.Choice(["A", "M"], case_sensitive=False), default="A", show_default=True,
              help="comtrade: annual (A) or monthly (M) figures.")
@click.pass_context
def collect(ctx: click.Context, source: str, file: Path | None, snapshot: bool, first: str | None, last: str | None,
            detail: str, partners: tuple[str, ...], reporter: str | None, freq: str) -> None:
    """Store a new vintage: the Census bulk file (census.bulk_url), months from the Census API, or a
    reporter's trade from UN Comtrade.

    The Census API is read in whole calendar years, so that each year comes from one vintage.

    \b
    Example:
      reportgen collect --file country.xlsx
    """
    config = config_of(ctx)
    if source != "comtrade" and (reporter or freq.upper() != "A"):
        raise InputError("--reporter and --freq are for --source comtrade")
    if source == "census-bulk":
        if first or last or detail or partners:
            raise InputError("--from, --to, --detail and --partner are for --source census-api and comtrade")
        if file is not None and snapshot:
            raise InputError("give --file or --snapshot, not both")
        with progress(ctx) as shown:
            result = pipeline.collect(config, file, use_snapshot=snapshot, progress=shown)
    elif file is not None or snapshot:
        raise InputError("--file and --snapshot are for --source census-bulk")
    elif source == "comtrade":
        if not reporter or not first:
            raise InputError("--source comtrade needs --reporter and --from (and --to for more than one period)")
        if len(partners) > 1:
            raise InputError("--source comtrade takes one --partner (none: every partner)")
        result = pipeline.collect_comtrade(config, reporter, first, last or first, partner=partners[0] if partners
                                           else None, detail=(detail or "total").strip().lower(), freq=freq.upper())
    else:
        levels = [level.strip().upper() for level in detail.split(",") if level.strip()]
        if any(level not in ("HS2", "HS4") for level in levels):
            raise InputError(f"--detail {detail!r}: choose hs2, hs4 or both (hs2,hs4)")
        last = _month(last, "--to") if last else _months_ago(2)
        first = _month(first, "--from") if first else f"{int(last[:4]) - 1}-01"
        with progress(ctx) as shown:
            result = pipeline.collect_api(config, first, last, levels=levels, partners=partners, progress=shown)
    for warning in result.warnings:
        click.echo(f"reportgen: warning: {warning}", err=True)
    v = result.vintage
    if result.unchanged:
        info(ctx, f"unchanged: {v.source} vintage {v.label} is already stored")
    else:
        through = result.last_month if source != "comtrade" or freq.upper() == "M" else result.last_month[:4]
        info(ctx, f"stored {v.source} vintage {v.label}: {result.values:,} values through {through}, "
                  f"{result.stored:,} new or revised")


def _month(text: str, option: str) -> str:
    period = Period.parse(text)
    if period.kind != "month":
        raise InputError(f"{option} {text!r}: give a month, YYYY-MM")
    return period.key


def _months_ago(count: int) -> str:
    from datetime import date

    today = date.today()
    index = today.year * 12 + today.month - 1 - count
    return f"{index // 12}-{index % 12 + 1:02d}"


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Include groups, the world and unallocated residuals.")
@click.pass_context
def partners(ctx: click.Context, show_all: bool) -> None:
    """List partners: code, ISO2, Census code(s) and name.

    \b
    Example:
      reportgen partners --all
    """
    config = config_of(ctx)
    registry = bundled()
    if config.db_path.exists():
        with Store(config.db_path) as store:
            registry = registry.with_extra(store.partners())
    shown = sorted((p for p in registry if show_all or (p.is_country and p.census_codes)),
                   key=lambda p: p.short_name.casefold())
    for p in shown:
        kind = "" if p.is_country else f"  [{p.kind}]"
        click.echo(f"{p.code:<5} {p.iso2 or '--':<3} {'/'.join(p.census_codes):<10} {p.short_name}{kind}")


def _partner_period(f):
    f = click.option("--period", required=True, help="2024 (year), 2024-05 (month) or 2024-05-ytd (January to May).")(f)
    return click.option("--partner", required=True, help="MX, MEX, 2010 or Mexico.")(f)


REPORTER_HELP = ("Whose figures: MX, MEX or Mexico, as it reported them to UN Comtrade (annual periods); "
                 "default the United States (Census).")


@cli.command()
@_partner_period
@click.option("--reporter", help=REPORTER_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def facts(ctx: click.Context, partner: str, period: str, reporter: str | None, as_json: bool) -> None:
    """Print the key figures for a partner and period.

    \b
    Example:
      reportgen facts --partner MX --period 2024-05-ytd --json
    """
    config = config_of(ctx)
    other = None
    if pipeline.reporter.is_other_reporter(config, reporter):
        other = pipeline.reporter.facts(config, reporter, partner, period)
        result, data = other.facts, reporter_facts_to_dict(other)
    else:
        result = pipeline.facts(config, pipeline.load(config, partner=partner, period=period), partner, period)
        data = facts_to_dict(result)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return

    c = result.year_ago

    def amount(figures, measure: str) -> str:
        return balance_amount(figures.balance) if measure == "balance" else money(figures[measure])

    def change(measure: str) -> str:
        return balance_change(c) if measure == "balance" else signed_pct(c.change_pct[measure])

    by = f" as reported by {other.reporter.short_name} ({other.reporter.code})" if other else ""
    click.echo(f"{result.partner.short_name} ({result.partner.code}){by}, {period_label(result.period)}: "
               f"{data['source']} vintage {data['vintage']}")
    click.echo(f"  {'':<12} {period_label(result.period):>24}"
               + (f" {period_label(c.period):>24}  change" if c else ""))
    for measure in ("exports", "imports", "balance", "total_trade"):
        row = f"  {measure.replace('_', ' '):<12} {amount(result.figures, measure):>24}"
        click.echo(row + (f" {amount(c.figures, measure):>24}  {change(measure)}" if c else ""))
    ranks = ", ".join(f"{m.replace('_', ' ')} {r.rank}" + (f" ({r.previous_rank})" if r.previous_rank else "")
                      for m, r in result.ranks.items())
    if ranks:
        click.echo(f"  rank among countries{f' ({period_label(c.period)})' if c else ''}: {ranks}")
    if result.share["total_trade"] is not None:
        whose = f"{other.reporter.short_name}'s" if other else "U.S."
        click.echo(f"  share of {whose} goods trade: {pct_prose(result.share['total_trade'])}")
    click.echo(f"  record balance: {'yes' if result.record else 'no'} (stored history from "
               f"{period_label(result.history_start)})")
    if (first := result.first_reported) is not None:
        click.echo(f"  first reported (vintage {first.vintage}): balance {amount(first.figures, 'balance')}, "
                   f"revised: {', '.join(first.revised) or 'nothing material'}")
    if other is not None:
        _reporter_lines(other)


def _reporter_lines(r) -> None:
    """The figures a briefing from another reporter's side adds: its balance leaders, growth, products, mirror."""
    for label, n in (("largest surplus", r.surplus), ("largest deficit", r.deficit)):
        if n is not None:
            click.echo(f"  {label}: {n.name} {money(n.value)}")
    if (g := r.growth) is not None:
        click.echo(f"  since {period_label(g.period)}: exports {signed_pct(g.change_pct['exports'])}, "
                   f"imports {signed_pct(g.change_pct['imports'])}")
    for m in r.products:
        click.echo(f"  {m.flow}s by product ({m.level}):")
        for x in m.lines:
            base = f"  {period_label(m.base)}: {money(x.base_value)}" if m.base and x.base_value is not None else ""
            click.echo(f"    {x.name:<48} {money(x.value):>16}  {signed_pct(x.share).lstrip('+')} of the flow{base}")
    if (m := r.mirror) is not None:
        click.echo(f"  mirror: {r.partner.short_name} reported exports of {money(m.mirrored)} ({m.source}); "
                   f"gap {money(m.gap)} ({signed_pct(m.gap_pct)})")


def _formats(ctx, param, value: str) -> list[str]:
    chosen = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated)")
    return chosen


@cli.command()
@click.option("--partner", help="MX, MEX, 2010 or Mexico.")
@click.option("--reporter", help=REPORTER_HELP)
@click.option("--all", "all_partners", is_flag=True, help="Every single country with trade in the period.")
@click.option("--period", required=True, help="2024 (year), 2024-05 (month) or 2024-05-ytd (January to May).")
@click.option("--format", "formats", default="html,pdf", show_default=True, callback=_formats,
              help="Comma-separated: html, pdf.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (default: the config's output_dir).")
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="Processes for --all (default: one per core).")
@click.option("--lang", "langs", metavar="LANGS",
              help="Comma-separated: en, es (Spanish, es-MX), or en,es for both (default: the config's languages).")
@click.pass_context
def build(ctx: click.Context, partner: str | None, reporter: str | None, all_partners: bool, period: str,
          formats: list[str], out_dir: Path | None, jobs: int, langs: str | None) -> None:
    """Write the briefing for a partner (or --all) and period; print the paths written.

    \b
    Example:
      reportgen build --all --period 2024-12 --format pdf --out briefings --lang en,es
    """
    if bool(partner) == all_partners:
        raise InputError("name one --partner, or give --all")
    config = config_of(ctx)
    chosen = languages(langs) if langs is not None else tuple(config.languages)
    if pipeline.reporter.is_other_reporter(config, reporter):
        if all_partners:
            raise InputError("--all is for the United States' briefings; name one --partner with --reporter")
        for path in pipeline.reporter.build(config, reporter, partner, period, formats, out_dir, chosen):
            click.echo(str(typed_path(path)))
        return
    if partner:
        paths = pipeline.build(config, partner, period, formats, out_dir, chosen)
    else:
        with progress(ctx) as shown:
            result = pipeline.build_all(config, period, formats, out_dir, jobs=jobs, progress=shown,
                                        languages=chosen)
        paths = result.written
        for code, reason in result.skipped:
            click.echo(f"reportgen: skipped {code}: {reason}", err=True)
    warn_news(config)
    if out_dir is None and config.job.approval == "required" and paths and not is_quiet(ctx):
        click.echo("reportgen: drafts, not published: an editor approves them on the web page's desk (/desk)", err=True)
    for path in paths:
        click.echo(str(typed_path(path)))


def warn_news(config: Config) -> None:
    """Tell the operator, not the reader, that briefings went without news because no feed was ever read."""
    if warning := pipeline.news_warning(config):
        click.echo(f"reportgen: warning: {warning}", err=True)


@cli.command()
@click.pass_context
def vintages(ctx: click.Context) -> None:
    """List the stored vintages, oldest first, with the rows each added.

    \b
    Example:
      reportgen vintages
    """
    with pipeline.open_store(config_of(ctx)) as store:
        for stored in store.vintages():
            v = stored.vintage
            click.echo(f"{v.source:<12} {v.label:<22} through {stored.last_month or '?':<8} {stored.rows:>9,} rows  "
                       f"{v.origin}")


@cli.command()
@click.option("--offline", is_flag=True, help="Do not look for a new release; brief what the store holds.")
@click.pass_context
def run(ctx: click.Context, offline: bool) -> None:
    """The monthly job: if a new Census release is out, collect, brief the configured partners,
    archive and send the digests.

    \b
    Exit codes:
      0   a month was briefed
      75  nothing new: the latest month is briefed already
      4   busy: another run, build or send holds the lock; nothing was done
      any other: a failure
    Schedulers should count 75 and 4 as success: the next check tries again.

    \b
    Example:
      reportgen run --offline
    """
    ctx.exit(job.run(config_of(ctx), offline=offline, log=job.StageLog(quiet=ctx.meta["quiet"])))


cli.add_command(news)
cli.add_command(note)
cli.add_command(subscribers)
cli.add_command(send)
cli.add_command(outbox)
cli.add_command(serve)
cli.add_command(users)


def main() -> None:
    cli(prog_name="reportgen")
