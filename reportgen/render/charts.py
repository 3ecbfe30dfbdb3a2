"""Charts for briefings, drawn with matplotlib from the series analysis made; they compute nothing.

Each chart is an SVG inside an `<img src="data:...">`: WeasyPrint prints it fast (inline `<svg>` is
3-4x slower) and keeps its text selectable (`svg.fonttype = "none"`); browsers and phones scale it.
matplotlib is imported inside `draw()` (it costs most of a second) and driven through its object
API, a `Figure` with its own canvas, so no pyplot state is shared between threads or briefings.
Margins are fixed in inches rather than left to a layout engine, which would double the drawing time.
Email clients show no SVG: `draw(..., fmt="png")` draws the same charts as PNG for the digest.
Every chart credits its source in a strip along its bottom edge, because the digest sends charts alone.

The editions of a briefing share one drawing: every word a chart shows is given in both languages
(`say`), the SVG is drawn in English, and `in_language` swaps its text elements, title and alt text for
the Spanish ones (selectable SVG text makes that a string substitution, microseconds, not a second
drawing). Spaces that hold words are sized for the longer language. A PNG (email) is drawn in its language.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import io
import re
import textwrap
import threading
from contextvars import ContextVar
from dataclasses import dataclass

from babel.dates import get_month_names
from babel.numbers import format_decimal

from reportgen.models import ChartSeries, Facts, Partner, ReporterFacts
from reportgen.render.format import capfirst, money, ordinal, period_label
from reportgen.render.format_es import de as de_es
from reportgen.render.format_es import money as money_es
from reportgen.render.format_es import money_cell as money_cell_es
from reportgen.render.format_es import name as spanish_name
from reportgen.render.format_es import period_label as period_label_es
from reportgen.rounding import shown

INK, MUTED, RULE, ACCENT, GREY = "#1a1a1a", "#5c5c5c", "#d6d6d6", "#b3261e", "#a3a3a3"
WIDTH = 5.0  # inches: printed at this size; on a phone, scaled to ~75%, the text stays readable
FONT = 10  # points
PAD = 4  # points between an axis and its labels
SHOWN = 4  # products each way in the movers chart
CREDIT = 0.22  # inches at the foot of every chart for its source line
CENSUS = "Source: U.S. Census Bureau"
CENSUS_API = "Source: U.S. Census Bureau, International Trade API"  # the movers' product detail
BILLION = 1e9
SIDE_NOTES = {"deficit": "below zero: U.S. deficit", "surplus": "above zero: U.S. surplus",
              "balance": "above zero: U.S. surplus; below zero: deficit"}
# The SVG writer reads these from matplotlib's global rcParams while it saves: they are set for the
# save only, under a lock, so other code in the process never sees them changed. Text styles then
# name the one font drawn, not the ten fallbacks WeasyPrint would parse for every label.
_SVG_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "reportgen", "font.sans-serif": ["DejaVu Sans"]}
_svg_lock = threading.Lock()
PNG_WIDTH = 560  # CSS pixels a PNG chart is shown at: the 600-pixel email column less its margins
# The format `draw()` saves in, for `_chart()` below it: a context variable, so threads never mix them.
_format: ContextVar[str] = ContextVar("chart_format", default="svg")
# The language a chart's words are drawn in, and the (English, Spanish) pairs said while drawing one chart.
_language: ContextVar[str] = ContextVar("chart_language", default="en")
_said: ContextVar[list[tuple[str, str]] | None] = ContextVar("chart_words", default=None)
SPANISH_CREDIT = {
    "Source: U.S. Census Bureau": "Fuente: Oficina del Censo de EE.UU.",
    "Source: U.S. Census Bureau, International Trade API": "Fuente: Censo de EE.UU., API de Comercio Internacional",
}
SPANISH_UNITS = {"$ billions": "miles de millones de dólares", "$ millions": "millones de dólares"}
SHORT_UNITS = {"$ billions": "mmdd", "$ millions": "mdd"}  # beside the legend, where the words must be short
SPANISH_SIDE_NOTES = {"deficit": "bajo cero: déficit de EE.UU.", "surplus": "sobre cero: superávit de EE.UU.",
                      "balance": "sobre cero: superávit de EE.UU.; bajo cero: déficit"}  # as long as English
SPANISH_GAPS = {"deficit": "déficit", "surplus": "superávit", "balance": "saldo"}


def say(english: str, spanish: str | None = None) -> str:
    """A chart's words in the language it is drawn in, noted with their Spanish for `in_language`."""
    spanish = english if spanish is None else spanish
    said = _said.get()
    if said is not None and english != spanish:
        said.append((english, spanish))
    return spanish if _language.get() == "es" else english


