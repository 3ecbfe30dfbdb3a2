"""The editor's desk under `job.approval: required`: drafts listed with what changed, approved by a POST with
the page's CSRF token, kept out of the public archive until then; the real app over a copy of the seeded store."""

from __future__ import annotations

import re

import pytest

from reportgen import pipeline
from reportgen.config import Config
from reportgen.errors import NotApproved
from reportgen.models import Batch, Observation, Vintage
from reportgen.store import Store, approvals, users
from reportgen.store import archive as records

FIRST_BUILD, SECOND_BUILD = "1795435200", "1795438800"  # 2026-11-23 12:00 and 13:00 UTC


@pytest.fixture(scope="module")
def workers():
    from reportgen.web.printing import PdfWorkers

    pool = PdfWorkers(1, timeout=60)
    yield pool
    pool.close()


@pytest.fixture
def config(tmp_path, seeded_store, accounts) -> Config:
    config = Config.model_validate({"data_dir": str(seeded_store(tmp_path / "data")),
                                    "output_dir": str(tmp_path / "output"), "feeds": [],
                                    "job": {"approval": "required"}})
    with Store(config.db_path) as store:
        for name, password in accounts.values():
            users.add(store, name, password)
    return config


@pytest.fixture
def client(config, workers):
    from reportgen.web.app import create_app

    return create_app(config, workers=workers).test_client()


def build(config: Config, monkeypatch, epoch: str = FIRST_BUILD) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    pipeline.build(config, "MX", "2024", ["html"])


def form(client, editor) -> dict[str, str]:
    """The approve form's fields, as the desk gives them."""
    html = client.get("/desk", headers=editor).get_data(as_text=True)
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1],
            "built_at": re.search(r'name="built_at" value="([^"]+)"', html)[1]}


def error(response) -> str:
    return re.search(r'<p class="error">(.*?)</p>', response.get_data(as_text=True), re.S)[1]


def test_a_draft_is_on_the_desk_and_not_in_the_public_archive(config, client, editor, monkeypatch):
    build(config, monkeypatch)
    assert not (config.output_dir / "2024").exists()
    assert (config.drafts_dir / "2024" / "MEX" / "MEX-2024.html").is_file()
    desk = client.get("/desk", headers=editor).get_data(as_text=True)
    assert "U.S. goods trade deficit with Mexico" in desk and "Mexico · 2024 · built" in desk
    assert "The first briefing published for this partner" in desk
    assert client.get("/archive/2024/MEX/MEX-2024.html").status_code == 404
    index = client.get("/archive/").get_data(as_text=True)
    assert "Mexico" not in index and "0 briefings" in index
    assert "<entry>" not in client.get("/archive/feed.atom").get_data(as_text=True)
    assert client.get("/desk/MEX/2024/draft").status_code == 401  # editors only
    assert "$168.6 billion" in client.get("/desk/MEX/2024/draft", headers=editor).get_data(as_text=True)


def test_a_post_without_the_token_is_refused_and_changes_nothing(config, client, editor, monkeypatch):
    build(config, monkeypatch)
    fields = form(client, editor)
    for data in ({"built_at": fields["built_at"]}, {**fields, "csrf_token": "forged"}):
        response = client.post("/desk/MEX/2024/approve", data=data, headers=editor)
        assert response.status_code == 400 and "The form has expired" in response.get_data(as_text=True)
    with Store(config.db_path) as store:
        assert [b.state for b in records.history(store, "MEX", "2024")] == ["draft"]
        assert approvals.of_build(store, "MEX", "2024", fields["built_at"]) is None
    assert not (config.output_dir / "2024").exists()


