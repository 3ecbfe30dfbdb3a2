"""An editor's note on a briefing from another reporter's side: kept under that briefing's own archive code."""

from __future__ import annotations

from reportgen import pipeline
from reportgen.store import Store, notes


def test_a_note_on_mexicos_side_shows_under_its_lede(comtrade_config):
    where = pipeline.notes.target(comtrade_config, "Russia", "2016", reporter="Mexico")
    assert (where.code, where.period, where.archived) == ("MEX-RUS", "2016", False)
    assert where.rebuild == "reportgen build --reporter MEX --partner RUS --period 2016"
    pipeline.notes.write(comtrade_config, where, "Sanctions shaped *both* flows.", "Jane Doe")
    with Store(comtrade_config.db_path) as store:
        assert notes.get(store, "MEX-RUS", "2016").editor == "Jane Doe"
        assert notes.get(store, "RUS", "2016") is None  # not the Census briefing of Russia

    [html] = pipeline.reporter.build(comtrade_config, "MX", "RU", "2016", ["html"])
    page = html.read_text(encoding="utf-8")
    lede = page.index('<p class="lede">')
    assert lede < page.index('<div class="editors-note"') < page.index("Sanctions shaped <em>both</em> flows.") \
        < page.index("<p>", page.index("</div>", lede))
    assert pipeline.notes.target(comtrade_config, "RU", "2016", reporter="MX").archived
