"""`reportgen news`: read the configured feeds into the store, and list what concerns a partner.

A feed that cannot be read (down, too slow, too big, hostile, not a feed) is reported on one line
and skipped; the others are still read, and `collect` fails only when no feed could be read.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from reportgen import pipeline
from reportgen.cli.context import config_of
from reportgen.cli.progress import info, progress
from reportgen.controls import escape_controls
from reportgen.errors import CollectError, ConfigError, InputError
from reportgen.partners import bundled


@click.group()
def news() -> None:
    """Collect the news feeds, and list the items that concern a partner.

    \b
    Example:
      reportgen news collect
    """


@news.command()
@click.pass_context
def collect(ctx: click.Context) -> None:
    """Fetch every feed in the config (`feeds:`) and store the items that are new.

    \b
    Example:
      reportgen --config newsroom.yaml news collect
    """
    config = config_of(ctx)
    if not config.feeds:
        raise ConfigError("no feeds to collect: list them under `feeds:` in the config file")
    with progress(ctx) as shown:
        reports = pipeline.collect_news(config, progress=shown)
    for report in reports:
        if report.error:
            click.echo(f"reportgen: skipped: {report.error}", err=True)
            continue
        if report.warning:
            click.echo(f"reportgen: warning: {report.warning}", err=True)
        if report.unchanged:
            info(ctx, f"{report.name}: unchanged since the last collect")
        else:
            info(ctx, f"{report.name}: {report.read:,} items, {report.new:,} new")
    if all(report.error for report in reports):
        raise CollectError(f"no feed could be read ({len(reports)} tried)")


@news.command("list")
@click.option("--partner", required=True, help="MX, MEX, 2010 or Mexico.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only items published on or after this day (UTC).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Items at most.")
@click.pass_context
def list_items(ctx: click.Context, partner: str, since: str | None, limit: int) -> None:
    """List the stored items that mention a partner or a topic word, newest first, with what matched.

    \b
    Example:
      reportgen news list --partner Mexico --since 2025-01-01 --limit 5
    """
    config = config_of(ctx)
    who = bundled().partner(partner)
    start = _day(since) if since else None
    items = pipeline.news_for(config, who, since=start, limit=limit).items
    if not items:
        after = f" since {since}" if since else ""
        click.echo(f"no stored news item mentions {who.display_name} or a topic word{after}")
    for item in items:
        undated = "" if item.dated else ", undated: first read that day"
        # Escaped: collect drops control characters, but an item stored before it did may still hold them.
        click.echo(f"{item.published[:10]}  {escape_controls(item.title)}  ({escape_controls(item.source)}{undated})")
        click.echo(f"{'':10}  {item.link or '(no link)'}  [matched: {', '.join(item.matched)}]")


def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"--since {text!r}: give a day, YYYY-MM-DD") from None
