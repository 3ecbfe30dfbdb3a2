"""The store as the server's threads share it: a connection for each thread, since a SQLite connection
is not for sharing between threads."""

from __future__ import annotations

import threading
from pathlib import Path

from reportgen.store import Store


class ThreadStores:
    """Opens the store at `db_path` once in each thread that asks for it, and hands that thread its own."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self._local = threading.local()

    def get(self) -> Store:
        """This thread's store, opened on its first use."""
        if getattr(self._local, "store", None) is None:
            self._local.store = Store(self.db_path)
        return self._local.store
