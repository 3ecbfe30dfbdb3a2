"""The web page loads the data once and again only when a newer vintage is stored."""

from __future__ import annotations

from reportgen import pipeline
from reportgen.config import Config
from reportgen.models import Batch, Observation, Vintage
from reportgen.store import Store


def test_a_new_vintage_is_shown_at_the_next_request(tmp_path):
    from reportgen.web.briefings import Briefings

    config = Config.model_validate({"data_dir": str(tmp_path / "data"), "output_dir": str(tmp_path / "output"),
                                    "feeds": []})
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
