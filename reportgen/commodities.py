"""Readable names for HS codes, kept in one place (`data/hs_names.csv`).

Briefings say "Vehicles and parts", not the legal heading text. A code the mapping lacks falls back
to the source's own short description, trimmed at its first comma and put in sentence case.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def _names() -> dict[str, str]:
    text = resources.files("reportgen").joinpath("data/hs_names.csv").read_text(encoding="utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


def commodity_name(code: str, description: str = "") -> str:
    """'87' -> 'Vehicles and parts'; an unmapped code reads as its description or 'HS 8714'."""
    if code in _names():
        return _names()[code]
    short = description.split(",")[0].split(";")[0].strip()
    if short:
        return short[:1].upper() + short[1:].lower()
    return f"HS {code}"


@cache
def product_groups() -> dict[str, str]:
    """HS code -> the product a reader names it by, from the editable `data/product_groups.csv` (name, codes
    separated by semicolons): '870840' and '870850' -> 'gear boxes and drive axles for vehicles'."""
    text = resources.files("reportgen").joinpath("data/product_groups.csv").read_text(encoding="utf-8")
    return {code.strip(): row["name"] for row in csv.DictReader(text.splitlines())
            for code in row["codes"].split(";") if code.strip()}
