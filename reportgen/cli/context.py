"""What every command shares: the config that the group's options name, and paths as the user types them.

Its own module so that the command modules (mail, news, web) and the group in `reportgen.cli` import it
without importing one another.
"""

from __future__ import annotations

from pathlib import Path

import click

from reportgen.config import Config, load_config


def config_of(ctx: click.Context) -> Config:
    """The config named by the group's --config and --data-dir (kept in `ctx.meta` by the group)."""
    config_path, data_dir = ctx.meta["config_args"]
    return load_config(config_path, data_dir=data_dir)


def typed_path(path: Path) -> Path:
    """A path as the user would type it: relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
