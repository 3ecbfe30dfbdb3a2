"""Editions in two languages: the archive's files, index and feed, the switch between them, the command line."""

from __future__ import annotations

import subprocess
import sys

import feedparser
import pypdf
import pytest

from reportgen import pipeline
from reportgen.config import Config


@pytest.fixture
def config(tmp_path, seeded_store):
    return Config(data_dir=seeded_store(tmp_path / "data"), output_dir=tmp_path / "output",
                  public_url="https://news.example/trade", languages=["en", "es"])


def test_the_configured_languages_land_side_by_side_in_the_archive(config, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795435200")  # 2026-11-23 12:00 UTC
    pipeline.build(config, "MX", "2024")
    folder = config.output_dir / "2024" / "MEX"
    assert sorted(p.name for p in folder.iterdir()) == ["MEX-2024.es.html", "MEX-2024.es.pdf", "MEX-2024.html",
                                                        "MEX-2024.pdf"]
    english, spanish = (folder / "MEX-2024.html").read_text(), (folder / "MEX-2024.es.html").read_text()
    assert '<html lang="en">' in english and '<html lang="es-MX">' in spanish
    assert '<a href="MEX-2024.es.html" hreflang="es-MX" lang="es-MX">Español</a>' in english
    assert '<a href="MEX-2024.html" hreflang="en" lang="en">English</a>' in spanish
    pdf = pypdf.PdfReader(folder / "MEX-2024.es.pdf")
    assert pdf.trailer["/Root"]["/Lang"] == "es-MX"
    # A PDF travels alone: no link to the other edition's HTML in it.
    assert "English" not in pdf.pages[0].extract_text()
    assert "Español" not in pypdf.PdfReader(folder / "MEX-2024.pdf").pages[0].extract_text()
    assert pdf.metadata.title.startswith("Déficit comercial de Estados Unidos con México alcanza récord")

    index = (config.output_dir / "index.html").read_text()
    assert 'href="2024/MEX/MEX-2024.html">U.S. goods trade deficit with Mexico hits record' in index
    assert 'href="2024/MEX/MEX-2024.es.html">Déficit comercial de Estados Unidos con México alcanza récord' in index
    assert '<a href="index.es.html" hreflang="es-MX" lang="es-MX">Español</a>' in index
    spanish_index = (config.output_dir / "index.es.html").read_text()  # the same briefings, in Spanish words
    assert '<html lang="es-MX">' in spanish_index
    assert "informes sobre el comercio de Estados Unidos</title>" in spanish_index
    assert "2 informes, actualizado el 23 de noviembre de 2026" in spanish_index
    assert '<li lang="en"><a href="2024/MEX/MEX-2024.html">U.S. goods trade deficit with Mexico' in spanish_index
    assert '<li><a href="2024/MEX/MEX-2024.es.html">Déficit comercial de Estados Unidos con México' in spanish_index
    assert '<a href="index.html" hreflang="en" lang="en">English</a>' in spanish_index
    assert "briefing" not in spanish_index.replace('lang="en"><a href="2024/MEX/MEX-2024.html">', "")
    feed = feedparser.parse(config.output_dir / "feed.atom")
    assert not feed.bozo
    assert [e.link for e in feed.entries] == ["https://news.example/trade/archive/2024/MEX/MEX-2024.html",
                                              "https://news.example/trade/archive/2024/MEX/MEX-2024.es.html"]
    assert len({e.id for e in feed.entries}) == 2
    assert feed.entries[1].title.startswith("Déficit comercial")


def test_build_lang_chooses_the_editions_and_refuses_an_unknown_one(config, tmp_path):
    def build(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", str(config.data_dir), "build",
                               "--partner", "MX", "--period", "2024-01", *args], cwd=tmp_path, capture_output=True,
                              text=True, check=False)

    out = tmp_path / "plain"
    result = build("--format", "html", "--lang", "es", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["MEX-2024-01.es.html"]
    assert "<nav" not in (out / "MEX-2024-01.es.html").read_text()  # no other edition to link to

    result = build("--lang", "en,fr", "--out", str(tmp_path / "none"))
    assert result.returncode != 0
    assert result.stderr == "reportgen: error: language 'fr': reportgen writes en or es\n"
    assert not (tmp_path / "none").exists()


def test_a_config_with_an_unknown_language_names_the_key(tmp_path):
    from reportgen.config import load_config
    from reportgen.errors import ConfigError

    path = tmp_path / "config.yaml"
    path.write_text("languages: [en, fr]\n")
    with pytest.raises(ConfigError, match=r"languages.*language 'fr': reportgen writes en or es"):
        load_config(path)


def test_a_rebuild_in_one_language_rebuilds_the_other_edition_in_the_archive(config, monkeypatch):
    """`build --lang en` on an archived briefing with both editions keeps both, and both of the new build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795435200")
    pipeline.build(config, "CA", "2024", formats=["html"])
    folder = config.output_dir / "2024" / "CAN"
    assert sorted(p.name for p in folder.iterdir()) == ["CAN-2024.es.html", "CAN-2024.html"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795438800")  # an hour later, English asked for
    pipeline.build(config, "CA", "2024", formats=["html"], languages=["en"])
    assert sorted(p.name for p in folder.iterdir()) == ["CAN-2024.es.html", "CAN-2024.html"]
    for name in ("CAN-2024.html", "CAN-2024.es.html"):
        assert "2026-11-23T13:00:00Z" in (folder / name).read_text()
    assert '<a href="CAN-2024.es.html"' in (folder / "CAN-2024.html").read_text()
    index = (config.output_dir / "index.html").read_text()
    assert "CAN-2024.es.html" in index and "CAN-2024.html" in index
    out = config.output_dir.parent / "plain"  # a folder of the user's own: only what was asked for
    pipeline.build(config, "CA", "2024", formats=["html"], out_dir=out, languages=["en"])
    assert [p.name for p in out.iterdir()] == ["CAN-2024.html"]
