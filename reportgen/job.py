"""The monthly job, `reportgen run`: notice a new release, then collect, brief, archive and send.

Stages run in order under the data folder's lock; each one is recorded when it finishes, so a run
after a crash does only what is left, and a run with nothing new exits with NO_NEW_RELEASE (75)
at once; a run that finds the data folder (or an issue's outbox) held by another exits with BUSY (4).
Under `job.approval: required` the send stage waits (not done) until editors approve the drafts:
each later run sends what was approved since, and exits 75 when it had nothing to do.
The job polls: it never assumes a day of the month.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from reportgen import pipeline, timestamps
from reportgen.config import Config
from reportgen.errors import CollectError, LockedError, NotApproved, RunBusy
from reportgen.files import exclusive
from reportgen.periods import Period
from reportgen.store import Store, jobs

NO_NEW_RELEASE = 75  # EX_TEMPFAIL: nothing to do now; systemd and cron treat it as success
BUSY = RunBusy.exit_code  # another run, build or send holds a lock: nothing done, the next check tries again
STAGES = ("news", "build", "send")  # after collect, which runs every time: it is the check


class StageLog:
    """One line per stage with its time: JSON for log files, plain words on a terminal; with `quiet`, only
    the stages that failed or warned."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet

    def line(self, stage: str, status: str, seconds: float, detail: str = "", warning: str = "") -> None:
        if self.quiet and status not in ("failed", "warning") and not warning:
            return
        if self.tty:
            self.stream.write(f"{stage:<8} {status:<8} {seconds:6.2f} s  {detail}"
                              + (f"; warning: {warning}" if warning else "") + "\n")
        else:
            record = {"time": timestamps.now(), "stage": stage, "status": status,
                      "seconds": round(seconds, 3), "detail": detail}
            if warning:  # the stage did its work, but something in what it made needs the operator
                record["warning"] = warning
            self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()

    @contextmanager
    def stage(self, name: str) -> Iterator[dict[str, str]]:
        """Time a stage; the body fills in `detail` and may set `status` (ok, warning, skipped) and `warning`."""
        note = {"status": "ok", "detail": "", "warning": ""}
        started = time.perf_counter()
        try:
            yield note
        except BaseException as exc:
            self.line(name, "failed", time.perf_counter() - started, str(exc) or exc.__class__.__name__)
            raise
        self.line(name, note["status"], time.perf_counter() - started, note["detail"], note["warning"])


def run(config: Config, *, offline: bool = False, log: StageLog | None = None) -> int:
    """The job; returns 0 when it briefed a month, NO_NEW_RELEASE when there was nothing to do, and
    raises RunBusy when another process holds the data folder or an issue's outbox."""
    try:
        return _run(config, offline, log or StageLog())
    except LockedError as exc:
        raise RunBusy(str(exc)) from exc


def _run(config: Config, offline: bool, log: StageLog) -> int:
    with exclusive(config.data_dir, wait=0, what="run"):
        with log.stage("collect") as note:
            if offline:
                note.update(status="skipped", detail="--offline: the store as it is")
            else:
                try:
                    collected = pipeline.collect(config)
                    v = collected.vintage
                    note["detail"] = (f"unchanged: {v.label}" if collected.unchanged
                                      else f"new vintage {v.label} through {collected.last_month}")
                except CollectError as exc:  # the source is down: what the store holds still stands
                    note.update(status="warning", detail=str(exc))

        with pipeline.open_store(config) as store:
            period = Period.parse(_latest_month(store, config))
            finished = jobs.done(store, period.key)
            briefed = jobs.last_briefed(store, STAGES[-1])
        if briefed and briefed >= period.key:
            log.line("check", "nothing", 0.0, f"no new release: {briefed} is briefed already")
            return NO_NEW_RELEASE

        worked = False  # a stage did something this run (else a run still waiting for approval did nothing)
        for stage in STAGES:
            if stage in finished:
                continue
            with log.stage(stage) as note:
                if stage == "send" and config.job.approval == "required":
                    sent_some = _send_approved(config, period, note)
                    if note["status"] == "waiting":  # not marked done: the next run sends what is approved by then
                        return 0 if worked or sent_some else NO_NEW_RELEASE
                else:
                    note["detail"] = STAGE_WORK[stage](config, period, offline)
                if stage == "build":  # readers are not told that their briefing went without news
                    note["warning"] = pipeline.news_warning(config)
            worked = True
            with Store(config.db_path) as store:
                jobs.mark(store, period.key, stage, timestamps.now(), note["detail"])
    return 0


def _latest_month(store: Store, config: Config) -> str:
    source = pipeline.source_for(store, config, None)
    return store.month_range(source).last


def _news(config: Config, period: Period, offline: bool) -> str:
    if offline:
        return "skipped: --offline (briefings use the news already stored)"
    reports = pipeline.collect_news(config)
    new = sum(r.new for r in reports)
    failed = [f"{r.name} ({r.error})" for r in reports if r.error]
    unchanged = sum(r.unchanged for r in reports)
    return (f"{len(reports)} feeds: {new} new items, {unchanged} unchanged"
            + (f"; failed: {'; '.join(failed)}" if failed else ""))


def _build(config: Config, period: Period, offline: bool) -> str:
    result = pipeline.build_all(config, period.key, partners=config.partners)
    skipped = f", skipped {', '.join(code for code, _ in result.skipped)}" if result.skipped else ""
    return f"{len(result.written)} files for {', '.join(config.partners)} in {period.key}{skipped}"


def _send(config: Config, period: Period, offline: bool) -> str:
    """Each partner's digest; a send that leaves messages pending fails the stage, so the next run
    sends them (the outbox never sends one twice)."""
    return "; ".join(str(pipeline.send(config, partner, period.key)) for partner in config.partners)


def _send_approved(config: Config, period: Period, note: dict[str, str]) -> bool:
    """The send stage under `job.approval: required`: the digests of the approved briefings go out, the others
    wait (status "waiting", the stage not done); returns whether any message went out (or was queued) now."""
    reports, waiting = [], []
    for partner in config.partners:
        try:
            reports.append(pipeline.send(config, partner, period.key))
        except NotApproved as exc:
            waiting.append(exc.issue)
    note["detail"] = "; ".join([str(r) for r in reports]
                               + ([f"waiting for an editor's approval: {', '.join(waiting)}"] if waiting else []))
    if waiting:
        note["status"] = "waiting"
    return any(r.queued or r.delivery.sent for r in reports)


STAGE_WORK = {"news": _news, "build": _build, "send": _send}
