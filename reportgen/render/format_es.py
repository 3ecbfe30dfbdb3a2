"""Jinja2 filters that phrase numbers, periods and partners in Mexican house style, for the Spanish edition.

The same house rounding as English (reportgen.rounding), so every figure reads the same in both
editions and the self-check traces it: "168.6 mil millones de dólares", "49 millones de dólares",
"1 millón de dólares"; a U.S. trillion is a Spanish "billón". Numbers take the point as decimal mark and
the comma between thousands, as Mexican newspapers print them; a number of four digits is not grouped in
prose (1809, as Spanish style writes it; Babel's es_MX would print 1,809), but is in a table's column.
"""

from __future__ import annotations

from decimal import Decimal

from babel.dates import get_month_names
from babel.numbers import format_decimal

from reportgen.models import Comparison
from reportgen.partners import bundled
from reportgen.periods import Period
from reportgen.render import format as en
from reportgen.rounding import round_half_up, shown

LOCALE = "es_MX"
# The unit of a shown amount in words: singular for one ("1.0 billón", "1 millón"), plural otherwise.
UNITS = {"trillion": ("billón", "billones"), "billion": ("mil millones", "mil millones"),
         "million": ("millón", "millones")}
NUMBER_WORDS = ("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once")
ORDINALS = ("primer", "segundo", "tercer", "cuarto", "quinto", "sexto", "séptimo", "octavo", "noveno")
TRENDS = {"widened": "se amplió", "narrowed": "se redujo", "unchanged": "sin cambio", "reversed": "cambió de signo"}


def number(amount: Decimal | int | float, places: int = 0, locale: str = LOCALE, *, column: bool = False) -> str:
    """A number as Mexican style prints it: 12,345.6, 1809, 0.5; in a table `column`, four digits are grouped too
    (9,461.8 under 10,517.4), as Spanish style allows for alignment. A minus sign is the caller's to add."""
    pattern = ("#,##0" if column or abs(amount) >= 10_000 else "0") + ("." + "0" * places if places else "")
    return format_decimal(amount, format=pattern, locale=locale)


def money(dollars: int | None, locale: str = LOCALE) -> str:
    """'168.6 mil millones de dólares', '49 millones de dólares', '850,000 dólares' (sign dropped, as in English)."""
    if dollars is None:
        return "n/d"
    amount, unit = shown(dollars)
    return _dollars(amount, unit, max(0, -amount.as_tuple().exponent), locale)


# Mexican financial style in tables: mdd (millones de dólares), mmdd (miles de millones), bdd (billones).
SHORT_UNITS = {"trillion": "bdd", "billion": "mmdd", "million": "mdd"}


def money_cell(dollars: int | None, locale: str = LOCALE) -> str:
    """Dollars in a table cell: '168.6 mmdd', '49 mdd', '850,000 dólares'."""
    if dollars is None:
        return "n/d"
    amount, unit = shown(dollars)
    text = number(amount, max(0, -amount.as_tuple().exponent), locale)
    return f"{text} {SHORT_UNITS[unit]}" if unit else f"{text} dólares"


def money_bound(dollars: int, locale: str = LOCALE) -> str:
    """A round bound, with no decimal the rounding would add: 'menos de 5 millones de dólares'."""
    amount, unit = shown(dollars)
    amount = amount.normalize() if amount == amount.to_integral() else amount
    return _dollars(amount, unit, max(0, -amount.as_tuple().exponent), locale)


def _dollars(amount: Decimal, unit: str, places: int, locale: str) -> str:
    text = number(amount, places, locale)
    if not unit:
        return f"{text} {'dólar' if amount == 1 else 'dólares'}"
    one, many = UNITS[unit]
    return f"{text} {one if amount == 1 else many} de dólares"


def money_table(dollars: int | None, locale: str = LOCALE) -> str:
    """Millions with one decimal, for tables: 26,511.5, −9,461.8."""
    if dollars is None:
        return "–"
    value = round_half_up(Decimal(int(dollars)) / 10**6, 1)
    return ("−" if value < 0 else "") + number(abs(value), 1, locale, column=True)


