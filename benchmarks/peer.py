"""Our crawl of a 10,000-page site beside a plain fetcher (wget) of the same pages on the same server.

    python benchmarks/peer.py [PAGES]
Target: the crawl at least as fast as the plain fetcher.
"""

import json
import subprocess
import sys
import time

from measure import scratch
from synthetic_site import generate

from crawl.process import CrawlJob, run_crawl
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap
from snapshot.server import SnapshotServer


def main(n: int = 10000) -> dict:
    tmp = scratch()
    site = generate(n, tmp / "site")
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    with SnapshotServer(site_dir=site) as server:
        urls = UrlMap.from_settings(load_settings(), mirror=server.url)
        pages = [
            urls.to_fetch(r["url"]) for r in manifest["resources"] if r.get("content_type", "").startswith("text/html")
        ]
        (tmp / "urls.txt").write_text("\n".join(pages) + "\n")
        started = time.monotonic()
        subprocess.run(
            ["wget", "--quiet", "--input-file", str(tmp / "urls.txt"), "--output-document", "/dev/null"], check=True
        )
        wget_seconds = time.monotonic() - started
        server.clear_log()
        summary = run_crawl(
            CrawlJob(out_dir=str(tmp / "crawl"), raw_dir=str(tmp / "raw"), mirror=server.url, speed="full")
        ).summary
    ratio = wget_seconds / summary.duration_seconds
    print(
        f"{len(pages)} pages: wget {wget_seconds:.1f} s, our crawl {summary.duration_seconds:.1f} s "
        f"({summary.pages_fetched} pages fetched, raw capture and records included): crawl is {ratio:.2f}x the fetcher's speed (target >= 1)"
    )
    return {"pages": len(pages), "wget": wget_seconds, "crawl": summary.duration_seconds, "ratio": ratio}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
