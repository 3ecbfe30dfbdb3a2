"""The message catalogs of the layout templates' words: one hand-written gettext .po file per language.

The .po file is the only copy (no compiled .mo to fall out of step with it): it is compiled in memory
the first time a language is asked for, a few milliseconds, and kept for the process.
"""

from __future__ import annotations

import functools
import gettext
import io
from importlib import resources

from reportgen.languages import DEFAULT, LOCALES


def catalog_path(language: str):
    """Where a language's catalog ships inside the package."""
    return resources.files("reportgen").joinpath(f"locale/{language}/LC_MESSAGES/messages.po")


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language`; English, the templates' own words, needs none (nor Babel's
    message tools, imported only for another language: an English build does not pay for them)."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    catalog = read_po(io.StringIO(catalog_path(language).read_text(encoding="utf-8")), locale=LOCALES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)
