"""The self-check before publishing: numbers read from text as a reader sees them, traced to the fields of the
facts through the house filters, a wrong figure named in one line; and every briefing and digest of the bundled
data passes it, so it never stops a correct one."""

from __future__ import annotations

import dataclasses
import random
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from reportgen import pipeline
from reportgen.errors import InputError, RenderError, SelfCheckError
from reportgen.models import News, NewsItem
from reportgen.partners import bundled
from reportgen.render import email as digest
from reportgen.render import format as house
from reportgen.render import selfcheck
from reportgen.render.charts import draw
from reportgen.render.html import environment, render_briefing
from reportgen.render.pdf import write_pdf

BUILT = "2026-11-23T12:00:00Z"
PERIODS = ["2024", "2024-05", "2024-05-ytd", "1992", "2009", "2016"]


def kinds(text: str) -> list[tuple[str, str | None]]:
    return [(n.token, n.kind) for n in selfcheck.numbers(text)]


# -- reading numbers --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("token", "form"), [
    ("1,809.5", "1809.5"), ("1809.5", "1809.5"), ("26,511.5", "26511.5"), ("05", "5"), ("0", "0"), ("0.1", "0.1"),
    ("297.0", "297.0"), ("13:00", "13:00"),
])
def test_separator_conventions_do_not_matter_but_decimals_do(token, form):
    assert selfcheck.normal(token) == form


@pytest.mark.parametrize(("text", "found"), [
    ("a record $168.6 billion in 2024", [("168.6", "billion"), ("2024", None)]),
    ("up 13.6% from", [("13.6", "%")]),
    ("un aumento de 13.6 % en 2024", [("13.6", "%"), ("2024", None)]),
    ("168.6 mil millones de dólares; 49 millones; 1.2 billones", [("168.6", "billion"), ("49", "million"),
                                                                  ("1.2", "trillion")]),
    ("$850,000 and $49 million", [("850000", "$"), ("49", "million")]),
    ("rose $92\nmillion", [("92", "million")]),  # a wrapped line of the text digest
    ("adding 6.0 percentage points", [("6.0", "%")]),
    ("the 14th-largest, 34-fold, first 10 months", [("14", None), ("34", None), ("10", None)]),
    ("Oct. 1, 2026, 13:00 UTC", [("1", None), ("2026", None), ("13:00", None)]),
    ("−12,505.5 and +3.1%", [("12505.5", None), ("3.1", "%")]),
    ("from $1.1…", [("1.1", None)]),  # a truncated preview: its unit was cut off
    ("see https://briefings.example.org/archive/2024/MEX/MEX-2024.html or mailto:x1@example.org", []),
])
def test_numbers_are_read_with_their_kind(text, found):
    assert kinds(text) == found


def test_numbers_are_shown_as_the_reader_sees_them():
    shown = [n.shown for n in selfcheck.numbers("a deficit of $168.6 billion, up 13.6%, the 14th-largest, −12.5")]
    assert shown == ["$168.6 billion", "13.6%", "14th", "−12.5"]


def test_only_the_visible_text_of_html_is_read():
    page = """<!doctype html><html><head><title>Deficit hits $1.5 billion</title>
<meta name="reportgen:vintage" content="2026-10-01/86b70f62"><meta name="dcterms.created" content="2031-01-01">
<style>@page { size: A4; margin: 17mm } .x { width: 390px }</style><script>var n = 4242;</script></head>
<body><p class="n7" data-x="77">Exports &#8722;12.5 and 3&#160;million</p>
<img src="data:image/svg+xml;base64,PHN2ZyB3aWR0aD0iOTk5Ij4=" alt="999 bars" width="560">
<!--[if mso]><table width="600"><tr><td><![endif]--><a href="https://x.org/2033/8">Jan. 5</a>
<table><tr><td>1</td><td>2</td></tr></table></body></html>"""
    assert kinds(selfcheck.visible_text(page)) == [("1.5", "billion"), ("12.5", None), ("3", "million"),
                                                   ("5", None), ("1", None), ("2", None)]


# -- the facts' side ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Holder:
    value: int | float | str


def filtered(value, locale: str) -> list[str]:
    """What every house filter that takes a value of this type makes of it."""
    if isinstance(value, str):
        return [house.date_label(value, locale), house.date_label(value, locale, year=False),
                house.time_label(value, locale)]
    if isinstance(value, int):
        return [house.money(value, locale), house.money_table(value, locale), house.money_bound(value, locale),
                house.balance_amount(value, locale), str(value), house.place(abs(value) or 1),
                house.ordinal(abs(value) or 1)]
    return [house.pct(value, locale), house.pct_prose(value, locale), house.points(value, locale),
            house.signed(value, locale), house.signed_pct(value, locale)]


