"""The whole flow on generated sites of 1,000 and 10,000 pages.

    python benchmarks/scale.py [1000 10000]
Targets (10,000 pages): at most 90 s beyond the floor, peak memory under 1 GiB, time per page at
most 1.3 times that at 1,000 pages.
"""

import sys

from measure import environment, framework_floor, run_flow, scratch, stage_line
from synthetic_site import generate


def main(sizes=(1000, 10000)) -> dict:
    tmp = scratch()
    env = environment(tmp / "prefect")
    floor = framework_floor(env)
    print(f"framework floor: {floor['seconds']:.1f} s")
    results = {}
    for n in sizes:
        site = generate(n, tmp / f"site-{n}")
        full = run_flow(tmp / f"output-{n}", env, "--snapshot-dir", str(site))
        work = full["seconds"] - floor["seconds"]
        pages = full["run"]["crawl"]["pages_fetched"]
        results[n] = {
            "seconds": full["seconds"],
            "beyond": work,
            "pages": pages,
            "per_page_ms": 1000 * work / pages,
            "pages_per_second": pages / work,
            "peak_rss_mb": full["peak_rss_mb"],
            "stages": full["run"]["stage_seconds"],
        }
        print(
            f"{n} pages: {full['seconds']:.1f} s, {work:.1f} s beyond the floor, {pages / work:.0f} pages/s, "
            f"{1000 * work / pages:.2f} ms/page, peak {full['peak_rss_mb']:.0f} MB; stages: {stage_line(full['run'])}"
        )
    if len(sizes) == 2:
        ratio = results[sizes[1]]["per_page_ms"] / results[sizes[0]]["per_page_ms"]
        results["ratio"] = ratio
        print(f"time per page at {sizes[1]} / at {sizes[0]}: {ratio:.2f} (target <= 1.3)")
    return {"floor": floor["seconds"], **results}


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (1000, 10000))
