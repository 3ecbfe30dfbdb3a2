"""Analyse briefings from any reporter's side: its figures as it reported them to UN Comtrade, with the same
trade as the partner reported it where the store holds both sides.

The United States (Census) stays the default reporter: `reporter_of()` returns None for it and the
caller takes the Census path (`pipeline.briefing`), untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportgen.analysis import reporter as analysis
from reportgen.analysis.table import TradeTable
from reportgen.commodities import commodity_name, product_groups, product_name_es
from reportgen.config import Config
from reportgen.errors import InputError
from reportgen.models import Figures, Partner, ProductMix, Provenance, ReporterFacts, Total
from reportgen.partners import Registry, bundled, means_united_states
from reportgen.periods import Period
from reportgen.pipeline.briefing import FORMATS, publish, source_for
from reportgen.store import Store

COMTRADE = "comtrade"
LEVELS = (6, 4, 2)  # HS digits of product detail read for a briefing
TOP_PRODUCTS = 5


def registry_for(store: Store) -> Registry:
    """The partners a reporter's figures may name: the bundled registry (the United States included) and those
    collected files added."""
    return bundled().with_extra(store.partners())


def reporter_of(text: str | None, registry: Registry) -> Partner | None:
    """The reporter a user named (MX, MEX, Mexico), or None for the United States, whose figures are Census's."""
    if text is None or means_united_states(text):
        return None
    try:
        who = registry.resolve(text)
    except InputError as exc:
        raise InputError(str(exc).replace("unknown partner", "unknown reporter", 1)) from None
    if who.code == "USA":
        return None
    if not who.is_country:
        raise InputError(f"{who.name} is not a country; a reporter is a country that reports its own trade")
    return who


def is_other_reporter(config: Config, text: str | None) -> bool:
    """Whether `--reporter` names a reporter other than the United States (without opening the store for it)."""
    if text is None or means_united_states(text):
        return False
    registry = bundled()
    if config.db_path.exists():
        with Store(config.db_path) as store:
            registry = registry_for(store)
    return reporter_of(text, registry) is not None


@dataclass
class _Side:
    """One side's country totals for the period: figures and the vintage that gave them."""

    figures: Figures
    provenance: Provenance


def facts(config: Config, reporter: str, partner: str, period: str | Period) -> ReporterFacts:
    """The facts of a briefing on `partner` from `reporter`'s side, for a calendar year."""
    from reportgen.analysis.products import detail_frame, product_mix

    when = period if isinstance(period, Period) else Period.parse(period)
    if when.kind != "year":
        raise InputError(f"period {when.key!r}: briefings from a reporter other than the United States are annual; "
                         "give a year (2016)")
    if not config.db_path.exists():
        raise InputError("the store holds no Comtrade figures yet; run `reportgen collect --source comtrade`")
    with Store(config.db_path) as store:
        registry = registry_for(store)
        who = reporter_of(reporter, registry)
        if who is None:
            raise ValueError("the United States' briefings are Census's: use pipeline.facts()")
        other = registry.partner(partner, reporter=who.code)
        if other.code == who.code:
            raise InputError(f"{who.short_name} is the reporter; name another country as its partner")
        rows = [row for row in store.iter_totals(COMTRADE, reporter=who.code) if len(row.period) == 4]
        if not rows:
            raise InputError(f"the store holds no annual figures reported by {who.short_name}; run "
                             f"`reportgen collect --source comtrade --reporter {who.iso2 or who.code}`")
        years = sorted({int(row.period) for row in rows})
        table = analysis.annual_table(rows, years[0], years[-1])
        provenance = _provenance(store, COMTRADE, rows, when, basis=f"Goods, as {who.short_name} reported them; "
                                 "not seasonally adjusted")
        lines = [tuple(line[:5]) for digits in LEVELS
                 for line in store.detail(COMTRADE, digits, other.code, reporter=who.code) if len(line.period) == 4]
        descriptions = store.descriptions()
        mirrored = _mirror_side(store, config, who, other, when)
    countries = frozenset(p.code for p in registry if p.is_country)
    residuals = frozenset(p.code for p in registry if p.kind == "unallocated")
    result = analysis.reporter_facts(table, who, other, when, countries=countries, residuals=residuals,
                                     name=registry.name, provenance=provenance,
                                     top_partners=config.briefing.top_partners)
    leaders = analysis.balance_leaders(table.values(when), countries, registry.name) \
        if analysis.ranked(table, when, countries, residuals) else (None, None)
    growth = analysis.decade_growth(table, other.code, when)
    products: list[ProductMix] = []
    if lines:
        frame = detail_frame(lines)
        base = growth.period if growth else None
        for flow, total in (("export", result.figures.exports), ("import", result.figures.imports)):
            mix = product_mix(frame, other.code, flow, when, base, total=total, groups=product_groups(),
                              name=lambda code: commodity_name(code, descriptions.get(code, "")), top=TOP_PRODUCTS,
                              spanish=product_name_es)
            if mix is not None and mix.lines:
                products.append(mix)
    mirror = None
    if mirrored is not None:
        mirror = analysis.mirror(result.figures, mirrored.figures, source=mirrored.provenance.source,
                                 provenance=mirrored.provenance)
    return ReporterFacts(reporter=who, facts=result, surplus=leaders[0], deficit=leaders[1], growth=growth,
                         products=tuple(products), mirror=mirror)


def _provenance(store: Store, source: str, rows: list[Total], period: Period, *, basis: str) -> Provenance:
    """The newest vintage among the rows of the period: the release its figures come from."""
    seq = max((row.seq for row in rows if row.period.startswith(str(period.year))), default=None)
    v = store.vintage_at(source, seq) if seq is not None else store.vintage(source)
    return Provenance(source=v.source, vintage=v.label, published=v.published, origin=v.origin, sha256=v.sha256,
                      collected_at=v.collected_at, basis=basis, note=v.note)


def _mirror_side(store: Store, config: Config, reporter: Partner, partner: Partner, period: Period) -> _Side | None:
    """The partner's own report of its trade with the reporter in the period, if the store holds it: Census for
    the United States, the partner's Comtrade figures otherwise."""
    if partner.code == "USA":
        source = source_for(store, config, period)
        if store.is_empty(source):
            return None
        rows = store.totals(source, partner=reporter.code, years=(period.year, period.year))
        table = TradeTable(rows, months=store.month_range(source))
        basis = "Census basis, goods, not seasonally adjusted"
    else:
        source = COMTRADE
        rows = [row for row in store.totals(source, reporter=partner.code, partner=reporter.code,
                                            years=(period.year, period.year)) if len(row.period) == 4]
        table = analysis.annual_table(rows, period.year, period.year) if rows else None
        basis = f"Goods, as {partner.short_name} reported them; not seasonally adjusted"
    found = table.figures(reporter.code, period) if table is not None and table.covers(period) else None
    if found is None or not found.total_trade:
        return None
    return _Side(found, _provenance(store, source, rows, period, basis=basis))


def build(config: Config, reporter: str, partner: str, period: str, formats: Iterable[str] = FORMATS,
          out_dir: Path | None = None, languages: Iterable[str] | None = None) -> list[Path]:
    """analyse -> write, for a briefing from `reporter`'s side (into the archive without `out_dir`), in
    `languages` (the config's by default)."""
    return publish(config, facts(config, reporter, partner, period), formats, out_dir, languages)
