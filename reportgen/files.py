"""Writing output files so that a reader never sees half of one, and the locks that keep writers apart."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from reportgen.errors import LockedError


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed over it only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(target: Path, content: str | bytes | Callable[[Path], None]) -> Path:
    """Write text, bytes, or whatever `content(path)` writes, to `target` all at once."""
    with atomic_path(target) as tmp:
        if callable(content):
            content(tmp)
        elif isinstance(content, str):
            tmp.write_text(content, encoding="utf-8")
        else:
            tmp.write_bytes(content)
    return target


def exclusive(data_dir: Path, *, wait: float, what: str) -> AbstractContextManager[None]:
    """Hold the data folder's lock: one writer of the store, the archive and the outbox at a time.

    `wait` is how long to wait for another holder (a running monthly job, another build) to finish.
    Re-entrant within a process: the job holds it while it builds.
    """
    return held(data_dir / "reportgen.lock", wait=wait, reentrant=True,
                busy=f"{what}: another reportgen run or build is writing in {data_dir}; try again later")


@contextmanager
def held(path: Path, *, wait: float, busy: str, reentrant: bool = False) -> Iterator[None]:
    """Hold the file lock at `path`, waiting at most `wait` seconds for another holder; LockedError(`busy`)
    if it is still held then. A `reentrant` lock may be taken again by the thread that holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, is_singleton=reentrant)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise LockedError(busy) from None
    try:
        yield
    finally:
        lock.release()