def pct(value: float | None, locale: str = LOCALE) -> str:
    """13.6%: one decimal, the sign said in words."""
    if value is None:
        return "n/d"
    return number(round_half_up(Decimal(repr(abs(value))), 1), 1, locale) + "%"


def points(value: float | None, locale: str = LOCALE) -> str:
    """'6.0 puntos porcentuales', '1.0 punto porcentual'."""
    if value is None:
        return "n/d"
    text = pct(value, locale).removesuffix("%")
    return f"{text} {'punto porcentual' if text == '1.0' else 'puntos porcentuales'}"


def signed(value: float | None, locale: str = LOCALE) -> str:
    """+3.1, −2.7, 0.0: a change for tables."""
    if value is None:
        return "n/d"
    text = pct(value, locale).removesuffix("%")
    return text if text.strip("0.,") == "" else ("+" if value > 0 else "−") + text


def signed_pct(value: float | None, locale: str = LOCALE) -> str:
    return signed(value, locale) + ("%" if value is not None else "")


def balance_amount(balance: int, locale: str = LOCALE) -> str:
    """A balance in a table: 'déficit de 168.6 mmdd', 'superávit de 2.1 mmdd', or 'equilibrio'."""
    if not balance:
        return "equilibrio"
    return f"{'déficit' if balance < 0 else 'superávit'} de {money_cell(balance, locale)}"


def balance_change(comparison: Comparison, locale: str = LOCALE) -> str:
    """'se amplió 13.6%', 'se redujo 2.0%', 'cambió de signo', 'n/d' (a gap that opened or closed)."""
    if comparison.balance_trend == "reversed":
        return TRENDS["reversed"]
    if comparison.change_pct["balance"] is None:
        return "n/d"
    return f"{TRENDS[comparison.balance_trend]} {pct(comparison.change_pct['balance'], locale)}"


def month_name(month: int, locale: str = LOCALE) -> str:
    """'enero': Spanish writes month names in lower case."""
    return get_month_names("wide", locale=locale)[month]


def period_label(period: Period | str, locale: str = LOCALE) -> str:
    """2024, enero de 2024, enero–mayo de 2024."""
    period = Period.parse(period) if isinstance(period, str) else period
    if period.kind == "year":
        return str(period.year)
    if period.kind == "month":
        return f"{month_name(period.month, locale)} de {period.year}"
    return f"{month_name(1, locale)}–{month_name(period.month, locale)} de {period.year}"


def period_prose(period: Period | str, locale: str = LOCALE, *, article: bool = True) -> str:
    """'2024', 'mayo de 2024', 'los primeros cinco meses de 2024'; in a headline (no article) the span as the
    Mexican press heads it: 'enero-mayo de 2024'."""
    period = Period.parse(period) if isinstance(period, str) else period
    if period.kind != "ytd":
        return period_label(period, locale)
    if not article:
        return f"{month_name(1, locale)}-{month_name(period.month, locale)} de {period.year}"
    return f"los primeros {NUMBER_WORDS[period.month - 1]} meses de {period.year}"


def month_label(key: str, locale: str = LOCALE) -> str:
    """'2024-05' -> 'mayo de 2024'."""
    return f"{month_name(int(key[5:7]), locale)} de {key[:4]}"


def date_label(moment: str, locale: str = LOCALE, *, year: bool = True) -> str:
    """'2025-10-01T13:30:00Z' -> '1 de octubre de 2025', or '1 de octubre' without the year."""
    from datetime import date

    day = date.fromisoformat(moment[:10])
    return f"{day.day} de {month_name(day.month, locale)}" + (f" de {day.year}" if year else "")


def time_label(moment: str, locale: str = LOCALE) -> str:
    """'2026-11-23T13:00:00Z' -> '23 de noviembre de 2026, 13:00 UTC'."""
    return f"{date_label(moment, locale)}, {moment[11:16]} UTC"


