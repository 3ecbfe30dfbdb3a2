"""The typed objects the pipeline stages hand each other.

collect -> `Batch` (a vintage and its observations) -> store -> DataFrame (inside analysis only)
-> `Facts` -> write. Money is whole U.S. dollars in `int`; codes are strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from reportgen.periods import Period

Flow = Literal["export", "import"]
MEASURES = ("exports", "imports", "balance", "total_trade")
RANKED = ("total_trade", "exports", "imports")
BASIS = "Census basis, goods, not seasonally adjusted"

# How long work reports how far it got: (step, done, total or None when unknown), the step one of
# "download" (bytes), "read" and "parse" (rows), "queries" (Census API), "build" (partners), "feeds",
# "send" (messages). The command line draws it; the pipeline never knows how.
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Partner:
    """A trading partner: a country, a group of countries, the world, or an unallocated residual; or a
    measure the Census file lists beside them (a product category, preference-program imports)."""

    code: str  # ISO alpha-3 for countries, WLD for the world, the Census code for groups
    name: str  # the source's own name
    short_name: str  # the name used in prose
    kind: Literal["country", "group", "world", "unallocated", "measure"]
    census_codes: tuple[str, ...] = ()  # the current code first, then codes Census retired
    iso2: str = ""
    article: str = ""  # "the" for the Netherlands, the United Kingdom, ...
    aliases: tuple[str, ...] = ()  # other names users type: EU, UK, Korea
    m49_codes: tuple[str, ...] = ()  # UN M49 codes (UN Comtrade's), unpadded: 484; the current one first
    name_es: str = ""  # the Spanish name as it reads in a sentence, article included ("el Reino Unido")

    @property
    def is_country(self) -> bool:
        """Whether the partner may be ranked: single countries only, never groups or residuals."""
        return self.kind == "country"

    @property
    def display_name(self) -> str:
        """The name as it reads inside a sentence ("the Netherlands")."""
        return f"{self.article} {self.short_name}" if self.article else self.short_name


# No trade figure comes near this ($100 trillion; U.S. goods trade is about $5 trillion a year): a value
# beyond it is a damaged file, refused before it can overflow SQLite's 64-bit integers.
MAX_DOLLARS = 10**14


@dataclass(frozen=True, slots=True)  # a batch can hold a million
class Observation:
    """One row of the common table, without its source and vintage (those belong to the batch)."""

    partner: str
    flow: Flow
    period: str  # YYYY-MM for a month, YYYY for a published annual total
    value: int  # whole U.S. dollars
    commodity: str = "TOTAL"
    reporter: str = "USA"


@dataclass(frozen=True)
class Vintage:
    """When and from where a set of observations was read."""

    source: str  # census-bulk, census-api, ...
    label: str  # e.g. 2026-10-01/9f2c61d0: publication date and content hash
    published: str  # ISO 8601 UTC: Last-Modified, the file's own date, or the time it was read
    origin: str  # the URL or file it came from
    sha256: str
    etag: str = ""
    last_modified: str = ""
    collected_at: str = ""
    note: str = ""


class Total(NamedTuple):
    """One country total as the store reads it: the value from the newest vintage that holds its key."""

    partner: str
    flow: str
    period: str
    value: int
    vintage: str
    seq: int  # the vintage's place in its source's order


class DetailLine(NamedTuple):
    """One product's value for a partner, flow and month, from the newest vintage that holds it."""

    partner: str
    flow: str
    period: str
    code: str  # HS2 or HS4
    value: int
    seq: int


@dataclass
class Batch:
    """What a source hands the store: one vintage, its rows, and partners the registry lacks."""

    vintage: Vintage
    observations: list[Observation]
    new_partners: list[Partner] = field(default_factory=list)
    last_month: str = ""  # the latest published month in the batch
    warnings: list[str] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)  # commodity code -> the source's description


@dataclass(frozen=True)
class Figures:
    """Exports, imports, balance and total trade of one partner in one period, in dollars."""

    exports: int
    imports: int

    @property
    def balance(self) -> int:
        return self.exports - self.imports

    @property
    def total_trade(self) -> int:
        return self.exports + self.imports

    def __getitem__(self, measure: str) -> int:
        return getattr(self, measure)

    def as_dict(self) -> dict[str, int]:
        return {m: self[m] for m in MEASURES}


