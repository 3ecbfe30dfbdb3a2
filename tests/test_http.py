"""The shared HTTP session against a real local server: retries, conditional GET, limits, secrets."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from werkzeug import Request, Response

from reportgen.config import HttpConfig
from reportgen.errors import CollectError
from reportgen.http import MAX_WAIT, Http, redact

AGENT = "reportgen-test/1.0 (tests)"
BODY = b"PK\x03\x04 pretend this is country.xlsx " * 100


def config(**changes) -> HttpConfig:
    return HttpConfig(**{"timeout": 2.0, "retries": 2, "backoff": 0.0, "user_agent": AGENT, **changes})


def failure(http: Http, url: str, **kwargs) -> str:
    """The one-line message of the CollectError that get() raises."""
    with pytest.raises(CollectError) as caught:
        http.get(url, **kwargs)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def conditional(body: bytes, etag: str, last_modified: str = "Tue, 01 Oct 2026 12:00:00 GMT", **headers):
    """A handler that answers 304 when the client already holds this version, as Census's server does."""
    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="application/octet-stream",
                        headers={"ETag": etag, "Last-Modified": last_modified, **headers})
    return handle


# -- plain success -------------------------------------------------------------------------------

def test_body_returned_and_user_agent_sent(server):
    server.expect_request("/country.xlsx", method="GET", headers={"User-Agent": AGENT}).respond_with_data(
        BODY, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with Http(config()) as http:
        fetched = http.get(server.url_for("/country.xlsx"))
    assert fetched.content == BODY
    assert fetched.url == server.url_for("/country.xlsx")
    assert fetched.content_type.startswith("application/vnd.openxmlformats")
    assert fetched.not_modified is False
    assert len(server.log) == 1


# -- conditional GET -----------------------------------------------------------------------------

def test_second_get_revalidates_and_304_uses_the_cached_copy(server, tmp_path):
    server.expect_request("/country.xlsx").respond_with_handler(conditional(BODY, '"v1"'))
    with Http(config(), tmp_path / "cache") as http:
        first = http.get(server.url_for("/country.xlsx"))
        second = http.get(server.url_for("/country.xlsx"))
    assert (first.not_modified, second.not_modified) == (False, True)
    assert second.content == BODY
    assert (second.etag, second.last_modified) == ('"v1"', "Tue, 01 Oct 2026 12:00:00 GMT")
    (request1, response1), (request2, response2) = server.log
    assert "If-None-Match" not in request1.headers
    assert request2.headers["If-None-Match"] == '"v1"'
    assert request2.headers["If-Modified-Since"] == "Tue, 01 Oct 2026 12:00:00 GMT"
    assert (response1.status_code, response2.status_code) == (200, 304)


def test_revalidates_even_when_the_server_says_fresh(server, tmp_path):
    """A max-age must not let us skip asking: a new release could be out within the hour."""
    server.expect_request("/country.xlsx").respond_with_handler(
        conditional(BODY, '"v1"', **{"Cache-Control": "public, max-age=86400"}))
    with Http(config(), tmp_path / "cache") as http:
        http.get(server.url_for("/country.xlsx"))
        second = http.get(server.url_for("/country.xlsx"))
    assert second.not_modified is True
    assert len(server.log) == 2


def test_a_new_release_replaces_the_cached_copy(server, tmp_path):
    url = server.url_for("/country.xlsx")
    with Http(config(), tmp_path / "cache") as http:
        server.expect_request("/country.xlsx").respond_with_handler(conditional(b"release 1", '"v1"'))
        http.get(url)
        server.clear()
        server.expect_request("/country.xlsx").respond_with_handler(conditional(b"release 2", '"v2"'))
        changed = http.get(url)
        again = http.get(url)
    assert (changed.content, changed.not_modified, changed.etag) == (b"release 2", False, '"v2"')
    assert (again.content, again.not_modified) == (b"release 2", True)
    assert [r.headers.get("If-None-Match") for r, _ in server.log] == ['"v1"', '"v2"']


def test_a_response_without_validators_is_downloaded_every_time(server, tmp_path):
    server.expect_request("/plain").respond_with_data(b"no validators")
    with Http(config(), tmp_path / "cache") as http:
        first, second = http.get(server.url_for("/plain")), http.get(server.url_for("/plain"))
    assert (first.not_modified, second.not_modified) == (False, False)
    assert second.content == b"no validators"
    assert all("If-None-Match" not in r.headers and "If-Modified-Since" not in r.headers for r, _ in server.log)


# -- retries ---------------------------------------------------------------------------------------

def test_a_500_then_a_200_succeeds(server):
    server.expect_oneshot_request("/flaky").respond_with_data("busy", status=500)
    server.expect_request("/flaky").respond_with_data(BODY)
    with Http(config()) as http:
        assert http.get(server.url_for("/flaky")).content == BODY
    assert [response.status_code for _, response in server.log] == [500, 200]


def test_500_every_time_gives_up_after_the_retries(server):
    server.expect_request("/down").respond_with_data("broken", status=500)
    with Http(config(retries=2)) as http:
        message = failure(http, server.url_for("/down"), what="Census bulk file download")
    assert message == (f"Census bulk file download failed: {server.url_for('/down')} kept failing after 2 retries "
                       "(HTTP 500 INTERNAL SERVER ERROR)")
    assert len(server.log) == 3


def test_a_long_retry_after_is_capped(server):
    """Retry-After: 3600 must not park a scheduled run for an hour: urllib3 waits at most MAX_WAIT."""
    with Http(config(retries=3)) as http:
        retry = http.session.get_adapter("http://x").max_retries
    assert retry.retry_after_max == MAX_WAIT == 60
    assert retry.parse_retry_after("3600") == 60


def test_a_short_retry_after_is_honoured(server):
    """The retry waits as long as the server asked: a lower bound, which no machine is too fast or slow for."""
    server.expect_oneshot_request("/soon").respond_with_data("wait", status=429, headers={"Retry-After": "1"})
    server.expect_request("/soon").respond_with_data(b"ok")
    started = time.monotonic()
    with Http(config()) as http:
        assert http.get(server.url_for("/soon")).content == b"ok"
    assert time.monotonic() - started >= 0.9


def test_timeout_is_reported_with_the_time(server):
    server.expect_request("/slow").respond_with_handler(lambda request: (time.sleep(1.5), Response("late"))[1])
    with Http(config(timeout=0.3, retries=1)) as http:
        message = failure(http, server.url_for("/slow"))
    assert message == f"download failed: {server.url_for('/slow')} kept failing after 1 retry (no answer within 0.3 s)"


def test_404_is_reported_with_the_status_and_not_retried(server):
    server.expect_request("/missing").respond_with_data("no", status=404)
    with Http(config()) as http:
        message = failure(http, server.url_for("/missing"))
    assert message == f"download failed: {server.url_for('/missing')} answered HTTP 404 NOT FOUND"
    assert len(server.log) == 1


def test_nobody_listening():
    with socket.socket() as probe:  # a port that was free a moment ago, and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Http(config(retries=1)) as http:
        message = failure(http, f"http://127.0.0.1:{port}/country.xlsx")
    assert message.startswith(f"download failed: http://127.0.0.1:{port}/country.xlsx kept failing after 1 retry "
                              "(cannot connect: ")
    assert "refused" in message.lower()


# -- limits ----------------------------------------------------------------------------------------

def test_declared_size_over_the_limit_is_refused(server):
    server.expect_request("/big").respond_with_data(b"x" * 5000)
    with Http(config()) as http:
        message = failure(http, server.url_for("/big"), max_bytes=1000)
    assert message == f"download refused: {server.url_for('/big')} is 5,000 bytes, over the 1,000-byte limit"


def test_undeclared_size_over_the_limit_is_stopped(server, tmp_path):
    """Without a Content-Length the limit is checked as the body arrives, before the cache stores it."""
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1000

    server.expect_request("/big").respond_with_handler(lambda request: Response(chunks()))
    with Http(config(), tmp_path / "cache") as http:
        message = failure(http, server.url_for("/big"), max_bytes=10_000)
    assert message == f"download stopped: {server.url_for('/big')} is over the 10,000-byte limit"


@pytest.mark.parametrize("cached", [False, True], ids=["plain", "cached"])
def test_a_slow_drip_cannot_outlast_the_deadline(server, tmp_path, cached):
    """Each byte arrives well within the read timeout, so only the overall deadline can stop it: without
    it the whole body would arrive after 4 s. (How soon after the deadline it stops: bench/bench_http.py.)"""
    def drip() -> Iterator[bytes]:
        stop = time.monotonic() + 4
        while time.monotonic() < stop:
            yield b"x"
            time.sleep(0.05)

    server.expect_request("/drip").respond_with_handler(
        lambda request: Response(drip(), headers={"ETag": '"d"'}, direct_passthrough=True))
    with Http(config(timeout=1.0), tmp_path / "cache" if cached else None, deadline=0.6) as http:
        message = failure(http, server.url_for("/drip"))
    assert message == f"download stopped: {server.url_for('/drip')} was still arriving after 0.6 s, the time limit"


def test_a_stall_mid_body_ends_at_the_deadline_not_the_read_timeout(server):
    """A stall longer than the deadline is the deadline's failure, not the read timeout's ("sent no data")."""
    def stall() -> Iterator[bytes]:
        yield b"first bytes"
        time.sleep(3)
        yield b"too late"

    server.expect_request("/stall").respond_with_handler(lambda request: Response(stall(), direct_passthrough=True))
    with Http(config(timeout=2.5), deadline=0.6) as http:
        message = failure(http, server.url_for("/stall"))
    assert message == f"download stopped: {server.url_for('/stall')} was still arriving after 0.6 s, the time limit"


def test_the_default_deadline_follows_the_timeout():
    assert Http(config(timeout=30.0)).deadline == 300.0


# -- secrets ----------------------------------------------------------------------------------------

def test_api_key_never_reaches_the_cache_file(server, tmp_path):
    """ignored_parameters redacts the response's URL; the redirect that led to it must not leak either."""
    secret = "S3CRETKEY0123456789"
    server.expect_request("/data").respond_with_handler(conditional(b'[["CTY_CODE"]]', '"a"'))
    server.expect_request("/old").respond_with_data("", status=302, headers={"Location": "/data?time=2025-01"})
    cache = tmp_path / "cache"
    with Http(config(), cache) as http:
        direct = http.get(server.url_for("/data") + f"?get=CTY_CODE&key={secret}")
        again = http.get(server.url_for("/data") + f"?get=CTY_CODE&key={secret}")
        redirected = http.get(server.url_for("/old") + f"?key={secret}")
    assert again.not_modified is True  # the key is left out of the cache key, not out of the request
    assert server.log[0][0].args["key"] == secret
    assert direct.url == server.url_for("/data") + "?get=CTY_CODE&key=REDACTED"
    assert redirected.content == b'[["CTY_CODE"]]'
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert secret.encode() not in path.read_bytes(), path


def test_api_key_is_redacted_from_error_messages(server):
    server.expect_request("/data").respond_with_data("bad variable", status=400)
    with Http(config()) as http:
        message = failure(http, server.url_for("/data") + "?get=X&key=S3CRET&time=2025-01")
    assert "S3CRET" not in message
    assert "key=REDACTED&time=2025-01" in message


def test_redact():
    assert redact("https://api.census.gov/x?get=A&key=abc123&time=2025") == \
        "https://api.census.gov/x?get=A&key=REDACTED&time=2025"
    assert redact("https://x/?key=abc") == "https://x/?key=REDACTED"
    assert redact("https://x/?monkey=abc") == "https://x/?monkey=abc"


# -- bodies ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cached", [False, True], ids=["plain", "cached"])
def test_a_large_compressed_body_arrives_whole(server, tmp_path, cached):
    """Read piece by piece and decompressed on the way; the cache keeps the decoded bytes."""
    import gzip

    body = random.Random(11).randbytes(300_000) + b"\x00" * 700_000
    server.expect_request("/big.xlsx").respond_with_data(
        gzip.compress(body), headers={"Content-Encoding": "gzip", "ETag": '"g"'})
    with Http(config(), tmp_path / "cache" if cached else None) as http:
        assert http.get(server.url_for("/big.xlsx")).content == body
        if cached:
            server.clear()
            server.expect_request("/big.xlsx").respond_with_handler(conditional(b"unused", '"g"'))
            again = http.get(server.url_for("/big.xlsx"))
            assert (again.not_modified, again.content == body) == (True, True)


def test_a_body_cut_short_is_reported(server):
    """The server promises 1,000 bytes, sends 10 and hangs up: one clear line, nothing half-read."""
    server.expect_request("/cut").respond_with_handler(
        lambda request: Response(iter([b"0123456789"]), headers={"Content-Length": "1000"}, direct_passthrough=True))
    with Http(config(retries=1)) as http:
        message = failure(http, server.url_for("/cut"))
    assert message == (f"download failed: {server.url_for('/cut')}: the connection broke off "
                       "(IncompleteRead(10 bytes read, 990 more expected))")


def test_opening_the_cached_session_keeps_no_frame_of_the_caller_alive(tmp_path):
    """requests-cache keeps an ImportError for each optional backend it lacks; with its traceback it
    would keep the first caller's locals (a whole downloaded file) alive for the life of the process."""
    script = f"""
import gc, weakref
from pathlib import Path
from reportgen.config import HttpConfig
from reportgen.http import Http

class Download:
    pass

def collect():
    content = Download()
    with Http(HttpConfig(), Path({str(tmp_path)!r})):
        pass
    return weakref.ref(content)

ref = collect()
gc.collect()
print("freed" if ref() is None else "kept")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == "freed", result.stderr


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A server that accepts connections and never answers; it counts the connections made."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml", accepted
    listener.close()
    for connection in accepted:
        connection.close()


def test_the_deadline_bounds_the_whole_call_retries_included(silent_server):
    """A server that never answers took timeout x (retries + 1): 23.6 s against a deadline of 8 s."""
    url, accepted = silent_server
    with Http(config(timeout=10.0, retries=3), deadline=1.5) as http:
        message = failure(http, url)
    # Not "kept failing after 3 retries (no answer within 10 s)": the deadline, not the read timeout, ended it.
    assert message == f"download stopped: {url} did not answer within 1.5 s, the time limit"
    assert len(accepted) == 1  # no retry was started once the deadline had passed


# -- where redirects may lead ------------------------------------------------------------------------

@pytest.fixture
def proxy(server, monkeypatch):
    """The test server as the HTTP proxy, so that a feed may have a public name (feeds.invalid: no DNS
    answers for it) and still be served here; nothing leaves the machine."""
    for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", f"http://{server.host}:{server.port}")
    monkeypatch.setenv("HTTP_PROXY", f"http://{server.host}:{server.port}")
    return server


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/admin",
                                    "http://localhost/admin", "http://10.0.0.1/", "http://[::1]/", "http://0.0.0.0/",
                                    "http://[::ffff:169.254.169.254]/"])
def test_a_redirect_to_a_private_address_is_refused(proxy, target):
    """A public feed redirecting to the cloud's metadata address (or the machine itself) was followed."""
    proxy.expect_request("/feed.xml").respond_with_data("", status=302, headers={"Location": target})
    with Http(config(retries=0)) as http:
        message = failure(http, "http://feeds.invalid/feed.xml")
    assert message.startswith("download refused: http://feeds.invalid/feed.xml redirects to ")
    assert message.endswith("a private, loopback or link-local address")
    assert [request.path for request, _ in proxy.log] == ["/feed.xml"]  # the target was never asked


def test_a_feed_configured_on_a_private_address_may_redirect_within_it(server):
    server.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": "/feed.xml"})
    server.expect_request("/feed.xml").respond_with_data(b"<rss/>")
    with Http(config()) as http:
        assert http.get(server.url_for("/old.xml")).content == b"<rss/>"
