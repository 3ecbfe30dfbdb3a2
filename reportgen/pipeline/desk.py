"""The editor's desk: drafts waiting for approval, what changed in them, approving them, and the gate
that keeps an unapproved digest from going out.

With `job.approval: required`, a build into the archive is a draft under `data_dir/drafts/` (never in
the public archive, its index or its feed); approving the newest draft of a briefing copies its files
into the archive, marks it published, records who approved which build (and so which vintage) and
when, and rewrites the index. A digest is sent only for a briefing whose newest build is approved and
whose figures are still the store's (a new vintage means a new draft to approve).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from reportgen.analysis.changes_since import Changes, Snapshot, choose_previous, compare
from reportgen.config import Config
from reportgen.delivery import archive
from reportgen.errors import NoSuchDraft, NotApproved, StaleDraft
from reportgen.files import exclusive, write_atomic
from reportgen.models import Facts
from reportgen.periods import Period
from reportgen.pipeline.briefing import FORMATS, build_time, write_index
from reportgen.store import Store, approvals
from reportgen.store import archive as records
from reportgen.timestamps import iso

log = logging.getLogger("reportgen.desk")
LOCK_WAIT = 10.0  # seconds an approval waits for a monthly run or a build holding the archive


@dataclass(frozen=True)
class Draft:
    """A draft waiting for approval, with what changed since the briefing published before it."""

    build: records.Built
    changes: Changes


def _snapshot(built: records.Built) -> Snapshot:
    return Snapshot(built.period, built.built_at, built.vintage, built.published,
                    json.loads(built.facts) if built.facts else {}, built.story)


def _changes(store: Store, current: records.Built) -> Changes:
    """What changed in `current` since the build it is compared with, whose kept facts alone are read (a
    partner's archive holds a build for every month, revisions included)."""
    earlier = {(b.period, b.built_at): b for b in records.of_partner(store, current.partner)}
    before, basis = choose_previous(_snapshot(current), [_snapshot(b) for b in earlier.values()])
    if before is not None:
        before = _snapshot(records.kept(store, earlier[before.period, before.built_at]))
    return compare(before, _snapshot(records.kept(store, current)), basis)


def drafts(config: Config) -> list[Draft]:
    """Every briefing whose newest build is a draft, the latest period first."""
    with Store(config.db_path) as store:
        return [Draft(b, _changes(store, b)) for b in records.drafts(store)]


def changes(config: Config, partner: str, period: str) -> Changes:
    """What changed in the newest build of a briefing (a draft or published) since the one before it."""
    with Store(config.db_path) as store:
        builds = records.history(store, partner, period)
        if not builds:
            raise NoSuchDraft(f"{partner} {period} has not been built into the archive")
        return _changes(store, builds[0])


def approve(config: Config, partner: str, period: str, built_at: str, editor: str) -> approvals.Approval:
    """Publish the draft of `partner` and `period` built at `built_at`, as `editor`; NoSuchDraft when no
    draft of it waits, StaleDraft when the one waiting is another build (rebuilt since it was shown)."""
    with exclusive(config.data_dir, wait=LOCK_WAIT, what="approving"):
        with Store(config.db_path) as store:
            builds = records.history(store, partner, period)
        if not builds or builds[0].published:
            raise NoSuchDraft(f"no draft of {partner} {period} is waiting for approval"
                              + (" (it was published already)" if builds else ""))
        draft = builds[0]
        if draft.built_at != built_at:
            raise StaleDraft(f"the draft of {partner} {period} was rebuilt at {draft.built_at}, after the one you "
                             f"saw ({built_at}): read the new one, then approve it")
        stem = archive.stem(draft.partner, Period.parse(draft.period))
        source, target = config.drafts_dir / draft.folder, config.output_dir / draft.folder
        # Every file of the build (MEX-2024-12.html, .pdf, and any other edition's, such as .es.html);
        # dot-files are temporaries being written.
        files = sorted(p for p in source.glob(f"{stem}.*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise NoSuchDraft(f"the draft files of {partner} {period} are gone from {source}: build it again")
        for path in files:
            write_atomic(target / path.name, path.read_bytes())
        for kind in FORMATS:  # a format this build lacks would be left from an earlier one: the files agree
            if not (source / f"{stem}.{kind}").is_file():
                (target / f"{stem}.{kind}").unlink(missing_ok=True)
        approval = approvals.Approval(draft.partner, draft.period, draft.built_at, draft.source, draft.vintage,
                                      editor, iso(build_time()))
        with Store(config.db_path) as store, store.transaction():
            records.publish(store, draft.partner, draft.period, draft.built_at)
            approvals.add(store, approval)
        write_index(config)
        for path in files:
            path.unlink(missing_ok=True)
    log.info("approved %s %s built %s (%s vintage %s) by %s", partner, period, draft.built_at, draft.source,
             draft.vintage, editor)
    return approval


def check_approved(config: Config, result: Facts) -> None:
    """Raise NotApproved unless the briefing's newest build is approved and made from these figures."""
    code, key = result.partner.code, result.period.key
    issue = archive.stem(code, result.period)
    how = "approve it on the web page's desk (/desk), or send it anyway with --without-approval"
    with Store(config.db_path) as store:
        builds = records.history(store, code, key)
        newest = builds[0] if builds else None
        approved = approvals.of_build(store, code, key, newest.built_at) if newest and newest.published else None
    if not builds:
        raise NotApproved(f"{issue} is not approved: it has not been built into the archive; build it, then {how}",
                          issue)
    if approved is None:
        raise NotApproved(f"{issue} is waiting for approval (draft built {builds[0].built_at}): {how}", issue)
    now = (result.provenance.source, result.provenance.vintage)
    if (approved.source, approved.vintage) != now:
        raise NotApproved(f"{issue} was approved from {approved.source} vintage {approved.vintage}, but the store now "
                          f"has {now[0]} vintage {now[1]}: build it again and approve the new draft", issue)
