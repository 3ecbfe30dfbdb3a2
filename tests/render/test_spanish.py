"""The Spanish (es-MX) edition: the same numbers as the English one, and wording reviewed by hand.

The golden files (tests/expected/*.es.txt) were read line by line as a Mexican copy editor would: agreement
("las exportaciones aumentaron", "el déficit se amplió"), house style ("mil millones de dólares", "T-MEC").
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from test_story import EXPECTED, story

from reportgen import pipeline
from reportgen.errors import InputError
from reportgen.periods import Period
from reportgen.render.html import environment, render_briefing
from reportgen.render.selfcheck import visible_text

PERIODS = ("2024", "2024-01", "2024-05", "2024-05-ytd", "2016", "2009")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(html: str) -> Counter:
    """The number tokens of a page's visible text, separators normalised (12,345.6 and 12345.6 are one number)."""
    return Counter(token.replace(",", "") for token in NUMBER.findall(visible_text(html)))


@pytest.mark.parametrize("period", PERIODS)
def test_every_number_in_the_spanish_text_is_the_english_one(config, dataset, period):
    english, spanish = environment(), environment(language="es")
    when = Period.parse(period)
    traded = {code for code, figures in dataset.table.values(when).items() if figures.total_trade}
    partners = [p for p in dataset.registry if p.code in traded and p.kind in ("country", "group")]
    assert len(partners) > 150, len(partners)
    for partner in partners:
        facts = pipeline.facts(config, dataset, partner.code, when, detail=False)
        texts = [render_briefing(env, facts, [], built_at="2026-11-23T12:00:00Z").html for env in (english, spanish)]
        assert numbers(texts[1]) == numbers(texts[0]), (partner.code, period)


@pytest.mark.parametrize("period", ["2024", "2024-01", "2024-05-ytd"])
def test_the_spanish_story_matches_the_reviewed_text(config, dataset, period):
    facts = pipeline.facts(config, dataset, "MEX", period)
    rendered = render_briefing(environment(language="es"), facts, [], built_at="2026-11-23T12:00:00Z")
    assert story(rendered.html) == (EXPECTED / f"MEX-{period}.es.txt").read_text(encoding="utf-8")


def test_the_spanish_page_says_its_language(mx_2024):
    html = render_briefing(environment(language="es"), mx_2024, [], built_at="2026-11-23T12:00:00Z").html
    assert '<html lang="es-MX">' in html
    assert "<h2>Cifras clave</h2>" in html and "<h2>Key figures" not in html


def test_a_language_reportgen_does_not_write_is_one_clear_error():
    from reportgen.languages import language

    with pytest.raises(InputError, match=r"^language 'fr': reportgen writes en or es$"):
        language("fr")


def svg_texts(chart) -> list[str]:
    import base64

    svg = base64.b64decode(chart.src.split(",", 1)[1]).decode("utf-8")
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_charts_are_drawn_once_and_speak_spanish(mx_2024):
    from reportgen.render.charts import draw, in_language

    charts = draw(mx_2024)
    spanish = [in_language(chart, "es") for chart in charts]
    assert [c.src for c in charts] == [c.src for c in draw(mx_2024)]  # English is as drawn
    words = [w for c in spanish for w in svg_texts(c)]
    assert "ene" in words and "Importaciones" in words and "2. Canadá" in words, words
    assert "Fuente: Oficina del Censo de EE.UU." in words
    for english in ("Jan", "Imports", "Exports", "2. Canada", "Source: U.S. Census Bureau", "$ billions"):
        assert english not in words, english
    assert spanish[0].title.startswith("Déficit mensual del comercio de bienes de Estados Unidos con México")
    assert spanish[0].alt.startswith("Gráfica de barras")
    # The figures are the drawing's own: only words change.
    numbers_of = [[w for w in svg_texts(c) if NUMBER.fullmatch(w.lstrip("−"))] for c in (*charts, *spanish)]
    assert numbers_of[:len(charts)] == numbers_of[len(charts):]


