"""The languages reportgen writes briefings in, and the Babel locale each one's numbers and dates follow.

English is the house language (its files keep their names); every other edition's files carry the
language code before the suffix (MEX-2024.es.html), so both editions live side by side in the archive.
"""

from __future__ import annotations

from collections.abc import Iterable

from reportgen.errors import InputError

LOCALES = {"en": "en_US", "es": "es_MX"}
HTML_LANG = {"en": "en", "es": "es-MX"}  # the <html lang> attribute and the PDF's language metadata
NAMES = {"en": "English", "es": "Español"}  # each language in its own words, for the switch between editions
DEFAULT = "en"


def language(code: str) -> str:
    """`code` checked: 'es', 'ES' and ' es ' are 'es'; a language reportgen does not write is an InputError."""
    wanted = code.strip().lower()
    if wanted not in LOCALES:
        raise InputError(f"language {code.strip()!r}: reportgen writes {' or '.join(LOCALES)}")
    return wanted


def languages(codes: str | Iterable[str]) -> tuple[str, ...]:
    """'en,es' or ['en', 'es'] as checked codes, each once, in the order given."""
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    checked = [language(c) for c in items if c.strip()]
    if not checked:
        raise InputError("no language given: reportgen writes " + " or ".join(LOCALES))
    return tuple(dict.fromkeys(checked))


def reader_language(code: str | None) -> str:
    """The language a subscriber reads: theirs when reportgen writes it ('es-MX' is 'es'), English otherwise."""
    wanted = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return wanted if wanted in LOCALES else DEFAULT


def suffix(code: str) -> str:
    """What an edition's file names carry before their extension: '' for English, '.es' for Spanish."""
    return "" if code == DEFAULT else f".{code}"
