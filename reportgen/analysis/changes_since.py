"""What changed between two builds of a briefing: figures side by side, and the sentences that differ.

Pure functions over what the archive keeps of each build (its facts as JSON and its story as plain
text). The earlier build is the last published one of the same partner and period (a revision), or
else the partner's latest published briefing of an earlier period of the same kind (2024-11 before
2024-12, 2023 before 2024); which one it is, is part of the answer, for the view to say.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from reportgen.analysis.revisions import material
from reportgen.periods import Period

Basis = Literal["revision", "earlier", "none"]
# (key in the facts JSON, what it is): money in whole dollars, percentages, ranks, yes/no.
COMPARED: tuple[tuple[str, str], ...] = (
    ("exports", "money"), ("imports", "money"), ("balance", "balance"), ("total_trade", "money"),
    ("change_pct.exports", "pct"), ("change_pct.imports", "pct"), ("change_pct.balance", "pct"),
    ("change_pct.total_trade", "pct"),
    ("ranks.total_trade", "rank"), ("ranks.exports", "rank"), ("ranks.imports", "rank"),
    ("share_pct.total_trade", "pct"), ("share_pct.exports", "pct"), ("share_pct.imports", "pct"),
    ("record", "flag"),
)
# A full stop after these ends no sentence: "U.S.", "Oct. 1", "No. 2".
ABBREVIATION = re.compile(r"(?:^|[\s(])(?:(?:[A-Z]\.)+|(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec|No|Mr|Ms|Mrs|Dr|St|vs)\.)$")
SIMILAR = 0.5  # share of words two versions of one sentence have in common, at least
BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9$])")


@dataclass(frozen=True)
class Snapshot:
    """One build as the archive keeps it."""

    period: str
    built_at: str
    vintage: str
    published: bool
    facts: dict[str, Any] = field(default_factory=dict)  # {} when the build predates kept facts
    story: str = ""


@dataclass(frozen=True)
class FigureChange:
    key: str  # as in COMPARED: "exports", "change_pct.balance", "ranks.imports"
    kind: str  # money | balance | pct | rank | flag
    before: Any
    after: Any
    changed: bool
    difference: int | float | None  # after - before, for numbers on both sides
    shows: bool  # the change would read differently in the briefing (money: a material revision)


@dataclass(frozen=True)
class SentenceChange:
    op: Literal["same", "removed", "added"]
    text: str
    # For a sentence rewritten from another: its words in runs, each marked when it differs from the
    # other version's (the figures a revision moved); () for a sentence with no counterpart.
    words: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class Changes:
    basis: Basis
    before: Snapshot | None
    after: Snapshot
    figures: tuple[FigureChange, ...]
    sentences: tuple[SentenceChange, ...]

    @property
    def figures_changed(self) -> int:
        return sum(f.changed for f in self.figures)

    @property
    def sentences_changed(self) -> int:
        """Sentences new, rewritten or dropped (a rewritten one counts once, not as dropped and added)."""
        return sum(s.op == "added" or (s.op == "removed" and not s.words) for s in self.sentences)

    @property
    def facts_kept(self) -> bool:
        """False when the earlier build predates kept facts: no figures to set beside the new ones."""
        return self.before is None or bool(self.before.facts)


def choose_previous(current: Snapshot, builds: list[Snapshot]) -> tuple[Snapshot | None, Basis]:
    """The build to compare `current` with, among a partner's `builds` (any periods), and why that one."""
    published = [b for b in builds if b.published and b.built_at != current.built_at]
    same = [b for b in published if b.period == current.period and b.built_at < current.built_at]
    if same:
        return max(same, key=lambda b: b.built_at), "revision"
    kind = Period.parse(current.period).kind
    earlier = [b for b in published
               if b.period != current.period and Period.parse(b.period).kind == kind
               and Period.parse(b.period).last_month < Period.parse(current.period).last_month]
    if earlier:
        return max(earlier, key=lambda b: (Period.parse(b.period).last_month, b.built_at)), "earlier"
    return None, "none"


def compare(before: Snapshot | None, after: Snapshot, basis: Basis) -> Changes:
    """The figures of `before` and `after` side by side, and their stories' sentences diffed."""
    figures = ()
    if before is not None and before.facts and after.facts:
        figures = tuple(_figure(key, kind, _get(before.facts, key), _get(after.facts, key)) for key, kind in COMPARED
                        if _get(before.facts, key) is not None or _get(after.facts, key) is not None)
    return Changes(basis, before, after, figures, diff_sentences(before.story if before else "", after.story))


def _get(facts: dict[str, Any], key: str) -> Any:
    value: Any = facts
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _figure(key: str, kind: str, before: Any, after: Any) -> FigureChange:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after))
    difference = after - before if numbers else None
    changed = before != after
    if kind in ("money", "balance") and numbers:
        shows = material(before, after)
    elif kind == "pct" and numbers:
        shows = round(before, 1) != round(after, 1)
    else:
        shows = changed
    return FigureChange(key, kind, before, after, changed, difference, shows)


def sentences(story: str) -> list[str]:
    """A story's sentences, paragraph by paragraph (its lines); abbreviations (U.S., Oct.) end none."""
    out: list[str] = []
    for line in story.splitlines():
        start = 0
        for match in BOUNDARY.finditer(line):
            if ABBREVIATION.search(line[:match.start()].rstrip("\"”’)")):
                continue
            out.append(line[start:match.start()].strip() + line[match.start():match.end()].strip())
            start = match.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


def diff_sentences(before: str, after: str) -> tuple[SentenceChange, ...]:
    """The sentences of `after`, in order, with those of `before` that it dropped, each marked; a rewritten
    sentence follows the one it replaces, with the words that differ marked in both."""
    old, new = sentences(before), sentences(after)
    out: list[SentenceChange] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(SentenceChange("same", s) for s in new[j1:j2])
        else:
            out.extend(_rewritten(old[i1:i2], new[j1:j2]))
    return tuple(out)


def _similar(a: str, b: str) -> bool:
    """Whether `b` reads as a rewrite of `a` (the same sentence with other figures or words), not another one."""
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio() >= SIMILAR


def _rewritten(old: list[str], new: list[str]) -> list[SentenceChange]:
    """A block of differing sentences, in order: each rewritten one paired with its earlier version."""
    out: list[SentenceChange] = []
    i = j = 0
    while i < len(old) or j < len(new):
        if i < len(old) and j < len(new) and _similar(old[i], new[j]):
            was, now = _words(old[i], new[j])
            out += [SentenceChange("removed", old[i], was), SentenceChange("added", new[j], now)]
            i, j = i + 1, j + 1
        elif j < len(new) and not any(_similar(o, new[j]) for o in old[i:]):
            out.append(SentenceChange("added", new[j]))
            j += 1
        else:
            out.append(SentenceChange("removed", old[i]))
            i += 1
    return out


def _words(a: str, b: str) -> tuple[tuple[tuple[str, bool], ...], tuple[tuple[str, bool], ...]]:
    """Both sentences in runs of words, marked where they differ."""
    x, y = a.split(), b.split()
    was: list[tuple[str, bool]] = []
    now: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if i2 > i1:
            was.append((" ".join(x[i1:i2]), op != "equal"))
        if j2 > j1:
            now.append((" ".join(y[j1:j2]), op != "equal"))
    return tuple(was), tuple(now)
