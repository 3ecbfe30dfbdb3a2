"""Charts drawn from the facts the pipeline makes out of the bundled data."""

from __future__ import annotations

import base64
import dataclasses
import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from reportgen import pipeline
from reportgen.analysis.movers import flow_movers
from reportgen.commodities import commodity_name, product_name_es
from reportgen.models import Movers
from reportgen.periods import Period
from reportgen.render.charts import ACCENT, CENSUS, CENSUS_API, CREDIT, FONT, PNG_WIDTH, WIDTH, Chart, draw

SVG = "{http://www.w3.org/2000/svg}"
PREFIX = "data:image/svg+xml;base64,"


def svg_of(chart: Chart) -> ET.Element:
    assert chart.src.startswith(PREFIX)
    return ET.fromstring(base64.b64decode(chart.src.removeprefix(PREFIX), validate=True))


def texts(root: ET.Element) -> dict[str, str]:
    """Each text element's words and its style (charts keep text as text: svg.fonttype none)."""
    return {"".join(t.itertext()).strip(): t.get("style", "") for t in root.iter(f"{SVG}text")}


def heights(root: ET.Element) -> dict[str, float]:
    """Each text element's words and how far down the chart it stands (SVG y grows downwards; the lines of a
    label of two are placed by a translation instead)."""
    def y(text: ET.Element) -> float:
        return float(text.get("y") or text.get("transform").removeprefix("translate(").split()[1].rstrip(")"))

    return {"".join(t.itertext()).strip(): y(t) for t in root.iter(f"{SVG}text")}


def with_movers(facts):
    """`facts` with made-up product detail for imports (the analysis tests' figures), to draw the movers chart."""
    detail = {("import", f"{year}-{m:02d}"): {code: value * 100_000_000 for code, value in lines.items()}
              for year, lines in {2023: {"87": 100, "85": 60, "27": 40}, 2024: {"87": 112, "85": 54, "27": 43}}.items()
              for m in range(1, 13)}
    imports = flow_movers(detail, "import", Period(2024), name=commodity_name, spanish=product_name_es)
    return dataclasses.replace(facts, movers=Movers("HS2", None, imports, "census-api", "test"))


@pytest.fixture(scope="module")
def charts(mx_2024) -> list[Chart]:
    return draw(mx_2024)


def test_three_charts_as_valid_svg_data_urls(charts):
    assert [c.id for c in charts] == ["chart-balance", "chart-annual", "chart-partners"]
    for chart in charts:
        root = svg_of(chart)
        assert root.tag == f"{SVG}svg"
        assert chart.width > 0 and chart.height > 0
        assert chart.title and chart.title in root.findtext(f"{SVG}title")
        assert "Matplotlib" not in ET.tostring(root, encoding="unicode")  # no version stamp, no date


def drawn(root: ET.Element) -> list[tuple]:
    """What an SVG draws, in order: each element that is not a group, with its own attributes (a label's turn
    by zero degrees left out) and those of the groups around it (their names left out)."""
    def walk(node: ET.Element, around: tuple) -> list[tuple]:
        if node.tag == f"{SVG}g":
            inherited = around + tuple(sorted((k, v) for k, v in node.attrib.items() if k != "id"))
            return [item for child in node for item in walk(child, inherited)]
        if node.tag == f"{SVG}metadata":
            return []
        own = {k: v for k, v in node.attrib.items() if not (k == "transform" and v.startswith("rotate(-0 "))}
        return [(node.tag, tuple(sorted(own.items())), (node.text or "").strip(), around,
                 [item for child in node for item in walk(child, ())])]

    return walk(root, ())


def test_the_svg_draws_what_matplotlib_drew(mx_2024, monkeypatch):
    """The SVG is matplotlib's without what draws nothing (it costs WeasyPrint time on every page): the same
    shapes and words in the same order, with the same styles, clips and transforms."""
    from reportgen.render import charts as module

    lean = [svg_of(c) for c in draw(with_movers(mx_2024))]
    monkeypatch.setattr(module, "_lean", lambda svg: svg)
    full = [svg_of(c) for c in draw(with_movers(mx_2024))]
    assert len(lean) == len(full) == 4
    for before, after in zip(full, lean):
        assert drawn(after) == drawn(before)
        assert len(list(after.iter())) < 0.7 * len(list(before.iter()))  # what WeasyPrint walks: far less
        assert not after.findall(f".//{SVG}metadata") and not after.findall(f".//{SVG}g[@id]")


