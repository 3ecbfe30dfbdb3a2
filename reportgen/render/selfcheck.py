"""The self-check before publishing: every number a reader sees is traced to a field of the facts.

A briefing's HTML (which is also the PDF's source) and a digest's HTML and text are read as a reader
sees them; each number in them must be one the house filters (format.py, rounding.py) can make of a
field of the facts it was rendered from, or sit in a text allowed by name (the build time, the
publisher's name). Anything else is a wrong figure, and the build stops before a file is written.

It proves that a number exists in the facts, not that it stands in the right sentence.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from reportgen.errors import SelfCheckError
from reportgen.models import Facts, Figures, ReporterFacts
from reportgen.rounding import round_half_up, shown

# A clock time (13:00, as the sources box gives the build time) or a number: digits, grouped by commas of three
# digits, with a decimal point. Spanish text uses the same marks, grouping four-digit numbers or not.
NUMBER = re.compile(r"[0-9]{1,2}:[0-9]{2}|[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")
# What a number is, read from the words after it: a percentage (or points of one), an amount of money in a
# scale, in English or Spanish; or an ordinal or a fold, which only the message shows.
UNIT = re.compile(r"\s?(?P<pct>%|percentage points?\b|puntos? porcentuales\b)"  # \s: a wrapped line, a no-break space
                  r"|\s(?P<scale>trillion|billion|million|billones|mil millones|millones)\b"
                  r"|(?P<cut>…)|-fold\b|(?:st|nd|rd|th)\b")  # cut: a truncated text's end, its unit lost
SCALES = {"trillion": "trillion", "billones": "trillion", "billion": "billion", "mil millones": "billion",
          "million": "million", "millones": "million"}
CURRENCY = "$"  # a whole-dollar amount ($850,000), the kind of an amount in dollars with no scale
SIGNS = "$+−"
CONTEXT = 5  # words either side of a number in a message
WORDS_BEFORE = re.compile(rf"(?:^|(?<=\s))(?:\S+\s+){{0,{CONTEXT}}}\S*$")
WORDS_AFTER = re.compile(rf"\S*(?:\s+\S+){{0,{CONTEXT}}}")
ANYWHERE = "*"  # the kind of a number inside a string of the facts: a headline's 25% may be cut before its %
# Addresses are not figures: links (the archive, unsubscribe) and hosts come from the config.
ADDRESS = re.compile(r"(?:https?://|mailto:|www\.)\S+", re.IGNORECASE)
# A hash in a string of the facts (a vintage label's 86b70f62) holds digits no reader should see traced to it.
HASH = re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b")
# Fields for machines that readers never see: their digits would make a wrong number look traced.
MACHINE_ONLY = {"census_codes", "m49_codes", "sha256", "etag", "origin"}
# Numbers a fact does not hold whose form a filter gives: figures derived in models rather than stored.
DERIVED = {Figures: ("balance", "total_trade")}
SKIPPED_ELEMENTS = {"style", "script", "template"}

Key = tuple[str, str | None]  # (normal form, kind): kind '%', 'billion', 'million', 'trillion', '$' or None


@dataclass(frozen=True)
class Number:
    """One number as a reader sees it: its normal form and kind, its words in the text and a few around it."""

    token: str
    kind: str | None  # None: a bare number (a year, a rank, a table cell), which any form of a field may be
    shown: str
    start: int = field(default=0, repr=False, compare=False)
    end: int = field(default=0, repr=False, compare=False)
    text: str = field(default="", repr=False, compare=False)

    @property
    def context(self) -> str:
        """A few words either side, whitespace collapsed (made only for a message)."""
        before = WORDS_BEFORE.search(self.text[max(0, self.start - 80):self.start])
        after = WORDS_AFTER.match(self.text[self.end:self.end + 80])
        return " ".join((before[0] + self.shown + after[0]).split())


def normal(token: str) -> str:
    """A number token with separator conventions set aside: '1,809.5' and '1809.5' -> '1809.5'; '05' -> '5'."""
    if ":" in token:
        return token
    whole, dot, fraction = token.replace(",", "").partition(".")
    return (whole.lstrip("0") or "0") + dot + fraction


def numbers(text: str) -> Iterator[Number]:
    """The numbers of a plain text, addresses left out."""
    text = ADDRESS.sub(" ", text)
    for match in NUMBER.finditer(text):
        yield _number(text, match)


def _number(text: str, match: re.Match) -> Number:
    start, end = match.span()
    currency = start > 0 and text[start - 1] == CURRENCY
    start -= start > 0 and text[start - 1] in SIGNS
    unit = UNIT.match(text, end)
    kind = CURRENCY if currency else None
    if unit:
        end = unit.end()
        kind = "%" if unit["pct"] else SCALES[unit["scale"]] if unit["scale"] else None if unit["cut"] else kind
    return Number(normal(match[0]), kind, text[start:end], start, end, text)


class _Visible(HTMLParser):
    """The text of an HTML document that a reader sees: no attributes (links, data: URLs, <meta>), styles,
    scripts or comments (Outlook's conditional ones included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def visible_text(page: str) -> str:
    """The visible text of `page`, one line per run of text between tags (a number never joins across tags)."""
    parser = _Visible()
    parser.feed(page)
    parser.close()
    return "\n".join(parser.chunks)


# -- the facts' side ------------------------------------------------------------------------------------------

def _keys(forms: list[Key]) -> frozenset[Key]:
    """The forms, and each also as a bare number (kind None)."""
    return frozenset([*forms, *((token, None) for token, _ in forms)])


@functools.lru_cache(maxsize=8192)  # a figure recurs (ranks, charts, the year to date) and years and ranks everywhere
def _whole_forms(value: int) -> frozenset[Key]:
    """What the house filters make of a whole number: itself (a rank, a year, 14th), money ($168.6 billion,
    $49 million, $850,000), money_bound (less than $5 million), money_table (26,511.5) and pct (100.0%)."""
    size = abs(value)
    amount, unit = shown(size)
    unit = unit or CURRENCY
    table = round_half_up(Decimal(size) / 10**6, 1)
    return _keys([(str(size), None), (f"{size}.0", "%"), (format(amount, "f"), unit),
                  (format(amount.normalize(), "f"), unit), (format(table, "f"), None)])


@functools.lru_cache(maxsize=4096)
def _fraction_forms(value: float) -> frozenset[Key]:
    """What pct, pct_prose, points and signed make of a float: 13.6%; less than 0.1%; 34-fold."""
    size = abs(value)
    if not math.isfinite(size):
        return frozenset()
    forms: list[Key] = [(format(round_half_up(Decimal(repr(size)), 1), "f"), "%")]
    if 0 < size < 0.05:
        forms.append(("0.1", "%"))
    if value >= 900:
        forms.append((str(int(round(1 + value / 100, 6))), None))
    if size == int(size):
        forms.append((str(int(size)), None))
    return _keys(forms)


@functools.lru_cache(maxsize=4096)
def _string_forms(text: str) -> frozenset[Key]:
    """The numbers inside a string of the facts (a name, an HS code, a headline, a date), hashes left out: of
    any kind, as a text may quote them cut short."""
    if not any(c.isdigit() for c in text):
        return frozenset()
    return _keys([(n.token, ANYWHERE) for n in numbers(HASH.sub(" ", text))])


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's fields and derived figures, machine-only fields left out."""
    names = [f.name for f in dataclasses.fields(kind)] + list(DERIVED.get(kind, ()))
    return tuple(name for name in names if name not in MACHINE_ONLY)


def trace_map(facts: Facts | ReporterFacts, allowed: Mapping[str, str] | None = None) -> dict[Key, list[str]]:
    """(normal form, kind) -> the field paths (or allowed texts, by name) that give a number of that form and
    kind; every form is also there with kind None, for a bare number.

    The facts are walked breadth first (a loop, not recursion: it runs on every briefing), so a figure's
    own field comes before the chart series and tables that repeat it."""
    found: dict[Key, list[str]] = {}
    walk: list[tuple[str, object]] = [("", facts)]
    for path, value in walk:  # grows as it goes
        if value is None or value is True or value is False:
            continue
        if isinstance(value, int):
            forms = _whole_forms(value)
        elif isinstance(value, float):
            forms = _fraction_forms(value)
        elif isinstance(value, str):
            forms = _string_forms(value)
        else:
            if dataclasses.is_dataclass(value):
                prefix = f"{path}." if path else ""
                walk += [(prefix + name, getattr(value, name)) for name in _field_names(type(value))]
            elif isinstance(value, Mapping):
                walk += [(f"{path}.{key}", item) for key, item in value.items()]
            elif isinstance(value, tuple | list):
                walk += [(f"{path}[{index}]", item) for index, item in enumerate(value)]
            continue
        for key in forms:
            found.setdefault(key, []).append(path)
    for name, text in (allowed or {}).items():
        for key in _string_forms(text):
            found.setdefault(key, []).append(name)
    return found


def traced(number: Number, found: Mapping[Key, list[str]]) -> list[str]:
    """The field paths that give `number`, in its kind or inside a string of the facts; [] if none."""
    return found.get((number.token, number.kind), []) + (
        found.get((number.token, ANYWHERE), []) if number.kind is not None else [])


# -- the check ------------------------------------------------------------------------------------------------

def document_name(facts: Facts | ReporterFacts, suffix: str) -> str:
    """The name an error gives a document: 'MEX-2024.html', 'MEX-RUS-2016 digest (text)'."""
    code = facts.code if isinstance(facts, ReporterFacts) else facts.partner.code
    return f"{code}-{facts.period.key}{suffix}"


def untraced(text: str, found: Mapping[Key, list[str]]) -> list[Number]:
    """The numbers of a plain text that no field or allowed text gives."""
    return [n for n in numbers(text) if not traced(n, found)]


def check(facts: Facts | ReporterFacts, *, html: Mapping[str, str] | None = None,
          text: Mapping[str, str] | None = None, allowed: Mapping[str, str] | None = None) -> None:
    """Raise SelfCheckError naming the first number in the documents (name -> HTML, name -> plain text) that
    no field of `facts` and no allowed text (name -> text: the build time, the publisher) gives."""
    found = trace_map(facts, allowed)
    documents = [(name, visible_text(page)) for name, page in (html or {}).items()]
    documents += list((text or {}).items())
    for name, plain in documents:
        wrong = untraced(plain, found)
        if wrong:
            first = wrong[0]
            more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
            raise SelfCheckError(f'self-check: "{first.shown}" in {name} ("...{first.context}...") is not a figure '
                                 f"of the facts{more}", number=first, document=name)
