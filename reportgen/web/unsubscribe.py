"""The digest's one-click unsubscribe (RFC 8058): no login, no CSRF token, no second page.

A mail client's "Unsubscribe" button POSTs `List-Unsubscribe=One-Click` to the link in the
message's List-Unsubscribe header, and that POST alone unsubscribes. A GET (a person clicking the
link in the message, or a scanner following it) only shows a page with a button that POSTs, so a
prefetch never unsubscribes anyone. The token is checked by the email stage's own function.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template

from reportgen.errors import InputError
from reportgen.pipeline import unsubscribe

blueprint = Blueprint("unsubscribe", __name__)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{16,64}$")  # <number>.<signature>, base64url


def _token(token: str) -> str:
    if not TOKEN.match(token):
        raise InputError("this is not an unsubscribe link from one of our digests; copy the whole link from the email")
    return token


@blueprint.get("/unsubscribe/<token>")
def confirm(token: str):
    return render_template("web/unsubscribe.html", token=_token(token))


@blueprint.post("/unsubscribe/<token>")
def apply(token: str):
    result = unsubscribe(current_app.extensions["reportgen"]["config"], _token(token))
    return render_template("web/unsubscribed.html", changed=result.changed)