@dataclass(frozen=True)
class Voice:
    """Whose figures the charts show, in their titles and credit: the United States' (Census) or another
    reporter's (UN Comtrade), in both languages."""

    goods: str  # "U.S. goods exports to and imports from ..."
    partners: str  # the partners chart's title, before ", 2016"
    leaders: str  # its alternative text: "the 10 largest U.S. trading partners"
    credit: str
    whose_es: str = "de Estados Unidos"  # "exportaciones e importaciones de bienes de México con ..."
    credit_es: str | None = None  # None: SPANISH_CREDIT's words for `credit`


US = Voice("U.S. goods", "Largest U.S. trading partners", "largest U.S. trading partners", CENSUS)


def voice_of(reporter: Partner) -> Voice:
    """The charts' words for a briefing from `reporter`'s side, as it reported its figures to UN Comtrade."""
    name, nombre = reporter.display_name, spanish_name(reporter)
    return Voice(f"{capfirst(name)}'s goods", f"{capfirst(name)}'s largest trading partners",
                 f"largest trading partners of {name}", f"Source: UN Comtrade, as reported by {name}",
                 de_es(nombre), f"Fuente: UN Comtrade, según lo reportado por {nombre}")


@dataclass(frozen=True)
class Chart:
    """One chart ready for an <img>: a data: URL with its text alternative."""

    id: str
    title: str
    alt: str
    src: str
    width: int
    height: int
    spanish: tuple[tuple[str, str], ...] = ()  # (English, Spanish) of every word drawn, title and alt included


def in_language(chart: Chart, language: str) -> Chart:
    """The same drawing in another language: its SVG text, title and alt text swapped (English is as drawn)."""
    if language == "en" or not chart.spanish or not chart.src.startswith("data:image/svg+xml;base64,"):
        return chart
    from xml.sax.saxutils import escape

    words = dict(chart.spanish)
    svg = base64.b64decode(chart.src.split(",", 1)[1]).decode("utf-8")
    for english, spanish in sorted(words.items(), key=lambda pair: -len(pair[0])):
        svg = svg.replace(f">{escape(english)}</", f">{escape(spanish)}</")
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return dataclasses.replace(chart, title=words.get(chart.title, chart.title), alt=words.get(chart.alt, chart.alt),
                               src=src, spanish=())


