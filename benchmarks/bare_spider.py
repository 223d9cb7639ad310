"""The peer our crawl is measured against: a bare Scrapy spider that fetches a list of URLs and does
nothing with the answers, at the concurrency of our crawl's "full" speed.

    python benchmarks/bare_spider.py URLS_FILE
"""

import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from crawl.settings import SPEEDS


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls_file: str, **kwargs):
        super().__init__(**kwargs)
        with open(urls_file, encoding="utf-8") as f:
            self.urls = [line.strip() for line in f if line.strip()]

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None

    def closed(self, reason):
        # the one line the benchmark reads: how many answers came (a fetcher that failed is not fast)
        print(f"responses: {self.crawler.stats.get_value('response_received_count', 0)}", file=sys.stderr)


def main(urls_file: str) -> None:
    full = {k: v for k, v in SPEEDS["full"].items() if not k.startswith("SELVHJELP_")}
    process = CrawlerProcess(
        {
            **full,
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "COOKIES_ENABLED": False,
        }
    )
    process.crawl(BareSpider, urls_file=urls_file)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1])
