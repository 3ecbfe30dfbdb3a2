from __future__ import annotations

import pytest

from reportgen import pipeline
from reportgen.config import Config


@pytest.fixture(scope="session")
def config(tmp_path_factory, seeded_store) -> Config:
    """Defaults, with a copy of the store seeded from the bundled snapshot."""
    return Config(data_dir=seeded_store(tmp_path_factory.mktemp("data")), output_dir=tmp_path_factory.mktemp("output"))


@pytest.fixture(scope="session")
def dataset(config) -> pipeline.Dataset:
    return pipeline.load(config)


@pytest.fixture(scope="session")
def facts_of(config, dataset):
    def make(partner: str, period: str):
        return pipeline.facts(config, dataset, partner, period)

    return make
