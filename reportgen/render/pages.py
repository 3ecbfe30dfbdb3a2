"""Page make-up for the printed briefing: no page left part empty because the chart after it did not fit.

A chart never splits (`break-inside: avoid`), so WeasyPrint moves one that does not fit to the next
page and leaves the rest of the page blank. `make_up()` lays the briefing out, finds such a page
through WeasyPrint's public API (`Page.anchors`: where each element with an id begins; zero-height
marks before and after the blocks that matter give their ends) and lays it out again, as a desk
would, in this order of preference:

1. the chart scaled down to the space left, if that keeps it at 75% or more of its size (its 10 pt
   labels at 7.5 pt or more, its 9.5 pt notes at 7.1 pt);
2. else the next block that flows across pages (`class="flows"` and an id: the month table, which
   splits with its header row repeated; the news) printed ahead of the chart, if it is tall enough to
   fill the space;
3. else, if the gap is a hole (more than HOLE of the page), the charts on that page and this one
   all scaled down by the same factor, if that keeps each at 75% or more of its size; or else a
   flowing block that leaves no hole printed ahead of the chart;
4. else the page stays as it is.

A change is kept only if it fills the page it was made for (a table that would not start in the
space left is put back). Each change costs one more layout; a briefing that needs none costs
nothing extra. Only the printed copy changes: the HTML file keeps its own order and sizes.

A batch lays out hundreds of briefings of one shape, and in a language whose longer words fill page 1
(Spanish) most need the same change: given a `memory`, make-up first tries the change the last
briefing of the same shape and language needed, and keeps it only if it leaves no gap and every chart
it shrinks would not have fitted at full size; otherwise it starts over as above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any

MM = 96 / 25.4  # CSS pixels in a millimetre
BOTTOM_MARGIN = 18 * MM  # the page's bottom margin, as `@page` in briefing.css sets it
GAP = 0.125  # a page may end this much of its height above its bottom margin before a chart
HOLE = 0.16  # a gap this large (of the page's height) is worth shrinking every chart on the page
MIN_SCALE = 0.75  # the smallest a chart is printed at, against its own size
PASSES = 4  # layouts at most, the first one included
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Block:
    """One child element of the briefing's <article>, with where it is in the HTML text."""

    tag: str
    id: str
    classes: list[str]
    start: int
    end: int
    image: tuple[float, float] | None = None  # a chart's image size (width, height attributes), in CSS px


class _Scanner(HTMLParser):
    """Find the children of the first <article>: the blocks that page make-up may scale or move."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.blocks: list[Block] = []
        self._depth: int | None = None  # depth inside <article>; None before it
        self._done = False
        self._html = html
        self._lines = [0]
        for line in html.splitlines(keepends=True):
            self._lines.append(self._lines[-1] + len(line))
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if self._depth is None:
            self._depth = 0 if tag == "article" else None
            return
        values = {name: value or "" for name, value in attrs}
        if self._depth == 0:
            self.blocks.append(Block(tag, values.get("id", ""), values.get("class", "").split(), self._offset(), -1))
        elif tag == "img" and self.blocks and self.blocks[-1].image is None:
            try:
                self.blocks[-1].image = (float(values["width"]), float(values["height"]))
            except (KeyError, ValueError):
                pass  # an image without its size is never scaled
        if tag not in VOID:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._done and self._depth == 0:  # a self-closed block: it starts and ends here
            start = self._offset()
            end = start + len(self.get_starttag_text())
            self.blocks.append(Block(tag, dict(attrs).get("id") or "", [], start, end))

    def handle_endtag(self, tag: str) -> None:
        if self._done or self._depth is None:
            return
        self._depth -= 1
        if self._depth < 0:  # </article>
            self._done = True
        elif self._depth == 0 and self.blocks:
            self.blocks[-1].end = self._html.index(">", self._offset()) + 1


@dataclass(frozen=True)
class _Gap:
    chart: Block
    page: int  # the page left part empty, from 0
    space: float  # CSS px left on it before the chart
    height: float  # the chart's height, CSS px
    page_height: float  # CSS px


def make_up(html: str, render: Callable[[str], Any], memory: dict | None = None) -> Any:
    """Lay out `html` with `render` (HTML text -> WeasyPrint Document) until no chart leaves a page part empty;
    `memory` (kept by the caller from one briefing to the next) holds the changes made before."""
    start = _Layout(html)
    key = start.shape()
    if memory is not None and key in memory:
        trial = start.planned(memory[key])
        document = render(trial.html())
        if trial.gap(document, set()) is None and trial.shrunk_as_needed(document):
            return document
        del memory[key]  # this briefing needs another change, or none: forget it and start over
    layout, document = _made_up(start, render)
    if memory is not None and (layout.widths or layout.blocks != start.blocks):
        memory[key] = layout.plan()
    return document


def _made_up(layout: _Layout, render: Callable[[str], Any]) -> tuple[_Layout, Any]:
    document = render(layout.html())
    renders = 1
    tried: set[str] = set()  # charts a change was tried for and not kept
    while renders < PASSES and (gap := layout.gap(document, tried)) is not None:
        trial, filler = layout.fixed(gap, _where(document))
        if trial is None:
            tried.add(gap.chart.id)
            continue
        attempt = render(trial.html())
        renders += 1
        if gap.page < len(attempt.pages) and filler in attempt.pages[gap.page].anchors:  # it starts that page's foot
            layout, document = trial, attempt
        else:
            tried.add(gap.chart.id)
    return layout, document


def _where(document) -> dict[str, tuple[int, float]]:
    """Each anchor's page (from 0) and the y where it begins, from its first occurrence."""
    where: dict[str, tuple[int, float]] = {}
    for number, page in enumerate(document.pages):
        for name, point in page.anchors.items():
            where.setdefault(name, (number, point[1]))  # an anchor's documented (x, y): where it begins
    return where


