"""`reportgen serve` (the editors' web page, on waitress) and `reportgen users` (its accounts)."""

from __future__ import annotations

import signal
import sys

import click

from reportgen.cli.context import config_of
from reportgen.cli.progress import info
from reportgen.config import WebConfig
from reportgen.errors import InputError
from reportgen.store import Store
from reportgen.store import users as accounts
from reportgen.web.app import create_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep the default behind a reverse proxy on the same machine.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port, printed on start).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Requests served at once.")
@click.option("--pdf-workers", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Processes printing PDFs (about 100 MB each).")
@click.option("--pdf-timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds a PDF may take (and may wait for a worker) before the request gets a 503.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, pdf_workers: int, pdf_timeout: float) -> None:
    """Serve the editors' web page: choose, read and download briefings, browse the archive.

    Editors log in with an account from `reportgen users add`; put a reverse proxy with TLS in front.

    \b
    Example:
      reportgen serve --port 8080 --pdf-workers 2
    """
    import logging

    import waitress

    logging.basicConfig(level=logging.WARNING, format="reportgen serve: %(levelname)s: %(name)s: %(message)s")
    logging.getLogger("reportgen.desk").setLevel(logging.INFO)  # each approval: who approved which build, when
    config = config_of(ctx)
    app = create_app(config, pdf_workers=pdf_workers, pdf_timeout=pdf_timeout)
    workers = app.extensions["reportgen"]["workers"]
    app.extensions["reportgen"]["briefings"].data()  # load the data now, not on the first editor's request
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="reportgen",
                                        **waitress_limits(config.web))
    except OSError as exc:
        workers.close()
        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    if not app.extensions["reportgen"]["editors"].has_accounts():
        click.echo("reportgen: warning: no editor accounts yet, so nobody can log in: "
                   "add one with `reportgen users add NAME`", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving the editors' page on http://{shown}:{server.effective_port}/ (Ctrl-C stops)")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, _stop)  # systemd's stop: finish like Ctrl-C, the PDF workers with us
    try:
        server.run()  # returns on Ctrl-C or SIGTERM, once waitress has stopped its threads
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        workers.close()
    click.echo("stopped")


def waitress_limits(web: WebConfig) -> dict[str, object]:
    """waitress's settings from `web`: a client that is slow or stalls must not hold the connections others
    need (waitress's own defaults let 100 connections sending a line every 5 s starve the page)."""
    limits: dict[str, object] = {
        "connection_limit": web.connection_limit,
        "channel_timeout": web.channel_timeout,
        "cleanup_interval": max(1.0, min(30.0, web.channel_timeout / 2)),  # how often stalled ones are looked for
        "max_request_header_size": web.max_request_header_size,
        "max_request_body_size": web.max_request_body_size,
        "asyncore_use_poll": True,  # select() fails past 1,024 open files
    }
    if web.trusted_proxy:
        limits.update(trusted_proxy=web.trusted_proxy, trusted_proxy_count=1, trusted_proxy_headers={"x-forwarded-for"})
    return limits


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


@click.group()
def users() -> None:
    """Editors' accounts for the web page: add, remove, list.

    \b
    Example:
      reportgen users list
    """


@users.command("add")
@click.argument("name")
@click.pass_context
def add_user(ctx: click.Context, name: str) -> None:
    """Create an account, or give NAME a new password.

    The password is asked for twice on a terminal, or read as one line from standard input.

    \b
    Example:
      printf '%s\\n' "$PASSWORD" | reportgen users add editor
    """
    config = config_of(ctx)
    accounts.check_name(name)
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    accounts.check_password(password)
    with Store(config.db_path) as store:
        created = accounts.add(store, name, password)
    info(ctx, f"added editor {name}" if created else f"changed the password of editor {name}")


@users.command("remove")
@click.argument("name")
@click.pass_context
def remove_user(ctx: click.Context, name: str) -> None:
    """Delete NAME's account; its browser sessions stop working at their next request.

    \b
    Example:
      reportgen users remove editor
    """
    with Store(config_of(ctx).db_path) as store:
        if not accounts.remove(store, name):
            raise InputError(f"there is no editor named {name!r}; `reportgen users list` shows them")
    info(ctx, f"removed editor {name}")


@users.command("list")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    """List the account names.

    \b
    Example:
      reportgen users list
    """
    with Store(config_of(ctx).db_path) as store:
        for name in accounts.names(store):
            click.echo(name)
