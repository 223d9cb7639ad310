"""Our crawl beside its peers, on the same generated site, the same server and the same URLs:
a bare Scrapy spider (same concurrency, does nothing with the answers) and wget.

    python benchmarks/peer.py [PAGES]
Target: our crawl within 1.2 x the bare Scrapy spider's time. Each fetcher runs as a child process,
timed from start to exit (interpreter and Scrapy start-up included for both spiders).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import ROOT, scratch
from synthetic_site import generate

from crawl.process import CrawlJob, run_crawl
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap
from snapshot.server import SnapshotServer

TARGET = 1.2


def urls_of(site: Path, urls: UrlMap) -> list[str]:
    """Every resource of the site at its address on the local server: what our crawl fetches."""
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    return [urls.to_fetch(r["url"]) for r in manifest["resources"] if 1 in r["epochs"]]


def timed(cmd: list[str]) -> tuple[float, str]:
    started = time.monotonic()
    proc = subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.monotonic() - started, proc.stderr


def bare_scrapy(urls_file: Path, expected: int) -> float:
    seconds, stderr = timed([sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"), str(urls_file)])
    answered = int(re.findall(r"responses: (\d+)", stderr)[-1])
    if answered != expected:
        raise RuntimeError(f"the bare spider got {answered} answers of {expected}: {stderr[-500:]}")
    return seconds


def wget(urls_file: Path) -> float | None:
    if not shutil.which("wget"):
        return None
    return timed(["wget", "--quiet", "--input-file", str(urls_file), "--output-document", "/dev/null"])[0]


def our_crawl(tmp: Path, mirror: str, run: int) -> tuple[float, int]:
    job = CrawlJob(out_dir=str(tmp / f"crawl-{run}"), raw_dir=str(tmp / f"raw-{run}"), mirror=mirror, speed="full")
    started = time.monotonic()
    summary = run_crawl(job).summary
    return time.monotonic() - started, summary.pages_fetched


def main(n: int = 10000) -> dict:
    tmp = scratch()
    site = generate(n, tmp / "site")
    with SnapshotServer(site_dir=site) as server:
        urls = urls_of(site, UrlMap.from_settings(load_settings(), mirror=server.url))
        urls_file = tmp / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        # alternate, so that a slow moment of the machine does not fall on one fetcher only
        bare, ours, pages = [], [], 0
        for run in range(2):
            bare.append(bare_scrapy(urls_file, len(urls)))
            seconds, pages = our_crawl(tmp, server.url, run)
            ours.append(seconds)
        plain = wget(urls_file)
    result = {"urls": len(urls), "pages": pages, "bare": min(bare), "ours": min(ours), "wget": plain}
    result["ratio"] = result["ours"] / result["bare"]
    print(
        f"{len(urls)} URLs: bare Scrapy {result['bare']:.1f} s, our crawl {result['ours']:.1f} s "
        f"({pages} pages fetched, raw capture and records included), wget "
        + (f"{plain:.1f} s" if plain is not None else "not installed")
        + f"; ours / bare {result['ratio']:.2f} (target <= {TARGET}); best of {len(bare)} each"
    )
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
