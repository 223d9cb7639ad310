"""The whole flow on generated sites of 1,000 and 10,000 pages.

    python benchmarks/scale.py [1000 10000]
Targets (10,000 pages): at most 60 s beyond the framework floor, the transform within 15 s, peak
memory under 1 GiB in every stage, and time per page (beyond the floor) at most 1.2 times that at
1,000 pages.
"""

import sys

from measure import (
    environment,
    framework_floor,
    largest_peak,
    median,
    peak_line,
    run_flow,
    scratch,
    stage_line,
    warm_up,
)
from synthetic_site import generate


def main(sizes=(1000, 10000), floor: float | None = None) -> dict:
    tmp = scratch()
    env = environment(tmp / "prefect")
    warm_up(env)
    floor = floor or median([framework_floor(env)["seconds"] for _ in range(3)])
    print(f"framework floor: {floor:.1f} s")
    results = {"floor": floor}
    for n in sizes:
        site = generate(n, tmp / f"site-{n}")
        full = run_flow(tmp / f"output-{n}", env, "--snapshot-dir", str(site))
        work = full["seconds"] - floor
        pages = full["run"]["crawl"]["pages_fetched"]
        results[n] = {
            "seconds": full["seconds"],
            "beyond": work,
            "pages": pages,
            "per_page_ms": 1000 * work / pages,
            "pages_per_second": pages / work,
            "peak_mb": largest_peak(full["run"]),
            "stage_peak_mb": full["run"]["stage_peak_mb"],
            "stages": full["run"]["stage_seconds"],
        }
        print(
            f"{n} pages: {full['seconds']:.1f} s, {work:.1f} s beyond the floor, {pages / work:.0f} pages/s, "
            f"{1000 * work / pages:.2f} ms/page; stages: {stage_line(full['run'])}; "
            f"peak memory after each stage (flow/children): {peak_line(full['run'])}"
        )
    if len(sizes) == 2:
        ratio = results[sizes[1]]["per_page_ms"] / results[sizes[0]]["per_page_ms"]
        results["ratio"] = ratio
        print(f"time per page at {sizes[1]} / at {sizes[0]}: {ratio:.2f} (target <= 1.2)")
    return results


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (1000, 10000))
