"""Readable names for HS codes, kept in one place (`data/hs_names.csv`, with Spanish names in `name_es`).

Briefings say "Vehicles and parts", not the legal heading text. A code the mapping lacks falls back
to the source's own short description, trimmed at its first comma and put in sentence case.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def _rows() -> tuple[dict[str, str], ...]:
    text = resources.files("reportgen").joinpath("data/hs_names.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


@cache
def _names() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows()}


@cache
def _names_es() -> dict[str, str]:
    return {row["code"]: row.get("name_es") or "" for row in _rows()}


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
    return {code.strip(): row["name"] for row in _group_rows() for code in row["codes"].split(";") if code.strip()}


@cache
def _group_rows() -> tuple[dict[str, str], ...]:
    text = resources.files("reportgen").joinpath("data/product_groups.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def product_name_es(key: str) -> str:
    """A product's Spanish name, by its group's name or its HS code (the `name_es` columns of product_groups.csv
    and hs_names.csv): 'gear boxes and drive axles for vehicles' -> 'cajas de cambios y ejes de transmisión para
    vehículos', '87' -> 'vehículos y autopartes'; '' where neither table has it (a code named by its source)."""
    group = next((row.get("name_es") or "" for row in _group_rows() if row["name"] == key), None)
    return group if group is not None else _names_es().get(key, "")
