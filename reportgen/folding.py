"""Text folded for matching: case, accents and punctuation set aside, so México matches mexico.

News relevance matches words, and the store compares headlines, on these forms; both must fold
the same way, so the rule lives here once.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")
_INNER_DOT = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")  # between letters, not digits: 1.5 stays two words


def strip_accents(text: str) -> str:
    """'México' -> 'Mexico' (case kept)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without accents: 'México' -> 'mexico'."""
    return strip_accents(text.casefold())


def words(text: str, *, keep_case: bool = False) -> list[str]:
    """The words of a text, folded: 'T-MEC, U.S. tariffs' -> ['t', 'mec', 'us', 'tariffs'].

    A dot between letters joins them (U.S. is one word, as US is); an apostrophe splits
    (Mexico's is Mexico and s), so a possessive still names the country.
    """
    text = strip_accents(text) if keep_case else fold(text)
    text = _INNER_DOT.sub("", text)
    return _WORD.findall(text)


def word_string(text: str, *, keep_case: bool = False) -> str:
    """The words joined by single spaces: what terms are searched in, and what headlines are compared by."""
    return " ".join(words(text, keep_case=keep_case))