@dataclass(frozen=True)
class Comparison:
    """The change from an earlier period to this one."""

    period: Period
    figures: Figures  # the earlier period's figures
    change: dict[str, int]  # now minus then, per measure
    change_pct: dict[str, float | None]  # balance: change in the size of the gap; None if it changed sign
    balance_trend: Literal["widened", "narrowed", "unchanged", "reversed", "opened", "closed"]
    driver: Literal["exports", "imports"] | None = None  # the flow that moved the balance most, the way it moved

    @property
    def flow_order(self) -> tuple[str, str]:
        """The flows in the order a story tells them: the one that moved the balance most first."""
        first = self.driver or "imports"
        return first, ("exports" if first == "imports" else "imports")

    @property
    def flows_opposed(self) -> bool:
        """Whether exports and imports moved in opposite directions ("while" rather than "and")."""
        return self.change["exports"] * self.change["imports"] < 0

    def move(self, measure: str) -> Literal["unchanged", "from zero", "to zero", "up", "down"]:
        """How a flow moved since the base, as a sentence can say it: by a percentage (up, down) only when it
        neither started nor ended at zero."""
        if not self.change[measure]:
            return "unchanged"
        if self.change_pct[measure] is None:
            return "from zero"
        if getattr(self.figures, measure) + self.change[measure] == 0:
            return "to zero"
        return "up" if self.change[measure] > 0 else "down"


@dataclass(frozen=True)
class Record:
    """Where a value stands in the partner's stored history of comparable periods."""

    measure: str
    extreme: Literal["high", "low"]  # for the balance: high = largest surplus, low = largest deficit
    is_record: bool
    since: Period | None  # the latest earlier period that was more extreme ("largest since 2008")
    history_start: Period  # the first comparable period in the store
    compared: int  # how many earlier periods were compared


@dataclass(frozen=True)
class Neighbour:
    code: str
    name: str  # the name as it reads in a sentence
    value: int


@dataclass(frozen=True)
class Rank:
    """The partner's place among single countries by one measure, and how it moved since the story's base."""

    measure: str
    rank: int
    of: int
    value: int
    ahead: Neighbour | None
    behind: Neighbour | None
    previous_rank: int | None  # a year earlier: the key figures' comparison column
    base: Period | None = None  # what a move is measured against: the month before for a month, else a year earlier
    base_rank: int | None = None
    # held: the same place as at the base; regained: a higher place than at the base, one it held in the
    # periods just before the base; rose: a higher place, not held lately; fell: a lower place. None: no base.
    move: Literal["held", "regained", "rose", "fell"] | None = None
    last_held: Period | None = None  # regained: the latest period before the base in this place or higher
    leaders: tuple[Neighbour, ...] = ()  # every partner ahead, when there are one or two (else the place says it)
    overtook: tuple[Neighbour, ...] = ()  # ahead at the base, behind now
    overtaken_by: tuple[Neighbour, ...] = ()
    passed: tuple[Neighbour, ...] = ()  # whom a story names for the move: one or two passed one way, none the other

    @property
    def qualified(self) -> bool:
        """Whether a story's phrase for this rank carries clauses of its own (who is ahead, a move from the
        base), so that a list of ranks needs a comma after it."""
        return bool(self.leaders) or self.move in ("regained", "rose", "fell")


@dataclass(frozen=True)
class Peer:
    """The top-five partner's nearest neighbour by total trade, with its figures in the same period."""

    code: str
    name: str  # as it reads in a sentence
    rank: int
    figures: Figures


@dataclass(frozen=True)
class Preference:
    """Imports that entered under a trade agreement's preference (NAFTA, USMCA), as Census counts them."""

    program: str  # USMCA, NAFTA, or "NAFTA or USMCA" for a period that spans both
    imports: int  # imports for consumption claiming the preference
    share: float  # percent of the partner's general imports (a broader measure: the basis is stated)


@dataclass(frozen=True)
class Revision:
    """The figures as the first stored vintage that held the period reported them."""

    vintage: str
    published: str  # ISO 8601: when that vintage was published
    figures: Figures
    revised: tuple[str, ...]  # measures whose revision is material (worth a sentence), balance first

    def kept_sign(self, measure: str, now: Figures) -> bool:
        """Whether a revised measure stayed on the same side of zero: a balance that became a surplus is
        "the balance", revised from "a deficit of ..."; a flow always keeps its sign."""
        then, current = self.figures[measure], now[measure]
        return measure != "balance" or bool(then and current and (then < 0) == (current < 0))


@dataclass(frozen=True)
class MonthRow:
    period: str
    exports: int
    imports: int
    balance: int


@dataclass(frozen=True)
class ChartSeries:
    """The numbers behind the charts, made by analysis so that drawing computes nothing."""

    balance_this_year: list[tuple[int, int]]  # (month number, balance)
    balance_last_year: list[tuple[int, int]]
    annual: list[tuple[int, int, int]]  # (year, exports, imports), complete years
    top_partners: list[Neighbour]  # by total trade in the period, the partner included


@dataclass(frozen=True)
class Mover:
    """One commodity's part in a flow's change against a year earlier."""

    code: str
    name: str
    value: int
    previous: int
    change: int
    contribution_pp: float | None  # percentage points of the flow's growth
    share: float | None  # percent of the flow in the period
    growth_5y: float | None  # percent change against five years earlier
    notable: bool  # passes the threshold: worth a sentence
    name_es: str = ""  # its Spanish name (hs_names.csv's name_es), '' where the table has none


