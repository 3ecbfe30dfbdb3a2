"""The README documents every command and every config key."""

from __future__ import annotations

from pathlib import Path

from reportgen.cli import cli
from reportgen.config import Config

ROOT = Path(__file__).resolve().parent.parent


def config_keys(model, prefix=""):
    for name in type(model).model_fields:
        value = getattr(model, name)
        if hasattr(type(value), "model_fields"):
            yield from config_keys(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def test_readme_documents_every_command_and_key():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in cli.commands:
        assert f"### `reportgen {command}`" in readme, f"README has no section for `reportgen {command}`"
    for key in config_keys(Config()):
        assert f"`{key}`" in readme, f"README does not document the config key {key}"


def test_readme_gives_the_two_setup_commands_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(setup) == 2
    assert "reportgen build --partner MX --period 2024" in setup[0]
    assert setup[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
