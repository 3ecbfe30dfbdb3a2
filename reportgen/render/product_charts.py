"""The products chart of a briefing from another reporter's side: what its exports to and imports from the
partner were made of, one panel a flow, drawn from the product mix analysis made (it computes nothing)."""

from __future__ import annotations

import textwrap

from reportgen.models import ReporterFacts
from reportgen.render.charts import ACCENT, FONT, GREY, INK, MUTED, WIDTH, Chart, _bare_figure, _chart, _label, _widest
from reportgen.render.format import capfirst, money, period_label


def products(facts: ReporterFacts, locale: str, credit: str) -> Chart:
    """Horizontal bars of each flow's largest products by value, largest on top, with their amounts."""
    who, reporter = facts.partner.display_name, facts.reporter.display_name
    labels = {(m.flow, x.name): "\n".join(textwrap.wrap(_label(x.name), 26)) for m in facts.products for x in m.lines}
    heights = [0.45 + 0.26 * len(m.lines) + 0.1 * sum("\n" in labels[(m.flow, x.name)] for x in m.lines)
               for m in facts.products]
    height = 0.35 + sum(heights) + 0.22
    left = min(_widest(list(labels.values())) / 72 + 0.15, 2.2)
    fig = _bare_figure(height)
    top = 1 - 0.3 / height
    for m, panel in zip(facts.products, heights):
        top -= panel / height
        ax = fig.add_axes((left / WIDTH, top + 0.05 / height, 1 - (left + 0.1) / WIDTH, (panel - 0.4) / height))
        positions = list(range(len(m.lines) - 1, -1, -1))
        values = [x.value for x in m.lines]
        bars = ax.barh(positions, values, height=0.66, color=[ACCENT if m.flow == "export" else GREY] * len(values))
        ax.bar_label(bars, [money(v, locale) for v in values],
                     padding=3, fontsize=FONT - 0.5, color=INK)
        ax.set_yticks(positions, [labels[(m.flow, x.name)] for x in m.lines])
        ax.tick_params(labelsize=FONT, colors=INK, length=0, pad=4)
        ax.set_title(f"{'Imports from' if m.flow == 'import' else 'Exports to'} {who} ({m.level})", loc="left",
                     fontsize=FONT, fontweight="bold", color=INK)
        ax.set_xlim(0, max(values) * 1.6)  # room for the amounts
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.spines["left"].set_color(MUTED)
    when = period_label(facts.period, locale)
    fig.text(0.02 / WIDTH, 1 - 0.06 / height, f"Largest products by value, {when}", ha="left", va="top",
             fontsize=FONT - 0.5, color=MUTED, parse_math=False)
    return _chart(fig, "chart-products", f"{capfirst(reporter)}'s trade with {who} by product, {when}",
                  f"Bar chart: the largest products of {reporter}'s exports to and imports from {who} in {when}, "
                  "by value", credit=credit)
