"""Assemble the facts of one briefing: figures, changes, records, ranks, shares and chart series."""

from __future__ import annotations

from collections.abc import Callable, Collection

from reportgen.analysis.changes import compare
from reportgen.analysis.peers import peer, preference
from reportgen.analysis.ranks import Ranking, itemised, rank
from reportgen.analysis.records import records
from reportgen.analysis.table import TradeTable
from reportgen.errors import InputError
from reportgen.models import RANKED, ChartSeries, Facts, Figures, MonthRow, Neighbour, Partner, Provenance
from reportgen.partners import WORLD
from reportgen.periods import Period

# Periods before the base in which holding a place makes a return to it "regained" rather than "rose".
LOOKBACK = {"month": 12, "ytd": 2, "year": 2}


def build_facts(
    table: TradeTable,
    partner: Partner,
    period: Period,
    *,
    countries: Collection[str],
    name: Callable[[str], str],
    provenance: Provenance,
    residuals: Collection[str] = (),
    source_start: str = "",
    table_months: int = 13,
    top_partners: int = 10,
    detail: bool = True,
) -> Facts:
    """Everything that can be said about `partner` in `period`.

    `countries` are the codes that may be ranked, `residuals` the unallocated ones that with them make
    up the world total (ranks are given only for periods that list every partner), `name` gives a
    code's name for prose, and `source_start` is the first month the source publishes (records are only
    "records" that far). With `detail`, a monthly period also gets its year to date, and the table and
    chart series are made.
    """
    check_period(table, period)
    figures = table.figures(partner.code, period)
    if figures is None:
        span = table.span(partner.code)
        if span and (span[0] > period.months[0] or span[1] < period.last_month):  # a code that began or ended
            raise InputError(f"the store's figures for {partner.display_name} run from {span[0]} to {span[1]}, "
                             f"not over all of {period.key}")
        raise InputError(f"no {period.key} figures for {partner.short_name} in the store")
    if figures.total_trade == 0:
        raise InputError(f"the store records no U.S. trade with {partner.display_name} in {period.key}")

    before_period = period.year_earlier()
    before = table.figures(partner.code, before_period) if table.covers(before_period) else None
    year_ago = compare(figures, before, before_period) if before else None
    month_ago = None
    if period.kind == "month" and table.covers(period.month_earlier()):
        earlier = table.figures(partner.code, period.month_earlier())
        month_ago = compare(figures, earlier, period.month_earlier()) if earlier else None

    countries = frozenset(countries)

    def ranked(p: Period) -> bool:
        """Whether ranks can be given for `p`: its countries and residuals add up to the world total."""
        return table.covers(p) and itemised(table.values(p), table.figures(WORLD, p), countries, residuals)

    history = table.history(partner.code, period)
    base = period.month_earlier() if period.kind == "month" else before_period
    lookback, p = [], base
    for _ in range(LOOKBACK[period.kind]):
        p = p.month_earlier() if period.kind == "month" else p.year_earlier()
        if ranked(p):
            lookback.append(p)
    ranks = {}
    def ranking(p: Period, measure: str) -> Ranking | None:
        return table.ranking(p, measure, countries) if ranked(p) else None

    for measure in RANKED if ranked(period) else ():
        r = rank(partner.code, measure, ranking(period, measure), name, year_ago=ranking(before_period, measure),
                 base=base, at_base=ranking(base, measure), lookback=[(p, ranking(p, measure)) for p in lookback])
        if r is not None:
            ranks[measure] = r

    ytd = None
    if detail and period.kind == "month" and period.month > 1:
        ytd = build_facts(table, partner, period.year_to_date(), countries=countries, name=name,
                          provenance=provenance, residuals=residuals, source_start=source_start, detail=False)
    values = table.values(period)
    return Facts(
        partner=partner,
        period=period,
        figures=figures,
        year_ago=year_ago,
        month_ago=month_ago,
        records=records(history, before),
        ranks=ranks,
        share=shares(figures, table.figures(WORLD, period)),
        history_start=history[0][0],
        history_is_partial=bool(source_start) and history[0][0].months[0] > source_start,
        latest_month=table.latest_month,
        table=month_table(table, partner.code, period, table_months) if detail else [],
        charts=chart_series(table, partner.code, period, countries, name, top_partners, ranked=ranked(period))
        if detail else None,
        provenance=provenance,
        ytd=ytd,
        peer=peer(ranks.get("total_trade"), values, name),
        preference=preference(partner.code, figures, lambda code: table.within(code, period)),
    )


def check_period(table: TradeTable, period: Period) -> None:
    """Fail with the range the store holds when a period is outside it."""
    if not table.latest_month:
        raise InputError("the store holds no figures yet; run `reportgen collect`")
    if period.last_month > table.latest_month:
        raise InputError(f"no data for {period.key} yet: the latest available period is {table.latest_month}")
    if period.months[0] < table.first_month:
        raise InputError(f"no data for {period.key}: the store's figures start in {table.first_month}")


def shares(figures: Figures, world: Figures | None) -> dict[str, float | None]:
    """The partner's percent of U.S. exports, imports and total trade with the world."""
    if world is None:
        return {"exports": None, "imports": None, "total_trade": None}
    return {m: (figures[m] / world[m] * 100 if world[m] else None) for m in ("exports", "imports", "total_trade")}


def month_table(table: TradeTable, partner: str, period: Period, count: int) -> list[MonthRow]:
    rows = table.month_rows(partner, period.last_month, count)
    return [MonthRow(key, f.exports, f.imports, f.balance) for key, f in rows]


def chart_series(table: TradeTable, partner: str, period: Period, countries: Collection[str],
                 name: Callable[[str], str], top: int, *, ranked: bool = True) -> ChartSeries:
    def balances(year: int, last: int) -> list[tuple[int, int]]:
        rows = table.month_rows(partner, f"{year}-{last:02d}", last)
        return [(int(key[5:]), f.balance) for key, f in rows if key.startswith(f"{year}-")]

    annual = [(p.year, f.exports, f.imports) for p, f in table.history(partner, Period(period.year))]
    if period.kind != "year" and period.month < 12:
        annual = [a for a in annual if a[0] < period.year]
    leaders = table.ranking(period, "total_trade", frozenset(countries)).order if ranked else []
    shown = [Neighbour(code, name(code), value) for code, value in leaders[:top]]
    if shown and partner not in {n.code for n in shown}:
        shown += [Neighbour(code, name(code), value) for code, value in leaders if code == partner]
    return ChartSeries(
        balance_this_year=balances(period.year, period.month),
        balance_last_year=balances(period.year - 1, 12),
        annual=annual,
        top_partners=shown,
    )
