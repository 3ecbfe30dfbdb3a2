"""`reportgen serve` against clients that are slow, stall or send too much: a real server in its own process."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SLOW_CLIENTS = 120  # waitress's default connection_limit is 100: this many starved every page


@contextmanager
def serving(root: Path, config: str, seeded_store) -> Iterator[tuple[str, int]]:
    """`reportgen serve` in its own process with this config and a copy of the seeded store, on a free port; no
    traceback in its log."""
    seeded_store(root / "data")
    (root / "config.yaml").write_text(f"data_dir: data\noutput_dir: output\nfeeds: []\n{config}")
    log = (root / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "--config", str(root / "config.yaml"), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True, cwd=root, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, f"no address in {line!r}; log: {(root / 'serve.log').read_text()}"
        yield "127.0.0.1", int(found[1])
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
        log.close()
        assert "Traceback" not in (root / "serve.log").read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_store) -> Iterator[tuple[str, int]]:
    """The real server with the default limits."""
    with serving(tmp_path_factory.mktemp("slow"), "", seeded_store) as address:
        yield address


@pytest.fixture(scope="module")
def impatient_server(tmp_path_factory: pytest.TempPathFactory, seeded_store) -> Iterator[tuple[str, int]]:
    """The real server dropping a stalled connection after 2 s."""
    with serving(tmp_path_factory.mktemp("impatient"), "web:\n  channel_timeout: 2\n", seeded_store) as address:
        yield address


def get(address: tuple[str, int], path: str, headers: dict[str, str] | None = None, body: bytes | None = None,
        timeout: float = 20) -> int:
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection.request("POST" if body else "GET", path, body=body, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_slow_clients_cannot_keep_a_normal_request_out(server):
    """Clients that send a header line every second, never ending their request, hold connections; a reader's
    request for the public archive must still be answered while they do."""
    stop = threading.Event()
    slow = [socket.create_connection(server) for _ in range(SLOW_CLIENTS)]

    def drip() -> None:
        for sock in slow:
            sock.sendall(b"GET /archive/ HTTP/1.1\r\nHost: briefings.example.org\r\n")
        while not stop.wait(1.0):
            for sock in slow:
                sock.sendall(b"X-Slow: still here\r\n")

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    try:
        assert get(server, "/archive/") in (200, 404)  # 404: the archive is empty, and says so
        assert get(server, "/unsubscribe/nonsense") == 400
    finally:
        stop.set()
        dripping.join(timeout=10)
        for sock in slow:
            sock.close()


def test_a_stalled_connection_is_closed_after_the_channel_timeout(impatient_server):
    with socket.create_connection(impatient_server, timeout=30) as sock:
        sock.sendall(b"GET /archive/ HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        assert sock.recv(1024) == b""  # the server hung up (well before this socket's own 30 s)


def test_oversized_headers_and_bodies_are_refused(server):
    assert get(server, "/archive/", headers={"X-Padding": "x" * 20_000}) == 431
    assert get(server, "/unsubscribe/AQ.AAAAAAAAAAAAAAAAAAAAAA", body=b"x" * 100_000,
               headers={"Content-Type": "application/octet-stream"}) == 413
    assert get(server, "/archive/") in (200, 404)  # and the server goes on


def test_the_deploy_folder_has_an_nginx_example_with_timeouts():
    example = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout", "proxy_read_timeout",
                      "client_max_body_size", "limit_conn", "X-Forwarded-For"):
        assert directive in example, directive
