"""The digest as a mail client receives it from a real SMTP server on loopback: structure, headers, words."""

from __future__ import annotations

import dataclasses
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from fakes.smtp import smtp_server

from reportgen import pipeline
from reportgen.delivery import tokens
from reportgen.models import News, NewsItem
from reportgen.render import email as render
from reportgen.render.html import environment, render_briefing
from reportgen.store.mail import MailStore

from .conftest import PUBLIC_URL, subscribe


def parts(msg: EmailMessage) -> list[str]:
    """The MIME tree as 'type' strings, depth marked by dots: ['multipart/alternative', '.text/plain', ...]."""
    found = []

    def walk(part, depth):
        found.append("." * depth + part.get_content_type())
        if part.is_multipart():
            for child in part.iter_parts():
                walk(child, depth + 1)

    walk(msg, 0)
    return found


@pytest.fixture(scope="module")
def received(tmp_path_factory, seeded_store):
    """One digest of MX 2024 as the server received it, and the config that sent it."""
    from reportgen.config import Config

    root = tmp_path_factory.mktemp("digest")
    seeded_store(root / "data")
    with smtp_server() as server:
        config = Config.model_validate({"data_dir": str(root / "data"), "public_url": PUBLIC_URL,
                                        "smtp": {"host": "127.0.0.1", "port": server.port, "security": "none",
                                                 "sender": "Trade desk <briefings@example.org>"}})
        subscribe(config, "ana@example.com")
        pipeline.send(config, "MX", "2024")
    assert len(server.messages) == 1
    return config, server.messages[0]


def test_structure_is_alternative_with_related_images(received):
    _, got = received
    msg = got.message
    assert parts(msg) == ["multipart/alternative", ".text/plain", ".multipart/related", "..text/html",
                          "..image/png", "..image/png", "..image/png"]
    assert msg.get_body(("related",)).get_param("type") == "text/html"
    assert got.rcpt_tos == ["ana@example.com"] and got.mail_from == "briefings@example.org"