def values() -> list:
    rnd = random.Random(14)
    whole = [0, 1, 9, 14, 230, 1991, 850_000, 5_000_000, 4_500_000, 9_960_000, 10_450_000, 49_000_000,
             13_000_000_000, 168_618_000_000, 999_960_000_000, 1_200_868_900_000, -26_511_500_000]
    whole += [rnd.randrange(10 ** rnd.randrange(1, 14)) * rnd.choice((1, -1)) for _ in range(300)]
    fractions = [0.0, 0.04, 0.05, 1.0, 13.6, 13.65, -2.7411, 99.95, 899.9, 900.0, 3300.0, 1234.56]
    fractions += [rnd.uniform(-100, 2000) for _ in range(300)]
    return whole + fractions + ["2026-10-01T00:00:00Z", "2025-01-15T13:30:00Z"]


@pytest.mark.parametrize("locale", ["en_US", "es_MX"])
def test_whatever_a_house_filter_makes_of_a_field_is_traced_to_it(locale):
    for value in values():
        found = selfcheck.trace_map(Holder(value))
        for text in filtered(value, locale):
            for number in selfcheck.numbers(text):
                assert selfcheck.traced(number, found) == ["value"], (value, text, number)


def test_fields_are_named_by_their_path(mx_2024):
    found = selfcheck.trace_map(mx_2024)
    assert "figures.balance" in found[("168.6", "billion")]
    assert "year_ago.figures.balance" in found[("148.5", "billion")]
    assert "year_ago.change_pct.balance" in found[("13.6", "%")]
    assert "ranks.total_trade.of" in found[("230", None)]
    assert "provenance.published" in found[("2026", None)]
    assert "records.balance.history_start.year" in found[("1991", None)]
    assert "table[1].exports" in found[("26511.5", None)]  # January 2024 in the month table


def test_a_number_must_be_of_the_kind_its_field_gives(mx_2024):
    found = selfcheck.trace_map(mx_2024)
    percent = next(t for t, k in found if k == "%" and (t, "billion") not in found and (t, "*") not in found)
    assert selfcheck.untraced(f"up {percent}%", found) == []
    [wrong] = selfcheck.untraced(f"a deficit of ${percent} billion", found)
    assert wrong.shown == f"${percent} billion"
    assert selfcheck.untraced(f"{percent}", found) == []  # a bare number may be any of its forms


def test_strings_of_the_facts_hold_numbers_but_hashes_and_codes_for_machines_do_not(mx_2024):
    item = NewsItem(title="Tariff of 37.5% on 4,321 trucks", link="https://news.example.org/2031/88", source="Wire 7",
                    published="2025-01-15T13:30:00Z", dated=True, summary="", matched=("Mexico",))
    facts = dataclasses.replace(
        mx_2024, news=News((item,), "2024-12-01", "2025-02-14"),
        partner=dataclasses.replace(mx_2024.partner, census_codes=("7777",), m49_codes=("6543",)),
        provenance=dataclasses.replace(mx_2024.provenance, vintage="2026-10-01/9a8765432",
                                       sha256="1b2c3d4e5f60718293a4b5c6d7e8f9"))
    found = selfcheck.trace_map(facts)
    assert "news.items[0].title" in found[("37.5", "*")] and "news.items[0].title" in found[("4321", None)]
    assert "news.items[0].source" in found[("7", None)]
    assert "provenance.vintage" in found[("2026", None)]
    assert ("7777", None) not in found and ("6543", None) not in found  # Census and M49 codes
    assert ("8765432", None) not in found  # the vintage label's hash
    assert not any(p.startswith(("partner.census_codes", "partner.m49_codes", "provenance.sha256"))
                   for paths in found.values() for p in paths)


# -- the check --------------------------------------------------------------------------------------------

def test_a_wrong_figure_fails_with_one_line_naming_it_its_words_and_the_document(config, mx_2024):
    html = render_briefing(environment(), mx_2024, [], built_at=BUILT).html
    wrong = html.replace("reached $168.6 billion in 2024", "reached $999.9 billion in 2024")
    assert wrong != html
    with pytest.raises(SelfCheckError) as caught:
        selfcheck.check(mx_2024, html={"MEX-2024.html": wrong}, allowed={"build time": BUILT})
    assert isinstance(caught.value, RenderError)
    assert str(caught.value) == (
        'self-check: "$999.9 billion" in MEX-2024.html ("...trade deficit with Mexico reached $999.9 billion in '
        '2024, the largest on...") is not a figure of the facts')
    assert caught.value.document == "MEX-2024.html" and caught.value.number.token == "999.9"


