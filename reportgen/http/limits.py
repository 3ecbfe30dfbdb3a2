"""The limits of one fetch: a deadline over all of it, and a size cap on the body, through urllib3's public hooks.

urllib3 retries inside one call of requests, so the call's limits travel in a context variable that
its Timeout and Retry (subclassed here) read on every attempt: no connect, read or wait between
attempts outlasts the deadline. The transport adapter reads each body as it arrives, counting bytes
and stopping at the deadline, before requests-cache sees the response (it would read the whole body
with no limit); a watchdog shuts the socket's reading side at the deadline (urllib3's
`HTTPResponse.shutdown()`), so a read blocked on a server that drips bytes returns on time.
"""

from __future__ import annotations

import io
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPHeaderDict, HTTPResponse
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError
from urllib3.util import Timeout
from urllib3.util.retry import Retry

from reportgen.errors import CollectError
from reportgen.http.safety import LocalAddress, is_local, redact
from reportgen.models import Progress

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Call:
    """The limits and the words of one Http.get(): what the adapter, Timeout and Retry need to know."""

    deadline: float  # time.monotonic() by which the whole call ends
    limit: float  # the deadline's length in seconds, for messages
    timeout: float  # the longest wait for a connection or for more data
    max_bytes: int
    what: str  # "download", "feed 'Trade Wire'"
    shown: str  # the URL as messages show it (credentials redacted)
    local_ok: bool  # the URL asked for is on a private or loopback address, so its redirects may be too
    progress: Progress | None = None  # told of the body's bytes as they arrive

    def late(self) -> CollectError:
        return CollectError(f"{self.what} stopped: {self.shown} was still arriving after {self.limit:g} s, "
                            "the time limit")

    def past(self, margin: float = 0.0) -> bool:
        return time.monotonic() >= self.deadline - margin


CALL: ContextVar[Call | None] = ContextVar("reportgen_http_call", default=None)


def _left(seconds: float) -> float:
    """`seconds`, or what is left before the deadline if that is less (never 0: a socket would not block)."""
    call = CALL.get()
    return seconds if call is None else max(min(seconds, call.deadline - time.monotonic()), 0.001)


class DeadlineTimeout(Timeout):
    """urllib3's Timeout whose connect and read waits end by the call's deadline, on every retry."""

    def __init__(self, seconds: float):
        super().__init__(connect=seconds, read=seconds)
        self.seconds = seconds

    def clone(self) -> DeadlineTimeout:  # urllib3 clones it for each attempt
        return DeadlineTimeout(self.seconds)

    @property
    def connect_timeout(self) -> float:
        return _left(self.seconds)

    @property
    def read_timeout(self) -> float:
        return _left(self.seconds)


class DeadlineRetry(Retry):
    """urllib3's Retry that starts no attempt, and sleeps no backoff or Retry-After, past the call's deadline."""

    def is_exhausted(self) -> bool:
        call = CALL.get()
        return super().is_exhausted() or (call is not None and call.past())

    def sleep(self, response: Any = None) -> None:
        if CALL.get() is None:
            return super().sleep(response)
        wait = (self.get_retry_after(response) if response is not None and self.respect_retry_after_header
                else None) or self.get_backoff_time()
        time.sleep(_left(wait) if wait > 0 else 0)


class LimitedAdapter(HTTPAdapter):
    """requests' transport adapter, within the call's limits: it refuses a private address the call did not
    ask for, and hands on a body read in full, within the size cap and the deadline."""

    def send(self, request: requests.PreparedRequest, stream: bool = False, *args: Any,
             **kwargs: Any) -> requests.Response:
        call = CALL.get()
        if call is None:
            return super().send(request, stream, *args, **kwargs)
        if not call.local_ok and is_local(request.url or ""):
            raise LocalAddress(request.url)
        response = super().send(request, True, *args, **kwargs)
        body = read_body(response, call)
        return self.build_response(request, _in_memory(response.raw, body))


def read_body(response: requests.Response, call: Call) -> bytes:
    """The body, decoded, read as it arrives within the size cap and the deadline; the response is closed on failure."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > call.max_bytes:
        response.close()
        raise CollectError(f"{call.what} refused: {call.shown} is {int(declared):,} bytes, "
                           f"over the {call.max_bytes:,}-byte limit")
    # The declared length counts the bytes on the wire; compressed, they are not the bytes counted here.
    total = int(declared) if declared.isdigit() and not response.headers.get("Content-Encoding") else None
    watchdog = _Watchdog(response.raw, call.deadline - time.monotonic())
    chunks, size = [], 0
    try:
        while chunk := _read1(response.raw, call):
            size += len(chunk)
            if size > call.max_bytes:
                raise CollectError(f"{call.what} stopped: {call.shown} is over the {call.max_bytes:,}-byte limit")
            chunks.append(chunk)
            if call.progress:
                call.progress("download", size, total)
    except BaseException:
        response.close()
        if watchdog.stop():  # whatever error the shut socket surfaced as, the deadline is the reason
            raise call.late() from None
        raise
    if watchdog.stop():  # the body's end may be the socket the watchdog shut, not the server's
        response.close()
        raise call.late()
    return b"".join(chunks)


def _read1(raw: HTTPResponse, call: Call) -> bytes:
    """The next piece of the body, as soon as some arrives; CollectError with the reason if none can."""
    if call.past():
        raise call.late()
    try:
        return raw.read1(CHUNK, decode_content=True)
    except (TimeoutError, ReadTimeoutError):
        if call.past(0.01):
            raise call.late() from None
        raise CollectError(f"{call.what} failed: {call.shown} sent no data for {call.timeout:g} s") from None
    except DecodeError as exc:
        raise CollectError(f"{call.what} failed: {call.shown} sent a body that cannot be decoded "
                           f"({exc.__class__.__name__})") from None
    except (ProtocolError, SSLError, OSError) as exc:
        raise CollectError(f"{call.what} failed: {call.shown}: the connection broke off "
                           f"({redact(reason(exc))})") from None


class _Watchdog:
    """Shuts a response's socket for reading once `seconds` have passed, unless stopped first."""

    def __init__(self, raw: HTTPResponse, seconds: float):
        self._raw = raw
        self._lock = threading.Lock()
        self._stopped = self._fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._fired = True
            try:
                self._raw.shutdown()
            except (ValueError, RuntimeError, OSError):  # the body ended and the connection went back meanwhile
                pass

    def stop(self) -> bool:
        """Stop watching; whether the deadline came first and cut the body short."""
        with self._lock:
            self._stopped = True
        self._timer.cancel()
        return self._fired


def _in_memory(raw: HTTPResponse, body: bytes) -> HTTPResponse:
    """A urllib3 response holding `body`, already decoded, in place of the one read from the network."""
    headers = HTTPHeaderDict(raw.headers)
    for name in ("Content-Encoding", "Transfer-Encoding"):
        headers.discard(name)
    headers["Content-Length"] = str(len(body))
    return HTTPResponse(body=io.BytesIO(body), headers=headers, status=raw.status, version=raw.version,
                        reason=raw.reason, preload_content=False, decode_content=False, retries=raw.retries,
                        request_url=raw.url)


def reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, without its noisy wrapping."""
    while exc.__context__ is not None and str(exc.__context__):
        exc = exc.__context__
    text = str(exc)
    if "Max retries exceeded" in text:
        text = text.split("(Caused by ", 1)[-1].rstrip(")")
        text = text.split(": ", 1)[-1] if ": " in text else text
    return text
