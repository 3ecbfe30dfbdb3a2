"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can misbehave on cue.

    with smtp_server() as server:             # plain SMTP on a free port
        ... server.port, server.messages ...
    smtp_server(refuse={"bob@example.com": "550 5.1.1 no such user"})
    smtp_server(drop_after=2, drop="rcpt")    # the 3rd message: connection closed before its data
    smtp_server(drop_after=2, drop="reply")   # the 3rd message: kept, then closed before the reply
    smtp_server(tls=(cert, key))              # STARTTLS required, with that certificate

Can be run as a process too, for tests that need the server outside the test's own process:
    python tests/fakes/smtp.py MAILDIR [DELAY]   (writes its port to MAILDIR/port, each message to MAILDIR)
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port nothing listens on now: aiosmtpd's Controller(port=0) does not pick one itself."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Mailbox:
    """The handler: accepts everything except what it was told to refuse or drop."""

    refuse: dict[str, str] = field(default_factory=dict)  # address -> reply, e.g. "550 5.1.1 no such user"
    drop_after: int | None = None  # drop the connection once, on the message after this many
    drop: str = "rcpt"  # "rcpt": before its data; "reply": after keeping it, before the reply
    delay: float = 0.0  # seconds to wait before each reply to the data
    maildir: Path | None = None
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _dropping(self) -> bool:
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            self.drop_after = None  # once: the next connection works
            return True
        return False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        if self.drop == "rcpt" and self._dropping():
            server.transport.close()
            return "421 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        received = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        with self.lock:
            dropping = self.drop == "reply" and self._dropping()
            self.messages.append(received)
            if self.maildir is not None:
                path = self.maildir / f"{len(self.messages):05d}.eml"
                path.write_bytes(received.data)
        if dropping:
            server.transport.close()
            return "250 never heard"
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK queued"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


@dataclass
class Server:
    port: int
    handler: Mailbox

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


@contextmanager
def smtp_server(*, tls: tuple[Path, Path] | None = None, implicit_tls: bool = False, **handler_options):
    """Run a Mailbox on a free loopback port for the length of the block."""
    handler = Mailbox(**handler_options)
    port = free_port()
    kwargs = {}
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        kwargs = {"ssl_context": context} if implicit_tls else {"tls_context": context, "require_starttls": True}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Server(port, handler)
    finally:
        controller.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, and its key, as PEM files in `folder`."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def main() -> None:
    maildir = Path(sys.argv[1])
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    maildir.mkdir(parents=True, exist_ok=True)
    with smtp_server(maildir=maildir, delay=delay) as server:
        tmp = maildir / "port.tmp"
        tmp.write_text(str(server.port))
        tmp.rename(maildir / "port")
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
