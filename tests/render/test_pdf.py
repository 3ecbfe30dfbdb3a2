"""The printed briefing: its text, metadata, page size and page furniture, and what it may fetch."""

from __future__ import annotations

import base64
import html
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import pairwise
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


# -- page make-up: what pages start and end with, read back from the PDF's text positions ---------------

@dataclass(frozen=True)
class Line:
    text: str
    bottom: float  # pt from the top of the page


@dataclass(frozen=True)
class Page:
    height: float
    lines: list[Line]  # the body's lines, top to bottom: the running header and the footer left out


def laid_out(pdf: Path) -> list[Page]:
    """Each page's lines of text as printed: poppler's word boxes (pdftotext -bbox) joined by baseline."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    ns = "{http://www.w3.org/1999/xhtml}"
    pages = []
    for page in ET.fromstring(xhtml).iter(f"{ns}page"):
        height = float(page.get("height"))
        words = sorted((float(w.get("yMax")), float(w.get("xMin")), float(w.get("yMin")), w.text or "")
                       for w in page.iter(f"{ns}word"))
        rows: list[tuple[float, float, list[tuple[float, str]]]] = []
        for bottom, left, top, text in words:
            if rows and abs(rows[-1][0] - bottom) < 2:
                rows[-1][2].append((left, text))
            else:
                rows.append((bottom, top, [(left, text)]))
        margin = 18 / 25.4 * 72  # @page margins: 20 mm at the top, 18 mm at the foot
        pages.append(Page(height, [Line(" ".join(t for _, t in sorted(ws)), bottom) for bottom, top, ws in rows
                                   if top > 20 / 25.4 * 72 and bottom < height - margin]))
    return pages


CHART_TOPS = ("$ billions", "Total goods trade (exports plus imports)", "Percentage points of each flow")  # unit notes
FILLED = 0.75  # a page followed by a chart ends no higher than this share of its height
MONTH_ROW = re.compile(r"^(January|February|March|April|May|June|July|August|September|October|November|December) "
                       r"\d{4} [−\d]")
MONTH_HEADER = "Month Exports Imports Balance"


def headings(source: str) -> list[str]:
    """The briefing's headings and table captions, and the month table's header row, as plain text."""
    found = re.findall(r"<h2>(.*?)</h2>|<caption>(.*?)</caption>", source, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", a or b)).split()) for a, b in found] + [MONTH_HEADER]


def build(config, dataset, tmp_path_factory, partner: str, period: str, size: str, months: int = 13) -> Path:
    briefing = config.briefing.model_copy(update={"page_size": size, "table_months": months})
    sized = config.model_copy(update={"briefing": briefing})
    return pipeline.write(sized, pipeline.facts(sized, dataset, partner, period), ["html", "pdf"],
                          tmp_path_factory.mktemp(f"{partner}-{period}-{size}"))[1]


# Briefings whose pages once went wrong: a chart moved on leaving a page a quarter empty (the months and
# the year to date, whose story is longer), the last of the month table alone on a page (MX 2024, A4).
BRIEFINGS = [("MX", "2024", "A4"), ("MX", "2024-05", "A4"), ("MX", "2024-01", "Letter"),
             ("CA", "2024-05-ytd", "Letter"), ("0003", "2024-05", "A4"), ("DE", "2024-12", "Letter"),
             ("TUV", "2024", "Letter")]


@pytest.fixture(scope="module", params=BRIEFINGS, ids="-".join)
def made_up(request, config, dataset, tmp_path_factory) -> tuple[list[Page], list[str]]:
    """A briefing printed, its pages' lines, and its headings."""
    pdf = build(config, dataset, tmp_path_factory, *request.param)
    return laid_out(pdf), headings(pdf.with_suffix(".html").read_text())


def test_no_page_is_left_part_empty_before_a_chart(made_up):
    pages, _ = made_up
    for number, (page, following) in enumerate(pairwise(pages), 1):
        if following.lines[0].text.startswith(CHART_TOPS):
            end = page.lines[-1].bottom / page.height
            assert end >= FILLED, f"page {number} ends at {end:.0%} of its height and a chart starts page {number + 1}"


def test_no_page_ends_with_a_heading(made_up):
    pages, titles = made_up
    for number, page in enumerate(pages[:-1], 1):
        last = page.lines[-1].text
        assert not any(last in title for title in titles), f"page {number} ends with the heading {last!r}"


def month_rows(page: Page) -> list[int]:
    """Where the month table's rows stand among the page's lines."""
    return [i for i, line in enumerate(page.lines) if MONTH_ROW.match(line.text)]


def test_a_table_never_leaves_one_row_on_a_page(made_up):
    pages, _ = made_up
    for number, page in enumerate(pages, 1):
        assert len(month_rows(page)) != 1, f"page {number} holds one row of the month table"


def test_a_long_month_table_repeats_its_header_on_every_page(config, dataset, tmp_path_factory):
    pages = laid_out(build(config, dataset, tmp_path_factory, "MX", "2024-05", "Letter", months=60))
    holding = [(number, page) for number, page in enumerate(pages, 1) if month_rows(page)]
    assert len(holding) >= 2  # the table is split
    assert sum(len(month_rows(page)) for _, page in holding) == 60
    for number, page in holding:
        first = month_rows(page)[0]
        assert page.lines[first - 1].text == MONTH_HEADER, f"page {number}: the month rows have no header above them"
        assert len(month_rows(page)) >= 2, f"page {number} holds one row of the month table"


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


def test_the_page_furniture_stands_where_the_page_puts_it(config, dataset, tmp_path):
    """The running header centred on every page, the footer's line at the left margin and the page number ending
    at the right one, each on one line, in both languages, with a publisher's name of some length (the margin boxes
    have set widths: none may push another aside)."""
    publisher = config.publisher.model_copy(update={"name": "The Gulf Coast and Caribbean Trade Desk"})
    config = config.model_copy(update={"publisher": publisher})
    facts = pipeline.facts(config, dataset, "MX", "2024")
    for pdf in pipeline.write(config, facts, ["pdf"], tmp_path, languages=["en", "es"]):
        xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout
        ns = "{http://www.w3.org/1999/xhtml}"
        for page in ET.fromstring(xhtml).iter(f"{ns}page"):
            width, height, margin = float(page.get("width")), float(page.get("height")), 18 * 72 / 25.4
            words = [(float(w.get("xMin")), float(w.get("xMax")), float(w.get("yMin"))) for w in page.iter(f"{ns}word")]
            top = [w for w in words if w[2] < 20 * 72 / 25.4]  # in the top margin
            foot = [w for w in words if w[2] > height - 18 * 72 / 25.4]
            assert (min(w[0] for w in top) + max(w[1] for w in top)) / 2 == pytest.approx(width / 2, abs=1), pdf.name
            assert min(w[0] for w in foot) == pytest.approx(margin, abs=1)
            assert max(w[1] for w in foot) == pytest.approx(width - margin, abs=1)
            assert max(w[2] for w in foot) - min(w[2] for w in foot) < 1  # one line


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
