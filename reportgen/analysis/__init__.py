"""Analyse: pure functions from country totals to facts. No I/O, no formatting, no templates."""

from reportgen.analysis.facts import build_facts
from reportgen.analysis.table import TradeTable

__all__ = ["TradeTable", "build_facts"]
