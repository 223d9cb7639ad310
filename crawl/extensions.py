"""Scrapy extensions of the crawl child."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from twisted.internet import task

from crawl.progress import CrawlProgress


class ProgressLines:
    """A progress line every SELVHJELP_PROGRESS_SECONDS (0 turns it off) on stdout: counts read from
    the stats Scrapy keeps anyway, so the crawl pays one small dict an interval and nothing a page."""

    def __init__(self, stats, interval: float):
        self.stats, self.interval = stats, interval
        self.started = self.last_time = time.monotonic()
        self.last_fetched = 0
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler.stats, crawler.settings.getfloat("SELVHJELP_PROGRESS_SECONDS", 2.0))
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider) -> None:
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report)
            self.loop.start(self.interval, now=False)

    def closed(self, spider, reason) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.report()  # the last word: what the crawl came to

    def progress(self) -> CrawlProgress:
        get = self.stats.get_value
        now, fetched = time.monotonic(), get("response_received_count", 0)
        enqueued, dequeued = get("scheduler/enqueued", 0), get("scheduler/dequeued", 0)
        in_flight = get("downloader/request_count", 0) - fetched - get("downloader/exception_count", 0)
        rate = (fetched - self.last_fetched) / max(now - self.last_time, 1e-6)
        self.last_time, self.last_fetched = now, fetched
        return CrawlProgress(
            fetched=fetched,
            queued=max(enqueued - dequeued, 0) + max(in_flight, 0),
            failed=get("selvhjelp/failed", 0),
            seconds=round(now - self.started, 1),
            rate=round(rate, 1),
        )

    def report(self) -> None:
        print(self.progress().to_line(), file=sys.stdout, flush=True)
