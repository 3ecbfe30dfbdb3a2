"""HTTP Basic login against the editors' accounts in the store (the reverse proxy provides TLS).

A scrypt check costs about 0.1 s of CPU, and a browser sends the password with every request, so a
password once verified is remembered as an HMAC under a key that lives only in this process, next
to the account's hash: a new password or a removed account takes effect at the next request.

Guessing is slowed per account name: after MAX_FAILURES wrong passwords within FAILURE_WINDOW
seconds, the name is refused (429, with Retry-After) without a password check until the oldest of
those failures leaves the window. It is slowed per client address too (MAX_ADDRESS_FAILURES), so one
client cannot try one password on many names; behind a reverse proxy the address is the one the
proxy names (waitress's trusted_proxy, `web.trusted_proxy`). A name that cannot be an account's
(users.NAME: at most 64 characters) is refused before any lookup and never kept. Both tables are
bounded, and a full one makes room by forgetting names that are not held off: churning through
new names never lifts a lockout.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path

from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from reportgen.store import users
from reportgen.web.stores import ThreadStores

REALM = "reportgen editors"
MAX_REMEMBERED = 256
MAX_FAILURES = 10
MAX_ADDRESS_FAILURES = 50  # an office behind one address mistypes now and then; a guesser does not stop
FAILURE_WINDOW = 600.0  # seconds
MAX_COUNTED = 4096  # names (and addresses) with recent failures kept: at most a few megabytes


class Throttle:
    """Recent failures per key (an account name, a client address) in bounded memory; one lock guards it."""

    def __init__(self, limit: int, window: float, size: int, clock: Callable[[], float]):
        self.limit, self.window, self.size, self._clock = limit, window, size, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()  # least recently failed first

    def wait(self, key: str) -> float:
        """Seconds before `key` may try again: 0 unless it failed `limit` times within the window."""
        failures = self._failures.get(key)
        if failures is None or len(failures) < self.limit:
            return 0.0
        return max(0.0, failures[0] + self.window - self._clock())

    def fail(self, key: str) -> None:
        if key not in self._failures and not self._make_room():
            return  # every key kept is held off: this one is not counted (the other table still is)
        failures = self._failures.setdefault(key, deque(maxlen=self.limit))
        failures.append(self._clock())
        self._failures.move_to_end(key)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def _make_room(self) -> bool:
        """Drop keys whose failures are all out of the window, then the least recent not held off."""
        if len(self._failures) < self.size:
            return True
        now = self._clock()
        for key in [k for k, f in self._failures.items() if f[-1] <= now - self.window]:
            del self._failures[key]
        if len(self._failures) < self.size:
            return True
        free = next((key for key in self._failures if not self.wait(key)), None)
        if free is None:
            return False
        del self._failures[free]
        return True


class Editors:
    """Checks a request's Basic credentials; shared by the server's threads."""

    def __init__(self, db_path: Path, clock: Callable[[], float] = time.monotonic):
        self.db_path = db_path
        self._key = secrets.token_bytes(32)
        self._verified: dict[str, tuple[str, bytes]] = {}  # name -> (account's hash, HMAC of the password)
        self._names = Throttle(MAX_FAILURES, FAILURE_WINDOW, MAX_COUNTED, clock)
        self._addresses = Throttle(MAX_ADDRESS_FAILURES, FAILURE_WINDOW, MAX_COUNTED, clock)
        self._lock = threading.Lock()
        self._stores = ThreadStores(db_path)

    def wait(self, name: str) -> float:
        """Seconds before `name` may try a password again: 0 unless it failed too often of late."""
        with self._lock:
            return self._names.wait(name) if users.NAME.match(name) else 0.0

    def address_wait(self, address: str | None) -> float:
        """Seconds before a client at `address` may try a password again."""
        with self._lock:
            return self._addresses.wait(address) if address else 0.0

    def check(self, name: str, password: str, address: str | None = None) -> bool:
        """Whether the name and password are an editor's; a wrong one is counted against the name and address."""
        valid = bool(users.NAME.match(name))  # no account has another name: no lookup, nothing kept
        good = valid and self._check(name, password)
        with self._lock:
            if good:
                self._names.forget(name)
                return True
            if valid:
                self._names.fail(name)
            if address:
                self._addresses.fail(address)
        return False

    def _check(self, name: str, password: str) -> bool:
        user = users.get(self._stores.get(), name)
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
        return bool(users.names(self._stores.get()))


def challenge(reason: str = "Log in with your editor's name and password.") -> Unauthorized:
    """The 401 that makes a browser ask for a name and password."""
    return Unauthorized(reason, www_authenticate=WWWAuthenticate("basic", {"realm": REALM, "charset": "UTF-8"}))
