"""Write the email digest: the briefing's own words (the `_story.html` macros) in an HTML made for mail clients.

One rendering per issue, not per subscriber: what differs between subscribers (their address and
unsubscribe link) is left as a placeholder that the message builder fills in. The stylesheet is
inlined with css-inline, which keeps `@media` rules (phones, dark mode) in a `<style>` block; the
result is made pure ASCII (character references) so the HTML part needs no transfer encoding.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from reportgen import __version__
from reportgen.config import DEFAULT_PUBLISHER
from reportgen.errors import InputError, RenderError
from reportgen.languages import suffix
from reportgen.models import EditorNote, Facts
from reportgen.render import selfcheck
from reportgen.render.charts import Chart
from reportgen.render.html import editorial, environment

RECIPIENT = "%%RECIPIENT%%"  # filled in per message: the subscriber's address
UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"  # and their own unsubscribe link


@dataclass(frozen=True)
class EmailChart:
    """A chart as the email shows it: where its PNG is (cid: or https:), its size and its words."""

    chart: Chart
    src: str

    @property
    def png(self) -> bytes:
        import base64

        return base64.b64decode(self.chart.src.split(",", 1)[1])


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str  # ASCII, styles inlined, with the RECIPIENT and UNSUBSCRIBE_URL placeholders
    text: str  # the plain-text alternative, with the same placeholders
    editorial: dict[str, str] = field(default_factory=dict)  # words not from the facts, by name (Rendered's)


def plain(markup: object) -> str:
    """Macro output as plain text: entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(str(markup)).split())


# Words that finish an amount ("$1.1 billion", "1.1 mil millones de dólares"): a preview never ends on one.
UNIT_WORDS = frozenset({"trillion", "billion", "million", "billón", "billones", "mil", "millón", "millones", "de",
                        "dólares"})


def preview(text: str, length: int = 140) -> str:
    """The inbox preview of a lede: whole clauses (cut after a ', ' or '; ') up to `length` characters, so that
    no figure is parted from its unit ("from $1.1…" would read as a smaller sum); the whole text if it fits."""
    if len(text) <= length:
        return text
    head = text[:length]
    cut = max(head.rfind(", "), head.rfind("; "))
    if cut < length // 3:  # no clause ends early enough: whole words, not ending on a figure or its unit
        words = head[:head.rfind(" ")].split(" ") if " " in head else [head]
        while len(words) > 1 and (any(ch.isdigit() for ch in words[-1]) or words[-1].lower() in UNIT_WORDS):
            words.pop()
        return " ".join(words).rstrip(",;") + "…"
    return head[:cut] + "…"


@functools.lru_cache(maxsize=8)
def email_environment(templates_dir: Path | None = None, locale: str = "en_US",
                      language: str = "en") -> jinja2.Environment:
    """The briefing's environment in `language` (same templates, filters, words, overrides) with a filter of the
    digest's own."""
    base = environment(templates_dir, locale, language)
    env = base.overlay()
    env.filters = {**base.filters, "plain": plain, "preview": preview}
    return env


def subject_of(env: jinja2.Environment, facts: Facts) -> str:
    """The subject line: the briefing's headline, word for word, as plain text."""
    return plain(env.get_template(env.globals["story_template"]).module.headline(facts))


def render_digest(env: jinja2.Environment, facts: Facts, charts: list[EmailChart], *, briefing_url: str,
                  pdf_attached: bool, lang: str | None = None, publisher: str = DEFAULT_PUBLISHER,
                  note: EditorNote | None = None) -> RenderedDigest:
    """The digest's HTML (styles inlined) and text, with placeholders for the recipient's address and link;
    `publisher` is who the footer says sends it, and an editor's `note` is shown under the lede. Every number in
    either part must trace to a field of `facts` or to the note (selfcheck), else SelfCheckError before anything is
    queued or written."""
    import css_inline

    try:
        subject = subject_of(env, facts)
        css = env.loader.get_source(env, "email/digest.css")[0]  # type: ignore[union-attr]
        context = {"f": facts, "subject": subject, "charts": charts, "briefing_url": briefing_url,
                   "pdf_attached": pdf_attached, "lang": lang or env.globals["lang"], "version": __version__,
                   "recipient": RECIPIENT, "unsubscribe_url": UNSUBSCRIBE_URL, "publisher": publisher,
                   "note": note}
        page = env.get_template("email/digest.html").render(css=Markup(css), **context)
        text = env.get_template("email/digest.txt").render(**context)
        words = editorial(env, note)
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}, line {exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise RenderError(f"email template error{where}: {exc.message}") from None
    except InputError as exc:  # from the editor's note alone: a stored note that today's rules refuse
        if note is None:
            raise
        raise RenderError(f"the editor's note on {note.partner}-{note.period}: {exc}; "
                          "write it again or remove it with `reportgen note`") from None
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False,
                                    apply_width_attributes=True, apply_height_attributes=True)
    try:
        inlined = inliner.inline(page)
    except ValueError as exc:
        raise RenderError(f"email stylesheet: {exc}") from None
    name = selfcheck.document_name(facts, suffix(env.globals["language"]) + " digest")
    selfcheck.check(facts, html={f"{name} (HTML)": inlined}, text={f"{name} (text)": text},
                    allowed={"publisher": publisher, **words})
    if not inlined.lower().startswith("<!doctype"):
        inlined = "<!DOCTYPE html>\n" + inlined
    return RenderedDigest(subject, _ascii_lines(inlined), text, words)


def _ascii_lines(page: str, width: int = 900) -> str:
    """The page in ASCII (other characters as references) with lines short enough for SMTP's 998-octet limit,
    broken at spaces between words or attributes, where HTML reads a line break as a space."""
    page = page.encode("ascii", "xmlcharrefreplace").decode("ascii")
    lines = []
    for line in page.splitlines():
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            if cut <= 0:
                cut = line.find(" ", width)
                if cut < 0:
                    break
            lines.append(line[:cut])
            line = line[cut + 1:]
        lines.append(line)
    return "\n".join(lines) + "\n"
