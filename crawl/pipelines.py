"""Item pipelines: keep every body in the raw store, write every record as a JSON line."""

from __future__ import annotations

import json
from pathlib import Path

from selvhjelp_data.raw_store import store_raw
from selvhjelp_data.records import CrawlRecord


class RawCapturePipeline:
    def __init__(self, raw_dir: str):
        self.raw_dir = Path(raw_dir)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["SELVHJELP_RAW_DIR"])

    def process_item(self, item: CrawlRecord):
        if item.body is not None:
            item.raw_sha256 = store_raw(self.raw_dir, item.body)
            item.body = None
        return item


class CrawlRecordPipeline:
    def __init__(self, records_path: str, stats=None):
        self.records_path = Path(records_path)
        self.stats = stats
        self._file = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["SELVHJELP_RECORDS_PATH"], crawler.stats)

    def open_spider(self):
        self.records_path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.records_path.open("w", encoding="utf-8")

    def close_spider(self):
        if self._file:
            self._file.close()

    def process_item(self, item: CrawlRecord):
        self._file.write(json.dumps(item.to_json_dict(), ensure_ascii=False) + "\n")
        self._file.flush()  # a crashed crawl keeps every record written so far
        if item.outcome == "failed" and self.stats is not None:
            self.stats.inc_value("selvhjelp/failed")  # for the progress lines (crawl.progress)
        return item
