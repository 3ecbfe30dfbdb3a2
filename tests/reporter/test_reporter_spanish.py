"""The Spanish (es-MX) edition of briefings from another reporter's side: the same numbers as the English one for
every partner of the Comtrade fixture's reporter, wording reviewed by hand (tests/expected/MEX-RUS-2016.es.txt,
read line by line as a Mexican copy editor would: agreement, "mil millones de dólares", lower-case months), charts
that speak Spanish, and `build --lang es` writing the .es files into the archive."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from comtrade_seed import FIXTURE, seed
from test_reporter_story import EXPECTED, story, with_census_2016

from reportgen import pipeline
from reportgen.render.charts import draw, in_language
from reportgen.render.html import environment, render_briefing

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
BUILT = "2026-11-23T12:00:00Z"


class BodyText(HTMLParser):
    """The text a reader sees: the page's body, without its style and metadata."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.body = False

    def handle_starttag(self, tag, attrs):
        self.body = self.body or tag == "body"

    def handle_data(self, data):
        if self.body:
            self.parts.append(data)


def numbers(html: str) -> Counter:
    """The number tokens of a page's text, separators normalised (12,345.6 and 12345.6 are one number)."""
    parser = BodyText()
    parser.feed(html)
    return Counter(token.replace(",", "") for token in NUMBER.findall(" ".join(parser.parts)))


def page(facts, language: str) -> str:
    env = environment(language=language)
    return render_briefing(env, facts, [], built_at=BUILT, template="reporter.html",
                           story=env.globals["reporter_story_template"]).html


def partners_of_mexico(period: str) -> list[str]:
    """Every country Mexico reported trade with in the period, read from the fixture apart from the store."""
    codes = set()
    for line in FIXTURE.read_text(encoding="utf-8").splitlines()[1:]:
        reporter, partner, _flow, year, commodity, value = line.split(",")
        if reporter == "MEX" and year == period and commodity == "TOTAL" and int(value) and partner != "WLD" \
                and not partner.startswith("M49-"):
            codes.add(partner)
    return sorted(codes)


