"""The monthly job's memory: which stages are done for which briefed month.

A stage is marked done only after it finished, so a run that crashed repeats the unfinished stage
and skips the finished ones; every stage is itself safe to repeat (the outbox sends nothing twice).
"""

from __future__ import annotations

from reportgen.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS job_stages (
    period TEXT NOT NULL,  -- the month the run briefs, 2024-12
    stage TEXT NOT NULL,
    done_at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (period, stage)
)
"""


def done(store: Store, period: str) -> set[str]:
    """The stages finished for a month."""
    store.db.execute(SCHEMA)
    return {row[0] for row in store.db.execute("SELECT stage FROM job_stages WHERE period = ?", (period,))}


def mark(store: Store, period: str, stage: str, done_at: str, detail: str = "") -> None:
    store.db.execute(SCHEMA)
    store.db.execute("INSERT OR REPLACE INTO job_stages VALUES (?, ?, ?, ?)", (period, stage, done_at, detail))


def last_briefed(store: Store, final_stage: str) -> str:
    """The latest month whose run went through to its final stage, or ''."""
    store.db.execute(SCHEMA)
    row = store.db.execute("SELECT MAX(period) FROM job_stages WHERE stage = ?", (final_stage,)).fetchone()
    return row[0] or ""
