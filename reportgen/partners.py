"""The partner registry: Census codes, UN M49 codes, ISO codes and names in one place.

Built from the bundled `data/partners.csv` (from the Census country list) plus any partner a
collected file introduced. A user may name a partner `MX`, `MEX`, `2010` (Census), `484` (M49) or
`Mexico`.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

from reportgen.errors import InputError
from reportgen.models import Partner

WORLD = "WLD"

REPORTER_NAMES = {"us", "usa", "united states", "united states of america", "america", "eeuu", "estados unidos"}


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name (México == mexico)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def means_united_states(text: str) -> bool:
    """Whether a user named the United States (US, U.S.A., Estados Unidos)."""
    return _fold(text).replace(".", "") in REPORTER_NAMES


class Registry:
    """Look partners up by store code, Census code, ISO code or name."""

    def __init__(self, partners: Iterable[Partner]):
        self._by_code: dict[str, Partner] = {}
        self._by_census: dict[str, Partner] = {}
        self._by_m49: dict[str, Partner] = {}
        self._by_key: dict[str, Partner] = {}
        for partner in partners:
            self.add(partner)

    def add(self, partner: Partner) -> None:
        self._by_code.setdefault(partner.code, partner)
        for census in partner.census_codes:
            self._by_census[census] = partner
        for m49 in partner.m49_codes:
            self._by_m49.setdefault(m49, partner)
        for key in (partner.code, partner.iso2, partner.name, partner.short_name, *partner.census_codes,
                    *partner.aliases, *partner.m49_codes, *(code.zfill(3) for code in partner.m49_codes)):
            if key:
                self._by_key.setdefault(_fold(key), partner)

    def __iter__(self):
        return iter(self._by_code.values())

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Partner | None:
        return self._by_code.get(code)

    def by_census(self, census_code: str) -> Partner | None:
        return self._by_census.get(census_code)

    def by_m49(self, code: int | str) -> Partner | None:
        """The partner with this UN M49 code (UN Comtrade's partnerCode: 484, "484" or "036"), if any."""
        text = str(code).strip()
        return self._by_m49.get(str(int(text))) if text.isdigit() else None

    def name(self, code: str) -> str:
        partner = self._by_code.get(code)
        return partner.display_name if partner else code

    def resolve(self, text: str) -> Partner:
        """Find a partner from what a user typed, or fail with the closest names."""
        partner = self._by_key.get(_fold(text))
        if partner is not None:
            return partner
        if _fold(text).replace(".", "") in REPORTER_NAMES:
            raise InputError("the United States is the reporter: a briefing is about its trade with a partner; "
                             "name the partner")
        names = {_fold(p.short_name): p.short_name for p in self if p.kind in ("country", "group")}
        close = difflib.get_close_matches(_fold(text), names, n=3, cutoff=0.6)
        hint = (f"; did you mean {' or '.join(names[c] for c in close)}?" if close
                else "; `reportgen partners` lists them")
        raise InputError(f"unknown partner {text!r}{hint}")

    def partner(self, text: str, *, reporter: str = "USA") -> Partner:
        """A partner a briefing can be about, from what a user typed: never the reporter, the world (it is
        the total), a residual (it is no one) nor a measure (it has no trade balance)."""
        who = self.resolve(text)
        if who.code == reporter:
            raise InputError(f"{who.display_name} is the reporter: a briefing is about its trade with a partner; "
                             "name the partner")
        if who.kind == "world":
            raise InputError("the world is the total, not a partner; name a country or a group")
        if who.kind == "unallocated":
            raise InputError(f"{who.name} is a Census residual (trade not allocated to any country), not a trading "
                             "partner to brief")
        if who.kind == "measure":
            raise InputError(f"{who.name} is not a trading partner but a measure the Census file lists beside them "
                             "(a product category, or imports claiming a trade agreement's preference); it has no "
                             "trade balance to brief")
        return who

    def with_extra(self, partners: Iterable[Partner]) -> Registry:
        """A copy that also knows `partners` (those a collected file introduced)."""
        extended = Registry(self)
        for partner in partners:
            if partner.code not in extended:
                extended.add(partner)
        return extended


@cache
def bundled() -> Registry:
    """The registry shipped with the package."""
    merged: dict[str, dict] = {}
    text = resources.files("reportgen").joinpath("data/partners.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        entry = merged.setdefault(row["code"], {**row, "census_codes": [], "m49_codes": []})
        if row["iso2"]:  # the current code carries the ISO2, recoded ones do not: it goes first
            if row["census_code"]:  # the United States has none: it is a partner only of other reporters
                entry["census_codes"].insert(0, row["census_code"])
            entry.update({k: row[k] for k in ("iso2", "name", "short_name", "article", "aliases", "name_es")})
        else:
            entry["census_codes"].append(row["census_code"])
        if row["m49"]:  # unpadded, as Comtrade's JSON gives it; the current code (the ISO2 row's) first
            codes = entry["m49_codes"]
            codes.insert(0 if row["iso2"] else len(codes), str(int(row["m49"])))
    return Registry(
        Partner(code=code, name=e["name"], short_name=e["short_name"], kind=e["kind"],
                census_codes=tuple(e["census_codes"]), iso2=e["iso2"], article=e["article"],
                aliases=tuple(a for a in e["aliases"].split(";") if a), m49_codes=tuple(e["m49_codes"]),
                name_es=e["name_es"])
        for code, e in merged.items()
    )