def test_approving_publishes_the_draft_and_records_who_approved_what(config, client, editor, monkeypatch, caplog):
    build(config, monkeypatch)
    fields = form(client, editor)
    with caplog.at_level("INFO", logger="reportgen.desk"):
        response = client.post("/desk/MEX/2024/approve", data=fields, headers=editor)
    assert response.status_code == 303 and response.headers["Location"] == "/desk"
    assert "Approved and published: MEX 2024" in client.get("/desk", headers=editor).get_data(as_text=True)
    assert "$168.6 billion" in client.get("/archive/2024/MEX/MEX-2024.html").get_data(as_text=True)
    assert 'href="2024/MEX/MEX-2024.html"' in client.get("/archive/").get_data(as_text=True)
    assert not (config.drafts_dir / "2024" / "MEX" / "MEX-2024.html").exists()
    with Store(config.db_path) as store:
        [built] = records.history(store, "MEX", "2024")
        approval = approvals.of_build(store, "MEX", "2024", fields["built_at"])
    assert built.state == "published" and fields["built_at"] == "2026-11-23T12:00:00Z"
    assert (approval.editor, approval.source, approval.vintage) == ("editor", built.source, built.vintage)
    assert approval.vintage == "2026-10-01/86b70f62"
    assert [r.getMessage() for r in caplog.records] == [
        "approved MEX 2024 built 2026-11-23T12:00:00Z (census-bulk vintage 2026-10-01/86b70f62) by editor"]
    assert "No draft is waiting." in client.get("/desk", headers=editor).get_data(as_text=True)


def test_approving_a_draft_that_is_gone_or_was_rebuilt_changes_nothing(config, client, editor, monkeypatch):
    build(config, monkeypatch)
    seen = form(client, editor)
    never = client.post("/desk/MEX/2023/approve", data=seen, headers=editor)
    assert never.status_code == 404 and error(never) == "no draft of MEX 2023 is waiting for approval"
    build(config, monkeypatch, SECOND_BUILD)  # rebuilt while the editor read the first draft
    stale = client.post("/desk/MEX/2024/approve", data=seen, headers=editor)
    assert stale.status_code == 409
    assert error(stale) == ("the draft of MEX 2024 was rebuilt at 2026-11-23T13:00:00Z, after the one you saw "
                            "(2026-11-23T12:00:00Z): read the new one, then approve it")
    assert not (config.output_dir / "2024").exists()
    latest = form(client, editor)
    assert client.post("/desk/MEX/2024/approve", data=latest, headers=editor).status_code == 303
    again = client.post("/desk/MEX/2024/approve", data=latest, headers=editor)  # a second editor, or a reload
    assert again.status_code == 404 and "(it was published already)" in error(again)
    bad = client.post("/desk/MEX/2024/approve", data={**seen, "built_at": "yesterday"}, headers=editor)
    assert bad.status_code == 400


def test_the_archive_gets_exactly_the_approved_builds_files(config, client, editor, monkeypatch):
    """Approving copies every file of the build and removes a format it lacks, so the archive's HTML and PDF
    never come from two builds."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIRST_BUILD)
    pipeline.build(config, "MX", "2024", ["html", "pdf"])
    client.post("/desk/MEX/2024/approve", data=form(client, editor), headers=editor)
    folder = config.output_dir / "2024" / "MEX"
    assert sorted(p.name for p in folder.iterdir()) == ["MEX-2024.html", "MEX-2024.pdf"]
    build(config, monkeypatch, SECOND_BUILD)  # HTML only
    assert sorted(p.name for p in folder.iterdir()) == ["MEX-2024.html", "MEX-2024.pdf"]  # readers: as approved
    client.post("/desk/MEX/2024/approve", data=form(client, editor), headers=editor)
    assert sorted(p.name for p in folder.iterdir()) == ["MEX-2024.html"]
    assert list((config.drafts_dir / "2024" / "MEX").iterdir()) == []


def test_a_build_made_again_in_the_same_second_needs_approving_again(config, client, editor, monkeypatch):
    """With SOURCE_DATE_EPOCH pinned every build has one time: the rebuild is a draft all the same."""
    build(config, monkeypatch)
    assert client.post("/desk/MEX/2024/approve", data=form(client, editor), headers=editor).status_code == 303
    build(config, monkeypatch)
    with pytest.raises(NotApproved, match="waiting for approval"):
        pipeline.send(config, "MX", "2024")
    assert client.post("/desk/MEX/2024/approve", data=form(client, editor), headers=editor).status_code == 303
    with Store(config.db_path) as store:
        count = store.db.execute("SELECT COUNT(*) FROM approvals WHERE partner = 'MEX'").fetchone()[0]
    assert count == 2  # both approvals kept


def revise_mexico_imports(config: Config, imports: int) -> None:
    """A later release that revises Mexico's 2024 imports, stored as a new vintage."""
    revised = Vintage(source=pipeline.SOURCE, label="2026-11-20/revised0", published="2026-11-20T13:30:00Z",
                      origin="a revision", sha256="0" * 64)
    with Store(config.db_path) as store:
        store.add(Batch(revised, [Observation("MEX", "import", "2024", imports)], last_month="2024-12"))


