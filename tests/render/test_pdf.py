"""The printed briefing: its text, metadata, page size and page furniture, and what it may fetch."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen import pipeline
from reportgen.errors import RenderError
from reportgen.render.html import environment, headline
from reportgen.render.pdf import write_pdf

FIGURES = ("$168.6 billion", "13.6%", "$503.1 billion", "$334.5 billion", "$837.6 billion")
SIZES = {"A4": (595.28, 841.89), "Letter": (612, 792)}


@pytest.fixture(scope="module", params=["A4", "Letter"])
def printed(request, config, dataset, tmp_path_factory) -> tuple[str, PdfReader, list[str]]:
    """MX 2024 built through the pipeline with the page size the config names, and each page's text."""
    size = request.param
    sized = config.model_copy(update={"briefing": config.briefing.model_copy(update={"page_size": size})})
    facts = pipeline.facts(sized, dataset, "MX", "2024")
    [pdf] = pipeline.write(sized, facts, ["pdf"], tmp_path_factory.mktemp(size))
    assert pdf.name == "MEX-2024.pdf"
    reader = PdfReader(pdf)
    return size, reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def test_text_is_selectable_with_the_headline_figures(printed):
    _, _, pages = printed
    text = " ".join(pages)
    for figure in FIGURES:
        assert figure in text
    assert "1. Mexico" in text and "Jan" in text  # chart text is text too, not outlines


def test_title_and_language_come_from_the_document(printed, mx_2024):
    _, reader, _ = printed
    title = headline(environment(None, "en_US"), mx_2024)
    assert "$168.6 billion" in title
    assert reader.metadata.title == title
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_page_size_follows_the_config(printed):
    size, reader, _ = printed
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(SIZES[size], abs=1)


def test_every_page_has_the_running_header_and_its_number(printed):
    _, _, pages = printed
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
        assert "U.S. trade with Mexico · 2024" in text


def test_no_box_or_chart_is_split_across_pages(printed):
    _, _, pages = printed
    # A chart's own words (its unit note, its line names, its bars) on the page of its caption.
    together = [("Key figures", "Share of U.S. goods trade"),
                ("below zero: U.S. deficit", "Monthly U.S. goods trade deficit with Mexico, 2024 against 2023"),
                ("Imports Exports", "U.S. goods exports to and imports from Mexico, 1991 to 2024"),
                ("1. Mexico", "10. India"), ("10. India", "Largest U.S. trading partners by total goods trade, 2024"),
                ("Sources", "Built ")]
    for first, last in together:
        holding = [text for text in pages if first in text]
        assert len(holding) == 1 and last in holding[0], f"{first!r} and {last!r} are on different pages"


def tiny_png() -> bytes:
    """A 2x2 red PNG, drawn with matplotlib's Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2), dpi=1, facecolor="red")
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def test_printing_fetches_only_data_urls(tmp_path, httpserver):
    png = tiny_png()
    local = tmp_path / "local.png"
    local.write_bytes(png)
    httpserver.expect_request("/remote.png").respond_with_data(png, content_type="image/png")
    httpserver.expect_request("/remote.css").respond_with_data("p { color: red }", content_type="text/css")
    inline = "data:image/png;base64," + base64.b64encode(png).decode()
    html = f"""<!doctype html><html lang="en"><head><title>Fetch test</title>
<link rel="stylesheet" href="{httpserver.url_for('/remote.css')}">
<style>@import url("{httpserver.url_for('/remote.css')}"); body {{ background: url("{local.as_uri()}") }}</style>
</head><body><p>Only data URLs</p>
<img src="{inline}" alt="inline"><img src="file:///etc/passwd" alt="passwd"><img src="{local.as_uri()}" alt="file">
<img src="{httpserver.url_for('/remote.png')}" alt="remote"></body></html>"""
    target = write_pdf(html, tmp_path / "out" / "fetch.pdf")
    assert httpserver.log == []  # the server saw no request
    reader = PdfReader(target)
    assert "Only data URLs" in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 1  # the data: image, and neither the file nor the remote one
    assert [p.name for p in target.parent.iterdir()] == ["fetch.pdf"]  # no temporary file left behind


def test_an_unwritable_target_is_a_render_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(RenderError, match="cannot write the PDF"):
        write_pdf("<p>x</p>", blocker / "briefing.pdf")


def test_write_pdf_replaces_an_existing_file(tmp_path: Path):
    target = tmp_path / "b.pdf"
    target.write_bytes(b"old")
    assert write_pdf("<title>New</title><p>new</p>", target) == target
    assert PdfReader(target).metadata.title == "New"