def test_golden_text(comtrade_config):
    facts = pipeline.reporter.facts(comtrade_config, "MX", "RU", "2016")
    spanish = story(pipeline.render(comtrade_config, facts, language="es").html)
    assert spanish == (EXPECTED / "MEX-RUS-2016.es.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("period", ["2016", "2015"])
def test_every_number_in_the_spanish_text_is_the_english_one(comtrade_config, period):
    partners = partners_of_mexico(period)
    assert len(partners) > 40, len(partners)
    for code in partners:
        facts = pipeline.reporter.facts(comtrade_config, "MX", code, period)
        english, spanish = page(facts, "en"), page(facts, "es")
        assert numbers(spanish) == numbers(english), (code, period)
        assert '<html lang="es-MX">' in spanish


def svg_texts(chart) -> list[str]:
    svg = base64.b64decode(chart.src.split(",", 1)[1]).decode("utf-8")
    return re.findall(r">([^<>]+)</text>", svg)


def test_charts_speak_spanish_with_the_same_figures(comtrade_config):
    facts = pipeline.reporter.facts(comtrade_config, "MX", "RU", "2016")
    charts = draw(facts)
    spanish = [in_language(chart, "es") for chart in charts]
    assert [c.id for c in spanish] == ["chart-annual", "chart-partners", "chart-products"]
    assert [c.title for c in spanish] == [
        "Exportaciones e importaciones de bienes de México con Rusia, 2012 a 2016",
        "Principales socios comerciales de México por comercio total de bienes, 2016",
        "Comercio de México con Rusia por producto, 2016"]
    words = " ".join(text for chart in spanish for text in svg_texts(chart))
    for said in ("Fuente: UN Comtrade, según lo reportado por México", "Exportaciones hacia Rusia (HS6)",
                 "Importaciones desde Rusia (HS6)", "Fertilizantes nitrogenados", "Principales productos por valor",
                 "49 mdd"):
        assert said in words, said
    for english in ("Source", "Exports to", "Imports from", "Nitrogen", "Largest products", "$"):
        assert english not in words, english
    # Each line of a product's name is a text anchored at its right end: a longer Spanish line stays off the bars.
    products = base64.b64decode(spanish[2].src.split(",", 1)[1]).decode("utf-8")
    for line in ("Fertilizantes nitrogenados", "Semiproductos de", "hierro y acero", "Cajas de cambios y ejes de"):
        assert re.search(r'text-anchor: ?end[^>]*>' + line + "</text>", products), line
    figures = [[w for w in svg_texts(c) if NUMBER.fullmatch(w.lstrip("−"))] for c in (*charts, *spanish)]
    assert figures[:len(charts)] == figures[len(charts):]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", "data", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=180, check=False)


def test_build_lang_es_writes_the_spanish_files(tmp_path):
    (tmp_path / "config.yaml").write_text("feeds: []\n", encoding="utf-8")
    seed(tmp_path / "data" / "reportgen.db")
    result = run("build", "--reporter", "MX", "--partner", "RU", "--period", "2016", "--lang", "es", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["output/2016/MEX-RUS/MEX-RUS-2016.es.html",
                                     "output/2016/MEX-RUS/MEX-RUS-2016.es.pdf"]
    html = (tmp_path / "output/2016/MEX-RUS/MEX-RUS-2016.es.html").read_text(encoding="utf-8")
    assert '<html lang="es-MX">' in html
    assert "<h1>Exportaciones de México a Rusia alcanzan récord de 179 millones de dólares en 2016</h1>" in html
    assert (tmp_path / "output/2016/MEX-RUS/MEX-RUS-2016.es.pdf").read_bytes().startswith(b"%PDF")
    # Both editions, each linking the other; the English one is not taken away by a later Spanish build.
    result = run("build", "--reporter", "MX", "--partner", "RU", "--period", "2016", "--lang", "en,es",
                 "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    english = (tmp_path / "output/2016/MEX-RUS/MEX-RUS-2016.html").read_text(encoding="utf-8")
    assert 'href="MEX-RUS-2016.es.html"' in english
    assert 'href="MEX-RUS-2016.html"' in (tmp_path / "output/2016/MEX-RUS/MEX-RUS-2016.es.html").read_text("utf-8")
    result = run("build", "--reporter", "MX", "--partner", "RU", "--period", "2016", "--lang", "es",
                 "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output/2016/MEX-RUS/MEX-RUS-2016.html").is_file()


def test_a_spanish_note_shows_in_the_spanish_edition_only(comtrade_config, tmp_path):
    where = pipeline.notes.target(comtrade_config, "RU", "2016", reporter="MX", lang="es")
    assert (where.code, where.lang) == ("MEX-RUS", "es")
    assert where.rebuild == "reportgen build --reporter MEX --partner RUS --period 2016 --lang es"
    pipeline.notes.write(comtrade_config, where, "Las sanciones marcaron *ambos* flujos.", "Ana Pérez")
    try:
        written = pipeline.reporter.build(comtrade_config, "MX", "RU", "2016", ["html"], tmp_path, ("en", "es"))
        assert [p.name for p in written] == ["MEX-RUS-2016.html", "MEX-RUS-2016.es.html"]
        english, spanish = (p.read_text(encoding="utf-8") for p in written)
        assert "Las sanciones marcaron <em>ambos</em> flujos." in spanish
        assert spanish.index('<p class="lede">') < spanish.index('<div class="editors-note"')
        assert "Las sanciones" not in english
    finally:
        pipeline.notes.remove(comtrade_config, where)


def test_the_spanish_edition_reads_on_a_phone(comtrade_config, tmp_path):
    """390 CSS px in Debian's chromium: the longer Spanish words scroll nothing sideways; the charts load."""
    from playwright.sync_api import sync_playwright

    facts = pipeline.reporter.facts(comtrade_config, "MX", "RU", "2016")
    [html] = pipeline.write(comtrade_config, facts, ["html"], tmp_path, languages=("es",))
    assert html.name == "MEX-RUS-2016.es.html"
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        page.goto(html.as_uri(), wait_until="load")
        width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        images = page.evaluate("Array.from(document.images, i => [i.alt, i.complete, i.naturalWidth, i.width])")
        browser.close()
    assert inner == 390 and width <= inner, f"the page scrolls sideways: {width}px wide"
    assert [alt.split(":")[0] for alt, *_ in images] == ["Gráfica de líneas", "Gráfica de barras", "Gráfica de barras"]
    assert all(complete and natural > 0 and 0 < shown <= inner for _, complete, natural, shown in images)


def test_mirror_against_census_in_spanish(comtrade_config, tmp_path):
    """Mexico's imports from the United States beside the U.S. exports Census reported: CIF against f.a.s."""
    from decimal import ROUND_HALF_UP, Decimal

    config = comtrade_config.model_copy(update={"data_dir": tmp_path / "data"})
    exports = with_census_2016(config)
    facts = pipeline.reporter.facts(config, "MX", "US", "2016")
    html = pipeline.render(config, facts, language="es").html
    mexico = 179_582_331_006  # Mexico's imports from the United States, as the fixture holds them
    gap = sum(exports) - mexico
    percent = (Decimal(gap) / Decimal(sum(exports)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert (f"Las importaciones desde Estados Unidos que reportó México quedaron {Decimal(gap) / 10**9:.1f} mil "
            f"millones de dólares ({percent}%) por debajo de los {Decimal(sum(exports)) / 10**9:.1f} mil millones de "
            "dólares que la Oficina del Censo reportó como exportaciones de Estados Unidos a México en 2016: las "
            "importaciones se valoran CIF, con flete y seguro incluidos, y las exportaciones f.a.s., libres al "
            "costado del buque en el puerto de salida") in story(html)
    assert "Cifras de Estados Unidos:" in html and "Oficina del Censo" in html


def test_a_wrong_figure_in_a_newsroom_spanish_reporter_story_fails(comtrade_config, tmp_path):
    from reportgen.errors import SelfCheckError
    from reportgen.render.html import bundled_templates

    story_es = (bundled_templates() / "_reporter_story.es.html").read_text(encoding="utf-8")
    wrong = story_es.replace("e importó {{ m|money }}", "e importó {{ (m * 1.7)|int|money }}")
    assert wrong != story_es
    (tmp_path / "_reporter_story.es.html").write_text(wrong, encoding="utf-8")
    config = comtrade_config.model_copy(update={"templates_dir": tmp_path})
    facts = pipeline.reporter.facts(config, "MX", "RU", "2016")
    pipeline.render(config, facts)  # the English edition does not read the Spanish story
    with pytest.raises(SelfCheckError) as caught:
        pipeline.render(config, facts, language="es")
    assert str(caught.value) == ('self-check: "2.2 mil millones" in MEX-RUS-2016.es.html ("...dólares a Rusia e '
                                 'importó 2.2 mil millones de dólares de ese país,...") is not a figure of the facts')


def test_every_product_name_has_its_spanish():
    """Both tables of product names give each name a Spanish one, which the Spanish edition looks up."""
    import csv
    from importlib import resources

    from reportgen.commodities import product_name_es

    for table, key in (("product_groups.csv", "name"), ("hs_names.csv", "code")):
        text = resources.files("reportgen").joinpath(f"data/{table}").read_text(encoding="utf-8")
        for row in csv.DictReader(text.splitlines()):
            assert row["name_es"].strip() and product_name_es(row[key]) == row["name_es"], (table, row)
    assert product_name_es("87") == "vehículos y autopartes"
    assert product_name_es("901890") == ""  # named by Comtrade's own (English) description