class _Layout:
    """The briefing's blocks in print order, the charts' printed widths, and the HTML that prints them."""

    def __init__(self, html: str, blocks: list[Block] | None = None, widths: dict[str, float] | None = None):
        self.source = html
        self.blocks = _first_order(_Scanner(html).blocks) if blocks is None else blocks
        self.widths = widths or {}  # chart id -> printed image width, CSS px
        self.charts = [b for b in self.blocks if "chart" in b.classes and b.id and b.image]

    def html(self) -> str:
        """The source with its blocks in print order, zero-height marks before and after each chart and after
        each flowing block, and the scaled charts' widths in a stylesheet of their own."""
        if not self.charts:
            return self.source
        # Each block travels with the text after it, up to the next block (whitespace, in the templates).
        ordered = sorted(self.blocks, key=lambda b: b.start)
        ends = {b.start: after.start for b, after in pairwise(ordered)}
        parts = []
        for block in self.blocks:
            text = self.source[block.start:ends.get(block.start, block.end)]
            if block in self.charts:
                text = f'<div id="before-{block.id}"></div>{text}'
            if block in self.charts or _flows(block):
                text = f'{text}<div id="after-{block.id}"></div>'
            parts.append(text)
        html = self.source[:ordered[0].start] + "".join(parts) + self.source[ordered[-1].end:]
        if self.widths:
            rules = " ".join(f"#{key} img {{ width: {width:.1f}px; }}" for key, width in self.widths.items())
            html = html.replace("</head>", f"<style>@media print {{ {rules} }}</style></head>", 1)
        return html

    def gap(self, document, skip: set[str]) -> _Gap | None:
        """The first chart (not in `skip`) that starts a page and leaves the page before it more than GAP empty."""
        where = _where(document)
        for chart in self.charts:
            before, top, after = (where.get(f"{prefix}{chart.id}") for prefix in ("before-", "", "after-"))
            if chart.id in skip or not (before and top and after) or before[0] == top[0]:
                continue
            page = document.pages[before[0]]
            space = page.height - BOTTOM_MARGIN - before[1]
            if space > GAP * page.height:
                return _Gap(chart, before[0], space, after[1] - top[1], page.height)
        return None

    def fixed(self, gap: _Gap, where: dict[str, tuple[int, float]]) -> tuple[_Layout | None, str]:
        """A layout that fills the gap, in the module's order of preference, and the id of what should then
        begin on the page of the gap; (None, "") if nothing would do."""
        chart, needed = gap.chart, gap.height - gap.space + 1  # px to save, 1 to spare
        if self.printed(chart) - needed >= MIN_SCALE * chart.image[1]:
            return self.scaled({chart.id: 1 - needed / self.printed(chart)}), chart.id
        if moved := self.moved_up(gap, where, fill=gap.space):
            return moved
        if gap.space <= HOLE * gap.page_height:
            return None, ""
        sharing = [c for c in self.charts if where.get(c.id, (-1,))[0] == gap.page] + [chart]
        factor = 1 - needed / sum(self.printed(c) for c in sharing)
        if all(self.printed(c) * factor >= MIN_SCALE * c.image[1] for c in sharing):
            return self.scaled({c.id: factor for c in sharing}), chart.id
        return self.moved_up(gap, where, fill=gap.space - HOLE * gap.page_height) or (None, "")

    def moved_up(self, gap: _Gap, where: dict[str, tuple[int, float]], fill: float) -> tuple[_Layout, str] | None:
        """This layout with the first flowing block after the chart that is at least `fill` px tall (or split
        across pages) printed just ahead of it, and the block's id."""
        index = self.blocks.index(gap.chart)
        for block in self.blocks[index + 1:]:
            top, end = where.get(block.id), where.get(f"after-{block.id}")
            if _flows(block) and top and end and (end[0] != top[0] or end[1] - top[1] >= fill):
                blocks = [b for b in self.blocks if b is not block]
                blocks.insert(index, block)
                return _Layout(self.source, blocks, self.widths), block.id
        return None

    def shape(self) -> tuple:
        """What a change made for one briefing depends on besides its words: the language, the blocks and the
        charts' sizes."""
        lang = self.source[:300].partition('lang="')[2].partition('"')[0]
        return lang, tuple((b.tag, b.id, tuple(b.classes), b.image) for b in sorted(self.blocks, key=lambda b: b.start))

    def plan(self) -> tuple[tuple[int, ...], dict[str, float]]:
        """The print order (as places in the source order) and the charts' printed widths."""
        source = sorted(self.blocks, key=lambda b: b.start)
        return tuple(source.index(b) for b in self.blocks), dict(self.widths)

    def planned(self, plan: tuple[tuple[int, ...], dict[str, float]]) -> _Layout:
        """This briefing laid out as `plan` says (from a briefing of the same shape)."""
        source = sorted(self.blocks, key=lambda b: b.start)
        return _Layout(self.source, [source[i] for i in plan[0]], dict(plan[1]))

    def shrunk_as_needed(self, document) -> bool:
        """Whether every chart printed smaller than its size would have run past its page's foot at full size."""
        where = _where(document)
        for chart in self.charts:
            if chart.id not in self.widths:
                continue
            top, after = where.get(chart.id), where.get(f"after-{chart.id}")
            if not top or not after or top[0] != after[0]:
                return False
            foot = document.pages[after[0]].height - BOTTOM_MARGIN
            if after[1] + chart.image[1] - self.printed(chart) <= foot:
                return False
        return True

    def printed(self, chart: Block) -> float:
        """The height a chart's image prints at now, CSS px."""
        return chart.image[1] * self.widths.get(chart.id, chart.image[0]) / chart.image[0]

    def scaled(self, factors: dict[str, float]) -> _Layout:
        """This layout with some charts printed smaller by the factors given (against their size now)."""
        widths = {**self.widths}
        for chart in self.charts:
            if chart.id in factors:
                widths[chart.id] = widths.get(chart.id, chart.image[0]) * factors[chart.id]
        return _Layout(self.source, self.blocks, widths)


def _first_order(blocks: list[Block]) -> list[Block]:
    """The print order to try first: a flowing block marked "print-ahead" goes before the first chart (the
    template knows when its story leaves page 1 short: a second layout costs a tenth of a second)."""
    charts = [i for i, b in enumerate(blocks) if "chart" in b.classes]
    ahead = [b for b in blocks if "print-ahead" in b.classes and _flows(b)]
    if not charts or not ahead:
        return blocks
    rest = [b for b in blocks if b not in ahead]
    first = rest.index(blocks[charts[0]])
    return rest[:first] + ahead + rest[first:]


def _flows(block: Block) -> bool:
    """A block that may split across pages and be printed ahead of a chart to fill a page."""
    return "flows" in block.classes and bool(block.id)
