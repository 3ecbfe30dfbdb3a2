"""Charts drawn from the facts the pipeline makes out of the bundled data."""

from __future__ import annotations

import base64
import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from reportgen import pipeline
from reportgen.render.charts import ACCENT, Chart, draw

SVG = "{http://www.w3.org/2000/svg}"
PREFIX = "data:image/svg+xml;base64,"


def svg_of(chart: Chart) -> ET.Element:
    assert chart.src.startswith(PREFIX)
    return ET.fromstring(base64.b64decode(chart.src.removeprefix(PREFIX), validate=True))


def texts(root: ET.Element) -> dict[str, str]:
    """Each text element's words and its style (charts keep text as text: svg.fonttype none)."""
    return {"".join(t.itertext()).strip(): t.get("style", "") for t in root.iter(f"{SVG}text")}


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
