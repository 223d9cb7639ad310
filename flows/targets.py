"""What a run crawls: the live site, the bundled snapshot served on 127.0.0.1, or a mirror."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from selvhjelp_data.settings import Settings, check_url
from selvhjelp_data.urls import UrlMap

SOURCES = ("live", "snapshot")


@dataclass(frozen=True)
class CrawlTarget:
    """Where the crawl really goes, and how its URLs are recorded."""

    urls: UrlMap
    description: str  # for the data card and run.json
    snapshot: bool = False  # the bundled snapshot on 127.0.0.1: fast settings, public names

    @property
    def name(self) -> str:
        """The site in a line: "selvhjelp.no" (live or snapshot) or the mirror's host."""
        return self.urls.mirror_host if self.urls.keeps_mirror_names else "selvhjelp.no"

    @property
    def mirror(self) -> str | None:
        return self.urls.mirror

    @property
    def url_pattern(self) -> str:
        """The one pattern recorded URLs match in this run: validation and the datapackage both use it."""
        return self.urls.recorded_url_pattern()


def check_run_input(settings: Settings, source: str, start_urls: list[str] | None) -> None:
    """Refuse, before anything starts, what no run can do: raises ValueError naming the input."""
    if source not in SOURCES:
        raise ValueError(f"--source {source!r}: use one of {', '.join(SOURCES)}")
    for url in start_urls or ():
        check_url(url, "--start-url")
    if start_urls and len({urlsplit(u)[:2] for u in start_urls}) > 1:
        raise ValueError("--start-url: every start URL must be on the same site (one scheme and host)")
    settings.layout.check_is_ours()


@contextlib.contextmanager
def crawl_target(
    settings: Settings,
    source: str,
    start_urls: list[str] | None,
    snapshot_epoch: int = 1,
    snapshot_faults: dict | None = None,
    snapshot_dir: str | None = None,
) -> Iterator[CrawlTarget]:
    """The target for the run's length: the bundled snapshot is served until the block ends."""
    if start_urls:
        parts = urlsplit(start_urls[0])
        mirror = f"{parts.scheme}://{parts.netloc}"
        yield CrawlTarget(UrlMap.from_settings(settings, mirror=mirror, public_names=False), ", ".join(start_urls))
    elif source == "snapshot":
        from snapshot.server import SITE_DIR, SnapshotServer

        site_dir = Path(snapshot_dir) if snapshot_dir else SITE_DIR
        description = f"snapshot served from {snapshot_dir}" if snapshot_dir else "bundled snapshot of selvhjelp.no"
        with SnapshotServer(epoch=snapshot_epoch, faults=snapshot_faults or {}, site_dir=site_dir) as server:
            yield CrawlTarget(UrlMap.from_settings(settings, mirror=server.url), description, snapshot=True)
    elif source == "live":
        yield CrawlTarget(UrlMap.from_settings(settings), settings.wordpress_origin)
    else:
        raise ValueError(f"unknown source {source!r}: use one of {', '.join(SOURCES)}")