def draw(facts: Facts | ReporterFacts, *, locale: str = "en_US", fmt: str = "svg",
         language: str = "en") -> list[Chart]:
    """The briefing's charts: monthly balance, exports and imports by year, top partners; SVG, or PNG for email.
    From another reporter's side: exports and imports by year, its top partners, and the products traded.
    An SVG is drawn in English and carries its Spanish words (`in_language`); a PNG is drawn in `language`."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"charts are drawn as svg or png, not {fmt!r}")
    token, spoken = _format.set(fmt), _language.set(language if fmt == "png" else "en")
    try:
        charts = _draw(facts, locale)
    finally:
        _format.reset(token)
        _language.reset(spoken)
    return [in_language(c, language) for c in charts] if fmt == "svg" else charts


def _draw(facts: Facts | ReporterFacts, locale: str) -> list[Chart]:
    if isinstance(facts, ReporterFacts):
        voice, own = voice_of(facts.reporter), facts.facts
        series = own.charts
        charts = [_worded(_annual, own.partner, series, locale, voice)] if series and series.annual else []
        if series and series.top_partners:
            charts.append(_worded(_partners, own, series, locale, voice))
        return charts + ([_worded(products, facts, locale, voice)] if facts.products else [])
    series = facts.charts
    if series is None:
        return []
    charts = []
    if series.balance_this_year:
        charts.append(_worded(_balance, facts, series, locale))
    if series.annual:
        charts.append(_worded(_annual, facts.partner, series, locale))
    if series.top_partners:
        charts.append(_worded(_partners, facts, series, locale))
    if facts.movers is not None:
        charts.append(_worded(_movers, facts, locale))
    return charts


def _worded(chart, *args) -> Chart:
    """Draw one chart, noting the words it says (`say`) for `_chart` to attach."""
    token = _said.set([])
    try:
        return chart(*args)
    finally:
        _said.reset(token)


def _balance(facts: Facts, series: ChartSeries, locale: str) -> Chart:
    """Bars of each month's balance, this year beside last year, deficits below zero."""
    year = facts.period.year
    months = get_month_names("abbreviated", locale=locale)
    meses = get_month_names("abbreviated", locale="es_MX")
    fig, ax = _figure(2.5, left=0.45, bottom=0.3, top=0.42)
    size, unit = _unit([b for _, b in series.balance_this_year + series.balance_last_year])
    for offset, rows, color, label in ((-0.2, series.balance_last_year, GREY, str(year - 1)),
                                       (0.2, series.balance_this_year, ACCENT, str(year))):
        if rows:
            _columns(ax, [m + offset for m, _ in rows], [b / size for _, b in rows], 0.4, color, label)
    ax.axhline(0, color=INK, linewidth=0.8, clip_on=False)
    _axis_labels(ax, "x", range(1, 13), [say(months[m], meses[m]) for m in range(1, 13)])
    ax.set_xlim(0.45, 12.55)
    ax.legend(frameon=False, fontsize=FONT, ncols=2, loc="lower right", bbox_to_anchor=(1, 1), borderaxespad=0.3,
              handlelength=1, columnspacing=1.2)
    gap = _gap_word([b for _, b in series.balance_this_year + series.balance_last_year])
    _style(ax, locale, unit=say(f"{unit}; {SIDE_NOTES[gap]}", f"{SHORT_UNITS[unit]}; {SPANISH_SIDE_NOTES[gap]}"))
    last = series.balance_this_year[-1][0]
    span = f"{year}" if last == 12 else f"{year} (through {get_month_names('wide', locale=locale)[last]})"
    lapso = f"{year}" if last == 12 else f"{year} (hasta {get_month_names('wide', locale='es_MX')[last]})"
    if series.balance_last_year:
        span += f" against {year - 1}"
        lapso += f" frente a {year - 1}"
    who, quien, saldo = facts.partner.display_name, spanish_name(facts.partner), SPANISH_GAPS[gap]
    return _chart(fig, "chart-balance",
                  say(f"Monthly U.S. goods trade {gap} with {who}, {span}",
                      f"{capfirst(saldo)} mensual del comercio de bienes de Estados Unidos con {quien}, {lapso}"),
                  say(f"Bar chart: the U.S. goods {gap} with {who} by month, {span}",
                      f"Gráfica de barras: el {saldo} de bienes de Estados Unidos con {quien} por mes, {lapso}"))


def _annual(partner: Partner, series: ChartSeries, locale: str, voice: Voice = US) -> Chart:
    """Exports and imports by year as two lines, each named at its end (no legend to look up)."""
    years = [y for y, _, _ in series.annual]
    fig, ax = _figure(2.4, left=0.45, bottom=0.3, top=0.35)
    size, unit = _unit([value for row in series.annual for value in row[1:]])
    lines = {label: [row[index] / size for row in series.annual] for index, label in ((2, "Imports"), (1, "Exports"))}
    names = {"Imports": say("Imports", "Importaciones"), "Exports": say("Exports", "Exportaciones")}
    top = max(max(values) for values in lines.values()) or 1
    # Line names a twelfth of the axis apart or closer would overprint: the higher one goes up, the other down.
    apart = abs(lines["Imports"][-1] - lines["Exports"][-1]) < top / 12
    higher = "Imports" if lines["Imports"][-1] >= lines["Exports"][-1] else "Exports"
    for label, color in (("Imports", ACCENT), ("Exports", INK)):
        values = lines[label]
        # A dot for each year reads on a short series; on a long one the dots crowd the line.
        ax.plot(years, values, color=color, linewidth=2, marker="o" if len(years) <= 20 else None, markersize=3.5)
        shift = (5 if label == higher else -5) if apart else 0
        ax.annotate(names[label], (years[-1], values[-1]), xytext=(6, shift), textcoords="offset points",
                    va="center", fontsize=FONT, color=color, fontweight="bold")
    ax.set_ylim(bottom=0)
    # Room at the right of the axis for the line names in either language: their width and a margin.
    room = _widest(["Importaciones", "Exportaciones", "Imports", "Exports"], bold=True) / 72 + 0.15
    share = room / (WIDTH - 0.45 - 0.1 - room)
    ax.set_xlim(years[0] - 0.5, years[-1] + share * (len(years) - 0.5))
    # At most eight years named, counted back from the latest, so that they never run into each other.
    step = 1 if len(years) <= 6 else 2 if len(years) <= 16 else 5 if len(years) <= 40 else 10
    named = [y for y in years if (years[-1] - y) % step == 0]
    _axis_labels(ax, "x", named, [str(y) for y in named])
    _style(ax, locale, unit=say(unit, SPANISH_UNITS[unit]))
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}"
    lapso = f"{years[0]}" if len(years) == 1 else f"{years[0]} a {years[-1]}"
    who, quien = partner.display_name, spanish_name(partner)
    return _chart(fig, "chart-annual",
                  say(f"{voice.goods} exports to and imports from {who}, {span}",
                      f"Exportaciones e importaciones de bienes {voice.whose_es} con {quien}, {lapso}"),
                  say(f"Line chart: {voice.goods} exports to and imports from {who} by year, {span}, in {unit}",
                      f"Gráfica de líneas: exportaciones e importaciones de bienes {voice.whose_es} con {quien} por "
                      f"año, {lapso}, en {SPANISH_UNITS[unit]}"),
                  credit=voice.credit, credit_es=voice.credit_es)


