"""Run one crawl in a child process and summarise it.

Scrapy's Twisted reactor cannot be restarted in a process, and a flow (or a test session) runs
many crawls: so each crawl is `python -m crawl.process JOB.json` in a child, and hands back files:
records.jsonl, stats.json, and the bodies in the content-addressed raw store.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crawl.progress import CrawlProgress
from crawl.state import read_known
from selvhjelp_data.child import peak_memory_mb, run_child
from selvhjelp_data.records import ANSWERED


@dataclass
class CrawlJob:
    out_dir: str  # records.jsonl and stats.json go here
    raw_dir: str  # the content-addressed raw store (shared across runs)
    mirror: str | None = None  # origin really fetched from; None for the live site
    public_names: bool = True  # record a mirror's pages under their public URLs
    start_urls: list[str] | None = None  # None: the settings' start URLs
    sitemap_urls: list[str] | None = None
    known_path: str | None = None  # URLs the previous release knew, with validators (crawl.state.known_urls)
    speed: str | None = None  # "full" or "polite" (crawl/settings.py SPEEDS); None: the crawl_speed setting
    settings: dict = field(default_factory=dict)  # Scrapy setting overrides

    @property
    def records_path(self) -> Path:
        return Path(self.out_dir) / "records.jsonl"

    @property
    def stats_path(self) -> Path:
        return Path(self.out_dir) / "stats.json"


@dataclass
class CrawlSummary:
    pages_fetched: int
    unchanged: int  # 304
    new: int  # fetched, and not known to the previous release
    not_found: int
    redirects: int
    failed: dict[str, int]  # reason -> count, failed and skipped alike
    bytes_downloaded: int
    requests: int
    duration_seconds: float
    peak_memory_mb: float = 0.0  # the crawl process's largest resident set

    def line(self) -> str:
        failed = ", ".join(f"{n} {reason}" for reason, n in sorted(self.failed.items())) or "none"
        return (
            f"crawl: {self.pages_fetched} fetched, {self.unchanged} unchanged (304), {self.new} new, "
            f"{self.not_found} not found, {self.redirects} redirects; failed/skipped: {failed}; "
            f"{self.bytes_downloaded} bytes in {self.requests} requests, {self.duration_seconds:.1f} s"
        )


class CrawlError(RuntimeError):
    """The crawl did not finish: nothing of it is published."""


class SiteUnreachable(CrawlError):
    """Too few pages answered to trust the crawl: the site (or our network) is down."""


def check_site_answered(records: Iterable[dict], site: str, min_share: float) -> None:
    """Raise SiteUnreachable unless at least `min_share` of the pages asked for got an answer."""
    asked, answered, unanswered = 0, 0, Counter()
    for r in records:
        if r["kind"] == "page":
            asked += 1
            if r["outcome"] in ANSWERED:
                answered += 1
            else:
                unanswered[r["reason"]] += 1
    if asked and answered and answered >= min_share * asked:
        return
    reasons = unanswered.most_common(2)
    why = "; ".join(f"{reason}" + (f" ×{n}" if n > 1 else "") for reason, n in reasons) or "no page was asked for"
    raise SiteUnreachable(f"{site} unreachable: {answered} of {asked} pages answered ({why})")


class StartPageMissing(CrawlError):
    """A start URL given on the command line answered 404 or 410: a wrong address, not a removed page."""


def check_start_pages(records: Iterable[dict], start_urls: list[str] | None) -> None:
    """Raise StartPageMissing when every start URL the user gave answered "not found" (a configured start
    page that goes is a change of the site, recorded as such; a typed one is a mistake to say at once)."""
    if not start_urls:
        return
    starts = [r for r in records if r["kind"] == "page" and r["discovered_from"] == "start"]
    if starts and all(r["outcome"] == "not_found" for r in starts):
        first = starts[0]
        raise StartPageMissing(
            f"the start page {first['fetched_url']} answered {first['status']} (not found): check --start-url"
            + (f" ({len(starts)} start pages, none found)" if len(starts) > 1 else "")
        )


@dataclass
class CrawlResult:
    """What a finished crawl hands to the transform: where its records and bodies are, and its summary."""

    job: CrawlJob
    summary: CrawlSummary

    @property
    def records_path(self) -> Path:
        return self.job.records_path

    @property
    def raw_dir(self) -> Path:
        return Path(self.job.raw_dir)

    def records(self) -> list[dict]:
        return read_records(self.records_path)

    def iter_records(self) -> Iterator[dict]:
        """The records one at a time: a check of a large crawl need not hold them all."""
        return iter_records(self.records_path)


def read_records(path: Path) -> list[dict]:
    return list(iter_records(path))


def iter_records(path: Path) -> Iterator[dict]:
    with Path(path).open(encoding="utf-8") as f:
        yield from (json.loads(line) for line in f if line.strip())


def summarise(records: Iterable[dict], stats: dict, previous: dict, duration: float) -> CrawlSummary:
    """One pass over the records (a large crawl's are read from their file as they are counted)."""
    outcomes, failed, new = Counter(), Counter(), 0
    for r in records:
        if r["kind"] == "page":
            outcomes[r["outcome"]] += 1
            new += r["outcome"] == "fetched" and r["url"] not in previous
        if r["outcome"] in ("failed", "skipped"):
            failed[r["reason"]] += 1
    return CrawlSummary(
        pages_fetched=outcomes["fetched"],
        unchanged=outcomes["not_modified"],
        new=new,
        not_found=outcomes["not_found"],
        redirects=outcomes["redirect"],
        failed=dict(failed),
        bytes_downloaded=int(stats.get("downloader/response_bytes", 0)),
        requests=int(stats.get("downloader/request_count", 0)),
        duration_seconds=round(duration, 3),
        peak_memory_mb=float(stats.get("peak_memory_mb", 0.0)),
    )


def run_crawl(job: CrawlJob, timeout: float = 3600, on_progress=None) -> CrawlResult:
    """Crawl in a child process; raise CrawlError with the child's last words if it fails.
    `on_progress(CrawlProgress)` is called with each progress line the child prints (every few seconds)."""
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    job_path = out / "job.json"
    job_path.write_text(json.dumps(asdict(job), indent=1), encoding="utf-8")
    started = time.monotonic()
    cmd = [sys.executable, "-m", "crawl.process", str(job_path)]
    returncode, output = run_child(cmd, timeout, CrawlProgress.from_line, on_progress)
    duration = time.monotonic() - started
    (out / "crawl.log").write_text(output, encoding="utf-8")
    if returncode != 0 or not job.records_path.exists():
        last = output.strip().splitlines()[-1:] or ["no output"]
        raise CrawlError(f"crawl failed (exit {returncode}): {last[0]}  [log: {out / 'crawl.log'}]")
    stats = json.loads(job.stats_path.read_text(encoding="utf-8")) if job.stats_path.exists() else {}
    if stats.get("finish_reason") != "finished":
        # a crawl stopped half-way (SIGTERM, a closed spider) exits 0 with a partial set of records
        raise CrawlError(
            f"crawl did not finish (finish_reason: {stats.get('finish_reason', 'unknown')}); "
            f"nothing published  [log: {out / 'crawl.log'}]"
        )
    known = read_known(job.known_path) if job.known_path else {}
    return CrawlResult(job, summarise(iter_records(job.records_path), stats, known, duration))


def _crawl_in_this_process(job: CrawlJob) -> None:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawl.settings import SPEEDS
    from crawl.spiders.selvhjelp import SelvhjelpSpider
    from selvhjelp_data.urls import host

    settings = Settings()
    settings.setmodule("crawl.settings", priority="project")
    fetch_hosts = set(settings.getlist("SELVHJELP_FETCH_HOSTS"))
    if job.mirror:
        fetch_hosts = {host(job.mirror)}  # a mirror crawl never touches the public site
    settings.setdict(
        {
            "SELVHJELP_RECORDS_PATH": str(job.records_path),
            "SELVHJELP_RAW_DIR": job.raw_dir,
            "SELVHJELP_FETCH_HOSTS": sorted(fetch_hosts),
            **(SPEEDS[job.speed] if job.speed else {}),
            **job.settings,
        },
        priority="cmdline",
    )
    # The objects of start-up (Scrapy, Twisted, the known pages of a large site) live for the whole
    # crawl: the cyclic collector need not walk them again after every few hundred new objects.
    gc.freeze()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SelvhjelpSpider)
    process.crawl(
        crawler,
        mirror=job.mirror,
        public_names=job.public_names,
        known=job.known_path,
        start_urls=job.start_urls,
        sitemap_urls=job.sitemap_urls,
    )
    process.start()
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()}
    stats["peak_memory_mb"] = peak_memory_mb()
    job.stats_path.write_text(json.dumps(stats, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    _crawl_in_this_process(CrawlJob(**json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
