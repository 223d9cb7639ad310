"""The whole flow on generated sites of 1,000, 10,000 and 100,000 pages, and on a Dask cluster.

    python benchmarks/scale.py [1000 10000 100000]
Each size: time beyond the framework floor, per stage, per page, and the peak memory of every
process (the flow, the crawl, the Dask workers; the largest process of the whole run). Then the
10,000-page site again with the pages read on a Dask cluster of a separately started scheduler and
two worker processes (`dask scheduler`, `dask worker`), reporting to a `prefect server start`.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from measure import (
    environment,
    framework_floor,
    largest_peak,
    median,
    run_flow,
    scratch,
    stage_line,
    warm_up,
)
from synthetic_site import generate


def one_size(n: int, tmp: Path, env: dict, floor: float, site: Path | None = None, name: str = "") -> dict:
    site = site or generate(n, tmp / f"site-{n}")
    full = run_flow(tmp / f"output-{n}{name.replace(' ', '-')}", env, "--snapshot-dir", str(site))
    work = full["seconds"] - floor
    pages = full["run"]["crawl"]["pages_fetched"]
    peaks = full["run"]["stage_peak_mb"]
    result = {
        "seconds": full["seconds"],
        "beyond": work,
        "pages": pages,
        "per_page_ms": 1000 * work / pages,
        "pages_per_second": pages / work,
        # any process of the run, start to end (publishing too): sampled from outside, or its own figure
        "largest_process_mb": max(full["peak_rss_mb"], largest_peak(full["run"])),
        "flow_mb": max(p["flow"] for p in peaks.values()),
        "crawl_mb": full["run"]["crawl"]["peak_memory_mb"],  # the crawl process's own figure
        "transform_mb": peaks["transform"].get("transform"),  # the transform's own process, from 2,000 pages
        "dask_workers_mb": peaks["transform"].get("dask_workers"),
        "stage_peak_mb": peaks,
        "stages": full["run"]["stage_seconds"],
        "site": site,
    }
    print(
        f"{n} pages{name}: {full['seconds']:.1f} s, {work:.1f} s beyond the floor, {pages / work:.0f} pages/s, "
        f"{1000 * work / pages:.2f} ms/page; stages: {stage_line(full['run'])}; peak memory: flow "
        f"{result['flow_mb']:.0f} MB, crawl {result['crawl_mb']:.0f} MB, transform {result['transform_mb']} MB, "
        f"Dask workers {result['dask_workers_mb']} MB, largest process {result['largest_process_mb']:.0f} MB",
        flush=True,
    )
    return result


def dask_cluster(env: dict, tmp: Path, workers: int = 2):
    """A scheduler and `workers` one-thread worker processes, each started on its own (as on other machines)."""
    scheduler_file = tmp / "scheduler.json"
    dask = str(Path(sys.executable).parent / "dask")
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
        ],
        **quiet,
    )
    while not scheduler_file.exists():
        time.sleep(0.2)
    worker = subprocess.Popen(
        [dask, "worker", "--scheduler-file", str(scheduler_file), "--nworkers", str(workers), "--nthreads", "1",
         "--no-dashboard"],
        **quiet,
    )  # fmt: skip
    return [worker, scheduler], json.loads(scheduler_file.read_text())["address"]


def on_a_cluster(n: int, tmp: Path, env: dict, floor: float, site: Path) -> dict:
    """The same site, its pages read on a separately started Dask cluster that reports to a Prefect server."""
    from flows.serve import start_local_server

    os.environ["PREFECT_HOME"] = env["PREFECT_HOME"]
    api_server, api = start_local_server(4282)
    env = {**env, "PREFECT_API_URL": api}
    processes, address = dask_cluster(env, tmp)
    try:
        return one_size(n, tmp, {**env, "SELVHJELP_DASK_ADDRESS": address}, floor, site, " on a Dask cluster")
    finally:
        for process in [*processes, api_server]:
            process.terminate()
            process.wait(60)


def main(sizes=(1000, 10000, 100000), floor: float | None = None, cluster_size: int = 10000) -> dict:
    tmp = scratch()
    env = environment(tmp / "prefect")
    warm_up(env)
    floor = floor or median([framework_floor(env)["seconds"] for _ in range(3)])
    print(f"framework floor: {floor:.1f} s")
    results = {"floor": floor}
    for n in sizes:
        results[n] = one_size(n, tmp, env, floor)
    if cluster_size in sizes:
        results["cluster"] = on_a_cluster(cluster_size, tmp, env, floor, results[cluster_size]["site"])
    for small, big in zip(sizes, sizes[1:], strict=False):
        ratio = results[big]["per_page_ms"] / results[small]["per_page_ms"]
        results[f"ratio {big}/{small}"] = ratio
        print(f"time per page at {big} / at {small}: {ratio:.2f} (target <= 1.2)")
    return results


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (1000, 10000, 100000))
