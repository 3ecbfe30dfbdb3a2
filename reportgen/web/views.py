"""The editors' pages: choose a briefing, read it, download its PDF, add it to the archive, write its editor's
note, browse the archive.

Partner and period from a request go only to the pipeline's parsers (the registry and
Period.parse), which accept known values or raise InputError; the archive is served only through
`archive_file`, which keeps to the output folder and to briefings, PDFs and the feed.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from werkzeug.security import safe_join

from reportgen import pipeline
from reportgen.delivery import archive
from reportgen.errors import InputError
from reportgen.files import exclusive
from reportgen.languages import DEFAULT as DEFAULT_LANGUAGE
from reportgen.languages import HTML_LANG, LOCALES, NAMES, language
from reportgen.render import notes
from reportgen.web.briefings import Briefing

blueprint = Blueprint("views", __name__)
MAX_FIELD = 64  # no partner name or period is longer
# send_file adds "; charset=utf-8" to text/ types itself: naming it here too doubled it.
SERVED = {".html": "text/html", ".pdf": "application/pdf", ".atom": "application/atom+xml",
          ".png": "image/png"}  # PNG: a digest's charts when they are hosted (email.charts: hosted)
LOCK_WAIT = 10.0  # seconds to wait for a monthly run or a build holding the archive


def _app():
    return current_app.extensions["reportgen"]


def _field(name: str, value: str | None) -> str:
    if not value or not value.strip():
        raise InputError(f"choose a {name}")
    if len(value) > MAX_FIELD:
        raise InputError(f"that {name} is too long to be one ({len(value)} characters)")
    return value.strip()


def _language() -> str:
    """The edition asked for (`?lang=es`); English without one, an InputError for one reportgen does not write."""
    return language(request.args.get("lang") or DEFAULT_LANGUAGE)


def _lang_arg(code: str) -> dict[str, str]:
    """The query that asks for an edition: none for English, so its addresses stay as they were."""
    return {} if code == DEFAULT_LANGUAGE else {"lang": code}


def _briefing(endpoint: str, partner: str, period: str) -> Briefing:
    """The page of a briefing in the language asked for; asked for by another name (Mexico, not MEX), a
    redirect to its canonical address instead."""
    code, key = _app()["briefings"].canonical(_field("partner", partner), _field("period", period))
    lang = _language()
    if (code, key) != (partner, period):
        abort(redirect(url_for(endpoint, partner=code, period=key, **_lang_arg(lang))))
    return _app()["briefings"].briefing(code, key, lang)


@blueprint.get("/")
def choose():
    choices = _app()["briefings"].choices()
    return render_template("web/choose.html", choices=choices, partner=request.args.get("partner", "MEX"),
                           period=request.args.get("period", choices.latest.key))


@blueprint.get("/briefing")
def chosen():
    """The chooser's GET form lands here and goes on to the briefing's own address: made here, so that a
    partner or period without data gets its message at once, and kept for the next request."""
    partner, period = request.args.get("partner"), request.args.get("period")
    page = _app()["briefings"].briefing(_field("partner", partner), _field("period", period))
    return redirect(url_for("views.briefing", partner=page.partner.code, period=page.period.key))


@blueprint.get("/briefings/<partner>/<period>")
def briefing(partner: str, period: str):
    return _briefing_page(_briefing("views.briefing", partner, period))


def _briefing_page(page: Briefing, *, draft: str | None = None, note_error: str = "", status: int = 200):
    """The briefing's page: its actions, the editor's note form (with a refused `draft` and why), the briefing."""
    folder = archive.folder(page.partner.code, page.period)
    archived = (_app()["config"].output_dir / folder / f"{page.stem}.html").is_file()
    if draft is None:
        draft = page.note.markdown if page.note else ""
    return render_template("web/briefing.html", page=page, archived=archived, draft=draft, note_error=note_error,
                           max_note=notes.MAX_CHARACTERS, lang=_lang_arg(page.language),
                           archive_url=url_for("views.archive_file", name=f"{folder}/{page.stem}.html"),
                           editions=[(code, NAMES[code], _lang_arg(code)) for code in LOCALES],
                           html_lang=HTML_LANG), status


@blueprint.post("/briefings/<partner>/<period>/note")
def edit_note(partner: str, period: str):
    """Add, replace (`action` save) or remove (`action` remove) the briefing's editor's note, signed with the
    logged-in editor's name. A refused note comes back on the page with the reason, and nothing is stored."""
    config = _app()["config"]
    result = _app()["briefings"].facts(_field("partner", partner), _field("period", period))
    where = pipeline.notes.target_of(config, result, language(request.form.get("lang") or DEFAULT_LANGUAGE))
    rebuild = " Rebuild it in the archive to show the change there." if where.archived else ""
    if request.form.get("action") == "remove":
        if pipeline.notes.remove(config, where) is None:
            raise InputError(f"{where.name} has no editor's note to remove")
        flash(f"Removed the editor's note on {where.name}.{rebuild}")
    else:
        try:
            pipeline.notes.write(config, where, request.form.get("markdown", ""), g.editor)
        except InputError as exc:
            page = _app()["briefings"].briefing(result.partner.code, result.period.key, where.lang)
            return _briefing_page(page, draft=request.form.get("markdown", ""), note_error=str(exc), status=400)
        flash(f"Saved the editor's note on {where.name}.{rebuild}")
    return redirect(url_for("views.briefing", partner=result.partner.code, period=result.period.key,
                            **_lang_arg(where.lang)), code=303)