@dataclass(frozen=True)
class FlowMovers:
    flow: str  # export or import
    total: int
    previous_total: int
    change_pct: float | None
    rising: tuple[Mover, ...]  # largest increases first
    falling: tuple[Mover, ...]  # largest decreases first
    notable: tuple[Mover, ...]  # the movers that earn a sentence, largest first
    threshold_pp: float
    five_years_back: Period | None  # the period growth_5y compares with, when the data reach it


@dataclass(frozen=True)
class Movers:
    """What drove the change, from commodity detail (HS2 or HS4) of one source and vintage."""

    level: str
    exports: FlowMovers | None
    imports: FlowMovers | None
    source: str
    vintage: str
    read: str = ""  # when the detail was read (ISO 8601 UTC), for the reader's "read Nov. 3, 2026"

    def __iter__(self):
        return iter(m for m in (self.exports, self.imports) if m is not None)


@dataclass(frozen=True)
class NewsItem:
    """A news item that concerns a briefing: text only, already sanitised, with why it was chosen."""

    title: str
    link: str  # canonical http(s) link
    source: str  # the feed's name
    published: str  # ISO 8601, UTC
    dated: bool  # False when the feed gave no date and the time it was fetched stands in
    summary: str  # plain text
    matched: tuple[str, ...]  # the words that made it relevant
    language: str = ""  # the feed's language (en, es, ...), for the item's lang attribute


@dataclass(frozen=True)
class News:
    """The news looked up for a briefing: the items that concern it and the days searched."""

    items: tuple[NewsItem, ...]
    first_day: str = ""  # YYYY-MM-DD (UTC); '' when the search had no bound on that side
    last_day: str = ""
    feeds_read: bool = True  # False: no feed had ever been collected, so "nothing matched" would mislead


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed as collected: plain text, a canonical http(s) link (or none), a UTC time."""

    feed: str  # the feed's name
    feed_url: str
    guid: str  # the feed's own id for the entry; empty when it gave none
    title: str
    link: str
    published: str  # ISO 8601, UTC: 2025-01-15T13:30:00Z
    dated: bool  # False when the feed gave no usable date and the fetch time stands in
    summary: str
    language: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where the figures come from, so every number can be traced."""

    source: str
    vintage: str
    published: str
    origin: str
    sha256: str
    collected_at: str
    basis: str = BASIS
    note: str = ""
    # Earlier builds of this briefing, newest first: (built_at, source, vintage, the vintage's published date or '').
    history: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class Facts:
    """Everything a briefing may say about one partner in one period, and nothing it may not."""

    partner: Partner
    period: Period
    figures: Figures
    year_ago: Comparison | None
    month_ago: Comparison | None  # monthly briefings only
    records: dict[str, Record]
    ranks: dict[str, Rank]
    share: dict[str, float | None]  # percent of U.S. totals with the world
    history_start: Period
    history_is_partial: bool  # the store's history starts later than the source's: records say how far back
    latest_month: str  # the latest month in the store
    table: list[MonthRow]
    charts: ChartSeries | None
    provenance: Provenance
    ytd: Facts | None = None  # a monthly briefing's year to date
    movers: Movers | None = None  # commodity detail, when a source has it for the period
    news: News | None = None  # None: news not looked up
    reporter: str = "USA"
    peer: Peer | None = None  # top-five partners only
    preference: Preference | None = None  # Mexico and Canada: imports under NAFTA or USMCA preference
    first_reported: Revision | None = None  # None: the vintage used is the first that held the period

    @property
    def record(self) -> bool:
        """Whether the balance is the largest deficit (or surplus) of the stored history."""
        r = self.records.get("balance")
        wanted = "low" if self.figures.balance < 0 else "high"
        return bool(r and r.is_record and r.extreme == wanted and self.figures.balance != 0)

    def claim(self, measure: str) -> tuple[str, Period | None] | None:
        """What a story may claim about a measure: ("record", None), ("since", the period it is the largest
        since), or None. The balance's "since" is news only when the gap widened; a flow's claim is made
        beside its change from a year earlier, so there is none without one."""
        r = self.records.get(measure)
        if r is None or (measure != "balance" and self.year_ago is None):
            return None
        if (self.record if measure == "balance" else r.is_record):
            return ("record", None)
        widened = measure != "balance" or (self.year_ago is not None and self.year_ago.balance_trend == "widened")
        return ("since", r.since) if r.since and widened else None

    @property
    def flows_share_claim(self) -> bool:
        """Whether imports and exports earn the same claim the same way ("both records", "both the lowest
        since 2021"), so that a story says it once."""
        claims = [self.claim(m) for m in ("imports", "exports")]
        return claims[0] is not None and claims[0] == claims[1] and \
            self.records["imports"].extreme == self.records["exports"].extreme

    @property
    def change_claimed(self) -> bool:
        """Whether the change paragraph states the balance's growth ("The deficit grew 13.6% from ..."): when
        the balance earned a claim and its gap widened or narrowed by a measurable percentage."""
        c = self.year_ago
        return bool(self.claim("balance") and c and c.balance_trend in ("widened", "narrowed")
                    and c.change_pct["balance"] is not None)

    @property
    def flows_split(self) -> bool:
        """Whether the two flows get a sentence each: both earned claims, not the same one, and one is a
        "since" claim that would read ambiguously if the flows shared a sentence."""
        imports, exports = self.claim("imports"), self.claim("exports")
        return bool(not self.flows_share_claim and imports and exports and "since" in (imports[0], exports[0]))

    @property
    def reach_noted(self) -> str | None:
        """The measure whose record claim says how far back the data go ("in data back to 1991"): the
        first record a story states, when the stored history starts after the source's own."""
        if not self.history_is_partial:
            return None
        return next((m for m in ("balance", "imports", "exports") if self.claim(m) == ("record", None)), None)


