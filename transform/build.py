"""The transform stage: crawl records and raw captures in, the eight tables out.

Reads the raw store only, never the network, so it re-runs offline.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyarrow as pa

from crawl.extract import PageContent
from selvhjelp_data.raw_store import read_raw
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import TABLES
from transform.documents import build_document_tables
from transform.offices import offices_of_page, tasks_of_page
from transform.pages import build_page_tables, extract_raw
from transform.quotes import quotes_of_page

log = logging.getLogger(__name__)
PARALLEL_FROM_PAGES = 500  # below this, a worker pool's start-up costs more than it saves


def raw_reader(raw_dir: Path):
    return functools.partial(read_raw, raw_dir)


def content_tables(contents: dict[str, PageContent]) -> dict[str, list[dict]]:
    """documents, mentions, quotes, offices and tasks of the given pages (page_id -> extracted page)."""
    documents, mentions, index = build_document_tables(contents)

    def document_of_heading(heading):
        return index.document_of_heading(heading) if heading else None

    rows = {"documents": documents, "document_mentions": mentions, "quotes": [], "offices": [], "office_tasks": []}
    for pid in sorted(contents):
        rows["quotes"] += quotes_of_page(pid, contents[pid], document_of_heading)
        rows["offices"] += offices_of_page(pid, contents[pid])
        rows["office_tasks"] += tasks_of_page(pid, contents[pid])
    return rows


def extract_in_parallel(
    records: list[dict], raw_dir: Path, workers: int | None = None
) -> dict[str, PageContent | None] | None:
    """Extract the live pages of a large run in a process pool (extraction is pure and both cores are idle
    during the transform); None for small runs, where starting workers costs more than it saves."""
    jobs = [
        (str(raw_dir), r["url"], r["raw_sha256"], r.get("content_type"))
        for r in records
        if r["kind"] == "page" and r["outcome"] in ("fetched", "not_modified") and r.get("raw_sha256")
    ]
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(jobs) < PARALLEL_FROM_PAGES:
        return None
    # spawn, not fork: the flow's process has threads (Prefect, the snapshot server) a fork would copy mid-lock
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            return dict(pool.map(extract_raw, jobs, chunksize=64))
    except (BrokenProcessPool, RuntimeError) as error:
        # spawned workers re-import __main__; a script without an `if __name__ == "__main__"` guard breaks them
        log.warning("parallel extraction unavailable (%s); extracting in this process", type(error).__name__)
        return None


def build_tables(
    records: list[dict], raw_dir: Path, previous: dict[str, pa.Table], run: RunInfo
) -> dict[str, pa.Table]:
    pages, versions, changes, contents = build_page_tables(
        records,
        raw_reader(Path(raw_dir)),
        previous["pages"].to_pylist(),
        previous["page_versions"].to_pylist(),
        run,
        extracted=extract_in_parallel(records, Path(raw_dir)),
    )
    # documents, quotes and offices describe the site as it is now: the pages live in this run
    rows = {"pages": pages, "page_versions": versions, "changes": changes, **content_tables(contents)}
    return {name: table.to_arrow(rows[name]) for name, table in TABLES.items()}
