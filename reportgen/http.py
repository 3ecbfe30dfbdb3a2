"""The one HTTP session every source uses: timeouts, retries with backoff, conditional GET.

Sources never call `requests` directly. requests-cache keeps each response with its validators
(ETag, Last-Modified) and revalidates every time, so an unchanged file costs a 304, not a download.
urllib3's Retry retries 429 and 5xx with exponential backoff, honouring Retry-After.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from reportgen.config import HttpConfig
from reportgen.errors import CollectError

RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class Fetched:
    """A successful response, read in full."""

    url: str
    content: bytes
    content_type: str
    etag: str
    last_modified: str
    not_modified: bool  # True when the server answered 304 and the cached copy was used


class Http:
    """A shared session with the project's policies; one per process is enough."""

    def __init__(self, config: HttpConfig, cache_dir: Path | None = None):
        self.config = config
        self.session = _session(config, cache_dir)

    def get(self, url: str, *, max_bytes: int = 200 * 1024 * 1024, what: str = "download") -> Fetched:
        """GET `url`, revalidating any cached copy; raise CollectError with a clear reason on failure."""
        deadline = time.monotonic() + self.config.timeout * (self.config.retries + 1) * 4
        try:
            with self.session.get(url, timeout=self.config.timeout, stream=True) as response:
                if response.status_code >= 400:
                    raise CollectError(f"{what} failed: {url} answered HTTP {response.status_code} {response.reason}".rstrip())
                content = _read(response, max_bytes=max_bytes, deadline=deadline, url=url)
                return Fetched(
                    url=response.url,
                    content=content,
                    content_type=response.headers.get("Content-Type", ""),
                    etag=response.headers.get("ETag", ""),
                    last_modified=response.headers.get("Last-Modified", ""),
                    not_modified=bool(getattr(response, "from_cache", False)),
                )
        except requests.exceptions.RetryError as exc:
            raise CollectError(f"{what} failed: {url} kept failing after {self.config.retries} retries ({_reason(exc)})") from None
        except requests.exceptions.Timeout:
            raise CollectError(f"{what} failed: {url} did not answer within {self.config.timeout:g} s") from None
        except requests.exceptions.ConnectionError as exc:
            raise CollectError(f"{what} failed: cannot reach {url} ({_reason(exc)})") from None
        except requests.exceptions.RequestException as exc:
            raise CollectError(f"{what} failed: {url}: {_reason(exc)}") from None


def _session(config: HttpConfig, cache_dir: Path | None) -> requests.Session:
    if cache_dir is not None:
        from requests_cache import CachedSession

        cache_dir.mkdir(parents=True, exist_ok=True)
        # expire_after=0: keep responses, but always revalidate them with the server.
        session: requests.Session = CachedSession(
            str(cache_dir / "http_cache"), backend="sqlite", expire_after=0, stale_if_error=False,
            allowable_codes=(200,), ignored_parameters=["key"], match_headers=False,
        )
    else:
        session = requests.Session()
    retry = Retry(
        total=config.retries,
        backoff_factor=config.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=True,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = config.user_agent
    return session


def _read(response: requests.Response, *, max_bytes: int, deadline: float, url: str) -> bytes:
    """Read the body in chunks, giving up when it grows too big or takes too long overall."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise CollectError(f"download refused: {url} is {int(declared):,} bytes, over the {max_bytes:,}-byte limit")
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise CollectError(f"download stopped: {url} is over the {max_bytes:,}-byte limit")
        if time.monotonic() > deadline:
            raise CollectError(f"download stopped: {url} was still arriving after the time limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    """The innermost cause of a requests error, without its noisy wrapping."""
    while exc.__context__ is not None and str(exc.__context__):
        exc = exc.__context__  # type: ignore[assignment]
    text = str(exc)
    return text.split(": ", 1)[-1] if "Max retries exceeded" in text else text
