"""The selvhjelp.no spider: one spider for both site generations.

Discovery: start pages, the XML sitemap (filtered by allow-patterns), every URL the previous
release knew, and links inside article text (not menus), up to a depth bound. Each URL is
requested once, conditionally when the previous release gave it validators, and produces exactly
one CrawlRecord, whatever happens to it.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed

from crawl.state import read_known
from selvhjelp_data.raw_store import read_raw
from selvhjelp_data.reading import article_links, site_generation_of
from selvhjelp_data.records import CrawlRecord
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import Spellings, UrlMap, origin

MAX_REDIRECTS = 5
TEMPORARY_REDIRECTS = (302, 303, 307)  # the page is elsewhere for now: its content there is the page's
PROBE_PATH = "/selvhjelp-data-probe-{token}/"  # a path no site has: how this site answers for a missing page
_SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def looks_binary(body: bytes) -> bool:
    """NUL bytes or mostly undecodable bytes in the first kilobytes: not a page, whatever its label."""
    head = body[:4096]
    if b"\x00" in head:
        return True
    return head.decode("utf-8", errors="replace").count("\ufffd") > len(head) // 10


def _as_list(value: list[str] | str | None, default) -> list[str]:
    if value is None:
        return list(default)
    return [u.strip() for u in (value.split(",") if isinstance(value, str) else value) if u.strip()]


def _as_bool(value: bool | str) -> bool:
    return value if isinstance(value, bool) else value.lower() not in ("0", "false", "no")


# Failures without an answer, as (exception kinds, outcome, reason). Scrapy 2.19 raises its own
# Download*Error kinds; older paths still raise Twisted's.
FAILURES = (
    ((DownloadConnectionRefusedError, ConnectionRefusedError), "failed", "connection refused"),
    ((CannotResolveHostError, DNSLookupError), "failed", "host not found (DNS)"),
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "failed", "timeout"),
    ((ResponseDataLossError, ResponseFailed), "failed", "truncated body"),
    ((DownloadCancelledError,), "skipped", "too large (over {maxsize} bytes)"),
)


class SelvhjelpSpider(scrapy.Spider):
    name = "selvhjelp"

    def __init__(
        self,
        mirror: str | None = None,
        public_names: bool | str = True,
        start_urls: list[str] | str | None = None,
        sitemap_urls: list[str] | str | None = None,
        known: str | dict | None = None,  # a known.json path (crawl.process) or the mapping itself
        **kwargs,
    ):
        """Lists come as lists from crawl.process; `scrapy crawl selvhjelp -a start_urls=a,b` gives a string."""
        super().__init__(**kwargs)
        site = load_settings()
        self.site = site
        self.urls = UrlMap.from_settings(site, mirror=mirror, public_names=_as_bool(public_names))
        self.start_pages = _as_list(start_urls, site.start_urls)
        self.sitemaps = _as_list(sitemap_urls, site.sitemap_urls)
        self.allow = [re.compile(p) for p in site.allow_patterns]
        self.depth_limit = site.depth_limit
        self.previous: dict[str, dict] = known if isinstance(known, dict) else read_known(known)
        self._scheduled: set[str] = set()
        # one spelling per page: the record's own first, then the start pages'
        self.spellings = Spellings([*self.previous, *(self.urls.to_public(u) for u in self.start_pages)])

    # -- discovery ---------------------------------------------------------------------------
    async def start(self):
        for site in dict.fromkeys(origin(self.urls.to_public(u)) for u in self.start_pages):
            yield self._probe(site)
        for url in self.sitemaps:
            yield self._request(self.urls.to_public(url), self.parse_sitemap, via="sitemap")
        for url in self.start_pages:
            if request := self._page_request(url, depth=0, via="start"):
                yield request
        for url, known in self.previous.items():
            if known.get("kind", "page") == "page" and (request := self._page_request(url, depth=0, via="known")):
                yield request

    def allowed(self, public_url: str) -> bool:
        return any(p.search(urlsplit(public_url).path) for p in self.allow)

    def _request(
        self, public_url, callback, via, depth=0, method="GET", conditional=True, chain=(), fetch=None, **meta
    ):
        headers = {}
        known = self.previous.get(public_url) if conditional else None
        if known and known.get("status") == 200:
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        return scrapy.Request(
            fetch or self.urls.to_fetch(public_url),
            method=method,
            headers=headers,
            callback=callback,
            errback=self.on_error,
            dont_filter=True,  # the spider keeps its own set of URLs: start URLs bypass Scrapy's filter anyway
            meta={
                "public_url": public_url,
                "link_depth": depth,
                "via": via,
                "redirect_chain": list(chain),
                "handle_httpstatus_all": True,
                **meta,
            },
        )

    def _probe(self, site: str):
        """A request for a path the site cannot have (HEAD; GET only when it answers 200): a site that
        answers it 200 (a maintenance page, a "not found" template) shows what such an answer looks like, so
        the transform need not believe it of a page (transform/placeholders.py)."""
        public = site + PROBE_PATH.format(token=secrets.token_hex(6))
        return self._request(public, self.parse_probe, "probe", method="HEAD", conditional=False)

    def parse_probe(self, response):
        if response.request.method == "HEAD" and response.status == 200:  # only then is its body worth a GET
            yield self._request(response.meta["public_url"], self.parse_probe, "probe", conditional=False)
            return
        record = self._record(response, "fetched" if response.status == 200 else "not_found")
        record.kind = "probe"
        if response.status == 200:
            record.body = response.body
        yield record

    def _page_request(self, url, depth, via, chain=(), **meta):
        public = self.spellings.of(self.urls.to_public(url))
        if public in self._scheduled:
            return None
        self._scheduled.add(public)
        known = self.previous.get(public, {})
        # A page that answered 404 last time is asked with HEAD: no body until it comes back.
        method = "HEAD" if known.get("status") in (404, 410) else "GET"
        return self._request(public, self.parse_page, via, depth=depth, method=method, chain=chain, **meta)

    def parse_sitemap(self, response):
        record = self._record(
            response, "fetched" if response.status == 200 else "not_modified" if response.status == 304 else "failed"
        )
        record.kind = "sitemap"
        record.raw_sha256 = self.previous.get(record.url, {}).get("raw_sha256") if response.status == 304 else None
        if response.status == 304:
            body = self._raw_body(record.raw_sha256)
        elif response.status == 200:
            body = response.body
            record.body = body
        else:
            record.reason = f"http {response.status}"
            body = None
        yield record
        for loc, lastmod, nested in self._parse_sitemap_entries(body or b""):
            public = self.urls.to_public(loc)
            if nested:
                yield self._request(public, self.parse_sitemap, via="sitemap")
            elif self.allowed(public) and (
                request := self._page_request(public, 0, "sitemap", sitemap_lastmod=lastmod)
            ):
                yield request

    def _raw_body(self, sha: str | None) -> bytes | None:
        return read_raw(Path(self.settings["SELVHJELP_RAW_DIR"]), sha)

    @staticmethod
    def _parse_sitemap_entries(body: bytes):
        try:
            root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
        except etree.XMLSyntaxError:
            return
        if root is None:
            return
        nested = root.tag.endswith("sitemapindex")
        for entry in root.iterfind("sm:sitemap" if nested else "sm:url", _SITEMAP_NS):
            loc = entry.findtext("sm:loc", namespaces=_SITEMAP_NS)
            if loc:
                yield loc.strip(), entry.findtext("sm:lastmod", namespaces=_SITEMAP_NS), nested

    # -- pages ---------------------------------------------------------------------------------
    def parse_page(self, response):
        status = response.status
        if status == 304:
            record = self._record(response, "not_modified")
            record.raw_sha256 = self.previous.get(record.url, {}).get("raw_sha256")
            yield record
        elif status in (301, 302, 303, 307, 308):
            yield from self._parse_redirect(response)
        elif status in (404, 410):
            yield self._record(response, "not_found")
        elif status >= 400:
            retries = response.meta.get("retry_times", 0)
            yield self._record(
                response, "failed", reason=f"http {status}" + (f" after {retries} retries" if retries else "")
            )
        elif response.request.method == "HEAD":
            # it came back: fetch it for real, unconditionally
            yield self._request(
                response.meta["public_url"],
                self.parse_page,
                response.meta["via"],
                depth=response.meta["link_depth"],
                conditional=False,
            )
        else:
            yield from self._parse_document(response)

    def _parse_redirect(self, response):
        public = response.meta["public_url"]
        location = _header(response, "Location")
        target = urljoin(response.url, location) if location else None
        chain = response.meta["redirect_chain"] + [public]
        record = self._record(response, "redirect")
        if target is None:
            record.outcome, record.reason = "failed", "redirect without Location"
        elif not self.urls.is_own(target):
            record.outcome, record.reason, record.redirect_to = "skipped", f"off-site redirect to {target}", target
        else:
            record.redirect_to = self.urls.to_public(target)
            if record.redirect_to in chain or len(chain) > MAX_REDIRECTS:
                record.outcome, record.reason = "failed", f"redirect loop ({len(chain)} hops)"
            elif response.status in TEMPORARY_REDIRECTS:
                # the page is at the target for now: its answer there is this page's, recorded under this URL
                yield self._request(
                    public,
                    self.parse_page,
                    response.meta["via"],
                    depth=response.meta["link_depth"],
                    chain=chain,
                    fetch=self.urls.to_fetch(target),
                    link_text=response.meta.get("link_text"),
                )
                return
        yield record
        if record.outcome == "redirect" and (
            request := self._page_request(record.redirect_to, response.meta["link_depth"], public, chain=chain)
        ):
            yield request

    def _parse_document(self, response):
        content_type = (_header(response, "Content-Type") or "").lower()
        body = response.body
        if "html" not in content_type:
            yield self._record(response, "skipped", reason=f"not HTML ({content_type or 'no Content-Type'})")
            return
        if looks_binary(body):
            yield self._record(response, "skipped", reason="binary body labelled as HTML")
            return
        text = response.text  # decoded by the declared charset (iso-8859-1 read as windows-1252, as browsers do)
        record = self._record(response, "fetched")
        record.body, record.site_generation = body, site_generation_of(response.meta["public_url"], text)
        yield record
        yield from self._follow_article_links(text, response)

    def _follow_article_links(self, text: str, response):
        """Requests for the site's pages the article links to; a page at the depth limit is not even
        parsed (most pages of a large site are: the crawl's time then goes to fetching, as a bare
        spider's does; the transform reads every page in full)."""
        depth = response.meta["link_depth"] + 1
        if depth > self.depth_limit:
            return
        source = response.meta["public_url"]
        for link in article_links(text, response.url):
            if self.urls.is_own(link.url) and (
                request := self._page_request(link.url, depth, source, link_text=link.text)
            ):
                yield request

    # -- failures --------------------------------------------------------------------------------
    def on_error(self, failure):
        request = failure.request
        outcome, reason = self._why(failure.value)
        retries = request.meta.get("retry_times", 0)
        if retries and outcome == "failed":
            reason += f" after {retries} retries"
        yield CrawlRecord(
            url=request.meta.get("public_url", request.url),
            fetched_url=request.url,
            outcome=outcome,
            reason=reason,
            method=request.method,
            fetched_at=_now(),
            depth=request.meta.get("link_depth", 0),
            discovered_from=request.meta.get("via"),
            link_text=request.meta.get("link_text"),
            redirect_chain=request.meta.get("redirect_chain", []),
        )

    def _why(self, error: BaseException) -> tuple[str, str]:
        """(outcome, reason) of a request that got no answer to parse, in words a monitor reads."""
        if isinstance(error, IgnoreRequest):
            message = str(error)
            # robots.txt shutting us out is the site not answering us: a failed fetch, and an outage when it is all
            robots = "robots" in message.lower() or not message
            return ("failed", "disallowed by robots.txt") if robots else ("skipped", message)
        for kinds, outcome, reason in FAILURES:
            if isinstance(error, kinds):
                return outcome, reason.format(maxsize=self.settings.getint("DOWNLOAD_MAXSIZE"))
        return "failed", f"{type(error).__name__}: {error}"

    # -- records ---------------------------------------------------------------------------------
    def _record(self, response, outcome: str, reason: str | None = None) -> CrawlRecord:
        meta = response.meta
        return CrawlRecord(
            url=meta["public_url"],
            fetched_url=response.url,
            outcome=outcome,
            status=response.status,
            reason=reason,
            method=response.request.method,
            redirect_chain=meta.get("redirect_chain", []),
            content_type=_header(response, "Content-Type"),
            http_last_modified=_header(response, "Last-Modified"),
            http_etag=_header(response, "ETag"),
            bytes=len(response.body),
            fetched_at=_now(),
            depth=meta.get("link_depth", 0),
            discovered_from=meta.get("via"),
            link_text=meta.get("link_text"),
            sitemap_lastmod=meta.get("sitemap_lastmod"),
        )
