"""The offline snapshot of the Census bulk file shipped inside the package.

`data/census_country.csv.gz` holds every partner's monthly and annual figures for 1991 to 2024 in
the official country.xlsx layout, as the file stood on 2026-10-01 (after the June 2025 annual
revision), so the bulk reader reads it like any other copy of the file.
"""

from __future__ import annotations

from importlib import resources

from reportgen.models import Batch, Progress
from reportgen.partners import Registry
from reportgen.sources import census_bulk

FILE = "data/census_country.csv.gz"
PUBLISHED = "2026-10-01T00:00:00Z"
ORIGIN = "https://www.census.gov/foreign-trade/balance/country.xlsx (bundled snapshot, 1991-2024)"
NOTE = "Census country.xlsx as of 2026-10-01, after the June 2025 annual revision; bundled with reportgen"


def read(registry: Registry, progress: Progress | None = None) -> Batch:
    """The bundled figures as a batch of the census-bulk source."""
    content = resources.files("reportgen").joinpath(FILE).read_bytes()
    return census_bulk.read_bytes(content, registry, name=FILE, origin=ORIGIN, published=PUBLISHED, note=NOTE,
                                  progress=progress)
