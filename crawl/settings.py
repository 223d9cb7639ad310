"""Scrapy settings for the selvhjelp.no crawl. Read top to bottom: each override says why.

Site scope (start pages, allow-patterns, depth) comes from selvhjelp_data/settings.py, so
a new section is a settings change there. `crawl.process` raises the limits for the local snapshot.
"""

from selvhjelp_data.settings import load_settings

_site = load_settings()

BOT_NAME = "selvhjelp"
SPIDER_MODULES = ["crawl.spiders"]
NEWSPIDER_MODULE = "crawl.spiders"

# Politeness on the live site: say who we are, obey robots.txt (always, whatever the speed).
USER_AGENT = _site.user_agent
ROBOTSTXT_OBEY = True

# How hard the crawl may press the server (SELVHJELP_CRAWL_SPEED). "polite", the default, is for
# the live site: two requests at a time, a second between them, and AutoThrottle slowing down when
# the server does. "full" is for a server that is ours: the bundled snapshot on 127.0.0.1 (always)
# or a mirror or staging copy its owner points --start-url at; there the delays only cost time,
# and a Python server on the same two cores answers best to a queue of 16.
SPEEDS = {
    "polite": {
        "CONCURRENT_REQUESTS": 4,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 1.0,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    },
    "full": {
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "SELVHJELP_RETRY_BACKOFF_SECONDS": 0.1,  # a server of ours that fails will not recover by waiting
        "LOG_LEVEL": "WARNING",  # a line per page would be most of the work
    },
}

# A page that takes this long is recorded as a timeout, not waited on; a body past the maximum
# (the policy pages are tens of kB) is cut off and recorded as too large.
DOWNLOAD_TIMEOUT = _site.download_timeout
DOWNLOAD_MAXSIZE = _site.download_maxsize
DOWNLOAD_WARNSIZE = _site.download_maxsize // 2

# 5xx and timeouts are retried with a growing pause (crawl.middlewares.RetryBackoffMiddleware);
# 404/410 are answers, not failures, and are never retried.
RETRY_ENABLED = True
RETRY_TIMES = _site.retry_times
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
SELVHJELP_RETRY_BACKOFF_SECONDS = _site.retry_backoff_seconds

# The spider follows redirects itself, to record each hop (a 301 is how a page says it moved)
# and to refuse hops off the site; every status reaches the spider for the same reason.
REDIRECT_ENABLED = False
# Depth is bounded by the spider's own link_depth (links from articles only, not menus).
DEPTH_LIMIT = 0
# Conditional GET is done by the spider from the previous release's validators; Scrapy's cache
# would serve pages it thinks fresh without asking the server (see STACK-NOTES.md).
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
# No way into a running crawl: Scrapy's telnet console and its remote-control HTTP server (on by
# default since 2.19: it runs Python code sent to it and leaves job files in the user's profile).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# A page yields one record and a few links, and the pipelines write to local files without waiting;
# Scrapy starts CONCURRENT_ITEMS asyncio workers for the output of every response (100 by default),
# which cost a tenth of a 10,000-page crawl and bought nothing.
CONCURRENT_ITEMS = 4

DOWNLOADER_MIDDLEWARES = {
    "crawl.middlewares.OffSiteGuardMiddleware": 50,  # before robots.txt: its look-ups must not leave either
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,  # replaced: see crawl.middlewares
    "crawl.middlewares.RobotsTxtMiddleware": 100,
    "crawl.middlewares.RetryBackoffMiddleware": 560,  # just after RetryMiddleware (550) re-queues
}
# A progress line every few seconds on the child's stdout (crawl.extensions): a long crawl says where it is.
EXTENSIONS = {"crawl.extensions.ProgressLines": 500}
SELVHJELP_PROGRESS_SECONDS = 2.0
ITEM_PIPELINES = {
    "crawl.pipelines.RawCapturePipeline": 100,
    "crawl.pipelines.CrawlRecordPipeline": 200,
}

# Where records and raw bodies go; `crawl.process` sets these per run.
SELVHJELP_RECORDS_PATH = str(_site.layout.state / "crawl" / "records.jsonl")
SELVHJELP_RAW_DIR = str(_site.layout.raw)
SELVHJELP_FETCH_HOSTS = list(_site.own_hosts)

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Last, so that the speed's values win over the defaults above.
globals().update(SPEEDS[_site.crawl_speed])
