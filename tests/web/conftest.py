"""Shared fixtures for the web page: a copy of the seeded store, two editors, and the app with one warm PDF worker."""

from __future__ import annotations

import base64

import pytest

from reportgen.config import Config
from reportgen.store import Store, users

EDITOR = ("editor", "correct horse battery")
OTHER = ("other.editor", "another long password")


def basic(name: str, password: str) -> dict[str, str]:
    """The Authorization header a browser sends for these credentials."""
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


@pytest.fixture(scope="session")
def web_config(tmp_path_factory: pytest.TempPathFactory, seeded_store) -> Config:
    """A config that reads nothing from the working folder, with a copy of the seeded store and two editors."""
    root = tmp_path_factory.mktemp("web")
    config = Config.model_validate({"data_dir": str(seeded_store(root / "data")), "output_dir": str(root / "output"),
                                    "feeds": []})
    with Store(config.db_path) as store:
        users.add(store, *EDITOR)
        users.add(store, *OTHER)
    return config


@pytest.fixture(scope="session")
def app(web_config: Config):
    from reportgen.web.app import create_app
    from reportgen.web.printing import PdfWorkers

    workers = PdfWorkers(1, timeout=60)
    app = create_app(web_config, workers=workers)
    yield app
    workers.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def editor() -> dict[str, str]:
    """An editor's Authorization header."""
    return basic(*EDITOR)


@pytest.fixture(name="basic")
def basic_fixture():
    """`basic(name, password)`: the Authorization header for any credentials."""
    return basic


@pytest.fixture
def accounts() -> dict[str, tuple[str, str]]:
    """The two editors' (name, password)."""
    return {"editor": EDITOR, "other": OTHER}
