"""The one HTTP session every source uses: timeouts, retries with backoff, conditional GET, a deadline.

Sources never call `requests` directly. requests-cache keeps each response that carries a validator
(ETag, Last-Modified) and revalidates it on every use, so an unchanged file costs a 304, not a
download. urllib3's Retry repeats 429s, 5xx answers, timeouts and refused connections with
exponential backoff, honouring Retry-After up to a minute. A deadline counted from the start of the
call bounds all of it: every attempt's connect and read, the waits between them, and the body, so a
server that never answers or drips bytes cannot hang a run (`limits`). Credentials never reach the
cache, a log or a message, and redirects never reach this machine's networks (`safety`).
"""

from __future__ import annotations

import importlib
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Self

import requests
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from reportgen.config import HttpConfig
from reportgen.errors import CollectError
from reportgen.http.limits import CALL, Call, DeadlineRetry, DeadlineTimeout, LimitedAdapter, reason
from reportgen.http.safety import (
    SECRET_HEADERS,
    SECRET_PARAMETERS,
    LocalAddress,
    is_local,
    redact,
    redact_library_logs,
    scrub,
)
from reportgen.models import Progress

__all__ = ["MAX_WAIT", "SECRET_HEADERS", "Fetched", "Http", "redact"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
DEADLINE_FACTOR = 10  # a call may take this many per-read timeouts in all (300 s by default)
MAX_WAIT = 60  # the longest wait a Retry-After header can ask for


@dataclass(frozen=True)
class Fetched:
    """A response, read in full: a success, or one of the statuses the caller said it would handle."""

    url: str  # the final URL, with credentials redacted
    content: bytes
    content_type: str
    etag: str
    last_modified: str
    not_modified: bool  # True when the server answered 304 and the cached copy was used
    status: int = 200


class Http:
    """A shared session with the project's policies; one per process is enough."""

    def __init__(self, config: HttpConfig, cache_dir: Path | None = None, *, deadline: float | None = None):
        self.config = config
        # A bound on the whole call, counted from the start of get(): requests has none of its own.
        self.deadline = deadline if deadline is not None else config.timeout * DEADLINE_FACTOR
        self.session = _session(config, cache_dir)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections and the cache file."""
        self.session.close()

    def get(self, url: str, *, max_bytes: int = 200 * 1024 * 1024, what: str = "download",
            accept: tuple[int, ...] = (), headers: Mapping[str, str] | None = None,
            progress: Progress | None = None) -> Fetched:
        """GET `url`, revalidating any cached copy; raise CollectError with a clear reason on failure.

        Error statuses in `accept` (an API's 400 with its own message, say) are returned, not raised.
        `headers` are sent with the request; those of `SECRET_HEADERS` (an API key) are never cached.
        `progress` hears of the body's bytes as they arrive ("download", bytes so far, Content-Length).
        """
        shown = redact(url)
        call = Call(deadline=time.monotonic() + self.deadline, limit=self.deadline, timeout=self.config.timeout,
                    max_bytes=max_bytes, what=what, shown=shown, local_ok=is_local(url), progress=progress)
        token = CALL.set(call)
        try:
            response = self.session.get(url, timeout=DeadlineTimeout(self.config.timeout), headers=headers)
        except requests.exceptions.TooManyRedirects:
            raise CollectError(f"{what} failed: {shown} redirects in a loop") from None
        except LocalAddress as exc:
            raise CollectError(f"{what} refused: {shown} redirects to {redact(str(exc))}, a private, loopback or "
                               "link-local address") from None
        except requests.exceptions.RequestException as exc:
            if call.past(0.01) and _is_timeout(exc):
                raise CollectError(f"{what} stopped: {shown} did not answer within {self.deadline:g} s, "
                                   "the time limit") from None
            raise CollectError(f"{what} failed: {shown}{self._explain(exc)}") from None
        finally:
            CALL.reset(token)
        if response.status_code >= 400 and response.status_code not in accept:
            status = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
            retries = getattr(getattr(response.raw, "retries", None), "history", ())
            if retries:  # urllib3 hands back the last answer once its retries are spent
                raise CollectError(f"{what} failed: {shown} kept failing after {_retries(len(retries))} ({status})")
            raise CollectError(f"{what} failed: {shown} answered {status}")
        return Fetched(
            url=redact(response.url),
            content=response.content,
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag", ""),
            last_modified=response.headers.get("Last-Modified", ""),
            not_modified=bool(getattr(response, "from_cache", False)),
            status=response.status_code,
        )

    def _explain(self, exc: requests.exceptions.RequestException) -> str:
        """What went wrong, after urllib3 has retried what was worth retrying."""
        if _is_timeout(exc):
            cause = f"no answer within {self.config.timeout:g} s"
        elif isinstance(exc, requests.exceptions.ConnectionError):
            cause = f"cannot connect: {redact(reason(exc))}"
        else:
            return f": {redact(reason(exc))}"
        retries = self.config.retries
        return f" kept failing after {_retries(retries)} ({cause})" if retries else f": {cause}"


def _retries(count: int) -> str:
    return f"{count} {'retry' if count == 1 else 'retries'}"


def _session(config: HttpConfig, cache_dir: Path | None) -> requests.Session:
    if cache_dir is not None:
        requests_cache = _requests_cache()
        cache_dir.mkdir(parents=True, exist_ok=True)
        # expire_after=0 with always_revalidate: keep responses that have a validator, and ask the
        # server every time (a 304 when unchanged). Server Cache-Control headers are ignored
        # (cache_control defaults to False), so a max-age cannot make us skip a release.
        session: requests.Session = requests_cache.CachedSession(
            str(cache_dir / "http_cache"), backend="sqlite", serializer=_redacting_serializer(requests_cache),
            expire_after=0, always_revalidate=True, stale_if_error=False,
            allowable_codes=(200,), ignored_parameters=[*SECRET_PARAMETERS, *SECRET_HEADERS], match_headers=False,
        )
    else:
        session = requests.Session()
    retry = DeadlineRetry(
        total=config.retries,
        backoff_factor=config.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        retry_after_max=MAX_WAIT,  # a Retry-After of hours must not park a scheduled run
        raise_on_status=False,  # hand back the last answer, so the message can quote its status
    )
    adapter = LimitedAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = config.user_agent
    redact_library_logs()
    return session


def _requests_cache() -> ModuleType:
    """requests-cache, imported on a thread of its own so that it holds on to nothing of ours.

    For each optional backend it cannot load (Redis, MongoDB...) requests-cache keeps the ImportError
    to raise later. That error's traceback holds the frames of whoever imported requests-cache, with
    their locals (a downloaded file, a parsed batch), for the life of the process; a thread's frames
    hold nothing of ours. (Imported here, not at the top: it costs a quarter of a second.)
    """
    if "requests_cache" not in sys.modules:
        importer = threading.Thread(target=importlib.import_module, args=("requests_cache",), daemon=True)
        importer.start()
        importer.join()
    return importlib.import_module("requests_cache")


def _redacting_serializer(requests_cache: ModuleType) -> Any:
    """requests-cache's pickle serializer, with credentials scrubbed from every stored string.

    requests-cache's own `ignored_parameters` redacts the response's URL but not those of the
    redirects that led to it, which it stores too.
    """
    serializers = requests_cache.serializers
    stages = [stage.copy() for stage in serializers.pickle_serializer.stages]
    cleaning = serializers.Stage(dumps=scrub, loads=lambda value: value)
    return serializers.SerializerPipeline([stages[0], cleaning, *stages[1:]], name="pickle-redacted", is_binary=True)


def _is_timeout(exc: BaseException) -> bool:
    """Whether a requests error comes from a timeout, however deeply urllib3 wrapped it."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        # urllib3's NewConnectionError subclasses its ConnectTimeoutError, yet means "refused" and the like.
        if id(item) in seen or not isinstance(item, BaseException) or isinstance(item, NewConnectionError):
            continue
        seen.add(id(item))
        if isinstance(item, (requests.exceptions.Timeout, Urllib3Timeout, socket.timeout)):
            return True
        stack.extend([*item.args, getattr(item, "reason", None), item.__cause__, item.__context__])
    return False
