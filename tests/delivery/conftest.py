"""Shared fixtures for the email tests: configs with a copy of the seeded store, pointing at a local server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.config import Config

PUBLIC_URL = "https://briefings.example.org"
SENDER = "Trade desk <briefings@example.org>"


@pytest.fixture
def make_config(tmp_path: Path, seeded_store) -> Callable[..., Config]:
    """A config with its own copy of the seeded store, sending to 127.0.0.1:`port` without TLS."""

    def make(port: int = 25, **sections) -> Config:
        data = tmp_path / "data"
        if not (data / "reportgen.db").exists():
            seeded_store(data)
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "sender": SENDER, **sections.pop("smtp", {})}
        return Config.model_validate({"data_dir": str(data), "output_dir": str(tmp_path / "output"),
                                      "public_url": PUBLIC_URL, "smtp": smtp, **sections})

    return make


def subscribe(config: Config, *addresses: str, partners: tuple[str, ...] = ()) -> None:
    """Add active subscribers straight into the store, as `reportgen subscribers add` does."""
    from reportgen.store.mail import MailStore, NewSubscriber

    with MailStore(config.db_path) as box:
        box.add([NewSubscriber(address, partners=partners) for address in addresses])