def _partners(facts: Facts, series: ChartSeries, locale: str, voice: Voice = US) -> Chart:
    """Horizontal bars of the leading partners by total trade, largest on top, this partner in red.

    A partner ranked below the leaders comes last, after an empty row marked "⋮" where the axis line
    breaks, so that its bar does not read as the eleventh.
    """
    me, top = facts.partner.code, series.top_partners
    rank = facts.ranks.get("total_trade")
    shown = any(n.code == me for n in top)
    beyond = shown and rank is not None and rank.rank > len(top)  # listed after the leaders, out of rank
    places = [rank.rank if n.code == me and rank else i for i, n in enumerate(top, 1)]
    english = [f"{place}. {_label(n.name)}" for place, n in zip(places, top)]
    spanish = [f"{place}. {_label_es(spanish_name(n))}" for place, n in zip(places, top)]
    labels = [say(en, es) for en, es in zip(english, spanish)]
    widest = _widest(english + spanish, bold=True)
    rows = len(top) + beyond
    fig, ax = _figure(0.45 + 0.25 * rows, left=min(widest / 72 + 0.15, 2.5), bottom=0.1, top=0.3, right=0.5)
    positions = list(range(rows - 1, -1, -1))
    if beyond:
        del positions[-2]  # the row above the partner's stays empty: the break in the ranking
    values = [n.value / BILLION for n in top]
    bars = ax.barh(positions, values, height=0.68, color=[ACCENT if n.code == me else GREY for n in top], clip_on=False)
    ax.bar_label(bars, [say(_bar_amount(n.value, locale), _bar_amount(n.value, "es_MX")) for n in top], padding=3,
                 fontsize=FONT - 0.5, color=INK)
    _style(ax, locale, unit=say("Total goods trade (exports plus imports), $ billions",
                                "Comercio total de bienes (exportaciones más importaciones), mmdd"), grid=False)
    for label, n in zip(_axis_labels(ax, "y", positions, labels), top):
        if n.code == me:
            label.set(color=ACCENT, fontweight="bold")
    ax.set_ylim(-0.6, rows - 0.4)
    ax.margins(x=0)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.spines["left"].set(visible=True, color=MUTED)
    if beyond:
        ax.spines["left"].set_bounds(1.5, rows - 0.4)  # the leaders' stretch of the axis line...
        ax.vlines(0, -0.6, 0.5, color=MUTED, linewidth=ax.spines["left"].get_linewidth(),  # ...and the partner's
                  clip_on=False)
        ax.text(0, 1, "⋮", transform=ax.get_yaxis_transform(), ha="center", va="center", fontsize=FONT + 4,
                color=MUTED, parse_math=False)
    who, when = facts.partner.display_name, period_label(facts.period, locale)
    quien, cuando = spanish_name(facts.partner), period_label_es(facts.period)
    alt = f"Bar chart: the {len(top) - beyond} {voice.leaders} by total goods trade in {when}"
    texto = f"Gráfica de barras: los {len(top) - beyond} principales socios comerciales {voice.whose_es} por " \
            f"comercio total de bienes en {cuando}"
    if beyond:
        place = ordinal(rank.rank).removesuffix("-largest")
        alt += f", then, after a break in the ranking, {who}, the {place}, highlighted"
        texto += f" y, tras un corte en la clasificación, {quien}, en el lugar {rank.rank}, resaltado"
    elif shown:
        alt += f", with {who} highlighted"
        texto += f", con {quien} resaltado"
    else:
        alt += f"; {who} is a group of countries and is not ranked"
        texto += f"; {quien} es un grupo de países y no se clasifica"
    return _chart(fig, "chart-partners",
                  say(f"{voice.partners} by total goods trade, {when}",
                      f"Principales socios comerciales {voice.whose_es} por comercio total de bienes, {cuando}"),
                  say(alt, texto), credit=voice.credit, credit_es=voice.credit_es)


