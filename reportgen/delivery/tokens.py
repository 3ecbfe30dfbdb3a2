"""Unsubscribe tokens and Message-IDs, signed with one secret key that never leaves the machine.

The key comes from REPORTGEN_SECRET_KEY, or else is generated once and kept in the data folder as
`secret.key`, readable by its owner only. A token names a subscriber by number and carries an HMAC
over that number and the address: it reveals neither, and cannot be guessed or forged. Changing the
key voids every unsubscribe link already sent, so keep it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from reportgen.errors import DeliveryError

ENV = "REPORTGEN_SECRET_KEY"
KEY_FILE = "secret.key"
MIN_LENGTH = 32
MAC_BYTES = 16  # 128 bits: no one guesses a token
MAX_ID = 2**63 - 1  # SQLite's largest integer, and so the largest subscriber number


def secret_key(data_dir: Path) -> bytes:
    """The signing key: from the environment, else the data folder's key file, created on first use."""
    if value := os.environ.get(ENV, ""):
        if len(value) < MIN_LENGTH:
            raise DeliveryError(f"{ENV} is too short: give at least {MIN_LENGTH} random characters")
        return value.encode("utf-8")
    path = data_dir / KEY_FILE
    if not path.exists():
        _create(path)
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise DeliveryError(f"{path} can be read by others (mode {stat.filemode(mode)}): run chmod 600 on it")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise DeliveryError(f"{path} holds no usable key; delete it to make a new one "
                            "(old unsubscribe links stop working)")
    return key.encode("ascii")


def _create(path: Path) -> None:
    """Write a new random key with mode 0600, all at once; if another process won the race, keep its key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if the file appeared meanwhile: then that key stands
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def _mac(key: bytes, purpose: str, *parts: str | int) -> bytes:
    message = "\0".join([purpose, *(str(p) for p in parts)]).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsubscribe_token(key: bytes, subscriber: int, email: str) -> str:
    """An opaque token for one subscriber's unsubscribe link: `<number>.<signature>`, URL-safe."""
    number = subscriber.to_bytes((subscriber.bit_length() + 7) // 8 or 1, "big")
    return f"{_b64(number)}.{_b64(_mac(key, 'unsubscribe', subscriber, email.lower())[:MAC_BYTES])}"


def token_subscriber(token: str) -> int | None:
    """The subscriber number a token claims (not yet verified), or None if it is not a token."""
    head, _, tail = token.strip().partition(".")
    if not head or len(head) > 11 or len(tail) != 22:
        return None
    try:
        number = int.from_bytes(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)), "big")
    except ValueError:
        return None
    return number if number <= MAX_ID else None  # a larger one overflows SQLite's lookup: no subscriber has it


def verify(key: bytes, token: str, subscriber: int, email: str) -> bool:
    """Whether `token` was made for this subscriber and address with this key (in constant time)."""
    return hmac.compare_digest(token.strip(), unsubscribe_token(key, subscriber, email))


def message_id(key: bytes, issue: str, email: str, domain: str) -> str:
    """The one Message-ID of an issue's message to an address: the same on every run, so a resent copy
    is recognisably the same message; it reveals nothing of the address."""
    return f"<{issue}.{_b64(_mac(key, 'message-id', issue, email.lower())[:15])}@{domain}>"