def test_headers(received):
    config, got = received
    msg = got.message
    assert msg["From"] == "Trade desk <briefings@example.org>" and msg["To"] == "ana@example.com"
    assert msg["Subject"] == "U.S. goods trade deficit with Mexico hits record $168.6 billion in 2024"
    assert msg["Date"] and msg["MIME-Version"] == "1.0"
    key = tokens.secret_key(config.data_dir)
    assert msg["Message-ID"] == tokens.message_id(key, "MEX-2024", "ana@example.com", "example.org")
    assert re.fullmatch(r"<MEX-2024\.[A-Za-z0-9_-]{20}@example\.org>", msg["Message-ID"])
    with MailStore(config.db_path) as box:
        ana = box.subscriber("ana@example.com")
    token = tokens.unsubscribe_token(key, ana.id, ana.email)
    assert msg["List-Unsubscribe"] == (f"<{PUBLIC_URL}/unsubscribe/{token}>, "
                                       f"<mailto:briefings@example.org?subject=unsubscribe%20{token}>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw_headers = got.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "=?utf-8?" not in raw_headers  # nothing mangled into encoded-words
    assert "ana@example.com" not in msg["Message-ID"] and "ana" not in token


def test_html_is_inlined_email_html(received):
    _, got = received
    msg = got.message
    html = msg.get_body(("html",)).get_content()
    assert html.isascii() and all(len(line) <= 998 for line in html.splitlines())
    assert "<link" not in html and "class=\"content\" style=\"" in html  # styles inlined
    assert re.search(r'<table[^>]*class="container"[^>]*width="600"', html)
    assert "@media (prefers-color-scheme: dark)" in html and "@media only screen and (max-width: 620px)" in html
    assert 'role="presentation"' in html
    assert f'href="{PUBLIC_URL}/archive/2024/MEX/MEX-2024.html"' in html
    unsubscribe = msg["List-Unsubscribe"].split(">", 1)[0][1:]
    assert f'href="{unsubscribe}"' in html
    assert "ana@example.com" in html and "%%" not in html


def test_every_image_is_attached_with_its_alt_text(received):
    _, got = received
    msg = got.message
    html = msg.get_body(("html",)).get_content()
    images = {part["Content-ID"].strip("<>"): part for part in msg.walk() if part.get_content_type() == "image/png"}
    tags = re.findall(r"<img [^>]*>", html)
    assert len(tags) == 3
    for tag in tags:
        cid = re.search(r'src="cid:([^"]+)"', tag).group(1)
        assert cid in images, f"{cid} has no part"
        assert images[cid].get_content().startswith(b"\x89PNG")
        assert images[cid].get_content_disposition() == "inline"
        alt = re.search(r'alt="([^"]+)"', tag).group(1)
        assert len(alt) > 30 and "Mexico" in alt
        assert 'width="560"' in tag


def test_words_match_the_briefing(received, tmp_path):
    """Headline and lede come from the briefing's own macros: word for word the same."""
    config, got = received
    msg = got.message
    facts = pipeline.facts(config, pipeline.load(config, partner="MX", period="2024"), "MX", "2024")
    briefing = render_briefing(environment(None, "en_US"), facts, [], built_at="2024-01-01T00:00:00Z").html
    lede, change = (render.plain(p) for p in re.findall(r'<p(?: class="lede")?>(.*?)</p>', briefing, re.DOTALL)[:2])
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    html = render.plain(re.sub(r"<[^>]+>", " ", msg.get_body(("html",)).get_content()))
    assert lede.startswith("The U.S. goods trade deficit with Mexico reached $168.6 billion in 2024, the largest on "
                           "record")
    assert change.startswith("The deficit grew 13.6% from $148.5 billion in 2023")
    for paragraph in (lede, change):
        assert paragraph in text and paragraph in html
    dateline = "Oct. 1, 2026 · U.S. Census Bureau data through December 2024"
    assert dateline in text and dateline in html
    plain_text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Oct. 1.\n\nThe deficit grew 13.6%" in plain_text  # paragraphs apart, as in the briefing
    assert "both records.\n\nKEY FIGURES" in plain_text
    assert msg["Subject"] in text
    assert "Exports $334.5 billion $324.4 billion +3.1%" in text
    assert f"{PUBLIC_URL}/archive/2024/MEX/MEX-2024.html" in text
    assert msg["List-Unsubscribe"].split(">", 1)[0][1:] in text


def test_news_items_are_shown_when_there_are_some(received):
    config, _ = received
    facts = pipeline.facts(config, pipeline.load(config, partner="MX", period="2024"), "MX", "2024")
    item = NewsItem(title="Mexico & U.S. open USMCA review", link="https://news.example.org/usmca?id=1",
                    source="Example Wire", published="2025-01-15T12:00:00Z", dated=True,
                    summary="Officials met in Washington.", matched=("USMCA",))
    env = render.email_environment(None, "en_US")
    shown = render.render_digest(env, dataclasses.replace(facts, news=News((item,), "2024-12-01", "2025-02-14")), [], briefing_url="https://x.example/b",
                                 pdf_attached=False)
    assert "In the news" in shown.html and 'href="https://news.example.org/usmca?id=1"' in shown.html
    assert "Mexico &amp; U.S. open USMCA review" in shown.html and "Jan. 15, 2025" in shown.html
    assert "- Mexico & U.S. open USMCA review" in shown.text and "https://news.example.org/usmca?id=1" in shown.text
    empty = render.render_digest(env, dataclasses.replace(facts, news=News((), "2024-12-01", "2025-02-14")), [], briefing_url="https://x.example/b",
                                 pdf_attached=False)
    assert "No news in the feeds from Dec. 1, 2024 to Feb. 14, 2025 concerned Mexico." in empty.html
    assert "No news in the feeds from Dec. 1, 2024 to Feb. 14, 2025 concerned Mexico." in " ".join(empty.text.split())
    unknown = render.render_digest(env, dataclasses.replace(facts, news=None), [], briefing_url="https://x.example/b",
                                   pdf_attached=False)
    assert "In the news" not in unknown.html and "IN THE NEWS" not in unknown.text


def test_pdf_attached_and_charts_hosted(make_config):
    with smtp_server() as server:
        config = make_config(server.port, email={"attach_pdf": True, "charts": "hosted"})
        subscribe(config, "ana@example.com")
        pipeline.send(config, "MX", "2024")
    msg = server.messages[0].message
    assert parts(msg) == ["multipart/mixed", ".multipart/alternative", "..text/plain", "..text/html",
                          ".application/pdf"]
    pdf = next(msg.iter_attachments())
    assert pdf.get_filename() == "MEX-2024.pdf" and pdf.get_content().startswith(b"%PDF")
    html = msg.get_body(("html",)).get_content()
    srcs = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert srcs and all(s.startswith(f"{PUBLIC_URL}/archive/2024/MEX/charts/") for s in srcs)
    for src in srcs:  # written where the web page serves the archive
        assert (Path(config.output_dir) / "2024/MEX/charts" / src.rsplit("/", 1)[1]).read_bytes()[:4] == b"\x89PNG"
    assert "attached as a PDF" in msg.get_body(("plain",)).get_content()


def test_dry_run_writes_eml_files_and_changes_nothing(make_config, tmp_path):
    config = make_config(9)  # nothing listens there: a dry run never connects
    subscribe(config, "ana@example.com", "bob@example.com")
    report = pipeline.send(config, "MX", "2024", dry_run=True, out_dir=tmp_path / "eml")
    assert [p.name for p in report.written] == ["00001-ana@example.com.eml", "00002-bob@example.com.eml"]
    from email import message_from_bytes, policy

    msg = message_from_bytes(report.written[1].read_bytes(), policy=policy.default)
    assert msg["To"] == "bob@example.com" and msg.get_content_type() == "multipart/alternative"
    with MailStore(config.db_path) as box:
        assert box.issues() == [] and box.counts("MEX-2024")["pending"] == 0


def test_png_charts_leave_the_briefing_svg_alone(received):
    from reportgen.render.charts import draw

    config, _ = received
    facts = pipeline.facts(config, pipeline.load(config, partner="MX", period="2024"), "MX", "2024")
    svg, png = draw(facts), draw(facts, fmt="png")
    assert [c.id for c in svg] == [c.id for c in png]
    assert all(c.src.startswith("data:image/svg+xml;base64,") for c in svg)
    assert all(c.src.startswith("data:image/png;base64,") and c.width == 560 for c in png)
    assert draw(facts)[0].src == svg[0].src  # drawing PNG in between changed nothing


def test_names_and_addresses_are_encoded_properly(make_config, tmp_path):
    from email import message_from_bytes, policy

    config = make_config(9)
    from reportgen.store.mail import MailStore as Box
    from reportgen.store.mail import NewSubscriber

    with Box(config.db_path) as box:
        box.add([NewSubscriber("jose@example.com", "Núñez, José", "es"),
                 NewSubscriber("o'hara@example.com", 'Bob "the" Builder')])
    report = pipeline.send(config, "MX", "2024", dry_run=True, out_dir=tmp_path)
    first, second = (message_from_bytes(p.read_bytes(), policy=policy.default) for p in report.written)
    assert first["To"].addresses[0].display_name == "Núñez, José"
    assert first["To"].addresses[0].addr_spec == "jose@example.com"
    assert second["To"].addresses[0].display_name == 'Bob "the" Builder'
    assert second["To"].addresses[0].addr_spec == "o'hara@example.com"
    # José reads Spanish (issue 14): his digest is the Spanish one, non-ASCII through and through.
    for msg, basis in ((first, "Base censal, bienes, sin ajuste estacional."),
                       (second, "Census basis, goods, not seasonally adjusted.")):
        assert not msg.defects and all(not part.defects for part in msg.walk())
        text = msg.get_body(("plain",))
        assert text["Content-Transfer-Encoding"] == "quoted-printable"
        assert basis in text.get_content()
        raw = text.as_bytes()
        assert all(len(line) <= 76 for line in raw.split(b"\n")[3:])  # quoted-printable's own limit
