"""The web page loads the data once and again only when a newer vintage is stored."""

from __future__ import annotations

from reportgen import pipeline
from reportgen.config import Config
from reportgen.models import Batch, Observation, Vintage
from reportgen.store import Store


def test_a_new_vintage_is_shown_at_the_next_request(tmp_path, seeded_store):
    from reportgen.web.briefings import Briefings

    config = Config.model_validate({"data_dir": str(seeded_store(tmp_path / "data")),
                                    "output_dir": str(tmp_path / "output"), "feeds": []})
    briefings = Briefings(config)
    first, mark = briefings.data()
    assert "$168.6 billion" in briefings.briefing("MX", "2024").html
    assert briefings.data()[0] is first  # nothing new: the same data, not loaded again

    revised = Vintage(source=pipeline.SOURCE, label="2099-01-01/revised0", published="2099-01-01T00:00:00Z",
                      origin="a revision", sha256="0" * 64)
    with Store(config.db_path) as store:
        store.add(Batch(revised, [Observation("MEX", "import", "2024", 603_100_000_000)], last_month="2024-12"))
    second, new_mark = briefings.data()
    assert second is not first and new_mark != mark
    page = briefings.briefing("MX", "2024")
    assert "$268.6 billion" in page.html and "2099-01-01/revised0" in page.html


def test_the_page_is_the_briefing_build_writes(web_config, monkeypatch, tmp_path):
    """Rendered in memory, the page is byte for byte the file `build --format html` writes, and its headline
    is the renderer's, in plain text (not the <title> with its apostrophe escaped)."""
    from reportgen.web.briefings import Briefings

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    page = Briefings(web_config).briefing("Ivory Coast", "2024")
    [written] = pipeline.build(web_config, "CIV", "2024", ["html"], tmp_path)
    assert page.html == written.read_text(encoding="utf-8")
    assert page.headline.startswith("U.S. ") and "Cote d'Ivoire" in page.headline
    assert "<title>" + page.headline.replace("'", "&#39;") + "</title>" in page.html
