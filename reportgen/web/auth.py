"""HTTP Basic login against the editors' accounts in the store (the reverse proxy provides TLS).

A scrypt check costs about 0.1 s of CPU, and a browser sends the password with every request, so a
password once verified is remembered as an HMAC under a key that lives only in this process, next
to the account's hash: a new password or a removed account takes effect at the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from pathlib import Path

from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from reportgen.store import Store, users

REALM = "reportgen editors"
MAX_REMEMBERED = 256


class Editors:
    """Checks a request's Basic credentials; shared by the server's threads."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self._key = secrets.token_bytes(32)
        self._verified: dict[str, tuple[str, bytes]] = {}  # name -> (account's hash, HMAC of the password)
        self._lock = threading.Lock()
        self._local = threading.local()

    def _store(self) -> Store:
        if getattr(self._local, "store", None) is None:
            self._local.store = Store(self.db_path)
        return self._local.store

    def check(self, name: str, password: str) -> bool:
        """Whether the name and password are an editor's."""
        user = users.get(self._store(), name) if users.NAME.match(name) else None
        if user is None:
            return users.verify(None, password)  # as slow as a wrong password, and False
        digest = hmac.new(self._key, password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        with self._lock:
            known = self._verified.get(name)
        if known is not None and known[0] == user.password_hash and hmac.compare_digest(known[1], digest):
            return True
        if not users.verify(user, password):
            return False
        with self._lock:
            if len(self._verified) >= MAX_REMEMBERED:
                self._verified.clear()
            self._verified[name] = (user.password_hash, digest)
        return True

    def has_accounts(self) -> bool:
        return bool(users.names(self._store()))


def challenge(reason: str = "Log in with your editor's name and password.") -> Unauthorized:
    """The 401 that makes a browser ask for a name and password."""
    return Unauthorized(reason, www_authenticate=WWWAuthenticate("basic", {"realm": REALM, "charset": "UTF-8"}))
