"""Imports: reportgen's own modules at module top; the libraries that cost most of a second to import
(WeasyPrint, matplotlib, pandas) only where a command draws or prints."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"
HEAVY = ("weasyprint", "matplotlib", "pandas")
# reportgen's modules that import a heavy library at their top: loaded where needed, like the library itself.
WRAPS_HEAVY = {"reportgen.analysis.products"}
# Run a command in this process's interpreter, then list the heavy libraries it imported.
ENV = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
PROBE = """
import sys
from reportgen.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="reportgen")
except SystemExit as exit:
    assert not exit.code, exit.code
print("imported:", ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def test_no_module_imports_reportgen_inside_a_function():
    local = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                local += [f"{path.name}:{inner.lineno}" for inner in ast.walk(node)
                          if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("reportgen")
                          and inner.module not in WRAPS_HEAVY
                          or isinstance(inner, ast.Import) and any(a.name.startswith("reportgen") for a in inner.names)]
    assert local == []


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    subprocess.run([sys.executable, "-m", "reportgen", "--data-dir", str(data), "collect", "--snapshot"],
                   cwd=data, env=ENV, capture_output=True, timeout=120, check=True)
    return data


@pytest.mark.parametrize("args", [["--help"], ["facts", "--partner", "MX", "--period", "2024"]])
def test_commands_that_draw_and_print_nothing_leave_the_heavy_libraries_alone(seeded, args):
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), "--data-dir", str(seeded), *args],
                            cwd=seeded, env=ENV, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "imported: "
