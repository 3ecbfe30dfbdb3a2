"""Write: phrase facts into a self-contained HTML briefing with Jinja2.

Templates come from the bundled `templates/` folder; a newsroom's own folder (config key
`templates_dir`) overrides them file by file, as MkDocs' `custom_dir` does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from reportgen import __version__
from reportgen.config import DEFAULT_PUBLISHER
from reportgen.errors import InputError, RenderError
from reportgen.languages import DEFAULT, HTML_LANG, LOCALES, NAMES, suffix
from reportgen.models import EditorNote, Facts, ReporterFacts
from reportgen.render import notes, selfcheck
from reportgen.render.catalog import translations
from reportgen.render.charts import Chart
from reportgen.render.format import FILTERS
from reportgen.render.format_es import FILTERS as SPANISH

LOCALE_FILTERS = {"money", "money_cell", "money_bound", "money_table", "pct", "signed", "signed_pct", "balance_amount",
                  "balance_change", "points", "period_label", "period_prose", "month_label", "month_name",
                  "date_label", "time_label", "pct_prose"}


def bundled_templates() -> Path:
    """The templates shipped with reportgen: inside the package when installed, at the top of a checkout otherwise."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "briefing.html").is_file():
            return candidate
    raise RenderError(f"the bundled templates are missing (looked in {package / 'templates'})")


@functools.lru_cache(maxsize=8)
def environment(templates_dir: Path | None = None, locale: str = "en_US",
                language: str = DEFAULT) -> jinja2.Environment:
    """A Jinja2 environment for one language's edition: its words (the message catalog, through
    `jinja2.ext.i18n`), its story macros (global `story_template`: _story.html, _story.es.html) and the house
    filters bound to `locale` (cached: templates compile once). Spanish follows es_MX whatever `locale`."""
    folders = [str(templates_dir)] if templates_dir else []
    spanish = language == "es"
    locale = LOCALES[language] if language != DEFAULT else locale
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(bundled_templates())]),
        extensions=["jinja2.ext.i18n"],
        autoescape=jinja2.select_autoescape(["html", "htm", "xml", "atom"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Compiled templates kept (per user, in the temp folder, checked against the source) for the next process.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    for name, func in (SPANISH if spanish else FILTERS).items():
        env.filters[name] = functools.partial(func, locale=locale) if name in LOCALE_FILTERS else func
    env.globals.update(lang=HTML_LANG[language], language=language, story_template=story_template(language),
                       reporter_story_template=reporter_story_template(language),
                       language_names=NAMES, html_lang=HTML_LANG)
    env.filters["css_string"] = css_string
    env.filters["note_html"] = notes.to_html
    env.filters["note_text"] = notes.to_text
    return env


def story_template(language: str) -> str:
    """The story macros of a language: the sentences' word order differs, so each language has its own."""
    return f"_story{suffix(language)}.html"


def reporter_story_template(language: str) -> str:
    """The story macros of a briefing from another reporter's side in a language (_reporter_story.es.html)."""
    return f"_reporter_story{suffix(language)}.html"


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string that is safe inside a <style> element (for a name from the config).

    Marked safe: HTML escaping would put entities into the CSS, which a <style> element does not decode. Text
    already escaped (a config name joined with a translated message, which is Markup) is unescaped first.
    """
    text = text.unescape() if isinstance(text, Markup) else str(text)
    escaped = "".join(f"\\{ord(ch):x} " if ch in '\\"<>&' or ord(ch) < 32 else ch for ch in text)
    return Markup(f'"{escaped}"')


@dataclass(frozen=True)
class Rendered:
    headline: str
    html: str
    # Words in the page that are not from the facts, by name ({"editor's note": its text as shown}): a check
    # that traces every number to the facts is told about these.
    editorial: dict[str, str] = field(default_factory=dict)


def editorial(env: jinja2.Environment, note: EditorNote | None) -> dict[str, str]:
    """The editor's note as readers see it in plain text (its byline too), by name; empty without a note."""
    if note is None:
        return {}
    return {"editor's note": env.get_template("_note.txt").render(note=note).strip()}


def headline(env: jinja2.Environment, facts: Facts | ReporterFacts, story: str | None = None) -> str:
    """The briefing's headline as plain text (unescaped: templates escape it where it is used)."""
    return Markup(env.get_template(story or env.globals["story_template"]).module.headline(facts)).striptags()


def render_briefing(env: jinja2.Environment, facts: Facts | ReporterFacts, charts: list[Chart], *, built_at: str,
                    page_size: str = "A4", publisher: str = DEFAULT_PUBLISHER, template: str = "briefing.html",
                    story: str | None = None, editions: dict[str, str] | None = None,
                    note: EditorNote | None = None) -> Rendered:
    """The briefing as one HTML document with its stylesheet inlined and its charts as data: URLs; `built_at` is
    ISO 8601 UTC (2026-11-23T13:00:00Z).

    `publisher` is the name readers see (PDF footer, author); the tool's own name stays in the metadata.
    A briefing from another reporter's side has its own `template` and `story` (reporter.html, _reporter_story.html,
    _reporter_story.es.html).
    `editions` links the same briefing in other languages: {'es': 'MEX-2024.es.html'}.
    An editor's `note` is shown under the lede (`_note.html`).
    Every number in it must trace to a field of `facts` or to the note (selfcheck), else SelfCheckError: the HTML
    is also the PDF's source, so this checks both before either is written.
    """
    try:
        title = headline(env, facts, story)
        css = env.loader.get_source(env, "briefing.css")[0]  # type: ignore[union-attr]
        html = env.get_template(template).render(
            facts=facts, charts=charts, headline=title, built_at=built_at, version=__version__,
            page_size=page_size, publisher=publisher, editions=editions or {}, note=note,
            # Marked safe: autoescaping would turn its quotes into entities that WeasyPrint then drops.
            css=Markup(css),
        )
        words = editorial(env, note)
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}, line {exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise RenderError(f"template error{where}: {exc.message}") from None
    except InputError as exc:  # from the editor's note alone: a stored note that today's rules refuse
        if note is None:
            raise
        raise RenderError(f"the editor's note on {note.partner}-{note.period}: {exc}; "
                          "write it again or remove it with `reportgen note`") from None
    selfcheck.check(facts, html={selfcheck.document_name(facts, suffix(env.globals["language"]) + ".html"): html},
                    allowed={"build time": built_at, "publisher": publisher, **words})
    return Rendered(headline=title, html=html, editorial=words)
