"""Configuration in one place. Every value can be overridden by an environment variable
named SELVHJELP_<FIELD> (upper case), e.g. SELVHJELP_OUTPUT_DIR=/srv/data.

Scrapy's own settings (politeness, retries, limits) are in crawl/settings.py and read their
site scope from here.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from selvhjelp_data import __version__
from selvhjelp_data.layout import OutputLayout

PROJECT_URL = "https://github.com/selvhjelp-data/selvhjelp-data"


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
        "http://www.selvhjelp.no/no/Tematisert/Samfunnsperspektiv/Nasjonal_plan_for_selvhjelp/Helsedirektoratet+informerer+om+selvorganisert+selvhjelp%2C+satsingen+og+revidering+av+nasjonal+plan+%28.9UFRzIWG.ips",
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
    # How many links away from a start page, sitemap entry or known page the crawl follows article links.
    depth_limit: int = 2
    user_agent: str = f"selvhjelp-data/{__version__} (+{PROJECT_URL}; open-data crawler of selvhjelp.no policy pages)"
    download_timeout: float = 30.0
    download_maxsize: int = 5 * 1024 * 1024
    retry_times: int = 2
    retry_backoff_seconds: float = 2.0  # first retry waits this long, doubling after
    # Releases
    licence_name: str = "CC-BY-4.0"
    licence_title: str = "Creative Commons Attribution 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    cron: str = "0 6 * * *"
    # Optional last step of a run: push each release into this git data repository ("" = off).
    publish_to: str = ""
    publish_branch: str = "main"

    @property
    def layout(self) -> OutputLayout:
        return OutputLayout(self.output_dir)


def _from_env(name: str, default, kind):
    raw = os.environ.get(f"SELVHJELP_{name.upper()}")
    if raw is None:
        return default
    if kind == "Path":  # dataclass field types are strings here (postponed annotations)
        return Path(raw)
    if isinstance(default, tuple):
        return tuple(v.strip() for v in raw.split(",") if v.strip())
    return type(default)(raw)


def load_settings(**overrides) -> Settings:
    """Defaults, then SELVHJELP_* environment variables, then explicit overrides (command-line options)."""
    values = {f.name: _from_env(f.name, f.default, f.type) for f in dataclasses.fields(Settings)}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
