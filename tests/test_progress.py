"""Progress on long work, as a user at a terminal sees it (a real pseudo-terminal), and silence on a pipe.

Progress goes to stderr and only to a terminal, so scripts and log files get exactly what they got
before; `--quiet` silences bars and informational lines, never errors.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from terminal import on_pipe, on_terminal

from reportgen.store import Store

# January and February 2025 published: made-up figures in $ millions.
ROWS = [
    ("0015", "World, Not Seasonally Adjusted", [250_000.1, 240_000.2], [170_000.3, 160_000.4]),
    ("2010", "Mexico", [40_000.5, 39_000.6], [27_000.7, 28_000.8]),
    ("1220", "Canada", [35_000.0, 34_000.0], [30_000.0, 29_000.0]),
    ("5700", "China", [38_000.0, 33_000.0], [12_000.0, 11_000.0]),
]
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>
<item><title>Mexico and Canada talk steel ({name})</title><link>http://news.example.org/{name}/1</link>
<guid>{name}-1</guid><pubDate>Mon, 27 Jan 2025 12:00:00 GMT</pubDate></item>
</channel></rss>"""


def bar(stderr: str, label: str) -> str:
    """The last drawing of the bar with this label (click redraws it in place after a carriage return),
    without the escape codes that hide and show the cursor."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stderr)
    drawings = [part.strip() for part in re.split(r"[\r\n]+", text) if label in part]
    assert drawings, f"no {label!r} bar in {stderr!r}"
    return drawings[-1]


@pytest.fixture
def release(make_xlsx, row, httpserver) -> str:
    """A small country.xlsx served over HTTP, with its length declared as Census's server does."""
    workbook = make_xlsx([row(2025, code, name, imports, exports) for code, name, imports, exports in ROWS])
    httpserver.expect_request("/country.xlsx").respond_with_data(workbook.read_bytes(),
                                                                 content_type="application/octet-stream")
    return httpserver.url_for("/country.xlsx")


def home(path: Path, config: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.yaml").write_text(config, encoding="utf-8")
    return path


def test_collect_shows_the_download_and_the_parsing_on_a_terminal_only(tmp_path, release):
    config = f"census:\n  bulk_url: {release}\nhttp:\n  retries: 0\n"
    shown = on_terminal("collect", cwd=home(tmp_path / "terminal", config))
    piped = on_pipe("collect", cwd=home(tmp_path / "pipe", config))

    assert shown.returncode == 0, shown.stderr
    assert "100%" in bar(shown.stderr, "Downloading")
    assert "Reading the sheet" in shown.stderr
    assert bar(shown.stderr, "Parsing").endswith("4/4  100%")  # four data rows, all parsed
    assert piped.returncode == 0 and piped.stderr == ""
    assert shown.stdout == piped.stdout  # the result line is the same either way
    assert piped.stdout.startswith("stored census-bulk vintage ") and "through 2025-02" in piped.stdout


def test_quiet_silences_progress_and_information_but_not_errors(tmp_path, release):
    folder = home(tmp_path, f"census:\n  bulk_url: {release}\nhttp:\n  retries: 0\n")
    quiet = on_terminal("--quiet", "collect", cwd=folder)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    with Store(folder / "data" / "reportgen.db") as store:  # it did collect
        assert [stored.last_month for stored in store.vintages()] == ["2025-02"]

    failed = on_terminal("-q", "collect", "--file", "missing.xlsx", cwd=folder)
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.startswith("reportgen: error: missing.xlsx: cannot read the file")


def test_build_all_counts_the_partners_on_a_terminal(tmp_path, make_xlsx, row):
    from reportgen import pipeline
    from reportgen.config import Config

    workbook = make_xlsx([row(2025, code, name, imports, exports) for code, name, imports, exports in ROWS])
    folder = home(tmp_path / "home", "feeds: []\n")
    pipeline.collect(Config(data_dir=folder / "data"), workbook)
    shown = on_terminal("build", "--all", "--period", "2025-02", "--format", "html", "--jobs", "2", "--out", "out",
                        cwd=folder)
    assert shown.returncode == 0, shown.stderr
    assert bar(shown.stderr, "Building").endswith("3/3  100%")  # Mexico, Canada, China; not the world
    assert sorted(Path(line).name for line in shown.stdout.split()) == [  # the paths, on stdout as before
        "CAN-2025-02.html", "CHN-2025-02.html", "MEX-2025-02.html"]


def test_news_collect_counts_the_feeds_on_a_terminal(tmp_path, httpserver):
    for name in ("wire", "desk"):
        httpserver.expect_request(f"/{name}.rss").respond_with_data(FEED.format(name=name),
                                                                   content_type="application/rss+xml")
    config = "feeds:\n" + "".join(f"  - name: {name}\n    url: {httpserver.url_for(f'/{name}.rss')}\n"
                                  for name in ("wire", "desk"))
    shown = on_terminal("news", "collect", cwd=home(tmp_path / "terminal", config))
    piped = on_pipe("news", "collect", cwd=home(tmp_path / "pipe", config))

    assert shown.returncode == 0, shown.stderr
    assert bar(shown.stderr, "Reading feeds").endswith("2/2  100%")
    assert piped.returncode == 0 and piped.stderr == ""
    assert shown.stdout == piped.stdout == "wire: 1 items, 1 new\ndesk: 1 items, 1 new\n"


def test_send_counts_the_messages_on_a_terminal(tmp_path, seeded_store):
    from fakes.smtp import smtp_server

    from reportgen.store.mail import MailStore, NewSubscriber

    with smtp_server() as server:
        folder = home(tmp_path, f"feeds: []\npublic_url: https://briefings.example.org\nsmtp:\n  host: 127.0.0.1\n"
                                f"  port: {server.port}\n  security: none\n  sender: Desk <desk@example.org>\n")
        with MailStore(seeded_store(folder / "data") / "reportgen.db") as box:
            box.add([NewSubscriber(address) for address in ("ana@example.com", "ben@example.com", "cy@example.com")])
        shown = on_terminal("send", "--partner", "MX", "--period", "2024", cwd=folder)
    assert shown.returncode == 0, shown.stderr
    assert bar(shown.stderr, "Sending").endswith("3/3  100%")
    assert "sent 3 now" in shown.stdout
    assert sorted(m.rcpt_tos[0] for m in server.messages) == ["ana@example.com", "ben@example.com", "cy@example.com"]