def test_every_wrong_number_is_counted_and_the_first_named(mx_2024):
    with pytest.raises(SelfCheckError, match=r'"\$185.5 billion" in note .* \(and 2 more\)$'):
        selfcheck.check(mx_2024, text={"note": "Deficit: $185.5 billion; 41.7% of 9,876,543 cars"})


def test_the_build_time_and_allowed_texts_are_the_only_numbers_from_outside(mx_2024):
    sources = "Built Nov. 23, 2026, 13:07 UTC. Note: tariffs of 83.7% from March 4."
    found = selfcheck.trace_map(mx_2024)
    # Not a figure of the facts themselves (the message names the fields that give it, should that change).
    assert not [found.get(key) for key in (("83.7", "%"), ("83.7", "*")) if key in found], found.get(("83.7", "%"))
    with pytest.raises(SelfCheckError, match=r'"23" in sources \("...Built Nov. 23, 2026, 13:07 UTC. Note: tariffs'):
        selfcheck.check(mx_2024, text={"sources": sources})
    with pytest.raises(SelfCheckError, match='"83.7%"'):
        selfcheck.check(mx_2024, text={"sources": sources}, allowed={"build time": "2026-11-23T13:07:00Z"})
    selfcheck.check(mx_2024, text={"sources": sources}, allowed={"build time": "2026-11-23T13:07:00Z",
                                                                 "editor's note": "Tariffs of 83.7% from March 4."})


def test_a_spanish_text_of_the_same_facts_passes_unchanged(mx_2024):
    text = ("El déficit comercial de Estados Unidos con México alcanzó un récord de 168.6 mil millones de "
            "dólares en 2024, según informó la Oficina del Censo el 1 de octubre. El déficit creció 13.6 % desde "
            "148.5 mil millones de dólares en 2023. Enero de 2024: exportaciones 26511.5, importaciones 37826.1.")
    selfcheck.check(mx_2024, text={"MEX-2024.es.html": text})
    with pytest.raises(SelfCheckError, match='"168.7 mil millones" in MEX-2024.es.html'):
        selfcheck.check(mx_2024, text={"MEX-2024.es.html": text.replace("168.6", "168.7")})


# -- it never stops a correct briefing ------------------------------------------------------------------------

def census_countries():
    return [p for p in bundled() if p.is_country and p.census_codes]


@pytest.mark.parametrize("period", PERIODS)
def test_every_briefing_and_digest_of_the_bundled_data_passes(config, dataset, period):
    """render_briefing and render_digest run the check: each would raise on a number not traced."""
    env, mail = environment(), digest.email_environment(None, "en_US")
    checked = 0
    for partner in census_countries():
        try:
            facts = pipeline.facts(config, dataset, partner.code, period)
        except InputError:  # no trade with it in the period
            continue
        render_briefing(env, facts, [], built_at=BUILT)
        digest.render_digest(mail, facts, [], briefing_url="https://briefings.example.org/archive/x.html",
                             pdf_attached=False)
        checked += 1
    assert checked > 150


@pytest.mark.parametrize("partner", ["MX", "CN", "NA"])
@pytest.mark.parametrize("period", ["2024-05", "2016"])
def test_briefings_and_digests_with_their_charts_pass(config, dataset, partner, period):
    """The charts' captions (years, months) are in the visible text too."""
    facts = pipeline.facts(config, dataset, partner, period)
    rendered = pipeline.render(config, facts)
    assert rendered.html.count("<figcaption>") >= 3
    charts = [digest.EmailChart(c, f"cid:{c.id}") for c in draw(facts, fmt="png")]
    digest.render_digest(digest.email_environment(None, "en_US"), facts, charts,
                         briefing_url="https://briefings.example.org/archive/x.html", pdf_attached=True)


@pytest.mark.parametrize("period", ["2024", "2024-05"])
def test_the_pdf_holds_no_number_its_html_lacks(config, dataset, tmp_path, period):
    """The PDF is printed from the checked HTML: its text (pypdf) has the same numbers, and page numbers."""
    facts = pipeline.facts(config, dataset, "MX", period)
    charts = draw(facts, fmt="png")  # PNG: the SVG charts' own text (axis ticks) would print as text
    html = render_briefing(environment(), facts, charts, built_at=BUILT).html
    reader = PdfReader(write_pdf(html, tmp_path / "MEX.pdf"))
    text = "\n".join(page.extract_text() for page in reader.pages)
    pages = len(reader.pages)
    assert len(re.findall(rf"Page \d+ of {pages}\b", text)) == pages
    printed = {(n.token, n.kind) for n in selfcheck.numbers(re.sub(r"Page \d+ of \d+", "", text))}
    in_html = {(n.token, n.kind) for n in selfcheck.numbers(selfcheck.visible_text(html))}
    assert len(printed) > 50 and printed <= in_html, printed - in_html