def test_axis_labels_stand_where_matplotlibs_tick_labels_would(mx_2024, monkeypatch):
    """The axis labels are plain texts (matplotlib's ticks took half the drawing time): the same words, styles and
    places as tick labels drawn by matplotlib itself, for every chart, the grid's round numbers included."""
    from reportgen.render import charts as module

    def ticks(ax, axis, positions, labels):
        positions = list(positions)
        getattr(ax, f"set_{axis}ticks")(positions, labels)
        ax.tick_params(axis=axis, labelsize=FONT, colors=module.INK, length=0, pad=module.PAD)
        return getattr(ax, f"get_{axis}ticklabels")()

    def words(chart):
        return sorted((t.text, t.get("x"), t.get("y"), t.get("style")) for t in svg_of(chart).iter(f"{SVG}text"))

    ours = [words(c) for c in draw(with_movers(mx_2024), locale="es_MX")]
    monkeypatch.setattr(module, "_axis_labels", ticks)
    theirs = [words(c) for c in draw(with_movers(mx_2024), locale="es_MX")]
    assert ours == theirs
    assert {"ene", "−15", "0"} <= {text for text, *_ in ours[0]}  # months, and the grid's numbers in the locale

def test_titles_and_alt_texts_name_the_partner(charts):
    balance, annual, partners = charts
    assert balance.alt == "Bar chart: the U.S. goods deficit with Mexico by month, 2024 against 2023"
    assert annual.alt.startswith("Line chart: U.S. goods exports to and imports from Mexico by year, 1991 to 2024")
    assert partners.alt == ("Bar chart: the 10 largest U.S. trading partners by total goods trade in 2024, "
                            "with Mexico highlighted")
    assert all("Mexico" in c.title for c in (balance, annual))


def test_month_names_and_selectable_text(charts):
    words = texts(svg_of(charts[0]))
    assert {"Jan", "Jun", "Dec", "2023", "2024"} <= set(words)
    assert "$ billions; below zero: U.S. deficit" in words
    assert "−15" in words  # a true minus sign, in $ billions


def test_the_partner_is_highlighted_among_the_leaders(mx_2024, charts):
    words = texts(svg_of(charts[2]))
    leaders = [n.name for n in mx_2024.charts.top_partners]
    assert leaders[:3] == ["Mexico", "Canada", "China"]
    assert "1. Mexico" in words and "2. Canada" in words
    assert "9. United Kingdom" in words  # "the United Kingdom" in prose, not on an axis
    assert ACCENT in words["1. Mexico"] and "font-weight: 700" in words["1. Mexico"]
    assert ACCENT not in words["2. Canada"]
    assert "837.6" in words  # the bar's value in $ billions


def test_chart_figures_follow_the_storys_rounding_and_units(config, dataset):
    """Aruba, 2024: total trade $728.0 million (exports 717.3, imports 10.7), monthly surpluses of $28.7 to
    $72.8 million in 2023 and 2024. The bar reads as the story does, not "0.7"; axes of millions, not of
    0.02 billion; China's $583,591.1 million is 583.6 as the story rounds it."""
    balance, annual, partners = draw(pipeline.facts(config, dataset, "Aruba", "2024"))
    bars = texts(svg_of(partners))
    assert "$728 million" in bars and "0.7" not in bars and "583.6" in bars
    assert "$ millions; above zero: U.S. surplus" in texts(svg_of(balance))
    assert "$ billions" in texts(svg_of(annual))  # Aruba's imports passed $3 billion in 2008 and 2011


def test_a_group_is_shown_against_the_leaders_but_not_ranked(config, dataset):
    eu = pipeline.facts(config, dataset, "0003", "2024")  # the European Union, a group
    partners = draw(eu)[2]
    assert "is a group of countries and is not ranked" in partners.alt
    assert not any(ACCENT in style for style in texts(svg_of(partners)).values())


