"""Shared fixtures for the render tests: a copy of the seeded store, and its data loaded once per session."""

from __future__ import annotations

import pytest

from reportgen import pipeline
from reportgen.config import Config
from reportgen.models import Facts


@pytest.fixture(scope="session")
def config(tmp_path_factory: pytest.TempPathFactory, seeded_store) -> Config:
    """A config that reads nothing from the working folder (no config.yaml) and writes only to tmp, with a
    copy of the seeded store."""
    root = tmp_path_factory.mktemp("reportgen")
    return Config.model_validate({"data_dir": str(seeded_store(root / "data")), "output_dir": str(root / "output")})


@pytest.fixture(scope="session")
def dataset(config: Config) -> pipeline.Dataset:
    """The bundled snapshot, loaded once."""
    return pipeline.load(config)


@pytest.fixture(scope="session")
def mx_2024(config: Config, dataset: pipeline.Dataset) -> Facts:
    return pipeline.facts(config, dataset, "MX", "2024")
