"""The archive under the output folder: one folder per period and partner, an index, an Atom feed.

    output/2024-12/MEX/MEX-2024-12.html   the briefing
    output/2024-12/MEX/MEX-2024-12.pdf
    output/2024-12/MEX/MEX-2024-12.es.html  its Spanish edition (config `languages`), and .es.pdf
    output/index.html                     every briefing, the latest period first
    output/feed.atom                      the same as an Atom feed

Every file is written to a temporary name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2

from reportgen.files import write_atomic
from reportgen.languages import suffix
from reportgen.periods import Period
from reportgen.store.archive import Built

INDEX = "index.html"
FEED = "feed.atom"


def folder(partner: str, period: Period) -> str:
    """A briefing's folder, relative to the output folder: '2024-12/MEX'."""
    return f"{period.key}/{partner}"


def stem(partner: str, period: Period) -> str:
    """A briefing's file name without suffix: 'MEX-2024-12'; a digest issue has the same name."""
    return f"{partner}-{period.key}"


def newest_first(builds: list[Built]) -> list[Built]:
    """The latest data first: by the period's last month, a year after its own months, then partner."""
    order = {"year": 2, "ytd": 1, "month": 0}

    def key(b: Built):
        period = Period.parse(b.period)
        return (period.last_month, order[period.kind], b.period)

    return sorted(sorted(builds, key=lambda b: b.partner), key=key, reverse=True)


def write_index(env: jinja2.Environment, output_dir: Path, builds: list[Built], *, public_url: str,
                updated: str, publisher: str, publisher_url: str,
                languages: dict[str, jinja2.Environment] | None = None) -> list[Path]:
    """Write the index page and the Atom feed of the archive, linking the files each briefing has; both are
    named for the publisher. `languages` gives the environment of each other language whose readers get an
    index page of their own (index.es.html), listing the same briefings."""
    builds = newest_first(builds)
    base = public_url.rstrip("/") + "/archive"

    def files(b: Built, language: str) -> dict[str, str]:
        """{'html': '2024-12/MEX/MEX-2024-12.html', 'pdf': ''}: the formats on disk, '' for one missing."""
        name = stem(b.partner, Period.parse(b.period)) + suffix(language)
        names = {kind: f"{b.folder}/{name}.{kind}" for kind in ("html", "pdf")}
        return {kind: name if (output_dir / name).is_file() else "" for kind, name in names.items()}

    # One entry per edition, each with its own headline and language: (build, files, language).
    listed = [(dataclasses.replace(b, headline=b.headline_in(lang)), found, lang)
              for b in builds for lang in b.languages if any((found := files(b, lang)).values())]
    pages = {"en": env, **(languages or {})}
    indexes = {lang: index_name(lang) for lang in pages}
    context = {"builds": listed, "base": base, "updated": updated, "publisher": publisher,
               "publisher_url": publisher_url, "indexes": indexes}
    written = [write_atomic(output_dir / indexes[lang], page.get_template("archive/index.html").render(**context))
               for lang, page in pages.items()]
    return [*written, write_atomic(output_dir / FEED, env.get_template("archive/feed.atom").render(**context))]


def index_name(language: str) -> str:
    """The archive's index page for readers of `language`: index.html, index.es.html."""
    return INDEX.replace(".html", f"{suffix(language)}.html")
