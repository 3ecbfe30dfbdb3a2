"""Revisions: a story says when the figures it uses differ materially from those first reported.

The first release of 2024 (country.xlsx as published in February 2025) said: exports to Mexico
$334,041 million, imports $505,850 million, a deficit of $171,809 million. The bundled snapshot, after
the June 2025 revision, says $334,492.1 million, $503,110.1 million and $168,618.0 million.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from render.test_story import story

from reportgen import pipeline
from reportgen.config import Config
from reportgen.render.html import environment, render_briefing
from reportgen.sources.census_bulk import HEADER

FIRST_RELEASE = datetime(2025, 2, 5, 13, 30).timestamp()


def first_release(path: Path, mexico: tuple[str, str]) -> Path:
    """A country.xlsx-layout CSV for 2024 as first released: the world and Mexico (exports, imports in
    $ millions), its months evenly spread, dated by its mtime."""
    exports, imports = mexico

    def row(code: str, name: str, exports: str, imports: str) -> list[str]:
        e, i = float(exports) / 12, float(imports) / 12
        return ["2024", code, name, *[f"{i:.1f}"] * 12, imports, *[f"{e:.1f}"] * 12, exports]

    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([HEADER, row("0015", "World, Not Seasonally Adjusted", "2065000.0", "3296000.0"),
                                  row("2010", "Mexico", exports, imports)])
    os.utime(path, (FIRST_RELEASE, FIRST_RELEASE))
    return path


@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> Config:
    """A store holding the first release of 2024 and then the revised snapshot; the tests only read it."""
    root = tmp_path_factory.mktemp("revised")
    config = Config(data_dir=root / "data")
    pipeline.collect(config, first_release(root / "feb-2025.csv", ("334041.0", "505850.0")))
    pipeline.collect(config, use_snapshot=True)
    return config


def mexico(config: Config, period: str):
    return pipeline.facts(config, pipeline.load(config, partner="MX", period=period), "MX", period)


def test_a_revised_year_says_what_was_first_reported(revised):
    facts = mexico(revised, "2024")
    assert facts.provenance.published.startswith("2026-10-01")  # the figures used are the snapshot's
    first = facts.first_reported
    assert first.published.startswith("2025-02-05") and first.figures.balance == -171_809_000_000
    assert first.revised == ("balance", "imports", "exports")
    text = story(render_briefing(environment(), facts, [], built_at="2026-11-23T12:00:00Z").html)
    assert ("The deficit was revised from $171.8 billion first reported in February 2025; imports were revised "
            "from $505.9 billion and exports from $334.0 billion.") in text
    assert text.count("first reported") == 1


def test_facts_json_carries_the_first_reported_figures(revised):
    result = subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", str(revised.data_dir), "facts",
                             "--partner", "MX", "--period", "2024", "--json"],
                            capture_output=True, text=True, check=True, timeout=120)
    data = json.loads(result.stdout)
    first = data["first_reported"]
    assert first["vintage"].startswith("2025-02-05/") and first["published"].startswith("2025-02-05")
    assert (first["exports"], first["imports"], first["balance"]) == (334_041_000_000, 505_850_000_000,
                                                                        -171_809_000_000)
    assert first["revised"] == ["balance", "imports", "exports"]
    assert data["release_date"] == "2026-10-01"
    text = subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", str(revised.data_dir), "facts",
                           "--partner", "MX", "--period", "2024"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    assert f"first reported (vintage {first['vintage']}): balance $171.8 billion deficit, revised: balance, " \
           "imports, exports" in text


def test_a_revision_too_small_to_matter_is_not_told(tmp_path):
    """$40 million on a deficit of $168.6 billion is below both $0.05 billion and 0.05%: no sentence, though
    the first-reported figures are kept."""
    config = Config(data_dir=tmp_path / "data")
    pipeline.collect(config, first_release(tmp_path / "feb-2025.csv", ("334492.1", "503150.1")))
    pipeline.collect(config, use_snapshot=True)
    facts = mexico(config, "2024")
    assert facts.first_reported.figures.imports == 503_150_100_000 and facts.first_reported.revised == ()
    assert "revised" not in story(render_briefing(environment(), facts, [], built_at="2026-11-23T12:00:00Z").html)


def test_figures_read_from_their_first_release_have_no_revision(revised):
    """2023 was first held by the snapshot here (the February 2025 file holds 2024 only)."""
    assert mexico(revised, "2023").first_reported is None
