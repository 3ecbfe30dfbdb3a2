"""Control characters in text that came from outside (feeds, subscriber lists), set aside once.

C0 and C1 controls (ESC, BEL, CR, LF...) in a title or a name move a terminal's cursor, forge lines
of a listing, or ring its bell; in HTML and email they are invisible at best. Text taken in drops
them; text stored before that is shown with them escaped.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # the last two: Unicode's line and paragraph separators


def strip_controls(text: str) -> str:
    """`text` with each control character (tabs and line breaks too) made a space, spaces collapsed."""
    return " ".join(CONTROL.sub(" ", text).split())


def escape_controls(text: str) -> str:
    """`text` with each control character written out as Python would (`\\r`, `\\x1b`), for a terminal."""
    return CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
