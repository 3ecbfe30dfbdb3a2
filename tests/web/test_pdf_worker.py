"""PDFs print in a worker process with a deadline: a slow render gets a readable 503, is stopped, and
the next request is served by a fresh worker."""

from __future__ import annotations

import os
import time

import pytest

from reportgen.errors import BusyError


def sleepy_print(html: str) -> bytes:
    """A render that hangs on pages titled with 2019 (runs in the worker, so it lives at module level)."""
    title = html.partition("<title>")[2].partition("</title>")[0]
    if "2019" in title:
        time.sleep(60)
    return b"%PDF-1.7 " + str(os.getpid()).encode()


@pytest.fixture(scope="module")
def sleepy():
    from reportgen.web.printing import PdfWorkers

    workers = PdfWorkers(1, timeout=2, printer=sleepy_print)
    yield workers
    workers.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a killed child stays a zombie until reaped: count that as gone
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_render_past_the_deadline_is_stopped_and_the_worker_replaced(sleepy):
    first = int(sleepy.pdf("<p>quick</p>").split()[1])
    with pytest.raises(BusyError, match="longer than 2 s"):  # the render sleeps 60 s: only the deadline ends it
        sleepy.pdf("<title>Deficit in 2019</title>")
    for _ in range(200):  # the stuck worker is stopped; give it up to 10 s to go
        if not alive(first):
            break
        time.sleep(0.05)
    assert not alive(first), "the stuck worker was left running"
    second = int(sleepy.pdf("<p>quick again</p>").split()[1])
    assert second != first


def test_the_web_page_answers_a_slow_pdf_with_a_readable_503_and_keeps_serving(web_config, editor, sleepy):
    from reportgen.web.app import create_app

    app = create_app(web_config, workers=sleepy)
    client = app.test_client()
    ok = client.get("/briefings/MEX/2024/pdf", headers=editor)
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")

    slow = client.get("/briefings/MEX/2019/pdf", headers=editor)
    assert slow.status_code == 503
    assert slow.headers["Retry-After"]
    text = slow.get_data(as_text=True)
    assert "Try again in a moment" in text and "longer than 2 s" in text
    assert client.get("/briefings/MEX/2024", headers=editor).status_code == 200
    assert client.get("/briefings/MEX/2024/pdf", headers=editor).status_code == 200
