"""A real HTTP server on loopback that serves the feed fixtures, and configs that read from it."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reportgen.config import Config, FeedConfig, HttpConfig, NewsConfig

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
TYPES = {".rss": "application/rss+xml", ".atom": "application/atom+xml", ".xml": "application/xml"}


def fixture_bytes(name: str, server: HTTPServer) -> bytes:
    """A fixture with `{host}` pointing at the test server."""
    return (FIXTURES / name).read_bytes().replace(b"{host}", f"{server.host}:{server.port}".encode())


def serve(server: HTTPServer, name: str, *, path: str | None = None, content_type: str | None = None,
          etag: str | None = None, body: bytes | None = None) -> str:
    """Serve a fixture (or `body`) at `path`, answering 304 to a client that holds `etag`; return its URL."""
    path = path or f"/feeds/{name}"
    body = fixture_bytes(name, server) if body is None else body
    content_type = content_type or TYPES.get(Path(name).suffix, "application/xml")

    def handle(request: Request) -> Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type, headers={"ETag": etag} if etag else {})

    server.expect_request(path).respond_with_handler(handle)
    return server.url_for(path)


def news_config(tmp_path: Path, feeds: list[tuple[str, str]], **news) -> Config:
    """A config whose store is in tmp_path and whose feeds are `(name, url)` pairs."""
    return Config(
        data_dir=tmp_path / "data", output_dir=tmp_path / "output",
        http=HttpConfig(timeout=2, retries=0, backoff=0, user_agent="reportgen-test/1.0 (tests)"),
        feeds=[FeedConfig(name=name, url=url) for name, url in feeds],
        news=NewsConfig(**{"deadline": 5, **news}),
    )


def requested(server: HTTPServer) -> list[str]:
    """The paths the server was asked for, in order."""
    return [request.path for request, _ in server.log]
