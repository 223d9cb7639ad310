"""Where a running crawl is: the crawl child prints one progress line every few seconds (the
extension in crawl.extensions), and the parent (crawl.process.run_crawl) hands each to whoever
shows it (the terminal, a Prefect progress artifact). This module is the line's format only, so the
parent reads it without importing Scrapy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

PREFIX = "PROGRESS "


@dataclass(frozen=True)
class CrawlProgress:
    fetched: int  # answers received (pages, sitemaps, 304s, errors alike)
    queued: int  # requests waiting in the scheduler or on the wire
    failed: int  # records of pages that got no usable answer
    seconds: float  # since the crawl started
    rate: float  # answers a second since the last line

    def line(self) -> str:
        return (
            f"crawl: {self.fetched} answered, {self.queued} queued, {self.failed} failed, "
            f"{self.rate:.0f} pages/s, {self.seconds:.0f} s"
        )

    def share_done(self) -> float:
        """An estimate in [0, 1]: what is known to be left is what is queued (links found later add to it)."""
        total = self.fetched + self.queued
        return self.fetched / total if total else 0.0

    def to_line(self) -> str:
        return PREFIX + json.dumps(asdict(self))

    @classmethod
    def from_line(cls, line: str) -> CrawlProgress | None:
        if not line.startswith(PREFIX):
            return None
        try:
            return cls(**json.loads(line[len(PREFIX) :]))
        except (ValueError, TypeError):
            return None
