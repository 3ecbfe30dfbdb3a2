"""Collecting feeds over HTTP: revalidation, limits of time and size, hostile documents, duplicates."""

from __future__ import annotations

import time

from werkzeug import Request, Response

from reportgen import pipeline
from reportgen.store import Store
from reportgen.store.news import NewsStore

from .conftest import fixture_bytes, news_config, requested, serve


def stored(config) -> list[tuple[str, str]]:
    with Store(config.db_path) as store:
        return [(e.feed, e.title) for e in NewsStore(store).since()]


def by_name(reports) -> dict[str, pipeline.FeedReport]:
    return {r.name: r for r in reports}


def test_collect_twice_revalidates_and_stores_nothing_twice(server, tmp_path):
    feeds = [("Wire", serve(server, "wire.rss", etag='"w1"')), ("Desk", serve(server, "desk.atom", etag='"d1"')),
             ("Noticias", serve(server, "noticias-latin1.rss", etag='"n1"'))]
    config = news_config(tmp_path, feeds)
    first = by_name(pipeline.collect_news(config))
    assert {n: (r.read, r.new, r.error) for n, r in first.items()} == {
        "Wire": (7, 7, ""), "Desk": (4, 2, ""), "Noticias": (2, 2, "")}  # two desk stories are wire stories
    before = stored(config)
    assert len(before) == 11

    second = pipeline.collect_news(config)
    assert all(r.unchanged and not r.error for r in second)
    assert stored(config) == before
    revalidations = [request for request, _ in server.log[3:]]
    assert [r.headers.get("If-None-Match") for r in revalidations] == ['"w1"', '"d1"', '"n1"']  # each got a 304


def test_a_changed_feed_adds_only_its_new_entries(server, tmp_path):
    url = serve(server, "wire.rss")
    config = news_config(tmp_path, [("Wire", url)])
    pipeline.collect_news(config)
    server.clear()
    extra = (b"<item><title>Mexico widens steel quota</title><link>http://news.example.org/quota</link>"
             b"<guid>wire-2000</guid><pubDate>Mon, 27 Jan 2025 12:00:00 GMT</pubDate></item>\r\n</channel>")
    serve(server, "wire.rss", body=fixture_bytes("wire.rss", server).replace(b"</channel>", extra))
    [report] = pipeline.collect_news(config)
    assert (report.read, report.new) == (8, 1)
    assert len(stored(config)) == 8


def test_a_slow_drip_gives_up_at_its_deadline_and_the_others_are_read(server, tmp_path):
    """The drip would last 6 s; the 1 s deadline ends it, and says so. (How soon: bench/bench_http.py.)"""
    def drip(request: Request) -> Response:
        def body():
            yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>'
            for _ in range(60):
                time.sleep(0.1)
                yield b" "
        return Response(body(), content_type="application/rss+xml")

    server.expect_request("/feeds/slow.rss").respond_with_handler(drip)
    config = news_config(tmp_path, [("Slow", server.url_for("/feeds/slow.rss")), ("Wire", serve(server, "wire.rss"))],
                         deadline=1)
    reports = by_name(pipeline.collect_news(config))
    assert reports["Slow"].error == (f"feed 'Slow' stopped: {server.url_for('/feeds/slow.rss')} was still arriving "
                                     "after 1 s, the time limit")
    assert reports["Wire"].new == 7


def test_a_feed_that_never_answers_ends_at_its_deadline_retries_included(server, tmp_path):
    """news.deadline bounds the whole fetch: a server that accepted and never answered took timeout x retries."""
    import socket

    silent = socket.create_server(("127.0.0.1", 0))  # the kernel completes each connection; nobody answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml"
        config = news_config(tmp_path, [("Silent", url), ("Wire", serve(server, "wire.rss"))], deadline=1)
        config = config.model_copy(update={"http": config.http.model_copy(update={"timeout": 10, "retries": 3})})
        reports = by_name(pipeline.collect_news(config))
    finally:
        silent.close()
    assert reports["Silent"].error == f"feed 'Silent' stopped: {url} did not answer within 1 s, the time limit"
    assert reports["Wire"].new == 7


def test_an_oversized_feed_is_refused_and_the_others_are_read(server, tmp_path):
    big = fixture_bytes("wire.rss", server).replace(b"</channel>", b"<!--" + b"x" * 50_000 + b"--></channel>")

    def stream(request: Request) -> Response:  # no Content-Length: the limit must hold as bytes arrive
        return Response(iter([big[i:i + 4096] for i in range(0, len(big), 4096)]), content_type="application/rss+xml")

    server.expect_request("/feeds/big.rss").respond_with_handler(stream)
    config = news_config(tmp_path, [("Big", server.url_for("/feeds/big.rss")), ("Desk", serve(server, "desk.atom"))],
                         max_bytes=20_000)
    reports = by_name(pipeline.collect_news(config))
    assert "over the 20,000-byte limit" in reports["Big"].error
    assert reports["Desk"].new == 4
    assert {feed for feed, _ in stored(config)} == {"Desk"}


def test_entity_documents_are_refused_nothing_is_expanded_or_fetched(server, tmp_path):
    server.expect_request("/secret").respond_with_data("TOP SECRET")
    server.expect_request("/evil.dtd").respond_with_data('<!ENTITY leak "leaked">')
    feeds = [("Laughs", serve(server, "billion-laughs.xml")), ("External", serve(server, "external-entity.xml")),
             ("Wire", serve(server, "wire.rss"))]
    config = news_config(tmp_path, feeds)
    reports = by_name(pipeline.collect_news(config))
    for name in ("Laughs", "External"):  # refused for declaring entities: none was ever expanded
        assert "declares XML entities" in reports[name].error and "\n" not in reports[name].error
    assert reports["Wire"].new == 7
    assert requested(server) == ["/feeds/billion-laughs.xml", "/feeds/external-entity.xml", "/feeds/wire.rss"]
    titles = " ".join(title for _, title in stored(config))
    assert "lol" not in titles and "root:" not in titles and "SECRET" not in titles


def test_broken_and_missing_feeds_are_reported_one_line_each(server, tmp_path):
    server.expect_request("/feeds/gone.rss").respond_with_data("gone", status=410)
    server.expect_request("/feeds/portal").respond_with_data("<html><body>Log in</body></html>",
                                                             content_type="text/html")
    feeds = [("Gone", server.url_for("/feeds/gone.rss")), ("Portal", server.url_for("/feeds/portal")),
             ("Wire", serve(server, "wire.rss"))]
    reports = by_name(pipeline.collect_news(news_config(tmp_path, feeds)))
    assert "answered HTTP 410" in reports["Gone"].error
    assert "is not an RSS or Atom feed (text/html" in reports["Portal"].error
    assert all("\n" not in r.error for r in reports.values())
    assert reports["Wire"].new == 7


def test_a_failed_document_is_tried_again_next_time(server, tmp_path):
    url = serve(server, "billion-laughs.xml", etag='"same"')
    config = news_config(tmp_path, [("Laughs", url)])
    assert pipeline.collect_news(config)[0].error
    assert pipeline.collect_news(config)[0].error  # a 304 of a refused document is still refused, not "unchanged"
