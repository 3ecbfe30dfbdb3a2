"""The pipeline, top to bottom: collect and store, analyse and write, deliver.

These are the only modules that import from more than one stage. The CLI, the monthly job and the
web page call these functions; each takes the config and returns plain results.
"""

from reportgen.pipeline import notes, reporter
from reportgen.pipeline.briefing import (
    FORMATS,
    BatchResult,
    Dataset,
    build,
    build_all,
    build_time,
    facts,
    load,
    news_for,
    news_warning,
    note_for,
    publish,
    render,
    source_for,
    write,
    write_index,
)
from reportgen.pipeline.collect import (
    SOURCE,
    Collected,
    FeedReport,
    collect,
    collect_api,
    collect_comtrade,
    collect_news,
    open_store,
)
from reportgen.pipeline.send import SMTP_PASSWORD, SendIncomplete, SendReport, Unsubscribed, send, unsubscribe

__all__ = [
    "FORMATS", "SMTP_PASSWORD", "SOURCE", "BatchResult", "Collected", "Dataset", "FeedReport", "SendIncomplete",
    "SendReport", "Unsubscribed", "build", "build_all", "build_time", "collect", "collect_api", "collect_comtrade",
    "collect_news", "facts", "load", "news_for", "news_warning", "note_for", "notes", "open_store", "publish",
    "render", "reporter", "send", "source_for", "unsubscribe", "write", "write_index",
]
