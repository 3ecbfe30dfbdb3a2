"""Benchmark sending a digest and print the figures (not a test: nothing here asserts).

    python bench/bench_send.py [--subscribers 5000] [--also 1000]

A local aiosmtpd server (its own process, discarding what it gets) receives the MX 2024 digest sent
by `reportgen send` to N subscribers, with the outbox bookkeeping of a real run (three commits a
message). Printed: messages per second of the sending itself, the whole command's time, and the
sending process's peak memory, for N and for a smaller list, to show memory does not grow with N.
Targets on a 2-core machine: >= 200 messages a second; peak memory flat in the number of subscribers.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATE = 200.0

# Run in a child process, so that its peak memory is its own (see bench_core.py's LAUNCHER).
CHILD = """
import json, sys, time
started = time.perf_counter()
from reportgen import pipeline
from reportgen.config import load_config
config = load_config()
imported = time.perf_counter()
report = pipeline.send(config, "MX", "2024")
done = time.perf_counter()
print(json.dumps({"imports": imported - started, "send": done - imported, "sent": report.delivery.sent,
                  "stopped": report.delivery.stopped, "outbox": report.outbox}))
"""
LAUNCHER = """import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True)
out = child.stdout.read()
_, status, usage = os.wait4(child.pid, 0)
print(out.strip())
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: Path, count: int, port: int) -> None:
    """A seeded store with `count` subscribers and a config sending to the local server."""
    from reportgen import pipeline
    from reportgen.config import load_config
    from reportgen.store.mail import MailStore, NewSubscriber

    (folder / "config.yaml").write_text(
        "public_url: https://briefings.example.org\n"
        f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n  sender: Trade desk <briefings@example.org>\n",
        encoding="utf-8")
    config = load_config(folder / "config.yaml")
    pipeline.open_store(config).close()
    with MailStore(config.db_path) as box:
        box.add(NewSubscriber(f"reader{n:05d}@example.com", f"Reader {n}") for n in range(count))


def bench(count: int, port: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-send-") as tmp:
        folder = Path(tmp)
        prepare(folder, count, port)
        env = {**os.environ, "REPORTGEN_SECRET_KEY": "bench-" + "k" * 40}
        result = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, "-c", CHILD], cwd=folder, env=env,
                                capture_output=True, text=True, check=False)
        if result.returncode != 0 or not result.stdout.strip():
            raise SystemExit(f"send failed: {result.stderr}")
        report, timing = result.stdout.strip().splitlines()[-2:]
        seconds, peak_kb, code = timing.split()
        data = json.loads(report)
        if int(code) != 0 or data["sent"] != count:
            raise SystemExit(f"send sent {data['sent']} of {count}: {data['stopped']}")
        data.update(total=float(seconds), peak_mb=int(peak_kb) / 1024, count=count)
        return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--also", type=int, default=1000, help="a smaller list, to compare peak memory")
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the aiosmtpd server did not start") from None
                time.sleep(0.05)
        results = [bench(n, port) for n in (args.also, args.subscribers) if n]
    finally:
        server.terminate()
        server.wait()
    print(f"{'subscribers':>11} {'send s':>8} {'msg/s':>8} {'command s':>10} {'peak MB':>8}")
    for r in results:
        rate = r["count"] / r["send"]
        print(f"{r['count']:>11,} {r['send']:>8.2f} {rate:>8.0f} {r['total']:>10.2f} {r['peak_mb']:>8.0f}")
    big = results[-1]
    rate = big["count"] / big["send"]
    print(f"target: >= {TARGET_RATE:.0f} msg/s with the outbox: {'met' if rate >= TARGET_RATE else 'MISSED'} "
          f"({rate:.0f}); peak memory {results[0]['peak_mb']:.0f} MB for {results[0]['count']:,} and "
          f"{big['peak_mb']:.0f} MB for {big['count']:,}")


if __name__ == "__main__":
    main()