@blueprint.get("/briefings/<partner>/<period>/html")
def briefing_html(partner: str, period: str):
    page = _briefing("views.briefing_html", partner, period)
    return page.html, 200, {"Content-Type": "text/html; charset=utf-8"}


@blueprint.get("/briefings/<partner>/<period>/pdf")
def briefing_pdf(partner: str, period: str):
    page = _briefing("views.briefing_pdf", partner, period)
    pdf = _app()["workers"].pdf(page.html)
    return pdf, 200, {"Content-Type": "application/pdf",
                      "Content-Disposition": f'attachment; filename="{page.stem}.pdf"'}


@blueprint.post("/briefings/<partner>/<period>/archive")
def add_to_archive(partner: str, period: str):
    """Build the briefing into the archive (HTML, PDF, index, feed), as `reportgen build` does."""
    config = _app()["config"]
    result = _app()["briefings"].facts(_field("partner", partner), _field("period", period))
    with exclusive(config.data_dir, wait=LOCK_WAIT, what="adding to the archive"):
        pipeline.write(config, result, pipeline.FORMATS, printer=_app()["workers"], languages=config.languages)
        pipeline.write_index(config)
    if config.job.approval == "required":  # pipeline.write made a draft: readers see nothing yet
        flash(f"Saved as a draft: {result.partner.short_name}, {result.period.key}. It is published when an editor "
              "approves it on the desk.")
    else:
        flash(f"Added to the archive: {result.partner.short_name}, {result.period.key}.")
    return redirect(url_for("views.briefing", partner=result.partner.code, period=result.period.key,
                            **_lang_arg(_language())), code=303)


@blueprint.get("/archive")
def archive_root():
    return redirect(url_for("views.archive_file", name=""), code=308)


@blueprint.get("/archive/", defaults={"name": ""})
@blueprint.get("/archive/<path:name>")
def archive_file(name: str):
    path = checked_path(_app()["config"].output_dir, name or archive.INDEX)
    if path is None:
        abort(400, "That is not the name of a file in the archive.")
    if not path.is_file():
        if not name:
            abort(404, "The archive is empty: add a briefing to it from its page, or run `reportgen build`.")
        abort(404, "There is no such briefing in the archive.")
    return send_file(path, mimetype=SERVED[path.suffix], conditional=True, max_age=0)


def checked_path(root: Path, name: str) -> Path | None:
    """The file `name` inside `root`, or None unless it stays inside (no `..`, no absolute path, no link out)
    and is a briefing, a PDF or the feed."""
    if len(name) > 200 or "\\" in name or "\0" in name:
        return None
    joined = safe_join(str(root), name)
    if joined is None:
        return None
    path = Path(joined)
    if path.suffix not in SERVED or any(part.startswith(".") for part in Path(name).parts):
        return None  # dot-files include the archive's half-written temporaries
    real_root = root.resolve()
    if not path.resolve().is_relative_to(real_root):
        return None  # a symbolic link pointing out of the archive
    return path
