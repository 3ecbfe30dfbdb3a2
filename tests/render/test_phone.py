"""The HTML briefing on a phone, in a real browser: Playwright driving Debian's chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen import pipeline

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium; missing, the test fails (a skip would hide that phones went untested)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
                    "`playwright install` cannot download a browser here", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def test_briefing_reads_on_a_phone(browser, config, mx_2024, tmp_path):
    [html] = pipeline.write(config, mx_2024, ["html"], tmp_path)
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(html.as_uri(), wait_until="load")

    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert inner == PHONE["width"]
    assert width <= inner, f"the page scrolls sideways: {width}px wide in a {inner}px viewport"

    heading = page.locator("h1")
    assert heading.is_visible()
    assert "$168.6 billion" in heading.inner_text()
    box = heading.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= inner and box["y"] < PHONE["height"]

    images = page.evaluate("Array.from(document.images, i => [i.alt, i.complete, i.naturalWidth, i.width])")
    assert len(images) == 3
    for alt, complete, natural, shown in images:
        assert complete and natural > 0, f"chart not loaded: {alt}"
        assert 0 < shown <= inner

    others = [url for url in requested if not url.startswith("data:") and url != html.as_uri()]
    assert others == [], f"the page asked the network for {others}"
