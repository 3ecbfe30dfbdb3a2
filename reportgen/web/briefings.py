"""The web page's briefings: the data loaded once and shared by every request, reloaded on a new vintage.

Facts and HTML come from the pipeline's own functions (`load`, `facts`, `render`), so the page shows
exactly what `reportgen build` writes. Rendered pages are kept for the data they were made from: the
PDF of a briefing just viewed does not draw its charts again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from reportgen import pipeline
from reportgen.config import Config
from reportgen.delivery import archive
from reportgen.errors import StoreError
from reportgen.languages import DEFAULT, suffix
from reportgen.models import EditorNote, Facts, Partner
from reportgen.periods import Period
from reportgen.sources import census_api, census_bulk
from reportgen.store import notes
from reportgen.web.stores import ThreadStores

KEPT = 32  # rendered briefings kept (about 50 kB each)


@dataclass(frozen=True)
class Briefing:
    partner: Partner
    period: Period
    headline: str
    html: str
    language: str = DEFAULT
    note: EditorNote | None = None  # the editor's note shown under the lede

    @property
    def stem(self) -> str:
        """The file name the archive gives this edition, without suffix: MEX-2024, MEX-2024.es."""
        return archive.stem(self.partner.code, self.period) + suffix(self.language)


@dataclass(frozen=True)
class Choices:
    """What the chooser offers: partners by name, and each year's periods, newest first."""

    countries: list[Partner]
    groups: list[Partner]
    periods: list[tuple[int, list[Period]]]  # (2024, [2024, 2024-11-ytd, 2024-11, ...]), the latest year first
    latest: Period  # the latest calendar year the store covers: chosen until the editor picks another


class Briefings:
    """Shared by the server's threads: one dataset, swapped whole when the store's newest vintage changes."""

    def __init__(self, config: Config):
        self.config = config
        self._lock = threading.Lock()
        self._stores = ThreadStores(config.db_path)
        self._data: pipeline.Dataset | None = None
        self._mark: tuple[str, ...] = ()
        self._pages: OrderedDict[tuple, Briefing] = OrderedDict()
        self._choices: Choices | None = None
        pipeline.open_store(config).close()  # seeds an empty store now, so the first mark is the one that stays

    def _newest(self) -> tuple[str, ...]:
        """The newest vintage of each source: the data change when this does."""
        store = self._stores.get()
        labels = []
        for source in (census_bulk.SOURCE, census_api.SOURCE):
            try:
                labels.append(store.vintage(source).label)
            except StoreError:  # no data from this source
                labels.append("")
        return tuple(labels)

    def data(self) -> tuple[pipeline.Dataset, tuple[str, ...]]:
        """The dataset and the vintages it was loaded from, loading it again if a newer vintage arrived."""
        mark = self._newest()
        with self._lock:  # one thread loads; the others wait for it rather than load too
            if self._data is None or mark != self._mark:
                self._data, self._mark = pipeline.load(self.config), mark
                self._pages.clear()
                self._choices = None
            return self._data, self._mark

    def facts(self, partner: str, period: str) -> Facts:
        """The facts of one briefing; an unknown partner or period, or one without data, is an InputError."""
        data, _ = self.data()
        return pipeline.facts(self.config, data, partner, period)

    def canonical(self, partner: str, period: str) -> tuple[str, str]:
        """The store code and period key of a partner and period named any way (Mexico, 2024-5); an unknown
        one is an InputError."""
        data, _ = self.data()
        return data.registry.partner(partner).code, Period.parse(period).key

    def briefing(self, partner: str, period: str, language: str = DEFAULT) -> Briefing:
        """The briefing's HTML and headline in `language`, as `reportgen build --format html` writes it: its facts
        made and its page rendered once, then kept for the data and the editor's note they came from."""
        data, mark = self.data()
        code, period_key = self.canonical(partner, period)
        note = notes.get(self._stores.get(), code, period_key, language)
        key = (code, period_key, language, mark, note)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        result = pipeline.facts(self.config, data, partner, period)
        rendered = pipeline.render(self.config, result, language=language, note=note)
        page = Briefing(result.partner, result.period, rendered.headline, rendered.html, language, note)
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > KEPT:
                self._pages.popitem(last=False)
        return page

    def choices(self) -> Choices:
        """Partners from the registry and the periods the store covers."""
        data, _ = self.data()
        with self._lock:
            if self._choices is None:
                self._choices = _choices(data)
            return self._choices


def _choices(data: pipeline.Dataset) -> Choices:
    # Census partners: the United States is in the registry as other reporters' partner, never as its own.
    people = sorted((p for p in data.registry if p.kind in ("country", "group") and p.census_codes),
                    key=lambda p: p.short_name.casefold())
    table = data.table
    first, last = table.first_month, table.latest_month
    periods: list[tuple[int, list[Period]]] = []
    if last:
        for year in range(int(last[:4]), int(first[:4]) - 1, -1):
            found = [Period(year)] if table.covers(Period(year)) else []
            for month in range(12, 0, -1):
                for period in (Period.ytd(year, month), Period(year, month, "month")):
                    if period.kind != "year" and period not in found and table.covers(period):
                        found.append(period)
            if found:
                periods.append((year, found))
    years = [p for _, found in periods for p in found if p.kind == "year"]
    latest = years[0] if years else (periods[0][1][0] if periods else Period(2000))
    return Choices([p for p in people if p.kind == "country"], [p for p in people if p.kind == "group"], periods,
                   latest)
