"""Build each subscriber's digest message from one rendering of the issue.

    multipart/mixed                 only when the PDF is attached
    ├── multipart/alternative
    │   ├── text/plain              the text version
    │   └── multipart/related       only when the charts travel with the message (cid)
    │       ├── text/html           refers to the charts as cid:...
    │       └── image/png ...       one per chart, inline
    └── application/pdf             the briefing

The images and the PDF are encoded once per issue and shared by every message; only the headers,
the recipient's address and their unsubscribe link differ from one message to the next.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, getaddresses, localtime
from urllib.parse import quote

from reportgen.errors import DeliveryError
from reportgen.periods import Period

# CRLF line ends, as the wire wants them. Header lines may run to SMTP's limit: at 78 the email package
# would turn the long mailto: of List-Unsubscribe into an encoded-word, which no client could follow.
POLICY = policy.SMTP.clone(max_line_length=998)
MAX_LINE = 998  # octets in a line of a message (RFC 5322)


def briefing_url(public_url: str, folder: str, stem: str) -> str:
    """Where the web page serves a briefing of the archive."""
    return f"{public_url.rstrip('/')}/archive/{folder}/{stem}.html"


def chart_url(public_url: str, folder: str, name: str) -> str:
    """Where the web page serves a digest's chart when charts are hosted rather than attached."""
    return f"{public_url.rstrip('/')}/archive/{folder}/charts/{name}"


def unsubscribe_url(public_url: str, token: str) -> str:
    """The one-click unsubscribe endpoint of the web page (GET shows a confirmation, POST unsubscribes)."""
    return f"{public_url.rstrip('/')}/unsubscribe/{token}"


def issue_key(partner: str, period: Period) -> str:
    """The digest issue of a partner and period: 'MEX-2024'."""
    return f"{partner}-{period.key}"


def sender_address(sender: str) -> tuple[str, str]:
    """(display name, address) of the configured From, checked once."""
    pairs = getaddresses([sender])
    if len(pairs) != 1 or "@" not in pairs[0][1]:
        raise DeliveryError(f"smtp.sender {sender!r} is not an address such as 'reportgen <briefings@example.org>'")
    return pairs[0]


@dataclass(frozen=True)
class Digest:
    """One issue's message, ready to be addressed: rendered once, sent to every subscriber."""

    issue: str
    subject: str
    html: str
    text: str
    sender: str
    public_url: str
    marks: tuple[str, str]  # the placeholders in `html` and `text` for the address and the unsubscribe link
    images: tuple[MIMEPart, ...] = ()
    pdf: MIMEPart | None = None

    @property
    def one_click(self) -> bool:
        """RFC 8058 one-click unsubscribe needs an https link."""
        return self.public_url.startswith("https://")


def image_part(png: bytes, cid: str, filename: str) -> MIMEPart:
    """An inline PNG the HTML refers to as cid:..., encoded once."""
    part = MIMEPart(policy=POLICY)
    part.set_content(png, maintype="image", subtype="png", disposition="inline", filename=filename, cid=f"<{cid}>")
    return part


def pdf_part(pdf: bytes, filename: str) -> MIMEPart:
    part = MIMEPart(policy=POLICY)
    part.set_content(pdf, maintype="application", subtype="pdf", disposition="attachment", filename=filename)
    return part


def message(digest: Digest, email: str, name: str, *, message_id: str, token: str) -> EmailMessage:
    """The digest addressed to one subscriber, with their own Message-ID and unsubscribe link."""
    link = unsubscribe_url(digest.public_url, token)
    sender_name, sender_addr = sender_address(digest.sender)
    mailto = f"mailto:{sender_addr}?subject={quote('unsubscribe ' + token)}"

    text = MIMEPart(policy=POLICY)
    text.set_content(_fill(digest, digest.text, email, link), subtype="plain", charset="utf-8", cte="quoted-printable")
    page = MIMEPart(policy=POLICY)
    body = _fill(digest, digest.html, html.escape(email), html.escape(link))
    cte = "7bit" if body.isascii() and max(map(len, body.splitlines()), default=0) <= MAX_LINE else "quoted-printable"
    page.set_content(body, subtype="html", charset="utf-8", cte=cte)
    if digest.images:
        page = _multipart(MIMEPart(policy=POLICY), 'related; type="text/html"', [page, *digest.images])

    msg = EmailMessage(policy=POLICY)
    msg["From"] = digest.sender
    msg["To"] = Address(display_name=name, addr_spec=email) if name else email
    msg["Subject"] = digest.subject
    msg["Date"] = format_datetime(localtime())
    msg["Message-ID"] = message_id
    msg["MIME-Version"] = "1.0"
    msg["List-Id"] = f"U.S. trade briefings <briefings.{sender_addr.rpartition('@')[2]}>"
    msg["List-Unsubscribe"] = f"<{link}>, <{mailto}>"
    if digest.one_click:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"  # no vacation replies, please
    if digest.pdf is None:
        return _multipart(msg, "alternative", [text, page])
    return _multipart(msg, "mixed", [_multipart(MIMEPart(policy=POLICY), "alternative", [text, page]), digest.pdf])


def _multipart(part, subtype: str, parts: list[MIMEPart]):
    """Make `part` a multipart of `parts` (the generator picks its boundary when it writes it)."""
    part["Content-Type"] = f"multipart/{subtype}"
    part.set_payload(parts)
    return part


def _fill(digest: Digest, template: str, email: str, link: str) -> str:
    recipient, unsubscribe = digest.marks
    return template.replace(recipient, email).replace(unsubscribe, link)


_dots = re.compile(rb"^\.", re.MULTILINE)


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as SMTP DATA carries it, without the final dot: CRLF line ends, leading dots doubled."""
    data = _dots.sub(b"..", msg.as_bytes(policy=POLICY))
    return data if data.endswith(b"\r\n") else data + b"\r\n"
