"""Shared fixtures for the email tests: a seeded store copied per test, configs pointing at a local server."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen import pipeline
from reportgen.config import Config

PUBLIC_URL = "https://briefings.example.org"
SENDER = "Trade desk <briefings@example.org>"


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store seeded from the bundled snapshot once per session (it takes a second or so)."""
    data = tmp_path_factory.mktemp("seed") / "data"
    config = Config.model_validate({"data_dir": str(data)})
    pipeline.open_store(config).close()
    return config.db_path


@pytest.fixture
def make_config(tmp_path: Path, seeded_db: Path) -> Callable[..., Config]:
    """A config with its own copy of the seeded store, sending to 127.0.0.1:`port` without TLS."""

    def make(port: int = 25, **sections) -> Config:
        data = tmp_path / "data"
        if not (data / seeded_db.name).exists():
            data.mkdir(exist_ok=True)
            shutil.copy(seeded_db, data / seeded_db.name)
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "sender": SENDER, **sections.pop("smtp", {})}
        return Config.model_validate({"data_dir": str(data), "output_dir": str(tmp_path / "output"),
                                      "public_url": PUBLIC_URL, "smtp": smtp, **sections})

    return make


def subscribe(config: Config, *addresses: str, partners: tuple[str, ...] = ()) -> None:
    """Add active subscribers straight into the store, as `reportgen subscribers add` does."""
    from reportgen.store.mail import MailStore, NewSubscriber

    with MailStore(config.db_path) as box:
        box.add([NewSubscriber(address, partners=partners) for address in addresses])