def revised_draft(config: Config, client, editor, monkeypatch) -> None:
    """MEX 2024 approved, then a revision of its imports collected and the briefing built again: a draft."""
    build(config, monkeypatch)
    client.post("/desk/MEX/2024/approve", data=form(client, editor), headers=editor)
    revise_mexico_imports(config, 505_850_000_000)  # from $503.1 billion
    build(config, monkeypatch, SECOND_BUILD)


def test_a_digest_approved_from_other_figures_is_not_sent(config, client, editor, monkeypatch):
    build(config, monkeypatch)
    client.post("/desk/MEX/2024/approve", data=form(client, editor), headers=editor)
    revise_mexico_imports(config, 505_850_000_000)  # not built again: the approval was of the earlier figures
    with pytest.raises(NotApproved, match="MEX-2024 was approved from census-bulk vintage 2026-10-01/86b70f62, but "
                                          "the store now has census-bulk vintage 2026-11-20/revised0"):
        pipeline.send(config, "MX", "2024")
    build(config, monkeypatch, SECOND_BUILD)
    with pytest.raises(NotApproved, match=r"MEX-2024 is waiting for approval \(draft built 2026-11-23T13:00:00Z\)"):
        pipeline.send(config, "MX", "2024")


def test_what_changed_highlights_a_revised_figure_and_the_sentences(config, client, editor, monkeypatch):
    revised_draft(config, client, editor, monkeypatch)

    desk = client.get("/desk", headers=editor).get_data(as_text=True)
    assert "A revision of the briefing published Nov. 23, 2026, 12:00 UTC:" in desk
    page = client.get("/desk/MEX/2024", headers=editor).get_data(as_text=True)
    assert "Compared with the briefing for the same period published Nov. 23, 2026, 12:00 UTC" in page
    rows = {re.sub(r"<mark>.*?</mark>", "", m[2]).strip(): m[1] == ' class="changed"'
            for m in re.finditer(r'<tr( class="changed")?>\s*<th scope="row">(.*?)</th>', page)}
    assert rows["Imports"] and rows["Balance"] and rows["Total trade"] and not rows["Exports"]
    assert not rows["Rank among trading partners"]
    imports = re.search(r'<th scope="row">Imports <mark>revised</mark></th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>'
                        r'\s*<td>(.*?)</td>', page)
    assert imports[1].startswith("$503.1 billion") and imports[2].startswith("$505.9 billion")
    assert imports[3] == "+2,739.9 million"
    assert "<del>The U.S. goods trade deficit with Mexico reached <strong>$168.6</strong> billion in 2024" in page
    assert "<ins>The U.S. goods trade deficit with Mexico reached <strong>$171.4</strong> billion in 2024" in page
    assert ("<ins>The deficit was revised from $168.6 billion first reported in October 2026; imports were revised "
            "from $503.1 billion.</ins>") in page  # a new sentence: nothing in it to mark
    assert "<p>It was the top source of U.S. imports" in page  # unchanged
    # Until the revision is approved, readers still get the briefing that was approved.
    assert "$168.6 billion" in client.get("/archive/2024/MEX/MEX-2024.html").get_data(as_text=True)


def test_the_desk_reads_on_a_phone(config, client, editor, monkeypatch):
    """At 390 px the pages do not scroll sideways; the figures table scrolls inside its own box."""
    from playwright.sync_api import sync_playwright
    from web.test_browser import ARGS, CHROMIUM

    revised_draft(config, client, editor, monkeypatch)
    pages = {url: client.get(url, headers=editor).get_data(as_text=True) for url in ("/desk", "/desk/MEX/2024")}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 800})
            for url, html in pages.items():
                page.set_content(html)
                assert page.evaluate("document.documentElement.scrollWidth") == 390, url
            assert page.locator("tr.changed mark").first.is_visible()
            assert page.locator("ins strong").first.inner_text() == "$171.4"
        finally:
            browser.close()


def test_a_briefing_never_built_has_nothing_to_compare(client, editor):
    response = client.get("/desk/MEX/2024", headers=editor)
    assert response.status_code == 404 and error(response) == "MEX 2024 has not been built into the archive"
    assert client.get("/desk/mex;drop/2024", headers=editor).status_code == 400
