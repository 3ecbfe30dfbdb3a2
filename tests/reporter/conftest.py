"""The reporter tests' store: the Comtrade fixture seeded through the Store API (see comtrade_seed.py)."""

from __future__ import annotations

import pytest
from comtrade_seed import seed

from reportgen.config import Config


@pytest.fixture(scope="module")
def comtrade_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """A config whose store holds the Comtrade fixture only (no Census data)."""
    root = tmp_path_factory.mktemp("comtrade")
    config = Config.model_validate({"data_dir": str(root / "data"), "output_dir": str(root / "output"),
                                    "feeds": []})
    seed(config.db_path)
    return config
