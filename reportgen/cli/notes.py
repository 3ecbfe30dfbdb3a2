"""`reportgen note`: write, show or remove the editor's note on one briefing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from reportgen import pipeline
from reportgen.cli.context import config_of
from reportgen.cli.progress import info
from reportgen.errors import InputError
from reportgen.languages import LOCALES
from reportgen.pipeline.notes import Target
from reportgen.render.notes import MAX_CHARACTERS


@click.command()
@click.option("--partner", required=True, help="MX, MEX, 2010 or Mexico.")
@click.option("--period", required=True, help="2024 (year), 2024-05 (month) or 2024-05-ytd (January to May).")
@click.option("--reporter", help="For a briefing from another reporter's side (reportgen build --reporter).")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help=f"Write the note from this Markdown file ('-': standard input), at most {MAX_CHARACTERS:,} "
              "characters; it replaces any note the briefing had.")
@click.option("--editor", help="Who wrote it, as readers see it (default: $USER).")
@click.option("--remove", is_flag=True, help="Remove the briefing's note.")
@click.option("--lang", default="en", show_default=True, help=f"The edition the note is for: {', '.join(LOCALES)}.")
@click.pass_context
def note(ctx: click.Context, partner: str, period: str, reporter: str | None, file: Path | None, editor: str | None,
         remove: bool, lang: str) -> None:
    """Write (--file), show (no option) or remove (--remove) the editor's note on a briefing.

    A note is a short paragraph or quote in Markdown (paragraphs, *emphasis*, **strong**, http(s)
    links, lists, > quotes), shown under the lede with the editor's name and the date. Nothing is
    rebuilt: the command says what to run so that an archived briefing shows the change.

    \b
    Example:
      reportgen note --partner MX --period 2024 --file note.md --editor "Jane Doe"
    """
    if file is not None and remove:
        raise InputError("give --file to write the note or --remove to remove it, not both")
    if editor is not None and file is None:
        raise InputError("--editor goes with --file")
    config = config_of(ctx)
    where = pipeline.notes.target(config, partner, period, reporter=reporter, lang=lang)
    if remove:
        removed = pipeline.notes.remove(config, where)
        if removed is None:
            raise InputError(f"{where.label} has no editor's note to remove")
        click.echo(f"removed the editor's note on {where.label}: {removed.editor}, {removed.written}")
        _next_step(ctx, where, removed=True)
    elif file is not None:
        written = pipeline.notes.write(config, where, _read(file), editor or _login())
        click.echo(f"saved the editor's note on {where.label}: {written.editor}, {written.written}")
        _next_step(ctx, where, removed=False)
    else:
        shown = pipeline.notes.current(config, where)
        if shown is None:
            click.echo(f"{where.label}: no editor's note")
            return
        click.echo(f"{where.label}: editor's note by {shown.editor}, written {shown.written}")
        click.echo(shown.markdown)


def _read(file: Path) -> str:
    """The note's text, from a file or standard input ('-'), as UTF-8."""
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read the note ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{file}: the note is not UTF-8 text") from None


def _login() -> str:
    """The login name, the editor's name when --editor is not given ('' if unknown: the note is then refused)."""
    return os.environ.get("USER") or os.environ.get("LOGNAME") or ""


def _next_step(ctx: click.Context, where: Target, removed: bool) -> None:
    """Say what to rebuild: the note is in the store, not yet in any file."""
    if where.archived:
        info(ctx, f"{where.label} is in the archive: run `{where.rebuild}` to "
                  f"{'take the note out of it' if removed else 'show the note there'}")
    elif not removed:
        info(ctx, f"the note shows from the next build of {where.label} on: `{where.rebuild}`")
