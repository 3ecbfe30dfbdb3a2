"""End to end: `reportgen serve` in its own process, and an editor in Debian's chromium (Playwright)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
NAME, PASSWORD = "desk", "a password for the desk"


def reportgen(*args: str, data_dir: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=60, check=False, **kwargs)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_store):
    """The real server on a free port, with a copy of the seeded store and one account made through the command
    line."""
    root = tmp_path_factory.mktemp("serve")
    seeded_store(root / "data")
    (root / "config.yaml").write_text("data_dir: data\noutput_dir: output\nfeeds: []\n")
    added = reportgen("users", "add", NAME, data_dir=root / "data", input=PASSWORD + "\n")
    assert added.returncode == 0 and added.stdout == f"added editor {NAME}\n", added.stderr
    assert PASSWORD not in added.stdout + added.stderr
    log = (root / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "--config", str(root / "config.yaml"), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True, cwd=root, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, f"no address in {line!r}; log: {(root / 'serve.log').read_text()}"
        yield f"http://127.0.0.1:{found[1]}"
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
        assert process.stdout.read() == "stopped\n"
        log.close()
        assert "Traceback" not in (root / "serve.log").read_text()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium; missing, the test fails (a skip would hide that the page went untested)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
                    "`playwright install` cannot download a browser here", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def test_an_editor_picks_mexico_and_2024_reads_it_and_downloads_the_pdf(server, browser, tmp_path):
    context = browser.new_context(http_credentials={"username": NAME, "password": PASSWORD}, accept_downloads=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    assert page.goto(server + "/").status == 200
    page.select_option("select[name=partner]", label="Mexico")
    page.select_option("select[name=period]", value="2024")
    page.click("button[type=submit]")
    page.wait_for_url(server + "/briefings/MEX/2024")
    assert "$168.6 billion" in page.locator("h1").inner_text()
    frame = page.frame_locator("iframe")
    assert "$168.6 billion" in frame.locator("h1").inner_text()

    with page.expect_download(timeout=60_000) as download_info:  # a bound on a broken test, not a speed check
        page.click("text=Download the PDF")
    download = download_info.value
    assert download.suggested_filename == "MEX-2024.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = PdfReader(target).pages[0].extract_text()
    assert "$168.6 billion" in text
    assert all(url.startswith((server, "data:")) for url in requested), requested
    context.close()


def test_a_wrong_password_is_refused(server, browser):
    context = browser.new_context(http_credentials={"username": NAME, "password": "not the password"})
    page = context.new_page()
    response = page.goto(server + "/")
    assert response.status == 401
    assert "<select" not in page.content() and "not an editor" in page.content()
    context.close()


@pytest.mark.parametrize("path", [
    "/briefing?partner=../../etc/passwd&period=2024",
    "/briefing?partner=MX&period=../../etc/passwd",
    "/briefings/..%2F..%2Fetc%2Fpasswd/2024",
    "/briefings/MEX/..%2F..%2Fetc%2Fpasswd/pdf",
    "/archive/..%2F..%2Fetc%2Fpasswd",
])
def test_etc_passwd_as_partner_period_or_archive_path_is_refused(server, browser, path):
    context = browser.new_context(http_credentials={"username": NAME, "password": PASSWORD})
    page = context.new_page()
    response = page.goto(server + path)
    assert response.status in (400, 404)
    assert "root:" not in page.content()
    assert page.locator("h1").count() == 1
    context.close()
