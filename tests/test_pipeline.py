"""The pipeline's partial load for one briefing says exactly what the full load says."""

from __future__ import annotations

import pytest

from reportgen import pipeline
from reportgen.config import Config
from reportgen.errors import InputError
from reportgen.periods import Period
from reportgen.render.facts_json import facts_to_dict


@pytest.fixture(scope="module")
def config(tmp_path_factory, seeded_store) -> Config:
    return Config(data_dir=seeded_store(tmp_path_factory.mktemp("data")), output_dir=tmp_path_factory.mktemp("output"))


@pytest.fixture(scope="module")
def everything(config) -> pipeline.Dataset:
    return pipeline.load(config)


@pytest.mark.parametrize("partner", ["MX", "CA", "CN", "EU"])
@pytest.mark.parametrize("period", ["2024", "2024-05", "2024-01", "2024-05-ytd", "2016", "2015-03"])
def test_partial_load_gives_the_same_facts(config, everything, partner, period):
    partial = pipeline.load(config, partner=partner, period=period)
    assert len(partial.table.values(Period.parse("2020"))) <= 1  # only the partner's history was read
    full, part = pipeline.facts(config, everything, partner, period), pipeline.facts(config, partial, partner, period)
    assert facts_to_dict(part) == facts_to_dict(full)
    assert part == full  # the month table and chart series too


@pytest.mark.parametrize("period, message", [("2031-01", "latest available period is 2024-12"),
                                             ("1990", "the store's figures start in 1991-01")])
def test_partial_load_fails_as_the_full_one_does(config, everything, period, message):
    with pytest.raises(InputError, match=message):
        pipeline.facts(config, pipeline.load(config, partner="MX", period=period), "MX", period)
    with pytest.raises(InputError, match=message):
        pipeline.facts(config, everything, "MX", period)


def test_a_partial_load_answers_only_for_its_briefing(config):
    partial = pipeline.load(config, partner="MX", period="2024")
    with pytest.raises(ValueError):
        pipeline.facts(config, partial, "CA", "2024")
