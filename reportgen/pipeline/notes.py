"""Editors' notes on briefings: write, show and remove one, for the command line and the web page.

A note belongs to a briefing that can be built: its partner and period go through the same facts a build
makes, so a typo or a period without data gets the build's own message. Writing or removing a note
rebuilds nothing; `Target.rebuild` says what to run so that an archived briefing (and its PDF) shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen import timestamps
from reportgen.config import Config
from reportgen.delivery import archive
from reportgen.languages import language, suffix
from reportgen.models import EditorNote, Facts, ReporterFacts
from reportgen.pipeline import reporter as other_reporter
from reportgen.pipeline.briefing import facts, load
from reportgen.render import notes as markdown
from reportgen.store import Store
from reportgen.store import notes as stored


@dataclass(frozen=True)
class Target:
    """The briefing a note is for: its archive code (MEX, MEX-RUS), period key and language."""

    code: str
    period: str
    lang: str
    name: str  # for messages: "Mexico, 2024"
    archived: bool  # its HTML is in the archive, so a rebuild is needed to show the change there
    rebuild: str  # the command that rebuilds it

    @property
    def label(self) -> str:
        return f"{self.code}-{self.period}" + ("" if self.lang == "en" else f" ({self.lang})")


def target(config: Config, partner: str, period: str, *, reporter: str | None = None, lang: str = "en") -> Target:
    """The briefing of `partner` and `period` (from `reporter`'s side if given); an InputError, as a build
    would give it, if there is no such briefing."""
    lang = language(lang)
    if other_reporter.is_other_reporter(config, reporter):
        return target_of(config, other_reporter.facts(config, reporter, partner, period), lang)
    return target_of(config, facts(config, load(config, partner=partner, period=period), partner, period, detail=False),
                     lang)


def target_of(config: Config, result: Facts | ReporterFacts, lang: str = "en") -> Target:
    """The briefing these facts make, in `lang`."""
    lang = language(lang)
    code = result.code if isinstance(result, ReporterFacts) else result.partner.code  # as the archive names it
    command = f"reportgen build --partner {result.partner.code}"
    if isinstance(result, ReporterFacts):
        command = f"reportgen build --reporter {result.reporter.code} --partner {result.partner.code}"
    edition = suffix(lang)  # MEX-2024.es.html
    stem = archive.stem(code, result.period)
    html = config.output_dir / archive.folder(code, result.period) / f"{stem}{edition}.html"
    return Target(code, result.period.key, lang, f"{result.partner.short_name}, {result.period.key}",
                  html.is_file(), f"{command} --period {result.period.key}" + (f" --lang {lang}" if edition else ""))

def write(config: Config, where: Target, text: str, editor: str) -> EditorNote:
    """Check the note and store it as the briefing's note, replacing any; nothing is stored if it is refused."""
    text = markdown.check(text)  # the words first: a refused note is the news, whoever wrote it
    note = EditorNote(where.code, where.period, where.lang, text, markdown.check_editor(editor), timestamps.now())
    with Store(config.db_path) as store:
        stored.put(store, note)
    return note


def current(config: Config, where: Target) -> EditorNote | None:
    """The briefing's note, or None if it has none."""
    with Store(config.db_path) as store:
        return stored.get(store, where.code, where.period, where.lang)


def remove(config: Config, where: Target) -> EditorNote | None:
    """Delete the briefing's note; the note removed, or None if it had none."""
    with Store(config.db_path) as store:
        return stored.remove(store, where.code, where.period, where.lang)
