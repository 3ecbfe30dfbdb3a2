"""Records: where a value stands against the partner's stored history of comparable periods."""

from __future__ import annotations

from reportgen.models import Figures, Record
from reportgen.periods import Period

MIN_HISTORY = 3  # earlier periods needed before anything is called a record
# How far back the beaten period must lie for "largest since ..." to be news: a year for months,
# two periods otherwise (the year before last).
MIN_GAP = {"month": 12, "ytd": 2, "year": 2}


def record(history: list[tuple[Period, Figures]], measure: str, extreme: str) -> Record:
    """Whether the last value of `history` is the highest (or lowest) of all, else the latest period that
    was at least as high (or low).

    `history` is oldest first and ends with the period the briefing is about.
    """
    (period, figures), earlier = history[-1], history[:-1]
    value = figures[measure]

    # A tie counts against the claim: matching the high is not a record, and "the largest since"
    # names the latest period that was at least as large.
    def beats(other: int) -> bool:
        return other >= value if extreme == "high" else other <= value

    beaten = [i for i, (_, f) in enumerate(earlier) if beats(f[measure])]
    is_record = len(earlier) >= MIN_HISTORY and not beaten
    since = None
    if beaten and len(earlier) - beaten[-1] >= MIN_GAP[period.kind]:
        since = earlier[beaten[-1]][0]  # "the largest since 2008"
    return Record(measure=measure, extreme=extreme, is_record=is_record, since=since,
                  history_start=history[0][0], compared=len(earlier))


def records(history: list[tuple[Period, Figures]], year_ago: Figures | None) -> dict[str, Record]:
    """Records for each measure, in the direction the news is in.

    The balance is judged as a gap (the largest deficit, or the largest surplus); exports, imports and
    total trade as highs when they rose from a year earlier and lows when they fell.
    """
    now = history[-1][1]
    result = {"balance": record(history, "balance", "low" if now.balance < 0 else "high")}
    for measure in ("exports", "imports", "total_trade"):
        fell = year_ago is not None and now[measure] < year_ago[measure]
        result[measure] = record(history, measure, "low" if fell else "high")
    return result
