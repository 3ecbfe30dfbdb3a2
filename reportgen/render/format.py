"""Jinja2 filters that phrase numbers and periods in house style (AP), with Babel underneath.

Filters format; they never compute a figure the analysis did not make.
"""

from __future__ import annotations

from decimal import Decimal

from babel.dates import get_month_names
from babel.numbers import format_decimal

from reportgen.models import Comparison
from reportgen.periods import Period
from reportgen.rounding import round_half_up, shown

PLACES = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth",
          9: "ninth"}


def money(dollars: int | None, locale: str = "en_US") -> str:
    """AP-style dollars, rounded by the house rule (reportgen.rounding): $168.6 billion, $297.0 billion,
    $49 million, $4.5 million, $850,000.

    The sign is dropped: prose says "a deficit of", never "$-168.6 billion".
    """
    if dollars is None:
        return "n/a"
    amount, unit = shown(dollars)
    places = max(0, -amount.as_tuple().exponent)  # as many decimals as the rounding kept: 297.0, 49
    number = format_decimal(amount, format="#,##0" + ("." + "0" * places if places else ""), locale=locale)
    return f"${number} {unit}" if unit else f"${number}"


def money_cell(dollars: int | None, locale: str = "en_US") -> str:
    """Dollars in a table cell: as in prose in English; the Spanish edition abbreviates its longer units."""
    return money(dollars, locale)


def money_bound(dollars: int, locale: str = "en_US") -> str:
    """A round bound as a sentence gives it ("less than $5 million"): an exact amount, so with no decimal the
    house rounding would add ($5.0 million)."""
    amount, unit = shown(dollars)
    number = format_decimal(amount, format="#,##0.###", locale=locale)
    return f"${number} {unit}" if unit else f"${number}"


def money_table(dollars: int | None, locale: str = "en_US") -> str:
    """Millions with one decimal, for tables: 26,511.5 (sign kept)."""
    if dollars is None:
        return "–"
    return format_decimal(round_half_up(Decimal(int(dollars)) / 10**6, 1), format="#,##0.0;−#,##0.0", locale=locale)


def pct(value: float | None, locale: str = "en_US") -> str:
    """One-decimal percentage of a magnitude: 13.6% (the sign is phrased by words)."""
    if value is None:
        return "n/a"
    return format_decimal(round_half_up(Decimal(repr(abs(value))), 1), format="#,##0.0", locale=locale) + "%"


def points(value: float | None, locale: str = "en_US") -> str:
    """A contribution in percentage points, one decimal, sign in words: '6.0 percentage points'."""
    if value is None:
        return "n/a"
    number = pct(value, locale).removesuffix("%")
    return f"{number} percentage point{'' if number == format_decimal(1, format='0.0', locale=locale) else 's'}"


def signed(value: float | None, locale: str = "en_US") -> str:
    """+3.1, −2.7 (a true minus sign), 0.0: a change for tables."""
    if value is None:
        return "n/a"
    text = pct(value, locale).removesuffix("%")
    return text if text.strip("0.,") == "" else ("+" if value > 0 else "−") + text


def signed_pct(value: float | None, locale: str = "en_US") -> str:
    """+3.1%, −2.7%, for tables."""
    return signed(value, locale) + ("%" if value is not None else "")


def balance_amount(balance: int, locale: str = "en_US") -> str:
    """A balance in a table: '$168.6 billion deficit', '$2.1 billion surplus', or 'balanced'."""
    if not balance:
        return "balanced"
    return f"{money(balance, locale)} {'deficit' if balance < 0 else 'surplus'}"


def balance_change(comparison: Comparison, locale: str = "en_US") -> str:
    """How the balance moved, in a table: 'widened 13.6%', 'narrowed 2.0%', 'unchanged 0.0%'; 'reversed' for a
    deficit that became a surplus or back, 'n/a' for a gap that opened from or closed to zero (no percentage
    measures those)."""
    if comparison.balance_trend == "reversed":
        return "reversed"
    if comparison.change_pct["balance"] is None:
        return "n/a"
    return f"{comparison.balance_trend} {pct(comparison.change_pct['balance'], locale)}"


def month_name(month: int, locale: str = "en_US") -> str:
    return get_month_names("wide", locale=locale)[month]


def period_label(period: Period | str, locale: str = "en_US") -> str:
    """2024, January 2024, January-May 2024."""
    period = Period.parse(period) if isinstance(period, str) else period
    if period.kind == "year":
        return str(period.year)
    if period.kind == "month":
        return f"{month_name(period.month, locale)} {period.year}"
    return f"{month_name(1, locale)}–{month_name(period.month, locale)} {period.year}"


NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def period_prose(period: Period | str, locale: str = "en_US", *, article: bool = True) -> str:
    """A period as a sentence names it: '2024', 'May 2024', 'the first five months of 2024' (AP: figures
    from 10). Without the article, for headlines: 'first five months of 2024'."""
    period = Period.parse(period) if isinstance(period, str) else period
    if period.kind != "ytd":
        return period_label(period, locale)
    count = NUMBER_WORDS[period.month - 1] if period.month < 10 else str(period.month)
    return ("the " if article else "") + f"first {count} months of {period.year}"


def month_label(key: str, locale: str = "en_US") -> str:
    """'2024-05' -> 'May 2024'."""
    return f"{month_name(int(key[5:7]), locale)} {key[:4]}"


# AP style abbreviates the long month names only, with a period; March to July are spelled out.
AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


def date_label(moment: str, locale: str = "en_US", *, year: bool = True) -> str:
    """'2025-01-15T13:30:00Z' -> 'Jan. 15, 2025', or 'Jan. 15' without the year (AP style in English;
    the locale's long date otherwise)."""
    from datetime import date

    day = date.fromisoformat(moment[:10])
    if locale.split("_")[0] == "en":
        return f"{AP_MONTHS[day.month - 1]} {day.day}" + (f", {day.year}" if year else "")
    from babel.dates import format_date

    return format_date(day, format="long" if year else "d MMMM", locale=locale)


def time_label(moment: str, locale: str = "en_US") -> str:
    """'2026-11-23T13:00:00Z' -> 'Nov. 23, 2026, 13:00 UTC': a build time, as the sources box gives it."""
    return f"{date_label(moment, locale)}, {moment[11:16]} UTC"


def place(rank: int) -> str:
    """1 -> first, 9 -> ninth, 23 -> 23rd: AP style spells out one to nine."""
    if rank in PLACES:
        return PLACES[rank]
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def ordinal(rank: int) -> str:
    """1 -> top, 2 -> second-largest, 23 -> 23rd-largest."""
    return "top" if rank == 1 else f"{place(rank)}-largest"


def pct_prose(value: float | None, locale: str = "en_US") -> str:
    """A percentage as a sentence says it: '13.6%'; 'less than 0.1%' where one decimal would print
    0.0%; '34-fold' or 'more than 13-fold' for a rise of 900% or more, which no reader parses as a
    percentage."""
    if value is None:
        return pct(value, locale)
    if 0 < abs(value) < 0.05:
        return "less than " + pct(0.1, locale)
    if value >= 900:
        times = round(1 + value / 100, 6)
        return f"{times:.0f}-fold" if times == int(times) else f"more than {int(times)}-fold"
    return pct(value, locale)


def names(items) -> str:
    """['Canada', 'China', 'Japan'] -> 'Canada, China and Japan'."""
    items = [getattr(i, "name", i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def name(who) -> str:
    """A partner, neighbour or peer as its name reads in a sentence ("the Netherlands"): the Spanish edition's
    filter of the same name gives its Spanish name, so shared templates write `f.partner|name`."""
    return getattr(who, "display_name", None) or getattr(who, "name", str(who))


def short_name(partner) -> str:
    """A partner's name for labels, without its article: 'Netherlands' (the Spanish filter: 'Países Bajos')."""
    return getattr(partner, "short_name", None) or name(partner)


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def product(line) -> str:
    """A product line by the name English readers know it by: 'gear boxes and drive axles for vehicles'."""
    return line.name


def lowerfirst(text: str) -> str:
    """'Vehicles and parts' inside a sentence; names that start with an acronym ('HS 8714') keep it."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


FILTERS = {
    "money": money,
    "money_table": money_table,
    "money_cell": money_cell,
    "money_bound": money_bound,
    "pct": pct,
    "signed": signed,
    "signed_pct": signed_pct,
    "balance_amount": balance_amount,
    "balance_change": balance_change,
    "period_label": period_label,
    "period_prose": period_prose,
    "month_label": month_label,
    "month_name": month_name,
    "date_label": date_label,
    "time_label": time_label,
    "ordinal": ordinal,
    "place": place,
    "pct_prose": pct_prose,
    "names": names,
    "capfirst": capfirst,
    "lowerfirst": lowerfirst,
    "product": product,
    "points": points,
    "name": name,
    "short_name": short_name,
}