def _movers(facts: Facts, locale: str) -> Chart:
    """Horizontal bars of the products that moved each flow most, in points of its growth: up right, down left."""
    rows = [(m, [*m.rising[:SHOWN], *m.falling[:SHOWN][::-1]]) for m in facts.movers if m.rising or m.falling]
    labels = {x.code: _wrapped(x.name, x.name_es, 22) for _, movers in rows for x in movers}
    heights = [0.45 + 0.26 * len(movers) + 0.1 * sum("\n" in labels[x.code] for x in movers) for _, movers in rows]
    height = 0.35 + sum(heights) + CREDIT
    left = _label_room(labels.values(), 2.0)
    fig = _bare_figure(height)
    top = 1 - 0.3 / height
    who, quien = facts.partner.display_name, spanish_name(facts.partner)
    for (m, movers), panel in zip(rows, heights):
        top -= panel / height
        ax = fig.add_axes((left / WIDTH, top + 0.05 / height, 1 - (left + 0.1) / WIDTH, (panel - 0.4) / height))
        positions = list(range(len(movers) - 1, -1, -1))
        values = [x.contribution_pp or 0.0 for x in movers]
        bars = ax.barh(positions, values, height=0.66, color=[ACCENT if v > 0 else GREY for v in values], clip_on=False)
        ax.bar_label(bars, [("+" if v > 0 else "") + _number(v, locale, "#,##0.0") for v in values], padding=3,
                     fontsize=FONT - 0.5, color=INK)
        ax.axvline(0, color=INK, linewidth=0.8, clip_on=False)
        ax.yaxis.set_visible(False)
        for position, x in zip(positions, movers):
            _right_aligned(ax, position, labels[x.code].split("\n"))
        ax.set_title(say(f"{'Imports from' if m.flow == 'import' else 'Exports to'} {who}",
                         f"{'Importaciones desde' if m.flow == 'import' else 'Exportaciones hacia'} {quien}"),
                     loc="left", fontsize=FONT, fontweight="bold", color=INK)
        low, high = min(0.0, *values), max(0.0, *values)
        ax.set_xlim(low - 0.3 * (high - low) - 0.01, high + 0.3 * (high - low) + 0.01)  # room for the numbers
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
    fig.text(0.02 / WIDTH, 1 - 0.06 / height, say("Percentage points of each flow's change against a year earlier",
                                                   "Puntos porcentuales de la variación de cada flujo frente a un "
                                                   "año antes"),
             ha="left", va="top", fontsize=FONT - 0.5, color=MUTED, parse_math=False)
    when, cuando = period_label(facts.period, locale), period_label_es(facts.period)
    return _chart(fig, "chart-movers",
                  say(f"What drove the change: products that moved trade with {who} most, {when}",
                      f"Qué impulsó el cambio: productos que más movieron el comercio con {quien}, {cuando}"),
                  say(f"Bar chart: the products whose exports and imports changed most in {when} against a year "
                      f"earlier, in percentage points of each flow's change",
                      f"Gráfica de barras: los productos cuyas exportaciones e importaciones más cambiaron en "
                      f"{cuando} frente a un año antes, en puntos porcentuales de la variación de cada flujo"),
                  credit=CENSUS_API)


def _bare_figure(height: float):
    """A figure WIDTH inches wide and `height` tall, its axes placed by the caller above the credit strip."""
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height))


def _widest(labels: list[str], *, bold: bool = False) -> float:
    """The width in points of the widest line of the labels, in the chart font."""
    return max((_width(line, bold) for text in labels for line in text.splitlines()), default=0)


