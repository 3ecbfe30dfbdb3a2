"""The README documents every command and every config key."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

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


def every_command(command: click.Command = cli, path: tuple[str, ...] = ("reportgen",)):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from every_command(sub, (*path, name))


def parse(words: list[str]) -> tuple[str, ...]:
    """The command path an example runs, its words parsed as click parses them: an unknown option, a missing
    required one or a bad value fails here as it would at the shell."""
    command, ctx, path = cli, None, ("reportgen",)
    while True:
        ctx = click.Context(command, info_name=path[-1], parent=ctx)
        rest = click.Command.parse_args(command, ctx, words)  # for a group: its own options, then a subcommand
        if not isinstance(command, click.Group):
            return path
        command, words, path = command.get_command(ctx, rest[0]), rest[1:], (*path, rest[0])
        assert command is not None, f"no command {' '.join(path)}"


@pytest.mark.parametrize("path", [" ".join(path) for path, _ in every_command()])
def test_every_help_text_gives_an_example_that_parses(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "subscribers.csv").write_text("email\n")  # `subscribers import` wants its file to exist
    words = path.split()[1:]
    result = CliRunner().invoke(cli, [*words, "--help"], prog_name="reportgen")
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert "Example:" in lines, f"`{path} --help` gives no example"
    line = lines[lines.index("Example:") + 1]
    example = shlex.split(line[line.index("reportgen "):])[1:]  # after a pipe into it, if any
    assert parse(example)[:len(path.split())] == tuple(path.split()), f"the example runs {example}, not {path}"


def test_run_help_and_readme_give_the_exit_codes():
    from reportgen.job import BUSY, NO_NEW_RELEASE

    assert (BUSY, NO_NEW_RELEASE) == (4, 75)
    shown = CliRunner().invoke(cli, ["run", "--help"]).output
    assert "  75  nothing new" in shown and "  4   busy: another run" in shown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "**75** nothing new" in readme and "**4** busy" in readme
    assert "SuccessExitStatus=75 4" in (ROOT / "deploy" / "reportgen.service").read_text(encoding="utf-8")


def test_shell_completion_as_the_readme_sets_it_up(tmp_path):
    """bash, with the line the README gives, completes commands and options of the real `reportgen`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = 'eval "$(_REPORTGEN_COMPLETE=bash_source reportgen)"'
    assert setup in readme
    (tmp_path / "reportgen").write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m reportgen "$@"\n')
    (tmp_path / "reportgen").chmod(0o755)
    script = (f"{setup}\n"
              "complete() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); "
              "_reportgen_completion reportgen; echo \"${COMPREPLY[*]}\"; }\n"
              "complete reportgen subscribers a\ncomplete reportgen build --per\n")
    done = subprocess.run(["bash", "--norc", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["add", "--period"]
