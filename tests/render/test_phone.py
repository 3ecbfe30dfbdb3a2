"""The HTML briefing on a phone, in a real browser: Playwright driving Debian's chromium."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reportgen import pipeline

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
PHONE = {"width": 390, "height": 844}
READABLE = 9.0  # CSS px: the smallest chart text, as the phone draws it, that we call readable


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


@pytest.fixture(scope="module")
def phone(browser, config, mx_2024, tmp_path_factory):
    """MX 2024 open on a 390-pixel phone screen."""
    [html] = pipeline.write(config, mx_2024, ["html"], tmp_path_factory.mktemp("phone"))
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(html.as_uri(), wait_until="load")
    yield page
    page.close()


def key_figures_overflow(page) -> list[str]:
    """What in the key figures box reaches past its right edge or scrolls inside itself."""
    return page.evaluate("""() => {
        const box = document.querySelector('.key-figures'), edge = box.getBoundingClientRect().right;
        return Array.from(box.querySelectorAll('*'))
            .filter(e => e.getBoundingClientRect().right > edge + 0.5 || e.scrollWidth > e.clientWidth + 1)
            .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40));
    }""")


def test_key_figures_fit_a_phone_without_scrolling(phone):
    overflow = key_figures_overflow(phone)
    assert overflow == [], f"wider than the key figures box on a phone: {overflow}"
    # What the box says is unchanged: each figure whole in its own cell, under its row's name.
    cells = phone.locator(".key-figures tr").filter(has_text="Balance").locator("td").all_inner_texts()
    assert [" ".join(c.split()) for c in cells] == ["$168.6 billion deficit", "$148.5 billion deficit", "widened 13.6%"]
    heads = phone.locator(".key-figures thead th").all_inner_texts()
    assert [h.strip() for h in heads if h.strip()] == ["2024", "2023", "Change"]


def svg_font_sizes(src: str) -> tuple[float, list[float]]:
    """A chart's viewBox width and the font size of each of its texts, in the SVG's own units."""
    root = ET.fromstring(base64.b64decode(src.split(",", 1)[1]))
    width = float(root.get("viewBox").split()[2])
    sizes = [float(re.search(r"font-size: ([\d.]+)px", t.get("style", "")).group(1))
             for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return width, sizes


def test_chart_text_is_readable_on_a_phone(phone):
    """Every chart label, number and credit as drawn on the phone: its font size times the image's scale."""
    shown = phone.evaluate("Array.from(document.querySelectorAll('figure.chart img'),"
                           " i => [i.closest('figure').id, i.src, i.getBoundingClientRect().width])")
    assert len(shown) == 3
    for chart, src, width in shown:
        view, sizes = svg_font_sizes(src)
        smallest = min(sizes) * width / view
        assert smallest >= READABLE, f"{chart}: text drawn at {smallest:.1f}px on a {PHONE['width']}px phone"


def test_an_editors_note_fits_a_phone(browser, config, mx_2024, tmp_path):
    """A note with a long link and a quote wraps inside the screen, under the lede."""
    from reportgen.models import EditorNote

    markdown = ("See <https://www.census.gov/foreign-trade/statistics/highlights/top/top2412yr.html> for the "
                "ranking.\n\n> \"The gap will narrow,\" said an official.\n\n- Autos\n- Steel")
    note = EditorNote("MEX", "2024", "en", markdown, "Jane Doe", "2026-12-04T09:15:00Z")
    html = tmp_path / "MEX-2024.html"
    html.write_text(pipeline.render(config, mx_2024, note=note).html, encoding="utf-8")
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(html.as_uri(), wait_until="load")
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page scrolls sideways: {width}px wide in a {inner}px viewport"
    lede, box = page.locator("p.lede").bounding_box(), page.locator(".editors-note").bounding_box()
    assert lede["y"] + lede["height"] <= box["y"] and 0 <= box["x"] and box["x"] + box["width"] <= inner
    assert page.locator(".editors-note-byline").inner_text() == "EDITOR'S NOTE — Jane Doe, Dec. 4, 2026"
    page.close()
