"""The one HTTP session every source uses: timeouts, retries with backoff, conditional GET, a deadline.

Sources never call `requests` directly. requests-cache keeps each response that carries a validator
(ETag, Last-Modified) and revalidates it on every use, so an unchanged file costs a 304, not a
download. urllib3's Retry repeats 429s, 5xx answers, timeouts and refused connections with
exponential backoff, honouring Retry-After up to a minute. A deadline counted from the start of the
call bounds all of it: every attempt's connect and read, the waits between them, and the body, so a
server that never answers or drips bytes cannot hang a run. The API key
query parameter `key` is redacted from everything stored in the cache and every URL handed back.
No request goes to a private, loopback or link-local address unless the URL asked for is on one, so a
redirect cannot turn a feed into a probe of the machine's own networks.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, NewConnectionError, ProtocolError, ReadTimeoutError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util import Timeout
from urllib3.util.retry import Retry

from reportgen.config import HttpConfig
from reportgen.errors import CollectError, hide_secrets

RETRY_STATUSES = (429, 500, 502, 503, 504)
SECRET_PARAMETERS = ("key",)  # query parameters that carry credentials
DEADLINE_FACTOR = 10  # a body may take this many per-read timeouts to arrive (300 s by default)
MAX_WAIT = 60  # the longest wait a Retry-After header can ask for
CHUNK = 64 * 1024
_SECRET = re.compile(rf"([?&;](?:{'|'.join(map(re.escape, SECRET_PARAMETERS))})=)[^&#;\s'\"]*", re.IGNORECASE)


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
        # A bound on the body's arrival, counted from the start of get(): requests has none of its own.
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
            accept: tuple[int, ...] = ()) -> Fetched:
        """GET `url`, revalidating any cached copy; raise CollectError with a clear reason on failure.

        Error statuses in `accept` (an API's 400 with its own message, say) are returned, not raised.
        """
        shown = redact(url)
        deadline = time.monotonic() + self.deadline

        def read_body(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
            return _read_body(response, max_bytes=max_bytes, deadline=deadline, limit=self.deadline,
                              timeout=self.config.timeout, what=what, shown=shown)

        token, local = _DEADLINE.set(deadline), _LOCAL_OK.set(_is_local(url))
        try:
            response = self.session.get(url, timeout=_DeadlineTimeout(self.config.timeout), stream=True,
                                        hooks={"response": read_body})
        except requests.exceptions.TooManyRedirects:
            raise CollectError(f"{what} failed: {shown} redirects in a loop") from None
        except _LocalAddress as exc:
            raise CollectError(f"{what} refused: {shown} redirects to {redact(str(exc))}, a private, loopback or "
                               "link-local address") from None
        except requests.exceptions.RequestException as exc:
            if time.monotonic() >= deadline - 0.01 and _is_timeout(exc):
                raise CollectError(f"{what} stopped: {shown} did not answer within {self.deadline:g} s, "
                                   "the time limit") from None
            raise CollectError(f"{what} failed: {shown}{self._explain(exc)}") from None
        finally:
            _DEADLINE.reset(token)
            _LOCAL_OK.reset(local)
        with response:
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
            reason = f"no answer within {self.config.timeout:g} s"
        elif isinstance(exc, requests.exceptions.ConnectionError):
            reason = f"cannot connect: {redact(_reason(exc))}"
        else:
            return f": {redact(_reason(exc))}"
        retries = self.config.retries
        return f" kept failing after {_retries(retries)} ({reason})" if retries else f": {reason}"


# The deadline of the get() under way in this thread: urllib3 retries inside one call of requests, so its
# Retry and Timeout read it from here to keep every attempt, and every wait between them, within it.
_DEADLINE: ContextVar[float | None] = ContextVar("reportgen_http_deadline", default=None)


def _left(seconds: float) -> float:
    """`seconds`, or what is left before the deadline if that is less (never 0: a socket would not block)."""
    deadline = _DEADLINE.get()
    return seconds if deadline is None else max(min(seconds, deadline - time.monotonic()), 0.001)


class _DeadlineTimeout(Timeout):
    """urllib3's Timeout whose connect and read waits end by the call's deadline, on every retry."""

    def __init__(self, seconds: float):
        super().__init__(connect=seconds, read=seconds)
        self.seconds = seconds

    def clone(self) -> _DeadlineTimeout:  # urllib3 clones it for each attempt
        return _DeadlineTimeout(self.seconds)

    @property
    def connect_timeout(self) -> float:
        return _left(self.seconds)

    @property
    def read_timeout(self) -> float:
        return _left(self.seconds)


class _DeadlineRetry(Retry):
    """urllib3's Retry that starts no attempt, and sleeps no backoff or Retry-After, past the call's deadline."""

    def is_exhausted(self) -> bool:
        deadline = _DEADLINE.get()
        return super().is_exhausted() or (deadline is not None and time.monotonic() >= deadline)

    def sleep(self, response: Any = None) -> None:
        if _DEADLINE.get() is None:
            return super().sleep(response)
        wait = (self.get_retry_after(response) if response is not None and self.respect_retry_after_header
                else None) or self.get_backoff_time()
        time.sleep(_left(wait) if wait > 0 else 0)


# Whether the get() under way may reach private, loopback and link-local addresses: only when its own
# URL is on one (a mirror on the local network, a test server), never because a redirect says so.
_LOCAL_OK: ContextVar[bool] = ContextVar("reportgen_http_local_ok", default=True)


class _LocalAddress(requests.exceptions.ConnectionError):
    """A request, a redirect's above all, to an address on this machine or its networks: refused."""


class _GuardedAdapter(HTTPAdapter):
    """requests' adapter, refusing to send a request to a private, loopback or link-local address unless
    the call's own URL is one: a feed that redirects to 169.254.169.254 would read a cloud's metadata."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if not _LOCAL_OK.get() and _is_local(request.url or ""):
            raise _LocalAddress(request.url)
        return super().send(request, *args, **kwargs)


def _is_local(url: str) -> bool:
    """Whether `url`'s host is, or resolves to, an address that is not on the public internet."""
    host = urlsplit(url).hostname
    if not host:
        return False
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in socket.getaddrinfo(host, None)]
        except (OSError, UnicodeError):  # no answer: the connection fails on its own, and says so
            return False
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return True
    return False


