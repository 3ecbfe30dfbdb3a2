"""Moments as reportgen stores and shows them: ISO 8601 in UTC, to the second ('2026-11-23T13:00:00Z').

Strings of this one shape sort as the moments do, so the store compares them as text.
"""

from __future__ import annotations

from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso(moment: datetime) -> str:
    """'2026-11-23T13:00:00Z'; a moment without a time zone is taken to be in UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(FORMAT)


def now() -> str:
    """The current moment, as `iso()` writes it."""
    return iso(datetime.now(UTC))
