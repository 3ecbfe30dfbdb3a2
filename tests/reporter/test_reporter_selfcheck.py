"""The self-check on briefings from another reporter's side: every partner of Mexico's report passes it, its
fields are traced by their paths inside ReporterFacts, and a newsroom template with a wrong figure fails."""

from __future__ import annotations

import csv

import pytest
from comtrade_seed import FIXTURE

from reportgen import pipeline
from reportgen.errors import InputError, SelfCheckError
from reportgen.render import selfcheck
from reportgen.render.html import bundled_templates, environment, render_briefing


def partners(period: str) -> list[str]:
    with FIXTURE.open(encoding="utf-8") as handle:
        return sorted({r["partner"] for r in csv.DictReader(handle) if r["reporter"] == "MEX" and r["period"] == period
                       and r["partner"] != "WLD" and not r["partner"].startswith("M49-")})


@pytest.mark.parametrize("period", ["2016", "2015"])
def test_every_partner_of_the_reporter_passes(comtrade_config, period):
    env = environment(None, "en_US")
    checked = 0
    for partner in partners(period):
        try:
            facts = pipeline.reporter.facts(comtrade_config, "MX", partner, period)
        except InputError:
            continue
        render_briefing(env, facts, [], built_at="2026-12-04T10:00:00Z", template="reporter.html",
                        story="_reporter_story.html")
        checked += 1
    assert checked > 50


def test_mex_rus_with_its_charts_and_products_passes_and_is_traced_by_path(comtrade_config):
    facts = pipeline.reporter.facts(comtrade_config, "MX", "RU", "2016")
    html = pipeline.render(comtrade_config, facts).html  # charts drawn: their captions are checked too
    assert "up from less than $5 million in 2012" in html
    found = selfcheck.trace_map(facts)
    assert "facts.figures.imports" in found[("1.3", "billion")]
    assert "products[0].lines[0].base_below" in found[("5", "million")]
    assert selfcheck.document_name(facts, ".html") == "MEX-RUS-2016.html"


def test_a_wrong_figure_in_a_newsroom_reporter_story_fails(comtrade_config, tmp_path):
    story = (bundled_templates() / "_reporter_story.html").read_text(encoding="utf-8")
    wrong = story.replace("imported {{ m|money }} from it", "imported {{ (m * 1.7)|int|money }} from it")
    assert wrong != story
    (tmp_path / "_reporter_story.html").write_text(wrong, encoding="utf-8")
    config = comtrade_config.model_copy(update={"templates_dir": tmp_path})
    facts = pipeline.reporter.facts(config, "MX", "RU", "2016")
    assert ("2.2", "billion") not in selfcheck.trace_map(facts)  # 1.7 times $1.3 billion is no figure of these facts
    with pytest.raises(SelfCheckError) as caught:
        pipeline.render(config, facts)
    assert str(caught.value) == ('self-check: "$2.2 billion" in MEX-RUS-2016.html ("...million to Russia and imported '
                                 '$2.2 billion from it, a goods trade...") is not a figure of the facts')
