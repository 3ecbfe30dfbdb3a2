"""One connection to the store's SQLite file: opened, its tables created, written in transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from reportgen.errors import StoreError


def _create_private(path: Path) -> None:
    """Make a new store file readable by its owner only: it holds editors' password hashes and
    subscribers' addresses. SQLite would make it 0644, and gives its -wal and -shm files the mode of
    the store file, so they follow."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


class Database:
    """A connection to the store file with the tables of `SCHEMA` created. Use as a context manager."""

    SCHEMA = ""

    def __init__(self, path: Path):
        self.path = path
        self.db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA foreign_keys = ON")
            # The outbox commits once a message, before its final dot, and that commit must reach the
            # disk. With a write-ahead log a commit is one append and one sync, not the rollback
            # journal's three (5,000 messages: seconds instead of a minute), and readers (the web page)
            # never wait for a writer. The mode stays with the file.
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            with self.transaction():
                for statement in self.SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(f"{path}: not a usable reportgen store ({exc})") from None
        except OSError as exc:
            self.close()
            raise StoreError(f"{path}: cannot create the store ({exc.strerror})") from None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write, committed (and on disk) when the block ends, or rolled back."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot write the store ({exc})") from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
