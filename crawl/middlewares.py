"""Downloader middlewares of our own."""

from __future__ import annotations

import asyncio

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from selvhjelp_data.urls import host


class OffSiteGuardMiddleware:
    """Nothing leaves the site: a request to any host but the site's own (or its mirror) is dropped.

    Scrapy's OffsiteMiddleware filters links a spider yields, not redirects or robots.txt look-ups,
    and with a mirror the site's public hosts must never be contacted at all.
    """

    def __init__(self, allowed_hosts: set[str]):
        self.allowed_hosts = allowed_hosts

    @classmethod
    def from_crawler(cls, crawler):
        return cls(set(crawler.settings.getlist("SELVHJELP_FETCH_HOSTS")))

    def process_request(self, request):
        if host(request.url) not in self.allowed_hosts:
            raise IgnoreRequest(f"off-site: {host(request.url) or request.url}")
        return None


class RetryBackoffMiddleware:
    """Waits before a retried request, doubling each time: a struggling server gets room to recover.

    Scrapy's RetryMiddleware re-queues at once; it sits after this one, so its retries pass here.
    """

    def __init__(self, base_seconds: float):
        self.base_seconds = base_seconds

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getfloat("SELVHJELP_RETRY_BACKOFF_SECONDS"))

    async def process_request(self, request):
        retries = request.meta.get("retry_times", 0)
        if retries and self.base_seconds > 0:
            await asyncio.sleep(self.base_seconds * 2 ** (retries - 1))
        return None


class RobotsTxtMiddleware(_ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every waiting request really checked.

    In Scrapy 2.19, requests that arrive while robots.txt is still downloading all await one
    Deferred through `asFuture`, whose callback passes None on: every waiter after the first gets
    no parser and is let through unchecked. Here each waiter gets its own Deferred.
    """

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter = Deferred()

            def forward(result):
                waiter.callback(result)
                return result  # keep the result for the next waiter

            pending.addBoth(forward)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