class _RedactingFilter(logging.Filter):
    """Hide credentials in the debug logs of urllib3 and requests-cache, which print full URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


def _redact_library_logs() -> None:
    """Attach the filter to every urllib3 and requests-cache logger (filters do not pass to children)."""
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in ("urllib3", "requests_cache")]
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())


def _retries(count: int) -> str:
    return f"{count} {'retry' if count == 1 else 'retries'}"


def redact(text: str, *secrets: str) -> str:
    """`text` (a URL or a message holding one) with the values of credential parameters hidden, and
    `secrets` and the secret environment variables' values wherever they stand."""
    return hide_secrets(_SECRET.sub(r"\1REDACTED", text), *secrets)


def _session(config: HttpConfig, cache_dir: Path | None) -> requests.Session:
    if cache_dir is not None:
        CachedSession = _requests_cache().CachedSession

        cache_dir.mkdir(parents=True, exist_ok=True)
        # expire_after=0 with always_revalidate: keep responses that have a validator, and ask the
        # server every time (a 304 when unchanged). Server Cache-Control headers are ignored
        # (cache_control defaults to False), so a max-age cannot make us skip a release.
        session: requests.Session = CachedSession(
            str(cache_dir / "http_cache"), backend="sqlite", serializer=_redacting_serializer(),
            expire_after=0, always_revalidate=True, stale_if_error=False,
            allowable_codes=(200,), ignored_parameters=list(SECRET_PARAMETERS), match_headers=False,
        )
    else:
        session = requests.Session()
    retry = _DeadlineRetry(
        total=config.retries,
        backoff_factor=config.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        retry_after_max=MAX_WAIT,  # a Retry-After of hours must not park a scheduled run
        raise_on_status=False,  # hand back the last answer, so the message can quote its status
    )
    adapter = _GuardedAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = config.user_agent
    _redact_library_logs()
    return session


