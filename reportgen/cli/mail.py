"""`reportgen subscribers`, `reportgen send` and `reportgen outbox`: the email digest from the command line.

Addresses are checked with email-validator (syntax only: no DNS lookups) and kept in their normal
form; partners are stored by code, so `MX`, `MEX` and `Mexico` mean the same subscription.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import click

from reportgen import pipeline
from reportgen.cli.context import config_of, typed_path
from reportgen.cli.progress import info, progress
from reportgen.controls import escape_controls, strip_controls
from reportgen.delivery.digest import issue_key
from reportgen.errors import InputError
from reportgen.files import write_atomic
from reportgen.partners import bundled
from reportgen.periods import Period
from reportgen.store.mail import STATES, STATUSES, MailStore, NewSubscriber

FIELDS = ("email", "name", "language", "partners", "status", "created", "changed")
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # how a spreadsheet cell starts a formula (OWASP's list)


def _config(ctx: click.Context):
    return config_of(ctx)


def _box(ctx: click.Context):
    return MailStore(_config(ctx).db_path)


def valid_email(text: str) -> str:
    """The address in normal form (domain lower-cased, IDN as ASCII), or an InputError saying what is wrong."""
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(text.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InputError(f"{text.strip()!r} is not a usable email address: {exc}") from None
    return result.ascii_email or result.normalized


def valid_partners(text: str) -> tuple[str, ...]:
    """Store codes of the partners named (MX, Mexico, 2010...); empty means the configured partners."""
    registry = bundled()
    codes = []
    for name in filter(None, (part.strip() for part in re.split(r"[,;]", text or ""))):  # "United Kingdom"
        codes.append(registry.partner(name).code)
    return tuple(dict.fromkeys(codes))


def valid_language(text: str) -> str:
    text = (text or "en").strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", text):
        raise InputError(f"language {text!r}: give a code such as en or es")
    return text


def valid_status(text: str) -> str:
    text = (text or "active").strip().lower()
    if text not in STATUSES:
        raise InputError(f"status {text!r}: choose {', '.join(STATUSES)}")
    return text


def _to_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: `'` before a leading = + - @ (`=HYPERLINK(...)` would run)."""
    return f"'{value}" if value.startswith(FORMULA) else value