def test_a_month_draws_the_year_so_far(config, dataset):
    balance = draw(pipeline.facts(config, dataset, "MX", "2024-05"))[0]
    assert balance.title == "Monthly U.S. goods trade deficit with Mexico, 2024 (through May) against 2023"


def test_same_facts_give_byte_identical_charts(mx_2024, charts):
    assert draw(mx_2024) == charts


def test_numbers_follow_the_locale(mx_2024):
    assert "837,6" in texts(svg_of(draw(mx_2024, locale="de_DE")[2]))


def test_no_series_no_charts(mx_2024):
    assert draw(dataclasses.replace(mx_2024, charts=None)) == []


def test_drawing_leaves_matplotlib_settings_alone(mx_2024):
    import matplotlib

    before = dict(matplotlib.rcParams)
    draw(mx_2024)
    assert dict(matplotlib.rcParams) == before


def test_importing_the_module_does_not_import_matplotlib():
    code = "import sys, reportgen.render.charts; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_every_chart_credits_its_source_at_its_foot(mx_2024, charts):
    movers = draw(with_movers(mx_2024))[-1]
    assert movers.id == "chart-movers"
    for chart, credit in [*((c, CENSUS) for c in charts), (movers, CENSUS_API)]:
        root = svg_of(chart)
        assert credit in texts(root), chart.id
        assert heights(root)[credit] == max(heights(root).values()), f"{chart.id}: the credit is not the lowest text"
    assert CENSUS_API not in texts(svg_of(charts[0]))  # the country totals are not the API's


def ink_width(chart: Chart) -> float:
    """The width in pixels of what is drawn in the bottom CREDIT inches of a PNG chart (grey or darker)."""
    import numpy
    from PIL import Image

    image = numpy.asarray(Image.open(io.BytesIO(base64.b64decode(chart.src.split(",", 1)[1]))).convert("L"))
    strip = image[-round((CREDIT - 0.02) * image.shape[1] / WIDTH):]
    columns = numpy.flatnonzero((strip < 160).any(axis=0))
    return float(columns[-1] - columns[0]) if columns.size else 0.0


def test_png_charts_for_email_carry_the_credit_too(mx_2024):
    """The PNG's own pixels: its foot holds one line as wide as the credit drawn in the chart font, and nothing else.

    (Reading the words back would need OCR; the width tells the credit from the chart's own labels, and
    the short credit from the International Trade API's.)"""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    dpi = 2 * PNG_WIDTH / WIDTH  # what _png() saves at
    font = FontProperties(family="DejaVu Sans", size=FONT - 0.5)
    pngs = draw(with_movers(mx_2024), fmt="png")
    assert [c.id for c in pngs] == ["chart-balance", "chart-annual", "chart-partners", "chart-movers"]
    for chart in pngs:
        credit = CENSUS_API if chart.id == "chart-movers" else CENSUS
        expected = text_to_path.get_text_width_height_descent(credit, font, ismath=False)[0] / 72 * dpi
        assert ink_width(chart) == pytest.approx(expected, rel=0.04), chart.id


def test_a_partner_beyond_the_leaders_comes_after_a_marked_break(config, dataset):
    aruba = draw(pipeline.facts(config, dataset, "ABW", "2024"))[2]
    rows = heights(svg_of(aruba))
    assert rows["10. India"] < rows["⋮"] < rows["109. Aruba"]  # the break marker between the tenth and Aruba
    assert "11. Netherlands" not in rows
    assert aruba.alt == ("Bar chart: the 10 largest U.S. trading partners by total goods trade in 2024, then, "
                         "after a break in the ranking, Aruba, the 109th, highlighted")


def test_the_eleventh_follows_the_tenth_without_a_break(config, dataset):
    netherlands = draw(pipeline.facts(config, dataset, "NLD", "2024"))[2]
    rows = heights(svg_of(netherlands))
    assert "⋮" not in rows
    assert rows["11. Netherlands"] - rows["10. India"] == pytest.approx(rows["10. India"] - rows["9. United Kingdom"])
    assert netherlands.alt.endswith("the 11 largest U.S. trading partners by total goods trade in 2024, "
                                    "with the Netherlands highlighted")
