"""Editors' accounts for the web page: a name and a scrypt hash of the password, in the store's file.

Passwords are hashed with werkzeug's scrypt (salted, memory-hard); the table never holds a password,
and nothing here logs one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from reportgen import timestamps
from reportgen.errors import InputError
from reportgen.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,  -- scrypt:N:r:p$salt$hash
    created TEXT NOT NULL,
    changed TEXT NOT NULL
)
"""
METHOD = "scrypt"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # a hash of a megabyte would be a cheap way to keep the server busy
# A colon cannot be in a Basic-auth user name; spaces and control characters only confuse.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str
    created: str
    changed: str


def _ready(store: Store) -> None:
    store.db.execute(SCHEMA)


def check_name(name: str) -> str:
    """The name as given, if it can be an account name; else an InputError saying what is allowed."""
    if not NAME.match(name):
        raise InputError(f"user name {name!r}: use 1 to 64 letters, digits, '.', '_', '@' or '-', "
                         "starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    """The password, if it is long enough to keep; never echoed in the error."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"the password is too long: use at most {MAX_PASSWORD} characters")
    return password


def add(store: Store, name: str, password: str) -> bool:
    """Create an account, or give an existing one a new password; True if it was new."""
    check_name(name)
    check_password(password)
    _ready(store)
    hashed = generate_password_hash(password, method=METHOD)
    now = timestamps.now()
    existed = get(store, name) is not None
    store.db.execute(
        """INSERT INTO users VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, changed = excluded.changed""",
        (name, hashed, now, now),
    )
    return not existed


def remove(store: Store, name: str) -> bool:
    """Delete an account; False if there was none by that name."""
    _ready(store)
    return store.db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0


def get(store: Store, name: str) -> User | None:
    _ready(store)
    row = store.db.execute("SELECT name, password_hash, created, changed FROM users WHERE name = ?",
                           (name,)).fetchone()
    return User(*row) if row else None


def names(store: Store) -> list[str]:
    """Every account name, in order."""
    _ready(store)
    return [row[0] for row in store.db.execute("SELECT name FROM users ORDER BY name")]


def verify(user: User | None, password: str) -> bool:
    """Whether `password` is the user's; as slow for an unknown user as for a known one."""
    if len(password) > MAX_PASSWORD:
        return False
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the name is unknown, so that a wrong name costs as long as a wrong password."""
    return generate_password_hash("not anyone's password", method=METHOD)
