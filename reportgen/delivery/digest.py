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

import binascii
import html
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, formataddr, getaddresses, localtime
from typing import ClassVar
from urllib.parse import quote

from reportgen.delivery.archive import stem
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
    """The digest issue of a partner and period: 'MEX-2024', named as the briefing's files are."""
    return stem(partner, period)


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


class Letter:
    """An issue's message serialised once by the email package, with stand-ins where subscribers differ.

    Each subscriber's copy is the same bytes with six stand-ins replaced: the To, Date, Message-ID and
    List-Unsubscribe headers, and the two bodies (their address and link filled in, then encoded as
    their parts declare). The MIME structure, the shared parts' encodings and the boundaries are the
    email package's; only the replacement is ours, which is what makes thousands of copies cheap.
    """

    STAND_INS: ClassVar[dict[str, str]] = {
        "To": "recipient@stand-in.invalid", "Date": "Thu, 01 Jan 1970 00:00:00 +0000",
        "Message-ID": "<message-id@stand-in.invalid>", "List-Unsubscribe": "<https://stand-in.invalid/>"}
    TEXT, HTML = "STAND-IN-TEXT-BODY", "STAND-IN-HTML-BODY"

    def __init__(self, digest: Digest):
        self.digest = digest
        self.sender = sender_address(digest.sender)[1]
        self.html_cte = "7bit" if digest.html.isascii() and max(map(len, digest.html.splitlines()), default=0) \
            <= MAX_LINE - 200 else "quoted-printable"  # room for the address and link filled in
        raw = _assemble(digest, self.STAND_INS, self.TEXT, self.HTML, self.html_cte).as_bytes(policy=POLICY)
        lines = {f"{name}: {value}\r\n".encode("ascii"): name for name, value in self.STAND_INS.items()}
        lines.update({f"{self.TEXT}\r\n".encode(): "text", f"{self.HTML}\r\n".encode(): "html"})
        pattern = re.compile(b"(" + b"|".join(re.escape(line) for line in lines) + b")")
        self.raw = [lines.get(piece, piece) for piece in pattern.split(raw)]
        self.wire = [piece if isinstance(piece, str) else _dots.sub(b"..", piece) for piece in self.raw]
        missing = set(lines.values()) - {piece for piece in self.raw if isinstance(piece, str)}
        if missing or any(boundary in digest.html or boundary in digest.text for boundary in _boundaries(raw)):
            raise DeliveryError(f"{digest.issue}: could not lay out the message (stand-ins {sorted(missing)})")

    def render(self, email: str, name: str, *, message_id: str, token: str, wire: bool = False) -> bytes:
        """One subscriber's copy; `wire`: as SMTP DATA carries it (leading dots doubled, no final dot)."""
        link = unsubscribe_url(self.digest.public_url, token)
        mailto = f"mailto:{self.sender}?subject={quote('unsubscribe ' + token)}"
        text = _crlf(_fill(self.digest, self.digest.text, email, link)).encode("utf-8")
        text = binascii.b2a_qp(text, istext=True)
        page = _crlf(_fill(self.digest, self.digest.html, html.escape(email), html.escape(link)))
        page = page.encode("ascii") if self.html_cte == "7bit" else binascii.b2a_qp(page.encode("utf-8"), istext=True)
        name = " ".join(name.split())[:200]
        values = {
            "To": f"To: {formataddr((name, email)) if name else email}\r\n",
            "Date": f"Date: {format_datetime(localtime())}\r\n",
            "Message-ID": f"Message-ID: {message_id}\r\n",
            "List-Unsubscribe": f"List-Unsubscribe: <{link}>, <{mailto}>\r\n",
        }
        pieces = []
        for piece in self.wire if wire else self.raw:
            if piece == "text" or piece == "html":
                body = text if piece == "text" else page
                body = body if body.endswith(b"\r\n") else body + b"\r\n"
                pieces.append(_dots.sub(b"..", body) if wire else body)
            elif isinstance(piece, str):
                pieces.append(values[piece].encode("utf-8"))
            else:
                pieces.append(piece)
        data = b"".join(pieces)
        return data if data.endswith(b"\r\n") else data + b"\r\n"


def _assemble(digest: Digest, headers: dict[str, str], text: str, page: str, html_cte: str) -> EmailMessage:
    """The digest's MIME tree with these per-subscriber headers and bodies."""
    text_part = MIMEPart(policy=POLICY)
    text_part.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    html_part = MIMEPart(policy=POLICY)
    html_part.set_content(page, subtype="html", charset="utf-8", cte=html_cte)
    if digest.images:
        html_part = _multipart(MIMEPart(policy=POLICY), 'related; type="text/html"', [html_part, *digest.images])

    msg = EmailMessage(policy=POLICY)
    msg["From"] = digest.sender
    msg["To"] = headers["To"]
    msg["Subject"] = digest.subject
    msg["Date"] = headers["Date"]
    msg["Message-ID"] = headers["Message-ID"]
    msg["MIME-Version"] = "1.0"
    msg["List-Id"] = f"U.S. trade briefings <briefings.{sender_address(digest.sender)[1].rpartition('@')[2]}>"
    msg["List-Unsubscribe"] = headers["List-Unsubscribe"]
    if digest.one_click:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"  # no vacation replies, please
    if digest.pdf is None:
        return _multipart(msg, "alternative", [text_part, html_part])
    return _multipart(msg, "mixed", [_multipart(MIMEPart(policy=POLICY), "alternative", [text_part, html_part]),
                                     digest.pdf])


def _multipart(part, subtype: str, parts: list[MIMEPart]):
    """Make `part` a multipart of `parts` (the generator picks its boundary when it writes it)."""
    part["Content-Type"] = f"multipart/{subtype}"
    part.set_payload(parts)
    return part


def _fill(digest: Digest, template: str, email: str, link: str) -> str:
    recipient, unsubscribe = digest.marks
    return template.replace(recipient, email).replace(unsubscribe, link)


def _crlf(text: str) -> str:
    return "\r\n".join(text.splitlines())


def _boundaries(raw: bytes) -> list[str]:
    return [b.decode("ascii") for b in re.findall(rb'boundary="([^"]+)"', raw)]


_dots = re.compile(rb"^\.", re.MULTILINE)