@functools.lru_cache(maxsize=4096)
def _width(line: str, bold: bool) -> float:
    """One line's width in points in the chart font; kept, as a batch measures the same leaders and words again
    and again."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(size=FONT, weight="bold" if bold else "normal")
    return text_to_path.get_text_width_height_descent(line, font, ismath=False)[0]


def _label_room(labels, bound: float) -> float:
    """Inches at the left for axis labels in either language (the drawing is shared: what has been said so far
    is the labels' Spanish), at most `bound`, which keeps the bars wide."""
    return min(_widest([line for pair in _said.get() or () for line in pair] + list(labels)) / 72 + 0.15, bound)


def _columns(ax, xs: list[float], heights: list[float], width: float, color: str, label: str) -> None:
    """Bars from zero as one collection, as `ax.bar` draws them but one SVG group, not one per bar, to print."""
    from matplotlib.collections import PolyCollection

    half = width / 2
    boxes = [[(x - half, 0), (x - half, h), (x + half, h), (x + half, 0)] for x, h in zip(xs, heights)]
    columns = PolyCollection(boxes, facecolors=color, edgecolors="none", label=label, clip_on=False)
    columns.sticky_edges.y.append(0)  # as with bars: no margin beyond the zero line
    ax.add_collection(columns)


def _figure(height: float, *, left: float, bottom: float, top: float, right: float = 0.1):
    """A figure WIDTH inches wide with one axes inside margins given in inches, and the credit strip below."""
    from matplotlib.figure import Figure

    height, bottom = height + CREDIT, bottom + CREDIT
    fig = Figure(figsize=(WIDTH, height))
    fig.subplots_adjust(left=left / WIDTH, right=1 - right / WIDTH, bottom=bottom / height, top=1 - top / height)
    return fig, fig.add_subplot()


def _style(ax, locale: str, *, unit: str, grid: bool = True) -> None:
    """House style: no box, the unit in the top corner; with `grid`, the value axis as light lines behind at round
    numbers, labelled in the locale (call it once the data are drawn: the lines go where the axis ends up)."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(MUTED)
    ax.figure.text(0.02 / WIDTH, 1 - 0.06 / ax.figure.get_figheight(), unit, ha="left", va="top",
                   fontsize=FONT - 0.5, color=MUTED, parse_math=False)
    if grid:
        low, high = ax.get_ylim()
        slack = (high - low) * 1e-10  # as matplotlib keeps a tick at the very end of the axis
        values = [v for v in MaxNLocator(nbins=6, steps=[1, 2, 5, 10]).tick_values(low, high)
                  if low - slack <= v <= high + slack]
        # One line broken between the values: one SVG path, not one a value.
        xs = [x for _ in values for x in (0, 1, float("nan"))]
        ys = [y for value in values for y in (value, value, float("nan"))]
        ax.add_artist(Line2D(xs, ys, transform=ax.get_yaxis_transform(), color=RULE, linewidth=0.6, clip_on=False,
                             zorder=0.5))
        _axis_labels(ax, "y", values, [_number(v, locale, "#,##0.###") for v in values])


def _axis_labels(ax, axis: str, positions, labels: list[str]) -> list:
    """Labels along the x or y axis where matplotlib puts tick labels (PAD points out, no tick marks), as plain
    texts, and matplotlib's own axis switched off: it makes five artists for each tick and measures them again
    on every draw, half of a chart's drawing time. Returns the texts."""
    from matplotlib.transforms import ScaledTranslation

    getattr(ax, f"{axis}axis").set_visible(False)
    if axis == "x":
        shift, place = ScaledTranslation(0, -PAD / 72, ax.figure.dpi_scale_trans), {"ha": "center", "va": "top"}
        transform, points = ax.get_xaxis_transform() + shift, [(p, 0) for p in positions]
    else:
        shift, place = ScaledTranslation(-PAD / 72, 0, ax.figure.dpi_scale_trans), {"ha": "right",
                                                                                   "va": "center_baseline"}
        transform, points = ax.get_yaxis_transform() + shift, [(0, p) for p in positions]
    return [ax.text(x, y, label, transform=transform, fontsize=FONT, color=INK, parse_math=False, **place)
            for (x, y), label in zip(points, labels)]


def _chart(fig, chart_id: str, title: str, alt: str, *, credit: str = CENSUS, credit_es: str | None = None) -> Chart:
    """Credit the source at the foot of `fig` (in Spanish `credit_es`, else SPANISH_CREDIT's), then save it as a
    deterministic SVG (fixed id salt, no date) in a data: URL, or as PNG when drawing for email."""
    fig.text(0.02 / WIDTH, 0.07 / fig.get_figheight(), say(credit, credit_es or SPANISH_CREDIT.get(credit)), ha="left",
             va="bottom", fontsize=FONT - 0.5, color=MUTED, parse_math=False)
    words = tuple(dict(_said.get() or ()).items())
    if _format.get() == "png":
        return _png(fig, chart_id, title, alt)
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.BytesIO()
    canvas = FigureCanvasSVG(fig)
    with _svg_lock:
        saved = {key: matplotlib.rcParams[key] for key in _SVG_SETTINGS}
        try:
            matplotlib.rcParams.update(_SVG_SETTINGS)
            canvas.print_svg(buffer, metadata={"Date": None, "Creator": None, "Format": None, "Type": None,
                                               "Title": title})
        finally:
            matplotlib.rcParams.update(saved)
    width, height = fig.get_size_inches()
    src = "data:image/svg+xml;base64," + base64.b64encode(_lean(buffer.getvalue().decode("utf-8")).encode()).decode()
    return Chart(chart_id, title, alt, src, round(width * 96), round(height * 96), words)


_GROUP = re.compile(r"(?:\n *)?(<g\b[^>]*>|</g>)")  # with the line it is on
_NO_TURN = re.compile(r' transform="rotate\(-?0 [-\d.]+ [-\d.]+\)"')


def _lean(svg: str) -> str:
    """matplotlib's SVG without what draws nothing but costs WeasyPrint time on every page it prints
    (an eighth of a chart's printing): the RDF metadata, empty groups, a group around each artist that only
    names it (`<g id="xtick_1">`), and every label's turn by zero degrees. Groups with a style, clip or transform stay.
    """
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    named_only = []  # for each open group: whether it only names an artist, so its tags are dropped

    def tag(match: re.Match) -> str:
        if match.group(1) == "</g>":
            return "" if named_only.pop() else match.group()
        if match.group(1).endswith("/>"):  # an empty group: nothing to draw
            return ""
        named_only.append(re.fullmatch(r'<g id="[^"]*">', match.group(1)) is not None)
        return "" if named_only[-1] else match.group()

    return _NO_TURN.sub("", _GROUP.sub(tag, svg))


def _png(fig, chart_id: str, title: str, alt: str) -> Chart:
    """Save `fig` as a PNG at twice the size it is shown at (sharp on high-density screens), in 64 colours:
    a quarter of the bytes of full colour and no visible difference in flat charts, for every message."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    width, height = fig.get_size_inches()
    fig.set_dpi(2 * PNG_WIDTH / width)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image = image.convert("RGB").quantize(64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    src = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Chart(chart_id, title, alt, src, PNG_WIDTH, round(PNG_WIDTH * height / width))


def _gap_word(balances: list[int]) -> str:
    """'deficit' or 'surplus' when every month was one, else 'balance'."""
    if all(b < 0 for b in balances):
        return "deficit"
    return "surplus" if all(b > 0 for b in balances) else "balance"


def _label(name: str) -> str:
    """'the United Kingdom' reads 'United Kingdom' on an axis."""
    return capfirst(name.removeprefix("the "))


def _label_es(name: str) -> str:
    """'el Reino Unido' reads 'Reino Unido' on an axis."""
    for article in ("el ", "la ", "los ", "las "):
        name = name.removeprefix(article)
    return capfirst(name)


def _unit(values: list[int]) -> tuple[float, str]:
    """Dollars per axis unit and the unit's note: billions, or millions for a partner whose figures are all
    smaller than a billion (ticks of 20 and 40, not 0.02 and 0.04)."""
    return (BILLION, "$ billions") if max(map(abs, values), default=0) >= BILLION else (1e6, "$ millions")


def _bar_amount(dollars: int, locale: str) -> str:
    """A bar's figure as the story rounds it: 837.6 (the axis is in billions), or "$728 million" spelled out."""
    amount, unit = shown(dollars)
    if unit == "billion":
        return format_decimal(amount, format="#,##0.0", locale=locale)
    return money_es(dollars) if locale.startswith("es") else money(dollars, locale)


def _number(value: float, locale: str, pattern: str) -> str:
    """An axis number in the locale, with a true minus sign (and none on a zero that is -1e-15)."""
    return format_decimal(round(value, 3) + 0.0, format=f"{pattern};−{pattern}", locale=locale)


def products(facts: ReporterFacts, locale: str, voice: Voice) -> Chart:
    """Horizontal bars of each flow's largest products by value, largest on top, with their amounts."""
    who, reporter = facts.partner.display_name, facts.reporter.display_name
    quien, nombre = spanish_name(facts.partner), spanish_name(facts.reporter)
    labels = {(m.flow, x.name): _wrapped(x.name, x.name_es) for m in facts.products for x in m.lines}
    heights = [0.45 + 0.26 * len(m.lines) + 0.1 * sum("\n" in labels[(m.flow, x.name)] for x in m.lines)
               for m in facts.products]
    height = 0.35 + sum(heights) + CREDIT
    left = _label_room(labels.values(), 2.4)
    fig = _bare_figure(height)
    top = 1 - 0.3 / height
    for m, panel in zip(facts.products, heights):
        top -= panel / height
        ax = fig.add_axes((left / WIDTH, top + 0.05 / height, 1 - (left + 0.1) / WIDTH, (panel - 0.4) / height))
        positions = list(range(len(m.lines) - 1, -1, -1))
        values = [x.value for x in m.lines]
        bars = ax.barh(positions, values, height=0.66, color=[ACCENT if m.flow == "export" else GREY] * len(values),
                       clip_on=False)
        ax.bar_label(bars, [say(money(v, locale), money_cell_es(v)) for v in values],
                     padding=3, fontsize=FONT - 0.5, color=INK)
        ax.yaxis.set_visible(False)
        for position, x in zip(positions, m.lines):
            _right_aligned(ax, position, labels[(m.flow, x.name)].split("\n"))
        ax.set_title(say(f"{'Imports from' if m.flow == 'import' else 'Exports to'} {who} ({m.level})",
                         f"{'Importaciones desde' if m.flow == 'import' else 'Exportaciones hacia'} {quien} "
                         f"({m.level})"), loc="left", fontsize=FONT, fontweight="bold", color=INK)
        ax.set_xlim(0, max(values) * 1.6)  # room for the amounts
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.spines["left"].set_color(MUTED)
    when, cuando = period_label(facts.period, locale), period_label_es(facts.period)
    fig.text(0.02 / WIDTH, 1 - 0.06 / height, say(f"Largest products by value, {when}",
                                                   f"Principales productos por valor, {cuando}"),
             ha="left", va="top", fontsize=FONT - 0.5, color=MUTED, parse_math=False)
    return _chart(fig, "chart-products",
                  say(f"{capfirst(reporter)}'s trade with {who} by product, {when}",
                      f"Comercio {de_es(nombre)} con {quien} por producto, {cuando}"),
                  say(f"Bar chart: the largest products of {reporter}'s exports to and imports from {who} in {when}, "
                      "by value",
                      f"Gráfica de barras: los principales productos de las exportaciones {de_es(nombre)} hacia "
                      f"{quien} y de sus importaciones desde ese país en {cuando}, por valor"),
                  credit=voice.credit, credit_es=voice.credit_es)


def _right_aligned(ax, position: float, lines: list[str]) -> None:
    """A label's lines at the left of the axis, each one text anchored at its right end, so that the Spanish that
    `in_language` puts in its place stays right-aligned however long it is (a multi-line text is placed line by
    line from the English widths)."""
    step = FONT * 1.2
    for index, line in enumerate(lines):
        ax.annotate(line, (0, position), xycoords=("axes fraction", "data"), textcoords="offset points",
                    xytext=(-PAD, ((len(lines) - 1) / 2 - index) * step), ha="right", va="center", fontsize=FONT,
                    color=INK, annotation_clip=False)


def _wrapped(name: str, name_es: str, width: int = 26) -> str:
    """A product's axis label in lines of at most `width` characters, with its Spanish in as many lines (each line
    is one SVG text that `in_language` swaps): as many as the longer language needs, each language split as evenly
    as that allows; both on one line if one cannot be split so. A product with no Spanish name keeps its English
    one in both editions."""
    english, spanish = _label(name), capfirst(name_es) if name_es else _label(name)
    count = max(len(textwrap.wrap(text, width)) for text in (english, spanish))

    def split(text: str) -> list[str] | None:
        narrowest = next((w for w in range(1, width + 1) if len(textwrap.wrap(text, w)) == count), None)
        return textwrap.wrap(text, narrowest) if narrowest else None

    lines, lineas = split(english), split(spanish)
    if lines is None or lineas is None:
        lines, lineas = [english], [spanish]
    for en, es in zip(lines, lineas):
        say(en, es)
    return "\n".join(lines)
