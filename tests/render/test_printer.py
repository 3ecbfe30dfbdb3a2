"""The second process that prints a single build's PDF: same output, same errors, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen import pipeline
from reportgen.errors import RenderError
from reportgen.render import pdf
from reportgen.render.pdf import Printer, write_pdf


def test_prints_what_write_pdf_prints(tmp_path):
    html = "<title>Printed</title><p>In the other process</p>"
    with Printer() as printer:
        target = printer.write_pdf(html, tmp_path / "b.pdf")
    assert target == tmp_path / "b.pdf"
    assert PdfReader(target).metadata.title == "Printed"
    assert "In the other process" in PdfReader(target).pages[0].extract_text()
    assert [p.name for p in tmp_path.iterdir()] == ["b.pdf"]


def test_errors_come_back_as_the_same_render_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(RenderError) as direct:
        write_pdf("<p>x</p>", blocker / "b.pdf")
    with Printer() as printer, pytest.raises(RenderError) as printed:
        printer.write_pdf("<p>x</p>", blocker / "b.pdf")
    assert str(printed.value) == str(direct.value)


def _die(html: str, target: Path) -> Path:
    os._exit(1)


def test_a_printer_that_dies_is_a_render_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "write_pdf", _die)  # forked after this, the printer inherits it
    with Printer() as printer, pytest.raises(RenderError, match="stopped unexpectedly"):
        printer.write_pdf("<p>x</p>", tmp_path / "b.pdf")
    assert list(tmp_path.iterdir()) == []


def test_build_prints_through_it(config, tmp_path):
    written = pipeline.build(config, "MX", "2024", out_dir=tmp_path)
    assert [p.name for p in written] == ["MEX-2024.html", "MEX-2024.pdf"]
    assert "$168.6 billion" in PdfReader(written[1]).pages[0].extract_text()


def test_an_unwritable_pdf_fails_in_one_line(config, tmp_path):
    """Through the command line: the error from the printing process reads as any other."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "--data-dir", str(config.data_dir), "build", "--partner", "MX",
         "--period", "2024", "--format", "pdf", "--out", str(blocker / "out")],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("reportgen: error: ") and "cannot write the PDF" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
