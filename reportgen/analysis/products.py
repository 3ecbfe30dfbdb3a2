"""Product composition of one flow with a partner, from HS detail: pandas' work.

Detail tables run to HS6 x partners x years (10^5-10^6 rows), where a DataFrame's grouping pays for
its import; a plain Census briefing never imports this module (nor pandas). Codes are summed into the
products a reader names (`data/product_groups.csv`: 870840 and 870850 are "gear boxes and drive axles
for vehicles"); a code no group holds stands on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

import pandas as pd

from reportgen.analysis.changes import percent
from reportgen.models import ProductLine, ProductMix
from reportgen.periods import Period
from reportgen.rounding import shown

COLUMNS = ["partner", "flow", "period", "code", "value"]
MANY_FOLD = 5  # a product that grew this many times over is "up from less than $5 million": its base is small
UNITS = {"": 1, "million": 10**6, "billion": 10**9, "trillion": 10**12}
LADDER = tuple(step * 10**power for power in range(3, 15) for step in (1, 2, 5))  # $1,000 ... $500 trillion


def detail_frame(rows: Iterable[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    """Detail rows (partner, flow, period, HS code, dollars) as a DataFrame with compact columns."""
    frame = pd.DataFrame.from_records(list(rows), columns=COLUMNS)
    for column in ("partner", "flow", "period", "code"):
        frame[column] = frame[column].astype("category")
    frame["value"] = frame["value"].astype("int64")
    return frame


def level(frame: pd.DataFrame, partner: str, flow: str, period: Period) -> int | None:
    """The finest HS level (number of digits) the partner's flow has in the period; levels are never mixed,
    which would count a product twice."""
    codes = frame.loc[(frame["partner"] == partner) & (frame["flow"] == flow) & (frame["period"] == period.key), "code"]
    return max((len(str(code)) for code in codes.unique()), default=None)


def group_key(code: str, groups: Mapping[str, str]) -> str:
    """The group a code belongs to (the longest group code it starts with), or the code itself."""
    for digits in range(len(code), 1, -1):
        if code[:digits] in groups:
            return groups[code[:digits]]
    return code


def product_mix(frame: pd.DataFrame, partner: str, flow: str, period: Period, base: Period | None, *, total: int,
                groups: Mapping[str, str], name: Callable[[str], str], top: int = 5,
                spanish: Callable[[str], str] = lambda key: "") -> ProductMix | None:
    """The `top` products of one flow with the partner in the period, with their share of the flow's total and
    their growth since `base`; None when the store has no detail for it. `spanish` names a group (or a code) in
    Spanish, '' where it cannot."""
    digits = level(frame, partner, flow, period)
    if digits is None:
        return None
    keys = [period.key] + ([base.key] if base else [])
    rows = frame.loc[(frame["partner"] == partner) & (frame["flow"] == flow) & frame["period"].isin(keys)]
    rows = rows.loc[rows["code"].astype(str).str.len() == digits]
    codes = rows["code"].astype(str)
    rows = rows.assign(code=codes, line=codes.map(lambda code: group_key(code, groups)),
                       period=rows["period"].astype(str))
    table = rows.pivot_table(index="line", columns="period", values="value", aggfunc="sum", fill_value=0)
    members = rows.loc[rows["period"] == period.key].groupby("line")["code"].agg(lambda c: tuple(sorted(set(c))))
    has_base = base is not None and base.key in table.columns
    now = table[period.key]
    now = now[now > 0]
    order = sorted(now.items(), key=lambda item: (-int(item[1]), item[0]))[:top]
    lines = []
    for key, value in order:
        value = int(value)
        then = int(table.at[key, base.key]) if has_base else None
        lines.append(ProductLine(
            name=name(key) if key not in groups.values() else key, codes=members[key], value=value,
            share=value / total * 100 if total else None, base_value=then,
            growth_pct=percent(value, then) if then else None,
            base_below=below(then) if then and value >= MANY_FOLD * then else None, name_es=spanish(key)))
    return ProductMix(flow=flow, level=f"HS{digits}", total=total, lines=tuple(lines), base=base if has_base else None)


def below(dollars: int) -> int:
    """The smallest round amount ($1, $2 or $5 times a power of ten) above `dollars` as a reader sees it rounded:
    $3.7 million is "less than $5 million", but $4.96 million, shown as $5.0 million, is "less than $10 million"."""
    amount, unit = shown(dollars)
    seen = amount * UNITS[unit]
    return next(step for step in LADDER if Decimal(step) > seen)
