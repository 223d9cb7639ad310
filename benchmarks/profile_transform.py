"""Profile the transform of a generated site: crawl it once, then build the tables under cProfile.

    python benchmarks/profile_transform.py [PAGES] [TOP]
Prints the transform's wall time (in parallel, as a run does it), then the top functions of a run
in this one process (so that the profile sees the extraction too), by own time and by cumulative
time. This is the evidence behind the scaling fixes listed in docs/scale.md.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time

from measure import scratch
from synthetic_site import generate

import transform.build
from crawl.process import CrawlJob, run_crawl
from publish.previous import empty_tables
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap
from snapshot.server import SnapshotServer


def crawl_site(n: int):
    tmp = scratch()
    site = generate(n, tmp / "site")
    with SnapshotServer(site_dir=site) as server:
        urls = UrlMap.from_settings(load_settings(), mirror=server.url)
        crawl = run_crawl(
            CrawlJob(out_dir=str(tmp / "crawl"), raw_dir=str(tmp / "raw"), mirror=server.url, speed="full")
        )
    return crawl, urls


def build(crawl, urls):
    return transform.build.build_tables(
        crawl.records(), crawl.raw_dir, empty_tables(), RunInfo.starting_now(), urls, "profile"
    )


def top_functions(profile: cProfile.Profile, key: str, top: int) -> str:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats(key).print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:])


def main(n: int = 10000, top: int = 15) -> dict:
    crawl, urls = crawl_site(n)
    started = time.monotonic()
    tables = build(crawl, urls)
    seconds = time.monotonic() - started
    counts = ", ".join(f"{k} {t.num_rows}" for k, t in tables.items())
    print(f"{n} pages: transform in one process {seconds:.1f} s ({counts})")
    profile = cProfile.Profile()
    profile.enable()
    build(crawl, urls)
    profile.disable()
    print(f"\ntop {top} by own time\n{top_functions(profile, 'tottime', top)}")
    print(f"\ntop {top} by cumulative time\n{top_functions(profile, 'cumulative', top)}")
    return {"pages": n, "transform": seconds}


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
