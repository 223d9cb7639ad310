"""Configuration in one place. Every value can be overridden by an environment variable
named SELVHJELP_<FIELD> (upper case), e.g. SELVHJELP_OUTPUT_DIR=/srv/data; lists are comma-separated.

Values are checked when they are read: a bad one stops the run before anything starts, in one line
that names the variable and says what it takes. Scrapy's own settings (politeness, retries, limits)
are in crawl/settings.py and read their site scope from here.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from selvhjelp_data import __version__
from selvhjelp_data.dates import SITE_TIMEZONE
from selvhjelp_data.layout import OutputLayout

PROJECT_URL = "https://github.com/selvhjelp-data/selvhjelp-data"
DEFAULT_PUBLISH_BASE_URL = "https://github.com/selvhjelp-data/selvhjelp-data-releases/raw/{ref}/"  # a placeholder


@dataclass(frozen=True)
class Licence:
    name: str  # SPDX identifier
    title: str
    url: str


LICENCES = {
    # Norsk lisens for offentlige data: the licence Norwegian public bodies use for open data
    "NLOD-2.0": Licence("NLOD-2.0", "Norsk lisens for offentlige data (NLOD) 2.0", "https://data.norge.no/nlod/no/2.0"),
    "CC-BY-4.0": Licence(
        "CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"
    ),
}


class SettingError(ValueError):
    """A setting with a value it cannot take; the message names the variable."""


def _between(low=None, high=None) -> dict:
    return {"metadata": {"min": low, "max": high}}


@dataclass(frozen=True)
class Settings:
    # Where releases, state and raw captures go.
    output_dir: Path = Path("output")
    # The public site. Legacy CMS pages (paths under /no/) lived on http://www.; WordPress on https://.
    legacy_origin: str = "http://www.selvhjelp.no"
    wordpress_origin: str = "https://selvhjelp.no"
    legacy_path_prefix: str = "/no/"
    own_hosts: tuple[str, ...] = ("selvhjelp.no", "www.selvhjelp.no")
    # Where a crawl starts: the policy section index, the pages not linked from it, the sitemap.
    start_urls: tuple[str, ...] = (
        "http://www.selvhjelp.no/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/",
        "http://www.selvhjelp.no/no/Tematisert/Samfunnsperspektiv/Nasjonal_plan_for_selvhjelp/"
        "Helsedirektoratet+informerer+om+selvorganisert+selvhjelp%2C+satsingen+og+revidering+av+nasjonal+plan+%28"
        ".9UFRzIWG.ips",
        "https://selvhjelp.no/politisk-forankring/",
        "https://selvhjelp.no/kontakt/",
    )
    sitemap_urls: tuple[str, ...] = ("https://selvhjelp.no/wp-sitemap.xml",)
    # Which sitemap and start entries are policy pages (regexes on the path). A new section is a line here.
    allow_patterns: tuple[str, ...] = (
        r"^/no/Tematisert/Samfunns-?perspektiv/",
        r"^/politisk-forankring/",
        r"^/kontakt/",
        r"^/nasjonal-plan-for-selvhjelp/",
    )
    # Where the site is: its pages' own dates are dates there (a page dated today is not in the future on a
    # machine west of it, nor a page edited just after midnight in Oslo).
    site_timezone: str = SITE_TIMEZONE
    # How many links away from a start page, sitemap entry or known page the crawl follows article links.
    depth_limit: int = field(default=2, **_between(0, 20))
    user_agent: str = f"selvhjelp-data/{__version__} (+{PROJECT_URL}; open-data crawler of selvhjelp.no policy pages)"
    download_timeout: float = field(default=30.0, **_between(0.1, 600))
    download_maxsize: int = field(default=5 * 1024 * 1024, **_between(1024, 1024**3))
    retry_times: int = field(default=2, **_between(0, 10))
    retry_backoff_seconds: float = field(default=2.0, **_between(0, 300))  # first retry waits this long, doubling
    # How hard the crawl may press the server: "polite" (the live site) or "full" (a server that is
    # yours: the bundled snapshot always runs full; a mirror you own may). See crawl/settings.py.
    crawl_speed: str = field(default="polite", metadata={"choices": ("polite", "full")})
    # A run publishes nothing unless at least this share of the pages it asked for answered.
    min_answer_share: float = field(default=0.5, **_between(0.01, 1))
    # Releases: the licence of the tables (NLOD-2.0 or CC-BY-4.0; quoted text stays its authors').
    licence: str = field(default="NLOD-2.0", metadata={"choices": tuple(LICENCES)})
    # Where published releases can be downloaded (the data repository): the feed's and catalogue's links.
    # Where a published file of a ref (a tag or branch) is, when the data repository is not on GitHub or
    # GitLab (there it follows from publish_to): "{ref}" stands for the ref. See publish/place.py.
    publish_base_url: str = DEFAULT_PUBLISH_BASE_URL
    # Who publishes the dataset (the catalogue's dct:publisher): an organisation in Enhetsregisteret.
    publisher_name: str = "Stiftelsen Norsk selvhjelpsforum (Selvhjelp Norge)"
    publisher_org_number: str = "980495361"
    contact_url: str = "https://selvhjelp.no/kontakt/"
    contact_phone: str = "+47 23 33 19 00"  # the catalogue's contact point, besides the URL ("" = none)
    contact_email: str = ""
    feed_size: int = field(default=50, **_between(1, 10000))  # entries in changes.atom, newest first
    # Local releases kept: the newest this many, then those whose run found something and one a month.
    keep_releases: int = field(default=30, **_between(1, 100000))
    # Where the release is served in Datasette for the public ("" = nowhere): feed entries and messages link rows.
    datasette_base_url: str = ""
    # From this many pages the transform runs in a process of its own (about 0.1 MB a page, which the flow's
    # process, holding Prefect and Great Expectations, need not hold too); below, starting it costs more.
    transform_apart_from_pages: int = field(default=2000, **_between(1, 10**9))
    # There it takes the pages this many at a time (transform/build.Passes), each chunk's pages on disk between
    # its passes: its memory is that of a chunk, whatever the size of the site. Each chunk is one Dask task.
    transform_chunk_pages: int = field(default=1000, **_between(1, 10**9))
    # The transform reads pages on Dask (prefect-dask) from this many pages on: below it, starting workers costs
    # more than they save (on 2 cores Dask pays from about 8,000: benchmarks/dask_line.py). On a local cluster
    # (one worker process per core), or on the dask.distributed scheduler at dask_address when one is given
    # (like tcp://10.0.0.5:8786; its workers run this project).
    dask_from_pages: int = field(default=8000, **_between(1, 10**9))
    dask_address: str = ""
    cron: str = "0 6 * * *"
    serve_port: int = field(default=4200, **_between(1, 65535))  # `serve`'s own Prefect server and UI
    # Optional last steps of a run: push each release into this git data repository ("" = off) ...
    publish_to: str = ""
    publish_branch: str = ""  # "": the repository's default branch (what a clone checks out)
    # ... and send a message about its changes to each of these Apprise URLs (mailto://, json://, ntfy:// ...).
    notify: tuple[str, ...] = ()

    @property
    def layout(self) -> OutputLayout:
        return OutputLayout(self.output_dir)

    @property
    def licence_terms(self) -> Licence:
        return LICENCES[self.licence]


URL_SETTINGS = (
    "legacy_origin",
    "wordpress_origin",
    "start_urls",
    "sitemap_urls",
    "publish_base_url",
    "contact_url",
    "datasette_base_url",
)
NOT_EMPTY = ("own_hosts", "start_urls", "allow_patterns")  # a crawl has nowhere to go, or nothing to keep, without them
# Characters no URL of ours holds: they would break out of the catalogue's <...> and the data card's links
_URL_BREAKERS = re.compile(r"[\s<>\"'{}|\\^`]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def variable(name: str) -> str:
    return f"SELVHJELP_{name.upper()}"


def _parse(f: dataclasses.Field, raw: str):
    if f.type == "Path":  # dataclass field types are strings here (postponed annotations)
        return Path(raw)
    if isinstance(f.default, tuple):
        return tuple(v.strip() for v in raw.split(",") if v.strip())
    try:
        return type(f.default)(raw)
    except ValueError:
        kind = {"int": "a whole number", "float": "a number"}.get(type(f.default).__name__, type(f.default).__name__)
        raise SettingError(f"{variable(f.name)}={raw!r} is not {kind}") from None


def check_url(value: str, where: str) -> None:
    """An http(s) URL with a host and nothing that breaks out of a link: anything else cannot be crawled
    or linked to."""
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError:  # an unclosed [ in the host, a port that is not a number
        hostname = None
    if parts.scheme not in ("http", "https") or not hostname or _URL_BREAKERS.search(value):
        raise SettingError(f"{where}: {value!r} is not an http(s) URL with a host (like https://selvhjelp.no/)")


def _check_text(value, name: str) -> None:
    """Text a setting takes is whole UTF-8 (an environment variable's broken bytes come as surrogates)
    and holds no control character (a header, a file name or a catalogue line would break on it)."""
    for text in value if isinstance(value, tuple) else (value,):
        if isinstance(text, (str, Path)) and any("\ud800" <= c <= "\udfff" for c in str(text)):
            raise SettingError(f"{name} is not valid UTF-8")
        if isinstance(text, str) and _CONTROL.search(text):
            raise SettingError(f"{name}={text!r} holds a control character")


def _check_value(name: str, value, where: str) -> None:
    """What one setting's own kind asks of it, beyond type and range."""
    if name in NOT_EMPTY and not value:
        raise SettingError(f"{where} is empty: it takes at least one value (comma-separated)")
    if name == "allow_patterns":
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as error:
                raise SettingError(f"{where}: {pattern!r} is not a regular expression ({error})") from None
    if name == "publisher_org_number" and not re.fullmatch(r"\d{9}", value):
        raise SettingError(f"{where}={value!r} is not an organisation number (nine digits)")
    if name == "legacy_path_prefix" and not re.fullmatch(r"/([^/\s]+/)*", value):
        raise SettingError(f"{where}={value!r} is not a path that starts and ends with / (like /no/)")
    if name == "site_timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingError(f"{where}={value!r} is not a time zone (like Europe/Oslo)") from None
    if name == "dask_address" and value and not re.fullmatch(r"(tcp|tls|ucx|inproc)://[^\s/]+", value):
        raise SettingError(f"{where}={value!r} is not a Dask scheduler address (like tcp://10.0.0.5:8786)")
    if name in ("publish_to", "publish_branch") and value.startswith("-"):
        raise SettingError(f"{where}={value!r} starts with '-': git would take it for an option")


def _check(settings: Settings, where) -> None:
    for f in dataclasses.fields(Settings):
        value = getattr(settings, f.name)
        _check_text(value, where(f.name))
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingError(f"{where(f.name)}={value!r} is not a finite number")
        _check_value(f.name, value, where(f.name))
        low, high = f.metadata.get("min"), f.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            raise SettingError(f"{where(f.name)}={value!r} is out of range: it takes {low} to {high}")
        if "choices" in f.metadata and value not in f.metadata["choices"]:
            raise SettingError(f"{where(f.name)}={value!r}: choose one of {', '.join(f.metadata['choices'])}")
        if f.name in URL_SETTINGS:
            for url in value if isinstance(value, tuple) else (value,):
                if url or f.name != "datasette_base_url":  # the one URL setting that may be left empty
                    check_url(url.replace("{ref}", "ref"), where(f.name))  # "{ref}": a ref's place in a URL


def load_settings(**overrides) -> Settings:
    """Defaults, then SELVHJELP_* environment variables, then explicit overrides (command-line options)."""
    values, origin = {}, {}
    for f in dataclasses.fields(Settings):
        raw = os.environ.get(variable(f.name))
        if raw is not None:
            values[f.name], origin[f.name] = _parse(f, raw), variable(f.name)
    for name, value in overrides.items():
        if value is not None:
            values[name], origin[name] = value, f"--{name.replace('_', '-')}"
    settings = Settings(**values)
    _check(settings, lambda name: origin.get(name, name))
    return settings
