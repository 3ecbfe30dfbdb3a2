"""Send an issue's messages over SMTP, each exactly once, keeping the outbox true at every step.

A batch of pending rows is claimed (marked `sending`) before any of its data goes out, then sent over
one connection. For each message: MAIL, RCPT and DATA; the message body; then the row is marked
`unknown` and committed *before* the final dot, so that whatever happens next (a lost connection, a
killed process, a power cut) the outbox never claims less than the server may have received. The
reply settles it: 250 sent, 4xx back to pending for the next run, 5xx failed. A row still `sending`
after a crash never ended its data, so it is safe to send again.

A 250 is written with the next message's `unknown` mark (or at the end of the batch), in the same
commit: one disk sync a message instead of two. A crash in between leaves that row `unknown`, which
errs the safe way: it is reported, never sent twice.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from reportgen.config import SmtpConfig
from reportgen.errors import DeliveryError
from reportgen.store.mail import Change

LOST = (smtplib.SMTPServerDisconnected, OSError)  # socket errors, timeouts, TLS errors: the connection is gone


class Outbox(Protocol):
    def claim(self, issue: str, limit: int, after: int = 0) -> list: ...
    def record(self, issue: str, changes: list[Change]) -> None: ...
    def release(self, issue: str) -> int: ...


class _Ledger:
    """The outbox of one issue as a run writes it: every mark durable at once, except 250s, which wait
    (as `unknown` on disk) to share the next mark's commit."""

    def __init__(self, outbox: Outbox, issue: str):
        self.outbox, self.issue, self.settled = outbox, issue, []

    def mark(self, email: str, state: str, reply: str, *, tried: bool = False, bounced: bool = False) -> None:
        self.outbox.record(self.issue, [*self.settled, Change(email, state, reply, tried, bounced)])
        self.settled = []

    def sent(self, email: str, reply: str) -> None:
        self.settled.append(Change(email, "sent", reply))

    def flush(self) -> None:
        if self.settled:
            self.outbox.record(self.issue, self.settled)
            self.settled = []


@dataclass
class Delivery:
    """What one run did: counts, and each address that did not simply get its message."""

    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, the server's reply)
    deferred: list[tuple[str, str]] = field(default_factory=list)  # 4xx: pending, retried next run
    unknown: list[tuple[str, str]] = field(default_factory=list)  # data ended, no reply
    stopped: str = ""  # why the run ended early, if it did


class _Lost(Exception):
    """The connection went away during a message."""


def describe(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"


def connect(config: SmtpConfig, password: str) -> smtplib.SMTP:
    """One connection, secured as configured (the certificate verified), logged in if a username is set."""
    where = f"{config.host}:{config.port}"
    if config.username and not password:
        raise DeliveryError("smtp.username is set but REPORTGEN_SMTP_PASSWORD is empty")
    if config.username and config.security == "none" and not _loopback(config.host):
        raise DeliveryError(f"{where}: will not send the SMTP password unencrypted; "
                            "set smtp.security to starttls or ssl")
    smtp = None
    try:
        if config.security == "ssl":
            smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        smtp.ehlo()
        if config.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise DeliveryError(f"{where}: the server does not offer STARTTLS; set smtp.security to ssl or none")
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, password)
        return smtp
    except DeliveryError:
        _close(smtp)
        raise
    except ssl.SSLCertVerificationError as exc:
        _close(smtp)
        raise DeliveryError(f"{where}: the server's certificate could not be verified ({exc.verify_message})") from None
    except smtplib.SMTPAuthenticationError as exc:
        _close(smtp)
        why = describe(exc.smtp_code, exc.smtp_error)
        raise DeliveryError(f"{where}: login refused for {config.username} ({why})") from None
    except smtplib.SMTPResponseException as exc:
        _close(smtp)
        why = describe(exc.smtp_code, exc.smtp_error)
        raise DeliveryError(f"{where}: the server refused the session ({why})") from None
    except (smtplib.SMTPException, OSError) as exc:
        _close(smtp)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise DeliveryError(f"cannot connect to the SMTP server {where} ({reason})") from None


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except LOST + (smtplib.SMTPException,):
        smtp.close()