def test_every_word_the_templates_mark_has_its_spanish(tmp_path):
    """The catalog covers every message the layout templates mark, with the same placeholders, and nothing
    stale; it compiles as gettext reads it."""
    import io

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from reportgen.render.catalog import catalog_path, translations
    from reportgen.render.html import bundled_templates

    marked = {message for _, _, message, _, _ in extract_from_dir(
        str(bundled_templates()), method_map=[("**.html", "jinja2"), ("**.txt", "jinja2"), ("**.atom", "jinja2")],
        options_map={"**": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}})}
    catalog = read_po(io.StringIO(catalog_path("es").read_text(encoding="utf-8")))
    spanish = {m.id: m.string for m in catalog if m.id}
    missing = marked - set(spanish)
    assert not missing, missing
    placeholders = re.compile(r"%\(\w+\)s")
    for english, text in spanish.items():
        assert text and sorted(placeholders.findall(text)) == sorted(placeholders.findall(english)), english
    # Given in code rather than a template: the basis of the figures (models.BASIS).
    assert set(spanish) - marked == {"Census basis, goods, not seasonally adjusted"}
    assert translations("es").gettext("Key figures") == "Cifras clave"


def test_a_batch_remembers_the_make_up_a_spanish_page_needs(config, dataset):
    """The second Spanish briefing of one shape prints in one layout, exactly as make-up alone would print it."""
    import weasyprint

    from reportgen.render import pages
    from reportgen.render.charts import draw, in_language
    from reportgen.render.pdf import font_config, url_fetcher

    def spanish(code: str) -> str:
        facts = pipeline.facts(config, dataset, code, "2024-12")
        charts = [in_language(chart, "es") for chart in draw(facts)]
        return render_briefing(environment(language="es"), facts, charts, built_at="2026-11-23T12:00:00Z").html

    def laid_out(html: str, memory: dict | None):
        count = []

        def render(text: str):
            count.append(text)
            return weasyprint.HTML(string=text, url_fetcher=url_fetcher(), base_url=None).render(
                font_config=font_config())

        document = pages.make_up(html, render, memory)
        places = [sorted((k, round(v[1])) for k, v in page.anchors.items()) for page in document.pages]
        return len(count), places

    memory: dict = {}
    first, second = spanish("ABW"), spanish("ARM")  # two partners out of the top ten: one shape
    assert laid_out(first, memory)[0] == 2 and memory  # the change it needed is remembered
    alone = laid_out(second, None)
    remembered = laid_out(second, memory)
    assert alone[0] == 2 and remembered[0] == 1
    assert remembered[1] == alone[1]  # the same pages, every block where make-up alone puts it


def test_mexican_number_style():
    from reportgen.render import format_es

    assert format_es.money(168_618_000_000) == "168.6 mil millones de dólares"
    assert format_es.money(49_000_000) == "49 millones de dólares"
    assert format_es.money_bound(1_000_000) == "1 millón de dólares"
    assert format_es.money(1_234_000_000_000) == "1.2 billones de dólares"  # a U.S. trillion
    assert format_es.money(850_000) == "850,000 dólares"
    assert format_es.number(1809) == "1809"  # Babel's es_MX says 1,809: not in Spanish prose
    assert format_es.money_table(-9_461_800_000) == "−9,461.8"  # but in a column, beside 10,517.4
    assert format_es.pct(13.6) == "13.6%" and format_es.points(1.0) == "1.0 punto porcentual"
    assert format_es.period_prose("2024-05-ytd") == "los primeros cinco meses de 2024"
    assert format_es.date_label("2025-10-01T13:30:00Z") == "1 de octubre de 2025"
    assert format_es.ordinal(1) == "principal" and format_es.ordinal(3) == "tercer mayor"
    assert format_es.ordinal(2, feminine=True) == "segunda mayor"
    assert format_es.names(["China", "India"]) == "China e India"
    assert format_es.names(["Alemania", "el Reino Unido"], "a") == "a Alemania y al Reino Unido"


def test_what_drove_the_change_names_the_products_in_spanish(mx_2024):
    """The products behind a move read in Spanish in the story, the table and the chart (hs_names.csv's name_es)."""
    from test_charts import with_movers

    from reportgen.render.charts import draw, in_language

    facts = with_movers(mx_2024)
    charts = [in_language(chart, "es") for chart in draw(facts)]
    html = render_briefing(environment(language="es"), facts, charts, built_at="2026-11-23T12:00:00Z").html
    text = visible_text(html)
    assert "destacaron el alza de 14.4 mil millones de dólares en vehículos y autopartes" in text
    assert "El rubro de vehículos y autopartes representó 53.6% de las importaciones desde México." in text
    assert '<th scope="row">Combustibles minerales y petróleo</th>' in html
    words = svg_texts(charts[-1])
    # Each line of a name is a text anchored at its right end: a longer Spanish line stays off the bars.
    assert {"Vehículos y autopartes", "Combustibles", "minerales y petróleo"} <= set(words), words
    for english in ("Vehicles", "Mineral fuels", "Electrical machinery"):
        assert english not in text and not any(english in word for word in words), english
