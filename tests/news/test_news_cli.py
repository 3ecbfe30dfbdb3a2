"""`reportgen news` errors a user can cause: one line on stderr and the documented exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=home, capture_output=True, text=True,
                          timeout=120, check=False)


def home_with(tmp_path: Path, **config) -> Path:
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"http": {"retries": 0, "timeout": 2}, **config}),
                                          encoding="utf-8")
    return tmp_path


def test_collect_fails_only_when_no_feed_could_be_read(server, tmp_path):
    server.expect_request("/feeds/gone.rss").respond_with_data("gone", status=404)
    result = run(home_with(tmp_path, feeds=[{"name": "Gone", "url": server.url_for("/feeds/gone.rss")}]),
                 "news", "collect")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"reportgen: skipped: feed 'Gone' failed: {server.url_for('/feeds/gone.rss')} answered HTTP 404 NOT FOUND",
        "reportgen: error: no feed could be read (1 tried)"]


def test_collect_without_feeds_is_a_config_error(tmp_path):
    result = run(home_with(tmp_path, feeds=[]), "news", "collect")
    assert result.returncode == 2
    assert result.stderr == "reportgen: error: no feeds to collect: list them under `feeds:` in the config file\n"


def test_list_checks_its_options(tmp_path):
    home = home_with(tmp_path)
    bad_day = run(home, "news", "list", "--partner", "MX", "--since", "2025-13-01")
    assert (bad_day.returncode, bad_day.stderr) == (
        2, "reportgen: error: --since '2025-13-01': give a day, YYYY-MM-DD\n")
    bad_partner = run(home, "news", "list", "--partner", "Mexcio")
    assert bad_partner.returncode == 2 and "did you mean Mexico?" in bad_partner.stderr
    empty = run(home, "news", "list", "--partner", "MX", "--since", "2025-01-01")
    assert (empty.returncode, empty.stdout) == (
        0, "no stored news item mentions Mexico or a topic word since 2025-01-01\n")


def test_list_escapes_control_characters_stored_before_they_were_stripped(tmp_path):
    """Collect now drops ESC and BEL; an item stored earlier must not drive the terminal either."""
    from reportgen.models import FeedEntry
    from reportgen.store import Store
    from reportgen.store.news import NewsStore

    home = home_with(tmp_path)
    entry = FeedEntry(feed="Wire", feed_url="http://127.0.0.1:9/rss", guid="old-1", title="Mexico\x1b[2J tariffs\x07",
                      link="http://127.0.0.1:9/a", published="2025-01-14T12:00:00Z", dated=True, summary="",
                      language="en")
    with Store(home / "data" / "reportgen.db") as store:
        NewsStore(store).add([entry], url=entry.feed_url, name="Wire", content=b"<rss/>",
                             read_at="2025-01-14T12:00:00Z")
    listed = run(home, "news", "list", "--partner", "MX", "--since", "2025-01-01")
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "Mexico\\x1b[2J tariffs\\x07" in listed.stdout