def deliver(config: SmtpConfig, password: str, issue: str, outbox: Outbox, build: Callable[[object], bytes],
            envelope_from: str) -> Delivery:
    """Send every pending row of `issue`, a batch per connection, at most `rate_limit` a second.

    `build(row)` returns the message as DATA carries it (CRLF, dots doubled, no final dot). Refusals are
    recorded and the batch goes on; a lost connection ends the run, with the rest left pending.
    """
    result = Delivery()
    ledger = _Ledger(outbox, issue)
    interval = 1.0 / config.rate_limit if config.rate_limit else 0.0
    next_at = time.monotonic()
    try:
        after = 0
        while rows := outbox.claim(issue, config.batch_size, after):
            after = rows[-1].row
            smtp = connect(config, password)
            try:
                for row in rows:
                    if interval:
                        time.sleep(max(0.0, next_at - time.monotonic()))
                        next_at = max(next_at + interval, time.monotonic())
                    try:
                        if not _send_one(smtp, ledger, row, build(row), envelope_from, result):
                            return result
                    except _Lost as lost:
                        result.stopped = f"{config.host}:{config.port}: connection lost ({lost})"
                        return result
            finally:
                ledger.flush()
                _close(smtp)
    finally:
        ledger.flush()
        outbox.release(issue)  # rows claimed but never tried go back to pending
    return result


def _send_one(smtp: smtplib.SMTP, ledger: _Ledger, row, data: bytes, envelope_from: str, result: Delivery) -> bool:
    """One SMTP transaction, its outcome recorded; False when the session can go no further."""
    email = row.email
    stage = "MAIL"
    try:
        code, reply = smtp.mail(envelope_from)
        if code == 250:
            stage = "RCPT"
            code, reply = smtp.rcpt(email)
            if code in (250, 251):
                stage = "DATA"
                smtp.putcmd("data")
                code, reply = smtp.getreply()
                if code == 354:
                    smtp.send(data)
    except LOST as exc:
        ledger.mark(email, "pending", f"connection lost before the data ended ({_reason(exc)})", tried=True)
        raise _Lost(_reason(exc)) from None
    if code != 354:  # refused before any data: certainly not delivered
        if stage == "MAIL" and code >= 500:  # the sender itself is refused: every message would be
            ledger.mark(email, "pending", describe(code, reply), tried=True)
            result.stopped = f"the server refused the sender {envelope_from} ({describe(code, reply)})"
            return False
        return _refused(smtp, ledger, email, code, reply, result, mailbox=stage == "RCPT")
    ledger.mark(email, "unknown", "data sent, waiting for the reply", tried=True)  # durable before the dot
    try:
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
    except LOST as exc:
        result.unknown.append((email, f"connection lost after the data, before the reply ({_reason(exc)})"))
        ledger.mark(email, "unknown", result.unknown[-1][1])
        raise _Lost(_reason(exc)) from None
    if code == 250:
        ledger.sent(email, describe(code, reply))
        result.sent += 1
        return True
    return _refused(smtp, ledger, email, code, reply, result, mailbox=False)


def _refused(smtp: smtplib.SMTP, ledger: _Ledger, email: str, code: int, reply: bytes, result: Delivery,
             *, mailbox: bool) -> bool:
    """Record a refusal: 4xx stays pending (retried next run), 5xx failed; 421 or a refused sender ends the run."""
    text = describe(code, reply)
    if 400 <= code < 500:
        ledger.mark(email, "pending", text, tried=True)
        result.deferred.append((email, text))
    else:
        bounced = mailbox and text[4:].startswith("5.1.")  # RCPT refused, no such mailbox: stop writing to it
        ledger.mark(email, "failed", text, tried=True, bounced=bounced)
        result.failed.append((email, text))
    if code == 421:
        result.stopped = f"the server closed the session ({text})"
        return False
    try:
        smtp.rset()
    except LOST as exc:
        raise _Lost(_reason(exc)) from None
    return True


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or type(exc).__name__
