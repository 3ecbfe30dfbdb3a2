"""The configuration schema: every key with its type, default and help, validated on load.

`config.yaml` at the project root documents every key. A file may set any subset; the rest keep
their defaults. Relative paths are taken from the folder of the config file (or the working folder
when there is none). Secrets never live here: they come from environment variables.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from reportgen import __version__
from reportgen.errors import ConfigError, InputError
from reportgen.languages import languages as checked_languages

DEFAULT_FILE = "config.yaml"
DEFAULT_PUBLISHER = "U.S. Trade Briefings"
NO_ALIASES = "YAML aliases (*name) are not allowed in reportgen's config"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


WebAddress = Annotated[str, AfterValidator(_http_url)]


class CensusConfig(Section):
    bulk_url: WebAddress = Field(
        "https://www.census.gov/foreign-trade/balance/country.xlsx",
        description="Where `reportgen collect` downloads the Census bulk file country.xlsx; a mirror may stand in.",
    )


class ComtradeConfig(Section):
    preview_url: WebAddress = Field(
        "https://comtradeapi.un.org/public/v1/preview",
        description="UN Comtrade's keyless preview API (at most 500 records an answer), used when "
                    "COMTRADE_API_KEY is not set.",
    )
    data_url: WebAddress = Field(
        "https://comtradeapi.un.org/data/v1/get",
        description="UN Comtrade's keyed data API (at most 100,000 records an answer), used when "
                    "COMTRADE_API_KEY is set; "
        "the key goes in a request header, never in the URL.",
    )


class HttpConfig(Section):
    timeout: float = Field(30.0, gt=0, description="Seconds to wait for a server to connect or to send more data.")
    retries: int = Field(3, ge=0, le=10, description="Retries after a 429, a 5xx or a dropped connection.")
    backoff: float = Field(
        0.5, ge=0, description="Backoff factor in seconds: waits grow 0.5, 1, 2, ... between retries.")
    user_agent: str = Field(
        f"reportgen/{__version__} (automated trade-statistics briefings)",
        min_length=1,
        description="The User-Agent sent with every request, so publishers can tell who is asking.",
    )


class BriefingConfig(Section):
    locale: str = Field("en_US", description="Babel locale for numbers and dates in briefings.")
    table_months: int = Field(
        13, ge=2, le=60, description="Months shown in the monthly table (13 = a year and the same month before).")
    top_partners: int = Field(10, ge=3, le=30, description="Partners shown in the top-partners chart.")
    page_size: Literal["A4", "Letter"] = Field("A4", description="PDF page size: A4 or Letter.")

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(value)
        except (ValueError, UnknownLocaleError):
            raise ValueError("not a locale Babel knows (try en_US)") from None
        return value


class SourcesConfig(Section):
    prefer: Literal["census-bulk", "census-api"] = Field(
        "census-bulk", description="Whose country totals a briefing uses when both sources hold its period; "
        "the other is used only when the preferred one lacks the period, and never both in one briefing.",
    )


class MoversConfig(Section):
    level: Literal["HS2", "HS4"] = Field("HS2", description="The product level of 'What drove the change': HS2 or HS4.")
    threshold: float = Field(
        0.5, gt=0,
        description="A product earns a sentence when it moved its flow by at least this many percentage points.",
    )
    top: int = Field(5, ge=1, le=20, description="Products in each table of largest increases and decreases.")


class FeedConfig(Section):
    name: str = Field(min_length=1, description="A short name for the feed, shown as the item's source.")
    url: WebAddress = Field(description="The feed's address (RSS or Atom).")
    language: str = Field("en", description="The feed's language (en, es, ...).")
    tags: list[str] = Field(default_factory=list, description="Free labels, e.g. official, mexico.")


DEFAULT_FEEDS = [
    FeedConfig(name="Census economic indicators", url="https://www.census.gov/economic-indicators/indicator.xml",
               tags=["official"]),
    FeedConfig(name="BEA news releases", url="https://apps.bea.gov/rss/rss.xml", tags=["official"]),
]


class NewsConfig(Section):
    max_bytes: int = Field(5 * 1024 * 1024, gt=0, description="The largest feed reportgen downloads, in bytes.")
    deadline: float = Field(
        30.0, gt=0,
        description="Seconds a whole feed fetch may take, retries and waits included, however slowly it arrives.")
    max_items: int = Field(5, ge=0, le=50, description="Items in a briefing's 'In the news' section.")
    days_before: int = Field(
        0, ge=0, description="Days before the first day of the period's last month that news counts.")
    days_after: int = Field(
        45, ge=0, description="Days after the end of the period that news counts (the weeks up to the release).")
    topics: list[str] = Field(
        default_factory=lambda: ["tariff", "tariffs", "arancel", "aranceles", "trade deficit", "trade surplus",
                                 "trade balance", "trade gap", "international trade", "trade talks", "trade war",
                                 "trade deal", "trade agreement", "déficit comercial", "superávit comercial",
                                 "balanza comercial", "comercio exterior", "guerra comercial", "acuerdo comercial"],
        description="Words and phrases that make an item relevant to any briefing, besides the partner's names; "
                    "matched as whole words, case and accents aside.",
    )


class SmtpConfig(Section):
    host: str = Field("localhost", min_length=1, description="The SMTP server that sends digests.")
    port: int = Field(587, ge=1, le=65535, description="Its port: 587 for starttls, 465 for ssl, 25 for none.")
    security: Literal["none", "starttls", "ssl"] = Field(
        "starttls", description="none, starttls (the certificate is verified) or ssl.")
    username: str = Field(
        "", description="The login, if the server wants one; the password comes from REPORTGEN_SMTP_PASSWORD.")
    sender: str = Field("reportgen <briefings@localhost>", min_length=3, description="The From address of digests.")
    rate_limit: float = Field(
        0, ge=0, description="At most this many messages a second; 0 sends as fast as the server takes them.")
    batch_size: int = Field(
        100, ge=1, le=10000, description="Messages sent over one connection before a new one is opened.")
    timeout: float = Field(
        60.0, gt=0, description="Seconds to wait for the server to connect or answer before giving up.")


class WebConfig(Section):
    connection_limit: int = Field(
        500, ge=10, le=10000, description="Connections `reportgen serve` holds at once; more wait to be accepted. "
        "Keep it under the open-file limit (ulimit -n).")
    channel_timeout: float = Field(
        30.0, gt=0, description="Seconds a connection may send nothing before it is closed.")
    max_request_header_size: int = Field(
        16384, ge=1024, description="The largest request header, in bytes; a larger one gets 431.")
    max_request_body_size: int = Field(
        65536, ge=1024, description="The largest request body, in bytes; a larger one gets 413.")
    trusted_proxy: str = Field(
        "127.0.0.1", description="The reverse proxy's address: its X-Forwarded-For names the client (for the "
        "per-address login throttle). Empty trusts no proxy.")


class PublisherConfig(Section):
    name: str = Field(
        DEFAULT_PUBLISHER, min_length=1,
        description="Who publishes the briefings, as readers see it: the PDF footer and author, digests, the archive.",
    )
    url: str = Field("", description="The publisher's web address, for the feed's author; empty uses public_url.")

    @field_validator("url")
    @classmethod
    def _web_or_empty(cls, value: str) -> str:
        return _http_url(value) if value else value


class EmailConfig(Section):
    attach_pdf: bool = Field(False, description="Attach the briefing's PDF to each digest.")
    charts: Literal["cid", "hosted"] = Field(
        "cid", description="Charts as PNG attached to the message (cid) or linked from public_url (hosted).")


def _languages(value: list[str]) -> list[str]:
    """The languages checked ('fr' is refused with the ones reportgen writes), each once."""
    try:
        return list(checked_languages(value))
    except InputError as exc:
        raise ValueError(str(exc)) from None


class JobConfig(Section):
    approval: Literal["auto", "required"] = Field(
        "auto",
        description="auto: the monthly job publishes and sends what it builds; required: it archives drafts, and "
                    "an editor approves each on the web page before it is published and its digest sent.",
    )


class Config(Section):
    data_dir: Path = Field(
        Path("data"), description="Folder of the SQLite store (reportgen.db) and the download cache.")
    output_dir: Path = Field(Path("output"), description="Folder where `reportgen build` writes briefings.")
    templates_dir: Path | None = Field(
        None,
        description="A folder of templates that override the bundled ones file by file (a newsroom's house style).",
    )
    census: CensusConfig = Field(default_factory=CensusConfig, description="The U.S. Census Bureau source.")
    comtrade: ComtradeConfig = Field(default_factory=ComtradeConfig,
                                     description="The UN Comtrade source (other reporters).")
    http: HttpConfig = Field(default_factory=HttpConfig, description="The shared HTTP session.")
    briefing: BriefingConfig = Field(default_factory=BriefingConfig, description="How briefings are written.")
    sources: SourcesConfig = Field(default_factory=SourcesConfig, description="Which source a briefing reads.")
    movers: MoversConfig = Field(default_factory=MoversConfig, description="What drove the change (commodity detail).")
    partners: list[str] = Field(
        default_factory=lambda: ["MX", "CA", "CN"],
        description="The partners the monthly job briefs, and subscribers follow unless they choose.",
    )
    languages: Annotated[list[str], AfterValidator(_languages)] = Field(
        default_factory=lambda: ["en"],
        description="The languages briefings are written in: en, es (Spanish, es-MX), or both; the monthly job, "
                    "`build` and the archive write each one.",
    )
    public_url: WebAddress = Field(
        "http://localhost:8000", description="The base of links in emails and feeds (the web page's address).")
    feeds: list[FeedConfig] = Field(default_factory=lambda: list(DEFAULT_FEEDS), description="The news feeds to read.")
    news: NewsConfig = Field(default_factory=NewsConfig, description="How news is fetched and chosen.")
    smtp: SmtpConfig = Field(default_factory=SmtpConfig, description="The mail server for digests.")
    email: EmailConfig = Field(default_factory=EmailConfig, description="What a digest holds.")
    publisher: PublisherConfig = Field(default_factory=PublisherConfig, description="Who publishes the briefings.")
    web: WebConfig = Field(default_factory=WebConfig, description="Limits of `reportgen serve`.")
    job: JobConfig = Field(default_factory=JobConfig, description="The monthly job and what needs approval.")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "reportgen.db"

    @property
    def drafts_dir(self) -> Path:
        """Where drafts wait for approval (`job.approval: required`): beside the store, never in the public archive."""
        return self.data_dir / "drafts"

    @property
    def publisher_url(self) -> str:
        """The publisher's address: `publisher.url`, or `public_url` when that is empty."""
        return self.publisher.url or self.public_url


