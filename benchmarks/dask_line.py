"""Where reading pages on Dask starts to pay: the transform's reading step here and on Dask, by size.

    python benchmarks/dask_line.py [PAGES ...]
Crawls one generated site of the largest size, then reads the first N of its captures (the pages
and their document references) in this process and on a local Dask cluster (prefect-dask, one
worker process per core, started for the reading as a run starts it) inside a Prefect flow, for
each N. The setting `dask_from_pages` should sit where Dask's line crosses the one of reading here.
"""

from __future__ import annotations

import dataclasses
import sys
import time

from prefect import flow
from profile_transform import crawl_site

from crawl.process import read_records
from flows.engine import DaskCaptureReader
from selvhjelp_data.settings import load_settings
from transform.build import read_captures


@flow(name="dask-line")
def read_both_ways(records_path: str, raw_dir: str, sizes: list[int]) -> dict[int, dict[str, float]]:
    records = read_records(records_path)
    jobs = [(r["url"], r["raw_sha256"], r.get("content_type")) for r in records if r.get("raw_sha256")]
    figures, settings = {}, dataclasses.replace(load_settings(), dask_from_pages=1)
    for n in sizes:
        dask = DaskCaptureReader(raw_dir, settings)
        size = settings.transform_chunk_pages
        chunks = [jobs[:n][i : i + size] for i in range(0, n, size)]
        figures[n] = {"here": timed(read_here, raw_dir, jobs[:n]), "dask": timed(read_on_dask, dask, chunks, n)}
        print(f"{n} pages: here {figures[n]['here']:.2f} s, on Dask {figures[n]['dask']:.2f} s", flush=True)
    return figures


def read_here(raw_dir: str, jobs: list) -> None:
    """The same work in this process: a page's reading and its document references (the transform reads
    these after the pages when it reads here, and with them when the pages are read on Dask)."""
    read_captures(raw_dir, jobs)


def read_on_dask(reader: DaskCaptureReader, chunks: list[list], pages: int) -> None:
    """The transform's first pass on Dask: each chunk of pages a task (flows/engine.py)."""
    for _ in reader.read_chunks(chunks, pages):
        pass


def timed(read, *args) -> float:
    started = time.monotonic()
    read(*args)
    return time.monotonic() - started


def crossing(figures: dict[int, dict[str, float]]) -> int | None:
    """The smallest size measured from which Dask is faster."""
    return next((n for n in sorted(figures) if figures[n]["dask"] < figures[n]["here"]), None)


def main(sizes=(2000, 4000, 8000, 12000)) -> dict:
    crawl, _ = crawl_site(max(sizes))
    figures = read_both_ways(str(crawl.records_path), str(crawl.raw_dir), list(sizes))
    line = crossing(figures)
    print(f"Dask pays from about {line} pages (setting dask_from_pages: {load_settings().dask_from_pages})")
    return {"figures": figures, "line": line, "setting": load_settings().dask_from_pages}


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (2000, 4000, 8000, 12000))