def _from_cell(value: str) -> str:
    """The value `_to_cell` wrote, so that `import` reads an export back as it was."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA) else value


@click.group()
def subscribers() -> None:
    """Manage who receives the email digest.

    \b
    Example:
      reportgen subscribers list --status active
    """


@subscribers.command()
@click.argument("email")
@click.option("--name", default="", help="The subscriber's name, shown in the To: line.")
@click.option("--partners", default="",
              help="Partners followed, comma-separated (MX,CA); default: the config's partners.")
@click.option("--language", default="en", show_default=True, help="The subscriber's language.")
@click.pass_context
def add(ctx: click.Context, email: str, name: str, partners: str, language: str) -> None:
    """Add one subscriber.

    \b
    Example:
      reportgen subscribers add ana@example.com --name "Ana Ruiz" --partners MX,CA
    """
    new = NewSubscriber(valid_email(email), strip_controls(name), valid_language(language), valid_partners(partners))
    with _box(ctx) as box:
        if box.add([new]):
            existing = box.subscriber(new.email)
            raise InputError(f"{new.email} is already a subscriber ({existing.status}); "
                             "remove it first to add it again")
    info(ctx, f"added {new.email}, following {','.join(new.partners) or 'the configured partners'}")


@subscribers.command()
@click.argument("email")
@click.pass_context
def remove(ctx: click.Context, email: str) -> None:
    """Delete a subscriber; digests not yet sent to them are cancelled.

    \b
    Example:
      reportgen subscribers remove ana@example.com
    """
    address = valid_email(email)
    with _box(ctx) as box:
        if not box.remove(address):
            raise InputError(f"{address} is not a subscriber")
    info(ctx, f"removed {address}")


@subscribers.command(name="list")
@click.option("--status", type=click.Choice(["active", "unsubscribed", "bounced"]),
              help="Only subscribers in this state.")
@click.pass_context
def list_(ctx: click.Context, status: str | None) -> None:
    """List subscribers: address, name, language, partners, status, date added.

    \b
    Example:
      reportgen subscribers list --status bounced
    """
    counts: dict[str, int] = {}
    with _box(ctx) as box:
        for s in box.subscribers(status):
            counts[s.status] = counts.get(s.status, 0) + 1
            click.echo(f"{s.email:<32} {escape_controls(s.name)[:20]:<20} {s.language:<3} "
                       f"{','.join(s.partners) or '(default)':<12} "
                       f"{s.status:<13} {s.created[:10]}")
    total = sum(counts.values())
    detail = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    click.echo(f"{total} subscriber{'s' if total != 1 else ''}" + (f": {detail}" if detail else ""))


@subscribers.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    """Add the subscribers of a CSV file (columns email, and optionally name, language, partners, status).

    Every bad row is reported; the good ones are imported. Addresses already in the store are left as
    they are, so an old list never re-subscribes someone who left.

    \b
    Example:
      reportgen subscribers import subscribers.csv
    """
    try:
        rows = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read it as UTF-8 text ({exc})") from None
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    start = 1
    if "email" not in header:  # no header: email, then name, then partners
        header, start = ["email", "name", "partners"], 0
    good, seen, bad = [], {}, 0
    for number, cells in enumerate(rows[start:], start + 1):
        if not any(cell.strip() for cell in cells):
            continue
        record = dict(zip(header, map(_from_cell, cells)))
        try:
            new = NewSubscriber(valid_email(record.get("email", "")), strip_controls(record.get("name", "")),
                                valid_language(record.get("language", "")), valid_partners(record.get("partners", "")),
                                valid_status(record.get("status", "")))
            if new.email.lower() in seen:
                raise InputError(f"{new.email} already appears on line {seen[new.email.lower()]}")
        except InputError as exc:
            click.echo(f"reportgen: warning: {file.name} line {number}: {exc}", err=True)
            bad += 1
            continue
        seen[new.email.lower()] = number
        good.append(new)
    with _box(ctx) as box:
        existing = box.add(good)
    info(ctx, f"imported {len(good) - len(existing)}, already subscribed {len(existing)}, bad rows {bad}")


@subscribers.command()
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file (default: stdout).")
@click.pass_context
def export(ctx: click.Context, out: Path | None) -> None:
    """Write every subscriber as CSV, in the columns `import` reads.

    \b
    Example:
      reportgen subscribers export --out subscribers.csv
    """
    buffer = io.StringIO() if out else sys.stdout
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    with _box(ctx) as box:
        for s in box.subscribers():
            writer.writerow(map(_to_cell, (s.email, s.name, s.language, ",".join(s.partners), s.status, s.created,
                                           s.changed)))
    if out:
        write_atomic(out, buffer.getvalue())


@subscribers.command()
@click.argument("token")
@click.pass_context
def unsubscribe(ctx: click.Context, token: str) -> None:
    """Unsubscribe whoever the token from a digest's unsubscribe link names (as the one-click link does).

    \b
    Example:
      reportgen subscribers unsubscribe "$TOKEN"
    """
    result = pipeline.unsubscribe(_config(ctx), token)
    info(ctx, f"unsubscribed {result.email}" if result.changed else f"{result.email} was already unsubscribed")


@click.command()
@click.option("--partner", required=True, help="MX, MEX, 2010 or Mexico.")
@click.option("--period", required=True, help="2024 (year), 2024-05 (month) or 2024-05-ytd (January to May).")
@click.option("--dry-run", is_flag=True, help="Write the messages as .eml files instead of sending; changes nothing.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="--dry-run: the folder for the .eml files (default: output_dir/digests/ISSUE).")
@click.option("--resend-unknown", is_flag=True,
              help="Send again the messages whose delivery is unknown (the connection was lost before the reply).")
@click.option("--without-approval", is_flag=True,
              help="With job.approval: required, send even though no editor approved this briefing's figures.")
@click.pass_context
def send(ctx: click.Context, partner: str, period: str, dry_run: bool, out_dir: Path | None,
         resend_unknown: bool, without_approval: bool) -> None:
    """Email the digest of a partner and period to its subscribers, each exactly once.

    \b
    Example:
      reportgen send --partner MX --period 2024-12 --dry-run
    """
    try:
        with progress(ctx) as shown:
            report = pipeline.send(_config(ctx), partner, period, dry_run=dry_run, resend_unknown=resend_unknown,
                                   out_dir=out_dir, progress=shown, without_approval=without_approval)
    except pipeline.SendIncomplete as exc:
        _summary(ctx, exc.report)
        raise
    _summary(ctx, report, dry_run)


def _summary(ctx: click.Context, report, dry_run: bool = False) -> None:
    """What the send did (informational), then each message that did not go (always)."""
    for note in report.notes:
        click.echo(f"reportgen: warning: {note}", err=True)
    info(ctx, f"{report.issue}: {report.subject}")
    if dry_run:
        folder = report.written[0].parent if report.written else None
        info(ctx, f"wrote {len(report.written)} message{'s' if len(report.written) != 1 else ''}"
             + (f" to {typed_path(folder)}/" if folder else " (no one to send to)"))
        return
    d = report.delivery
    info(ctx, f"sent {d.sent} now ({report.queued} newly queued)")
    for label, rows in (("failed", d.failed), ("deferred", d.deferred), ("unknown", d.unknown)):
        for email, reply in rows:
            click.echo(f"  {label:<8} {email}  {reply}")
    info(ctx, "outbox: " + (", ".join(f"{n} {state}" for state, n in report.outbox.items() if n) or "empty"))
    if report.outbox.get("unknown"):
        click.echo("unknown: perhaps delivered; check the server's log, then `reportgen send --resend-unknown` "
                   "to send them again")


@click.command()
@click.option("--partner", help="With --period: one issue in detail.")
@click.option("--period", help="With --partner: one issue in detail.")
@click.option("--all", "show_all", is_flag=True, help="List the sent messages too.")
@click.pass_context
def outbox(ctx: click.Context, partner: str | None, period: str | None, show_all: bool) -> None:
    """Show where each digest issue stands: messages sent, failed, pending, unknown, cancelled.

    \b
    Example:
      reportgen outbox --partner MX --period 2024-12 --all
    """
    if bool(partner) != bool(period):
        raise InputError("give --partner and --period together, or neither")
    with _box(ctx) as box:
        if not partner:
            issues = box.issues()
            columns = [s for s in STATES if s != "sending"]
            if not issues:
                click.echo("no digest has been sent yet")
                return
            click.echo(f"{'issue':<14}" + "".join(f"{s:>10}" for s in columns) + "  subject")
            for known in issues:
                counts = box.counts(known.issue)
                click.echo(f"{known.issue:<14}" + "".join(f"{counts[s]:>10}" for s in columns) + f"  {known.subject}")
            return
        issue = issue_key(bundled().resolve(partner).code, Period.parse(period))
        known = box.issue(issue)
        if known is None:
            raise InputError(f"no digest of {issue} has been sent yet")
        click.echo(f"{issue}: {known.subject}")
        click.echo(f"  from {known.source} vintage {known.vintage}, first queued {known.created}")
        click.echo("  " + ", ".join(f"{n} {state}" for state, n in box.counts(issue).items()))
        shown = STATES if show_all else tuple(s for s in STATES if s != "sent")
        for row in box.rows(issue, shown):
            click.echo(f"  {row.state:<9} {row.email:<32} tries {row.attempts}  {row.changed}  {row.reply}")
