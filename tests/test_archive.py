"""The archive: a folder per period and partner, the index and the Atom feed, the history of builds."""

from __future__ import annotations

import feedparser
import pytest

from reportgen import pipeline
from reportgen.config import Config


@pytest.fixture
def config(tmp_path, seeded_store):
    return Config(data_dir=seeded_store(tmp_path / "data"), output_dir=tmp_path / "output",
                  public_url="https://news.example/trade")


def test_briefings_land_in_the_archive_with_an_index_and_a_feed(config, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795435200")  # 2026-11-23 12:00 UTC
    pipeline.build(config, "MX", "2024-05", formats=["html"])
    pipeline.build(config, "CA", "2024", formats=["html"])
    out = config.output_dir
    assert (out / "2024-05" / "MEX" / "MEX-2024-05.html").is_file()
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == [
        "CAN-2024.html", "MEX-2024-05.html", "feed.atom", "index.html"]  # no temporary files left

    index = (out / "index.html").read_text()
    assert index.index("Canada") < index.index("Mexico")  # 2024 (through December) before May 2024
    assert 'href="2024/CAN/CAN-2024.html"' in index

    feed = feedparser.parse(out / "feed.atom")
    assert feed.version == "atom10" and not feed.bozo
    assert [e.link for e in feed.entries] == ["https://news.example/trade/archive/2024/CAN/CAN-2024.html",
                                              "https://news.example/trade/archive/2024-05/MEX/MEX-2024-05.html"]
    assert feed.entries[0].title == "U.S. goods trade deficit with Canada narrows to $61.2 billion in 2024"


def test_a_rebuild_replaces_the_files_and_remembers_the_earlier_build(config, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795435200")
    pipeline.build(config, "MX", "2024", formats=["html"])
    first = (config.output_dir / "2024" / "MEX" / "MEX-2024.html").read_text()
    assert "Earlier versions" not in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795438800")  # an hour later
    pipeline.build(config, "MX", "2024", formats=["html"])
    second = (config.output_dir / "2024" / "MEX" / "MEX-2024.html").read_text()
    assert ("An earlier version of this briefing was built on Nov. 23, 2026, 12:00 UTC from figures released "
            "Oct. 1, 2026.</p>") in second
    assert '<meta name="reportgen:earlier-build" content="2026-11-23T12:00:00Z census-bulk 2026-10-01/86b70f62">' \
        in second  # the vintage, for machines
    feed = feedparser.parse(config.output_dir / "feed.atom")
    assert len(feed.entries) == 1 and feed.entries[0].updated == "2026-11-23T13:00:00Z"


def test_an_archived_briefing_never_keeps_a_file_from_an_earlier_build(config):
    pipeline.build(config, "MX", "2024")
    folder = config.output_dir / "2024" / "MEX"
    index = (config.output_dir / "index.html").read_text()
    assert 'href="2024/MEX/MEX-2024.html"' in index and 'href="2024/MEX/MEX-2024.pdf"' in index

    pipeline.build(config, "MX", "2024", formats=["html"])  # the PDF would now say what an older build said
    assert sorted(p.name for p in folder.iterdir()) == ["MEX-2024.html"]
    index = (config.output_dir / "index.html").read_text()
    assert 'href="2024/MEX/MEX-2024.html"' in index and ".pdf" not in index
    entry = feedparser.parse(config.output_dir / "feed.atom").entries[0]
    assert [link.type for link in entry.links] == ["text/html"]

    pipeline.build(config, "MX", "2024", formats=["pdf"])
    assert sorted(p.name for p in folder.iterdir()) == ["MEX-2024.pdf"]
    assert 'href="2024/MEX/MEX-2024.pdf">U.S. goods trade deficit' in (config.output_dir / "index.html").read_text()
    entry = feedparser.parse(config.output_dir / "feed.atom").entries[0]
    assert [(link.rel, link.href) for link in entry.links] == [
        ("alternate", "https://news.example/trade/archive/2024/MEX/MEX-2024.pdf")]