def _requests_cache():
    """requests-cache, imported so that it holds on to nothing of ours.

    For each optional backend it cannot load (Redis, MongoDB...) requests-cache keeps the ImportError
    to raise later. That error's traceback holds the frames of whoever imported requests-cache first,
    with their locals (a downloaded file, a parsed batch), for the life of the process: drop it.
    """
    import requests_cache

    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "requests_cache":
            continue
        for value in vars(module).values():
            if isinstance(value, type) and getattr(value, "name", None) == "placeholder":
                for cell in value.__init__.__closure__ or ():  # the placeholder's error-raising function
                    for inner in getattr(cell.cell_contents, "__closure__", None) or ():
                        if isinstance(inner.cell_contents, BaseException):
                            inner.cell_contents.__traceback__ = None
    return requests_cache


def _redacting_serializer():
    """requests-cache's pickle serializer, with credentials scrubbed from every stored string.

    requests-cache's own `ignored_parameters` redacts the response's URL but not those of the
    redirects that led to it, which it stores too.
    """
    from requests_cache.serializers import SerializerPipeline, Stage, pickle_serializer

    stages = [stage.copy() for stage in pickle_serializer.stages]
    scrub = Stage(dumps=_scrub, loads=lambda value: value)
    return SerializerPipeline([stages[0], scrub, *stages[1:]], name="pickle-redacted", is_binary=True)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub(item) for item in value)
    return value


def _read_body(response: requests.Response, *, max_bytes: int, deadline: float, limit: float, timeout: float,
               what: str, shown: str) -> requests.Response:
    """Read the body as it arrives, within the size limit and the deadline (a requests hook).

    It runs before requests-cache stores the response, which would otherwise read the whole body
    with no limit of size or time. Each read waits at most until the deadline, so a server that
    drips bytes cannot keep the call going past it.
    """
    if response._content_consumed:  # a cached response, or one read already
        return response
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise CollectError(f"{what} refused: {shown} is {int(declared):,} bytes, over the {max_bytes:,}-byte limit")
        raw = response.raw
        chunks, size = [], 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CollectError(f"{what} stopped: {shown} was still arriving after {limit:g} s, the time limit")
            _set_read_timeout(raw, min(timeout, remaining))
            try:
                chunk = raw.read1(CHUNK, decode_content=True)
            except (TimeoutError, ReadTimeoutError):
                if time.monotonic() >= deadline - 0.01:
                    raise CollectError(f"{what} stopped: {shown} was still arriving after {limit:g} s, the time limit") from None
                raise CollectError(f"{what} failed: {shown} sent no data for {timeout:g} s") from None
            except DecodeError as exc:
                raise CollectError(f"{what} failed: {shown} sent a body that cannot be decoded ({exc.__class__.__name__})") from None
            except (ProtocolError, SSLError, OSError) as exc:
                raise CollectError(f"{what} failed: {shown}: the connection broke off ({redact(_reason(exc))})") from None
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise CollectError(f"{what} stopped: {shown} is over the {max_bytes:,}-byte limit")
            chunks.append(chunk)
    except BaseException:
        response.close()
        raise
    response._content = b"".join(chunks)
    response._content_consumed = True
    return response


def _set_read_timeout(raw: Any, seconds: float) -> None:
    """Make the next socket read give up by `seconds` (urllib3 resets it for the next request)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


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


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, without its noisy wrapping."""
    while exc.__context__ is not None and str(exc.__context__):
        exc = exc.__context__
    text = str(exc)
    if "Max retries exceeded" in text:
        text = text.split("(Caused by ", 1)[-1].rstrip(")")
        text = text.split(": ", 1)[-1] if ": " in text else text
    return text
