"""HTTP Basic login against the editors' accounts in the store (the reverse proxy provides TLS).

A scrypt check costs about 0.1 s of CPU, and a browser sends the password with every request, so a
password once verified is remembered as an HMAC under a key that lives only in this process, next
to the account's hash: a new password or a removed account takes effect at the next request.

Guessing is slowed per account name: after MAX_FAILURES wrong passwords within FAILURE_WINDOW
seconds, the name is refused (429, with Retry-After) without a password check until the oldest of
those failures leaves the window. Behind a reverse proxy every client has the proxy's address, so
the name, not the address, is what is counted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from reportgen.store import Store, users

REALM = "reportgen editors"
MAX_REMEMBERED = 256
MAX_FAILURES = 10
FAILURE_WINDOW = 600.0  # seconds
MAX_COUNTED = 4096  # names with recent failures kept; typed-at-random names must not fill memory


class Editors:
    """Checks a request's Basic credentials; shared by the server's threads."""

    def __init__(self, db_path: Path, clock: Callable[[], float] = time.monotonic):
        self.db_path = db_path
        self._key = secrets.token_bytes(32)
        self._verified: dict[str, tuple[str, bytes]] = {}  # name -> (account's hash, HMAC of the password)
        self._failures: dict[str, deque[float]] = {}  # name -> times of its recent wrong passwords
        self._clock = clock
        self._lock = threading.Lock()
        self._local = threading.local()

    def _store(self) -> Store:
        if getattr(self._local, "store", None) is None:
            self._local.store = Store(self.db_path)
        return self._local.store

    def wait(self, name: str) -> float:
        """Seconds before `name` may try a password again: 0 unless it failed too often of late."""
        with self._lock:
            failures = self._failures.get(name)
            if failures is None or len(failures) < MAX_FAILURES:
                return 0.0
            return max(0.0, failures[0] + FAILURE_WINDOW - self._clock())

    def check(self, name: str, password: str) -> bool:
        """Whether the name and password are an editor's; a wrong one is counted against the name."""
        good = self._check(name, password)
        with self._lock:
            if good:
                self._failures.pop(name, None)
            else:
                self._count_failure(name)
        return good

    def _count_failure(self, name: str) -> None:
        now = self._clock()
        if name not in self._failures and len(self._failures) >= MAX_COUNTED:
            self._failures = {n: f for n, f in self._failures.items() if f[-1] > now - FAILURE_WINDOW}
            if len(self._failures) >= MAX_COUNTED:
                self._failures.clear()
        failures = self._failures.setdefault(name, deque(maxlen=MAX_FAILURES))
        failures.append(now)

    def _check(self, name: str, password: str) -> bool:
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