def place(rank: int, feminine: bool = False) -> str:
    """2 -> 'segundo', 3 -> 'tercer' (before a masculine noun: 'el tercer lugar'), 23 -> '23.º';
    'segunda', 'tercera' for a feminine one."""
    if rank > len(ORDINALS):
        return f"{rank}.{'ª' if feminine else 'º'}"
    word = ORDINALS[rank - 1]
    if not feminine:
        return word
    return (word[:-1] if word.endswith("o") else word) + ("a" if not word.endswith("a") else "")


def ordinal(rank: int, feminine: bool = False) -> str:
    """1 -> 'principal', 2 -> 'segundo mayor' ('el segundo mayor socio'), 3 -> 'tercer mayor', 23 -> '23.º mayor';
    feminine ('la segunda mayor fuente') when asked."""
    return "principal" if rank == 1 else f"{place(rank, feminine)} mayor"


def pct_prose(value: float | None, locale: str = LOCALE) -> str:
    """'13.6%'; 'menos de 0.1%'; '34 veces' or 'más de 13 veces' for a rise of 900% or more."""
    if value is None:
        return pct(value, locale)
    if 0 < abs(value) < 0.05:
        return "menos de " + pct(0.1, locale)
    if value >= 900:
        times = round(1 + value / 100, 6)
        return f"{times:.0f} veces" if times == int(times) else f"más de {int(times)} veces"
    return pct(value, locale)


def name(who) -> str:
    """A partner, a neighbour or a peer by its Spanish name as it reads in a sentence ('el Reino Unido');
    the English name when the partner list has none (a partner a source added)."""
    code = getattr(who, "code", None)
    partner = bundled().get(code) if code else None
    if partner is not None and partner.name_es:
        return partner.name_es
    return getattr(who, "name_es", "") or getattr(who, "display_name", None) or getattr(who, "name", str(who))


def short_name(partner) -> str:
    """A partner's Spanish name for labels, without its article: 'Países Bajos', 'México'."""
    text = name(partner)
    for article in ("el ", "la ", "los ", "las "):
        text = text.removeprefix(article)
    return text[:1].upper() + text[1:]


def names(items, preposition: str = "") -> str:
    """Partners joined as Spanish lists them: 'Canadá y China'; 'China e India' before an i sound; with a
    preposition each takes its own ('a Alemania y al Reino Unido')."""
    join = {"a": a, "de": de}.get(preposition, lambda text: text)
    words = [join(name(i)) for i in items]
    if len(words) == 1:
        return words[0]
    last = name(items[-1]).lower()
    i_sound = last.startswith(("i", "í", "hi", "hí")) and not last.startswith(("hia", "hie", "hio", "hiu"))
    return ", ".join(words[:-1]) + (" e " if i_sound else " y ") + words[-1]


def plural(who) -> bool:
    """Whether a name, or a list of names, takes a plural verb: 'los Países Bajos se mantuvieron',
    'Alemania y Japón se colocaron'."""
    if isinstance(who, (list, tuple)):
        return len(who) > 1 or any(plural(w) for w in who)
    return name(who).startswith(("los ", "las "))


def product(line) -> str:
    """A product line by its Spanish name ('cajas de cambios y ejes de transmisión para vehículos'); the English
    name when product_groups.csv gives it none (a code named from the HS list or its source)."""
    return line.name_es or line.name


def de(text: str) -> str:
    """'de' before a name: 'de México', 'del Reino Unido'."""
    return "del " + text[3:] if text.startswith("el ") else "de " + text


def a(text: str) -> str:
    """'a' before a name: 'a México', 'al Reino Unido'."""
    return "al " + text[3:] if text.startswith("el ") else "a " + text


FILTERS = {
    **en.FILTERS,
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
    "points": points,
    "name": name,
    "plural": plural,
    "short_name": short_name,
    "de": de,
    "product": product,
    "a": a,
}
