"""The editor's desk: drafts waiting for approval, what changed in each, and the approval itself.

Approving is a POST with the page's CSRF token (flask-wtf checks it before the view runs), naming the
build the editor read (`built_at`), so that a draft rebuilt meanwhile is not approved unread (409);
one that is no longer waiting gets 404. The approver is the logged-in editor.
"""

from __future__ import annotations

import functools
import re

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, send_file, url_for

from reportgen.delivery import archive
from reportgen.errors import DraftError, InputError
from reportgen.periods import Period
from reportgen.pipeline import desk
from reportgen.render.format import FILTERS

blueprint = Blueprint("desk", __name__)
CODE = re.compile(r"^[A-Z0-9]{2,8}(-[A-Z0-9]{2,8})?$")  # MEX, EU, or MEX-RUS for another reporter's briefing
BUILT_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TABLE_FILTERS = ("money", "money_table", "balance_amount", "pct", "signed", "signed_pct", "time_label", "date_label")


@blueprint.record_once
def _filters(state) -> None:
    """The house number filters, in the config's locale, for the what-changed tables."""
    locale = state.app.extensions["reportgen"]["config"].briefing.locale
    for name in TABLE_FILTERS:
        state.app.jinja_env.filters.setdefault(name, functools.partial(FILTERS[name], locale=locale))


def _config():
    return current_app.extensions["reportgen"]["config"]


def _briefing(partner: str, period: str) -> tuple[str, str]:
    """The archive's code and period key; anything else is an InputError (400)."""
    if not CODE.match(partner):
        raise InputError(f"{partner[:20]!r} is not a briefing's code in the archive (MEX, CAN, ...)")
    return partner, Period.parse(period).key


@blueprint.errorhandler(DraftError)
def draft_error(exc: DraftError):
    body = render_template("web/error.html", status=exc.status, title="That draft cannot be approved",
                           message=str(exc))
    return body, exc.status, {"Content-Type": "text/html; charset=utf-8"}


@blueprint.get("/desk")
def drafts():
    return render_template("web/desk.html", drafts=desk.drafts(_config()),
                           approval=_config().job.approval)


@blueprint.get("/desk/<partner>/<period>")
def changes(partner: str, period: str):
    code, key = _briefing(partner, period)
    try:
        found = desk.changes(_config(), code, key)
    except DraftError as exc:
        body = render_template("web/error.html", status=404, title="Nothing to compare", message=str(exc))
        return body, 404, {"Content-Type": "text/html; charset=utf-8"}
    return render_template("web/changes.html", c=found, partner=code, period=key)


@blueprint.get("/desk/<partner>/<period>/draft")
def draft_html(partner: str, period: str):
    """The draft as readers would get it, for editors only (drafts are not in the public archive)."""
    code, key = _briefing(partner, period)
    when = Period.parse(key)
    path = _config().drafts_dir / archive.folder(code, when) / f"{archive.stem(code, when)}.html"
    if not path.is_file():
        body = render_template("web/error.html", status=404, title="No such draft",
                               message=f"No draft of {code} {key} is waiting (approved already, or never built).")
        return body, 404, {"Content-Type": "text/html; charset=utf-8"}
    return send_file(path, mimetype="text/html", max_age=0)


@blueprint.post("/desk/<partner>/<period>/approve")
def approve(partner: str, period: str):
    code, key = _briefing(partner, period)
    built_at = request.form.get("built_at", "")
    if not BUILT_AT.match(built_at):
        raise InputError("the form does not say which build you read; reload the desk and try again")
    desk.approve(_config(), code, key, built_at, g.editor)  # stored, and logged on reportgen.desk
    flash(f"Approved and published: {code} {key} (built {built_at}). Its digest goes out with the next run, "
          "or `reportgen send`.")
    return redirect(url_for("desk.drafts"), code=303)
