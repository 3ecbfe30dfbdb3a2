"""pandas does product tables only: a plain Census briefing's facts never import it (a second of start-up),
while a reporter's briefing with product detail does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CENSUS = """
import sys
from pathlib import Path
from reportgen import pipeline
from reportgen.config import Config
config = Config(data_dir=Path(sys.argv[1]))
facts = pipeline.facts(config, pipeline.load(config, partner="MX", period="2024"), "MX", "2024")
assert facts.figures.exports > 0
print("pandas" in sys.modules)
"""

REPORTER = """
import sys
from pathlib import Path
sys.path.append(sys.argv[2])
from comtrade_seed import seed
from reportgen import pipeline
from reportgen.config import Config
config = Config(data_dir=Path(sys.argv[1]), feeds=[])
seed(config.db_path)
imported = "pandas" in sys.modules
facts = pipeline.reporter.facts(config, "MX", "RU", "2016")
assert facts.products
print(imported, "pandas" in sys.modules)
"""


def python(code: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_census_facts_do_not_import_pandas(tmp_path):
    assert python(CENSUS, str(tmp_path / "data")) == ["False"]


def test_reporter_products_import_pandas(tmp_path):
    assert python(REPORTER, str(tmp_path / "data"), str(Path(__file__).resolve().parent)) == ["False", "True"]
