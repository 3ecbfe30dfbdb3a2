"""Benchmark how closely the shared HTTP session keeps its deadline, and print the figures (nothing asserts).

    python bench/bench_http.py [--deadline 1.0] [--timeout 5.0]

A local socket server misbehaves in the three ways a deadline is for, and each fetch is timed against it:
1. it never answers (the connect succeeds, no header ever comes);
2. it sends the header late, most of the deadline gone, then stalls mid-body (a read that starts late
   would outlast the deadline by as much again without the watchdog);
3. it drips the body one byte every 50 ms.
Printed: how long each fetch took and by how much it overran the deadline.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Callable

from reportgen.config import HttpConfig
from reportgen.errors import CollectError
from reportgen.http import Http


def serve(behave: Callable[[socket.socket], None]) -> str:
    """A one-connection server on loopback that reads the request, then behaves as told."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        try:
            behave(connection)
        except OSError:  # the client hung up: what the deadline is for
            pass
        finally:
            connection.close()
            listener.close()

    threading.Thread(target=run, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"


def silent(connection: socket.socket) -> None:
    time.sleep(30)


def late_then_stall(deadline: float) -> Callable[[socket.socket], None]:
    def behave(connection: socket.socket) -> None:
        time.sleep(deadline * 0.8)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nfirst bytes")
        time.sleep(30)
    return behave


def drip(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(100_000):
        connection.sendall(b"x")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deadline", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=5.0, help="the per-read timeout (http.timeout)")
    args = parser.parse_args()
    cases = {"never answers": silent, "late header, then a stall": late_then_stall(args.deadline), "drip": drip}
    print(f"deadline {args.deadline:g} s, read timeout {args.timeout:g} s")
    for name, behave in cases.items():
        with Http(HttpConfig(timeout=args.timeout, retries=2, backoff=0), deadline=args.deadline) as http:
            started = time.monotonic()
            try:
                http.get(serve(behave))
                outcome = "succeeded (unexpected)"
            except CollectError as exc:
                outcome = str(exc).split(": ", 1)[0] + ": " + str(exc).rsplit(", ", 1)[-1]
            took = time.monotonic() - started
        print(f"{name:<28} {took:6.3f} s  over by {took - args.deadline:6.3f} s  ({outcome})")


if __name__ == "__main__":
    main()
