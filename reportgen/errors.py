"""The errors a user can cause, one class per pipeline stage.

    ReportgenError
    ├── ConfigError      config.yaml is unreadable or invalid
    ├── InputError       a partner or period the user named does not exist
    ├── CollectError     a source could not be fetched or read
    ├── StoreError       the SQLite store could not be opened or written
    ├── RenderError      a briefing could not be written
    │   └── SelfCheckError   ... because it shows a number that no field of its facts gives
    ├── DeliveryError    a briefing could not be archived or sent
    │   ├── NotApproved  its digest waits for an editor's approval (job.approval: required)
    │   └── DraftError   a draft to approve is gone (NoSuchDraft) or was rebuilt since (StaleDraft)
    ├── LockedError      another run or build holds the data folder (exit 75: try again later)
    │   └── RunBusy      ... as `reportgen run` finds it (exit 4: 75 is its "nothing new")
    └── BusyError        a worker did not finish in time (the web page's PDF): try again later

Stages raise these with a message written for the user; only the CLI turns them into one line on
stderr and an exit code, with the value of every secret hidden (`hide_secrets`). Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import os

# Environment variables that hold secrets; a message may quote one (a server echoing a request).
SECRET_VARIABLES = ("CENSUS_API_KEY", "COMTRADE_API_KEY", "REPORTGEN_SMTP_PASSWORD", "REPORTGEN_SECRET_KEY")
SHORTEST_SECRET = 4  # a shorter value would be hidden inside ordinary words and numbers


def hide_secrets(text: str, *secrets: str) -> str:
    """`text` with `secrets` and the secret environment variables' values replaced by REDACTED."""
    for secret in (*secrets, *(os.environ.get(name, "") for name in SECRET_VARIABLES)):
        if len(secret) >= SHORTEST_SECRET:
            text = text.replace(secret, "REDACTED")
    return text


class ReportgenError(Exception):
    """Base class: an error with a message fit to show the user as it is."""

    exit_code = 1


class ConfigError(ReportgenError):
    """The configuration file is unreadable or has bad keys or values."""

    exit_code = 2


class InputError(ReportgenError):
    """A partner or period named on the command line is not in the data."""

    exit_code = 2


class CollectError(ReportgenError):
    """A source could not be downloaded, or its file is corrupt or in an unknown layout."""


class StoreError(ReportgenError):
    """The store could not be opened, read or written."""


class RenderError(ReportgenError):
    """A briefing could not be rendered or written."""


class SelfCheckError(RenderError):
    """A rendered briefing or digest shows a number that is not a figure of its facts (a template's mistake)."""

    def __init__(self, message: str, *, number: object = None, document: str = ""):
        super().__init__(message)
        self.number = number  # the first untraced number (reportgen.render.selfcheck.Number)
        self.document = document


class DeliveryError(ReportgenError):
    """A briefing could not be archived or delivered."""


class NotApproved(DeliveryError):
    """A digest under `job.approval: required` whose briefing no editor approved (or approved from other figures)."""

    def __init__(self, message: str, issue: str = ""):
        super().__init__(message)
        self.issue = issue  # MEX-2024-12


class DraftError(DeliveryError):
    """A draft an editor asked to approve cannot be approved."""

    status = 409


class NoSuchDraft(DraftError):
    """No draft of that briefing is waiting (never built, or approved already)."""

    status = 404


class StaleDraft(DraftError):
    """The draft was rebuilt (or approved by someone else) after the editor opened it."""

    status = 409


class LockedError(ReportgenError):
    """Another reportgen process is writing the store, the archive or the outbox."""

    exit_code = 75  # EX_TEMPFAIL: nothing wrong, try again later


class RunBusy(LockedError):
    """The monthly job found the data folder or an issue's outbox held by another reportgen process."""

    exit_code = 4  # not 75, which `run` gives for "no new release": a scheduler can tell the two apart


class BusyError(ReportgenError):
    """A worker (the web page's PDF printer) is busy or took too long: nothing wrong with the request."""

    exit_code = 75
