"""Seed a store through the Store API with Comtrade figures as the agreed interface stores them: Mexico's
report for 2012-2016 (every partner in 2015 and 2016, HS6 detail with Russia in 2012 and 2016) and Russia's
report of its trade with Mexico in 2016, from tests/fixtures/comtrade_mex.csv."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from reportgen.models import Batch, Observation, Partner, Vintage
from reportgen.store import Store

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "comtrade_mex.csv"
PREVIEW = "https://comtradeapi.un.org/public/v1/preview/C/A/HS"
UNALLOCATED = [Partner("M49-490", "Other Asia, nes", "Other Asia, nes", "unallocated"),
               Partner("M49-899", "Areas, nes", "Areas, nes", "unallocated")]
DESCRIPTIONS = {"901890": "Instruments and appliances used in medical sciences, n.e.s. in heading no. 9018"}


def comtrade_batches(path: Path = FIXTURE) -> list[Batch]:
    """One vintage a reporter, as the collector stores one answer: published at the time it was read."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    batches = []
    for n, (reporter, m49) in enumerate((("MEX", 484), ("RUS", 643))):
        own = [Observation(partner=r["partner"], flow=r["flow"], period=r["period"], value=int(r["value"]),
                           commodity=r["commodity"], reporter=r["reporter"]) for r in rows if r["reporter"] == reporter]
        digest = hashlib.sha256(repr(own).encode()).hexdigest()
        read = f"2026-12-04T09:0{n}:00Z"
        batches.append(Batch(
            vintage=Vintage(source="comtrade", label=f"2026-12-04/{digest[:8]}", published=read,
                            origin=f"{PREVIEW}?reporterCode={m49}&period=2012,2013,2014,2015,2016", sha256=digest,
                            collected_at=read),
            observations=own, new_partners=UNALLOCATED if reporter == "MEX" else [],
            descriptions=DESCRIPTIONS if reporter == "MEX" else {}))
    return batches


def seed(db_path: Path) -> None:
    with Store(db_path) as store:
        for batch in comtrade_batches():
            store.add(batch)
