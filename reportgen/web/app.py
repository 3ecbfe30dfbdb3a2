"""The editors' web page as a Flask app: the factory, login, CSRF, error pages and security headers.

Every page needs an editor's login except those in PUBLIC: the one-click unsubscribe, and the
archive of published briefings, which digests and the Atom feed link subscribers to. Errors a user
can cause become readable pages with the right status: a bad partner or period 400, a busy PDF worker
or a locked archive 503; nothing is a bare 500.
"""

from __future__ import annotations

import math
import secrets
from urllib.parse import urlsplit

import jinja2
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

from reportgen.config import Config
from reportgen.errors import BusyError, InputError, LockedError, ReportgenError
from reportgen.render.format import period_label
from reportgen.render.html import bundled_templates
from reportgen.web import desk, unsubscribe, views
from reportgen.web.auth import Editors, challenge
from reportgen.web.briefings import Briefings
from reportgen.web.printing import PdfWorkers

PUBLIC = {"unsubscribe.confirm", "unsubscribe.apply", "views.archive_root", "views.archive_file"}
# Briefings are self-contained (inline stylesheet, charts as data: URLs) and run no script.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; form-action 'self'; "
       "frame-ancestors 'self'; base-uri 'none'")
RETRY_AFTER = "30"


def create_app(config: Config, *, workers: PdfWorkers | None = None, pdf_workers: int = 1,
               pdf_timeout: float = 30.0) -> Flask:
    """The web page for `config`; PDFs go to `workers` (started here unless given)."""
    app = Flask("reportgen.web")
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # signs only the CSRF session cookie: a restart asks for a reload
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        MAX_CONTENT_LENGTH=64 * 1024,  # no form here carries more
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session: a form left open over lunch still works
    )
    folders = [str(config.templates_dir)] if config.templates_dir else []
    app.jinja_loader = jinja2.FileSystemLoader([*folders, str(bundled_templates())])
    app.add_template_filter(lambda p: period_label(p, config.briefing.locale), "period_label")

    app.extensions["reportgen"] = {
        "config": config,
        "briefings": Briefings(config),
        "editors": Editors(config.db_path),
        "workers": workers or PdfWorkers(pdf_workers, pdf_timeout),
    }
    csrf = CSRFProtect(app)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(desk.blueprint)
    app.register_blueprint(unsubscribe.blueprint)
    csrf.exempt(unsubscribe.blueprint)  # RFC 8058: a mail client's POST carries no token of ours

    @app.before_request
    def login():
        if request.endpoint in PUBLIC or request.endpoint is None:  # None: no such page, a 404 follows
            return
        auth = request.authorization
        if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
            raise challenge()
        editors = app.extensions["reportgen"]["editors"]
        if wait := editors.address_wait(request.remote_addr):
            raise TooManyRequests("Too many wrong passwords from your address. Wait a few minutes, then try again.",
                                  retry_after=math.ceil(wait))
        if wait := editors.wait(auth.username):
            raise TooManyRequests("Too many wrong passwords for that name. Wait a few minutes, then try again.",
                                  retry_after=math.ceil(wait))
        if not editors.check(auth.username, auth.password, request.remote_addr):
            raise challenge("That name and password are not an editor's. Try again.")
        g.editor = auth.username

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "private, no-cache")
        if location := response.headers.get("Location"):  # every redirect here is to a page of ours
            response.headers["Location"] = _relative(location)
        return response

    _error_pages(app)
    return app


def _error_pages(app: Flask) -> None:
    def page(status: int, title: str, message: str, headers=None):
        body = render_template("web/error.html", status=status, title=title, message=message)
        return body, status, {**(headers or {}), "Content-Type": "text/html; charset=utf-8"}

    @app.errorhandler(InputError)
    def bad_input(exc: InputError):
        if request.blueprint == "unsubscribe":
            return page(400, "This unsubscribe link does not work", str(exc))
        return page(400, "That briefing cannot be made", str(exc))

    @app.errorhandler(CSRFError)
    def bad_form(exc: CSRFError):
        return page(400, "The form has expired", "The form did not come from this page or is too old. "
                    "Go back, reload the page and try again.")

    @app.errorhandler(BusyError)
    @app.errorhandler(LockedError)
    def busy(exc: ReportgenError):
        return page(503, "Try again in a moment", str(exc), {"Retry-After": RETRY_AFTER})

    @app.errorhandler(ReportgenError)
    def failed(exc: ReportgenError):
        app.logger.error("%s: %s", type(exc).__name__, exc)
        return page(500, "The briefing could not be made", str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, InternalServerError):  # an unexpected error: logged with its traceback by Flask
            return page(500, "Something went wrong", "The server hit an error it did not expect. "
                        "It has been logged; try again, or tell whoever runs reportgen.")
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return page(exc.code or 500, exc.name, exc.description or "", headers)


def _relative(url: str) -> str:
    """The path and query of `url`: werkzeug's own redirects (`//` merged) are built from the Host header
    a client sent, and a path starting `//` would be read as another host."""
    parts = urlsplit(url)
    return "/" + parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
