"""The Spanish edition on a phone (390 px), in a real browser: longer words, same layout promises."""

from __future__ import annotations

from test_phone import PHONE, browser, key_figures_overflow  # noqa: F401  (the module's browser fixture)

from reportgen import pipeline


def test_the_spanish_edition_reads_on_a_phone(browser, config, mx_2024, tmp_path):  # noqa: F811
    paths = pipeline.write(config, mx_2024, ["html"], tmp_path, languages=["en", "es"])
    spanish = next(p for p in paths if p.name.endswith(".es.html"))
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(spanish.as_uri(), wait_until="load")
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page scrolls sideways: {width}px wide in a {inner}px viewport"
    assert "168.6 mil millones de dólares" in page.locator("h1").inner_text()
    overflow = key_figures_overflow(page)
    assert overflow == [], f"wider than the key figures box on a phone: {overflow}"
    cells = page.locator(".key-figures tr").filter(has_text="Saldo").locator("td").all_inner_texts()
    assert [" ".join(c.split()) for c in cells] == ["déficit de 168.6 mmdd", "déficit de 148.5 mmdd",
                                                    "se amplió 13.6%"]
    switch = page.locator("nav.editions a")
    assert switch.inner_text() == "English" and switch.is_visible()
    switch.click()
    assert page.url.endswith("/MEX-2024.html") and "$168.6 billion" in page.locator("h1").inner_text()
    page.close()


def test_t_mec_never_splits_at_its_hyphen(browser, config, mx_2024, tmp_path):  # noqa: F811
    """At every phone width the agreement's name is one piece; without the rule, some width splits it "T-/MEC"."""
    spanish = pipeline.write(config, mx_2024, ["html"], tmp_path, languages=["es"])[0]
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(spanish.as_uri(), wait_until="load")
    name = page.locator(".unbroken")
    assert name.inner_text() == "T-MEC"

    def pieces_by_width() -> dict[int, int]:
        found = {}
        for width in range(320, 480, 2):
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            found[width] = name.evaluate("element => element.getClientRects().length")
        return found

    assert set(pieces_by_width().values()) == {1}
    page.add_style_tag(content=".unbroken { white-space: normal; }")
    assert 2 in pieces_by_width().values()  # the widths above do reach a line's end at the hyphen
    page.close()