def load_config(path: Path | None = None, *, data_dir: Path | None = None) -> Config:
    """Read and validate a config file (or `./config.yaml` if present, else the defaults)."""
    if path is None and Path(DEFAULT_FILE).is_file():
        path = Path(DEFAULT_FILE)
    raw: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        raw = _read_yaml(path)
        base = path.resolve().parent
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path or 'configuration'}: {_describe(exc)}") from None
    paths = {name: base / value for name in ("data_dir", "output_dir", "templates_dir")
             if (value := getattr(config, name)) is not None and not value.is_absolute()}
    if data_dir is not None:
        paths["data_dir"] = data_dir.resolve()
    return config.model_copy(update=paths)


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:  # a file saved as Latin-1 or UTF-16 by an editor
        line = content[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{content[exc.start]:02x} at line {line}); "
                          "save it as UTF-8") from None
    try:
        raw = yaml.load(text, Loader=_loader())  # a SafeLoader that also refuses aliases
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = NO_ALIASES if getattr(exc, "problem", None) == NO_ALIASES else "not valid YAML"
        raise ConfigError(f"{path}: {problem}{where}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values at the top level")
    return raw


@functools.cache
def _loader() -> type:
    """yaml.SafeLoader refusing aliases: ten levels of ten `*name`s expand to 10^10 values (billion laughs),
    and no key of ours needs one."""
    import yaml

    class SafeLoaderWithoutAliases(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, NO_ALIASES, self.peek_event().start_mark)
            return super().compose_node(parent, index)

    return SafeLoaderWithoutAliases


def _describe(exc: ValidationError) -> str:
    """All problems on one line, each with its dotted key path."""
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            problems.append(f"{key}: unknown key")
        else:
            message = error["msg"].removeprefix("Value error, ")
            got = "" if error["type"] == "missing" else f" (got {error['input']!r})"
            problems.append(f"{key}: {message}{got}")
    return "; ".join(problems)
