"""Deliver: the email digest of a briefing, sent exactly once to each subscriber, and unsubscribing."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.config import Config
from reportgen.delivery import archive, smtp, tokens
from reportgen.delivery import digest as mail
from reportgen.errors import DeliveryError, InputError
from reportgen.files import held, write_atomic
from reportgen.languages import DEFAULT as DEFAULT_LANGUAGE
from reportgen.languages import reader_language, suffix
from reportgen.models import Facts, Progress
from reportgen.pipeline.briefing import NEWS_UNREAD, facts, load, note_for, write
from reportgen.pipeline.desk import check_approved
from reportgen.render import email as render
from reportgen.render.charts import draw
from reportgen.store.mail import MailStore

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
         out_dir: Path | None = None, progress: Progress | None = None, without_approval: bool = False) -> SendReport:
    """Email one issue's digest to each active subscriber who follows the partner, exactly once.

    The digest is made from the same facts as the briefing. Rows are queued in the outbox, then sent
    over SMTP (or written as .eml files to `out_dir` with `dry_run`, which changes nothing).
    `progress` hears of the messages handed to the server, or written ("send"). Under `job.approval:
    required` only an approved briefing is sent (NotApproved otherwise), unless `without_approval`.
    """
    data = load(config, partner=partner, period=period)
    result = facts(config, data, partner, period)
    if config.job.approval == "required" and not dry_run and not without_approval:
        check_approved(config, result)
    notes = [NEWS_UNREAD] if result.news is not None and not result.news.feeds_read else []
    issue = mail.issue_key(result.partner.code, result.period)
    key = tokens.secret_key(config.data_dir)
    domain = mail.sender_address(config.smtp.sender)[1].rpartition("@")[2]
    follows = result.partner.code in {data.registry.partner(p).code for p in config.partners}

    def message_id(email: str) -> str:
        return tokens.message_id(key, issue, email, domain)

    def copy(row, wire: bool = True) -> bytes:
        token = tokens.unsubscribe_token(key, row.subscriber, row.email)
        return letter_for(row).render(row.email, row.name, message_id=row.message_id, token=token, wire=wire)

    def letter_for(row) -> mail.Letter:
        """The digest in the subscriber's language (English if reportgen does not write theirs), each rendered
        once, from the same facts, when its first reader comes."""
        language = reader_language(spoken.get(row.subscriber))
        if language not in letters:
            letters[language] = mail.Letter(_digest(config, result, issue, language))
        return letters[language]

    with MailStore(config.db_path) as box:
        if next(box.would_send(issue, result.partner.code, follows, message_id, resend_unknown=resend_unknown),
                None) is None:  # nobody to write to: spare the charts and the PDF
            subject = render.subject_of(render.email_environment(config.templates_dir, config.briefing.locale), result)
            return SendReport(issue, subject, outbox=box.counts(issue), delivery=None if dry_run else smtp.Delivery(),
                              notes=notes)
    digest = _digest(config, result, issue)
    letters = {DEFAULT_LANGUAGE: mail.Letter(digest)}
    with MailStore(config.db_path) as box:
        spoken = {who.id: who.language for who in box.subscribers()}
    report = SendReport(issue, digest.subject, notes=notes)
    if not digest.one_click:
        report.notes.append(f"public_url {config.public_url} is not https: List-Unsubscribe-Post (one-click, "
                            "RFC 8058) is left out")
    if dry_run:
        folder = out_dir or config.output_dir / "digests" / issue
        with MailStore(config.db_path) as box:
            rows = list(box.would_send(issue, result.partner.code, follows, message_id, resend_unknown=resend_unknown))
        for n, row in enumerate(rows, 1):
            safe = "".join(ch if ch.isalnum() or ch in "@.+-_" else "_" for ch in row.email)
            report.written.append(write_atomic(folder / f"{n:05d}-{safe}.eml", copy(row, wire=False)))
            if progress:
                progress("send", n, len(rows))
        return report
    with _issue_lock(config, issue), MailStore(config.db_path) as box:
        known = box.issue(issue)
        provenance = result.provenance
        if known and (known.source, known.vintage) != (provenance.source, provenance.vintage):
            report.notes.append(f"{issue} was first sent from {known.source} vintage {known.vintage}; messages still "
                                f"to send carry {provenance.source} vintage {provenance.vintage}")
        report.queued = box.queue(issue, digest.subject, provenance.source, provenance.vintage, result.partner.code,
                                  follows, message_id)
        box.recover(issue, resend_unknown=resend_unknown)
        envelope_from = mail.sender_address(config.smtp.sender)[1]
        pending, begun = box.counts(issue)["pending"], 0

        def told(row) -> bytes:  # deliver() builds each message just before it sends it
            nonlocal begun
            if progress:
                progress("send", begun, pending)
            begun += 1
            return copy(row)

        report.delivery = smtp.deliver(config.smtp, os.environ.get(SMTP_PASSWORD, ""), issue, box, told, envelope_from)
        if progress:
            progress("send", begun, pending)
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


def _issue_lock(config: Config, issue: str) -> AbstractContextManager[None]:
    """One sender per issue at a time; a second one stops at once (exit 75: try again later)."""
    return held(config.data_dir / f"send-{issue}.lock", wait=0,
                busy=f"another `reportgen send` of {issue} is running; try again when it is done")


def _digest(config: Config, result: Facts, issue: str, language: str = DEFAULT_LANGUAGE):
    """Render the issue's digest once in a language: charts as PNG (attached or written to the archive), the PDF
    if asked, the editor's note in that language under the lede as in the briefing."""
    import tempfile

    folder = archive.folder(result.partner.code, result.period)
    stem = archive.stem(result.partner.code, result.period)
    charts, images, hosted = [], [], []
    for chart in draw(result, locale=config.briefing.locale, fmt="png", language=language):
        name = f"{chart.id}{suffix(language)}.png"
        if config.email.charts == "cid":
            cid = f"{chart.id}.{issue}@reportgen"
            charts.append(render.EmailChart(chart, f"cid:{cid}"))
            images.append(mail.image_part(charts[-1].png, cid, name))
        else:
            charts.append(render.EmailChart(chart, mail.chart_url(config.public_url, folder, name)))
            hosted.append((config.output_dir / folder / "charts" / name, charts[-1].png))
    pdf = None
    if config.email.attach_pdf:
        with tempfile.TemporaryDirectory(prefix="reportgen-digest-") as tmp:
            path = write(config, result, ["pdf"], Path(tmp), languages=[language])[0]
            pdf = mail.pdf_part(path.read_bytes(), f"{stem}{suffix(language)}.pdf")
    edition = suffix(language) if language in config.languages else ""  # the archive holds the configured ones
    env = render.email_environment(config.templates_dir, config.briefing.locale, language)
    rendered = render.render_digest(env, result, charts,
                                    briefing_url=mail.briefing_url(config.public_url, folder, stem + edition),
                                    pdf_attached=pdf is not None, publisher=config.publisher.name,
                                    note=note_for(config, result, language))
    for path, png in hosted:  # once the digest has passed its self-check: a failed one leaves no file
        write_atomic(path, png)
    return mail.Digest(issue, rendered.subject, rendered.html, rendered.text, config.smtp.sender, config.public_url,
                       (render.RECIPIENT, render.UNSUBSCRIBE_URL), tuple(images), pdf)


@dataclass(frozen=True)
class Unsubscribed:
    email: str
    changed: bool  # False: the subscriber had already left


def unsubscribe(config: Config, token: str) -> Unsubscribed:
    """Unsubscribe whoever a token from a digest names (the CLI and the web page's one-click endpoint)."""
    number = tokens.token_subscriber(token)
    with MailStore(config.db_path) as box:
        who = box.subscriber(id=number) if number is not None else None
        if who is None or not tokens.verify(tokens.secret_key(config.data_dir), token, who.id, who.email):
            raise InputError("not a valid unsubscribe token (or its subscriber was removed)")
        return Unsubscribed(who.email, box.set_status(who.id, "unsubscribed"))
