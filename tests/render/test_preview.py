"""The digest's inbox preview: whole clauses, and never a figure parted from its unit."""

from __future__ import annotations

import re

import pytest

from reportgen.render.email import preview

LEDE = ("The U.S. goods trade deficit with Mexico reached $168.6 billion in 2024, the largest on record, in data "
        "back to 1991, the Census Bureau reported on Oct. 1.")


def test_a_short_lede_is_whole():
    assert preview("U.S. trade with Tuvalu balanced in 2024.") == "U.S. trade with Tuvalu balanced in 2024."


def test_a_long_lede_ends_with_a_clause():
    assert preview(LEDE) == ("The U.S. goods trade deficit with Mexico reached $168.6 billion in 2024, the largest "
                             "on record, in data back to 1991…")


@pytest.mark.parametrize("text", [
    "U.S. exports to the Cocos (Keeling) Islands in the first five months of 2024 fell 93.0% to $12,000 from $1.1 "
    "million in the same months of 2023 as the islands bought less",
    "El superávit comercial de Estados Unidos con los Países Bajos en los primeros cinco meses de 2024 creció hasta "
    "1.1 mil millones de dólares desde algo menos el año anterior",
])
def test_no_figure_is_cut_from_its_unit(text):
    shown = preview(text)
    assert len(shown) <= 141 and shown.endswith("…")
    last = shown.removesuffix("…").split()[-1]
    assert not re.search(r"\d", last) and last not in ("mil", "millones", "de", "billion", "million"), shown
    assert text.startswith(shown.removesuffix("…"))