@dataclass(frozen=True)
class ProductLine:
    """One product as a reader names it (a group of HS codes, or one code) in one flow with the partner."""

    name: str
    codes: tuple[str, ...]  # the HS codes of the detail rows it sums
    value: int
    share: float | None  # percent of the flow's total with the partner
    base_value: int | None  # the same codes in the base year; None when the base year has no detail
    growth_pct: float | None  # against the base year; None without a base or from zero
    # "up from less than $5 million": the smallest round amount the base value stays below once rounded as a
    # reader would see it, given only when the rise is many-fold (else the story names the figure itself).
    base_below: int | None = None
    name_es: str = ""  # its Spanish name (product_groups.csv's name_es), '' where the table has none

    @property
    def rose(self) -> bool:
        """Whether the product grew since the base year (the story's "up" or "down")."""
        return self.growth_pct is not None and self.growth_pct > 0


@dataclass(frozen=True)
class ProductMix:
    """What one flow with the partner was made of, from HS detail of one level, largest first."""

    flow: str  # export or import
    level: str  # HS6, HS4 or HS2
    total: int  # the flow's total with the partner (its TOTAL row, not the sum of the detail)
    lines: tuple[ProductLine, ...]
    base: Period | None  # the earlier year the growth is measured from


@dataclass(frozen=True)
class Mirror:
    """The same trade as the partner reported it: one flow from each side, and the gap between them."""

    flow: str  # the reporter's flow: import (the partner's exports) or export (the partner's imports)
    reported: int  # the reporter's figure
    mirrored: int  # the partner's figure for the same trade
    gap: int  # reported minus mirrored
    gap_pct: float | None  # percent of the partner's figure
    source: str  # the partner's source: census-bulk, census-api or comtrade
    provenance: Provenance

    @property
    def by_census(self) -> bool:
        """Whether the partner's side is the Census Bureau's (exports valued f.a.s.), not a Comtrade report (FOB)."""
        return self.source.startswith("census")


@dataclass(frozen=True)
class ReporterFacts:
    """A briefing from any reporter's side: the reporter's trade with one partner, as the reporter declared it.

    `facts` holds the partner's figures, changes, records, ranks (among the reporter's partners) and
    shares (of the reporter's totals), judged by the same rules as a Census briefing."""

    reporter: Partner
    facts: Facts
    surplus: Neighbour | None  # the reporter's largest surplus partner in the period, among countries
    deficit: Neighbour | None
    growth: Comparison | None  # against the earliest stored year of the decade before the period
    products: tuple[ProductMix, ...] = ()
    mirror: Mirror | None = None

    @property
    def partner(self) -> Partner:
        return self.facts.partner

    @property
    def period(self) -> Period:
        return self.facts.period

    @property
    def provenance(self) -> Provenance:
        return self.facts.provenance

    @property
    def code(self) -> str:
        """The briefing's name in the archive: MEX-RUS."""
        return f"{self.reporter.code}-{self.facts.partner.code}"


@dataclass(frozen=True)
class EditorNote:
    """An editor's context paragraph or quote for one briefing, shown under its lede; its words are the
    editor's, not figures from the facts."""

    partner: str  # the briefing's code in the archive: MEX, or MEX-RUS from another reporter's side
    period: str  # the period's key: 2024, 2024-05, 2024-05-ytd
    lang: str  # the edition: en, es
    markdown: str  # the source, checked against the safe subset (reportgen.render.notes)
    editor: str  # who wrote it, as readers see it
    written: str  # when, ISO 8601 UTC
