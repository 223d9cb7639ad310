"""The transform stage: crawl records, raw captures and the previous release in; every table out.

Reads the raw store only, never the network, so it re-runs offline. History only grows: every
table starts from the previous release's rows (see transform/history.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyarrow as pa

from crawl.extract import PageContent
from selvhjelp_data import __version__
from selvhjelp_data.raw_store import RawStore
from selvhjelp_data.records import ANSWERED
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import HISTORY_TABLES, TABLES
from selvhjelp_data.urls import UrlMap
from transform.documents import build_document_tables
from transform.history import merge_history
from transform.links import broken_link_rows
from transform.offices import HEAD_OFFICE_ID, offices_of_page, tasks_of_page
from transform.pages import PageTables, build_page_tables, extract_capture
from transform.quotes import quotes_of_page

log = logging.getLogger(__name__)
PARALLEL_FROM_PAGES = 500  # below this, a worker pool's start-up costs more than it saves


def content_rows(
    contents: dict[str, tuple[PageContent, int]], head_office_known: bool = False, previous_documents: list[dict] = ()
) -> dict[str, list]:
    """documents, mentions, quotes, offices and tasks of the pages live now (page_id -> (content, version));
    the previous release's documents keep their ids."""
    documents, mentions, index = build_document_tables(contents, previous_documents)

    def document_of_heading(heading):
        return index.document_of_heading(heading) if heading else None

    rows = {"documents": documents, "document_mentions": mentions, "quotes": [], "offices": [], "office_tasks": []}
    for pid in sorted(contents):
        page, version = contents[pid]
        rows["quotes"] += quotes_of_page(pid, page, version, document_of_heading)
        rows["offices"] += offices_of_page(pid, page, version)
    head_office_known = head_office_known or any(o["office_id"] == HEAD_OFFICE_ID for o in rows["offices"])
    for pid in sorted(contents):
        page, version = contents[pid]
        rows["office_tasks"] += tasks_of_page(pid, page, version, HEAD_OFFICE_ID if head_office_known else None)
    return rows


def parallel_reader(raw_dir: Path, workers: int | None = None):
    """Read the captures of a large run in a process pool (extraction is pure and both cores are idle during
    the transform); None for small runs, where starting workers costs more than it saves."""
    workers = workers or os.cpu_count() or 1

    def read(jobs: list[tuple[str, str, str | None]]) -> dict[str, PageContent | None]:
        if workers < 2 or len(jobs) < PARALLEL_FROM_PAGES:
            store = RawStore(raw_dir)
            return dict(extract_capture((str(store.root), *job)) for job in jobs)
        # spawn, not fork: the flow's process has threads (Prefect, the snapshot server) a fork would copy mid-lock
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                return dict(pool.map(extract_capture, [(str(raw_dir), *job) for job in jobs], chunksize=64))
        except (BrokenProcessPool, RuntimeError) as error:
            # spawned workers re-import __main__; a script without an `if __name__ == "__main__"` guard breaks them
            log.warning("parallel extraction unavailable (%s); extracting in this process", type(error).__name__)
            return dict(extract_capture((str(raw_dir), *job)) for job in jobs)

    return read


def latest_run(previous: dict[str, pa.Table]) -> str | None:
    runs = previous["runs"].column("run_id").to_pylist()
    return max(runs) if runs else None


def build_tables(
    records: list[dict], raw_dir: Path, previous: dict[str, pa.Table], run: RunInfo, urls: UrlMap, source: str
) -> dict[str, pa.Table]:
    """Every table of the release this run makes."""
    raw = RawStore(Path(raw_dir))
    page_tables = build_page_tables(
        records,
        raw,
        previous["pages"].to_pylist(),
        previous["page_versions"].to_pylist(),
        run,
        parallel_reader(raw.root),
    )
    old = {name: previous[name].to_pylist() for name in (*HISTORY_TABLES, "documents")}
    head_office_known = any(o["office_id"] == HEAD_OFFICE_ID for o in old["offices"])
    current = content_rows(page_tables.contents, head_office_known, old["documents"])
    current["broken_links"] = broken_link_rows(page_tables.not_pages, page_tables.contents, urls)
    before = latest_run(previous)
    rows = {
        name: merge_history(
            TABLES[name],
            old[name],
            current[name],
            run.run_id,
            before,
            page_tables.carried,
            "source_page_id" if name == "offices" else "page_id",
        )
        for name in HISTORY_TABLES
    }
    rows["documents"] = merge_documents(old["documents"], current["documents"], rows["document_mentions"], run.run_id)
    rows["pages"], rows["page_versions"] = page_tables.pages, page_tables.versions
    rows["changes"] = previous["changes"].to_pylist() + page_tables.changes
    rows["runs"] = previous["runs"].to_pylist() + [run_row(records, page_tables, run, source)]
    return {name: table.to_arrow(rows[name]) for name, table in TABLES.items()}


def merge_documents(previous: list[dict], current: list[dict], mentions: list[dict], run_id: str) -> list[dict]:
    """Every document ever named: this run's reading of it where a page names it now, else the last one."""
    documents = {d["document_id"]: dict(d) for d in previous}
    for doc in current:
        known = documents.get(doc["document_id"])
        if known is None:
            documents[doc["document_id"]] = {**doc, "first_seen_run": run_id, "last_seen_run": run_id}
            continue
        aliases = list(dict.fromkeys([*(known["aliases"] or []), *(doc["aliases"] or [])]))
        known.update(
            {k: v for k, v in doc.items() if k not in ("source_page_id", "source_page_version")}, aliases=aliases
        )
    on_site = [m for m in mentions if m["last_seen_run"] == run_id]
    named_now = {m["document_id"] for m in on_site}
    body = Counter(m["document_id"] for m in on_site if m["context_kind"] == "body")
    for doc_id, doc in documents.items():
        doc["mention_count"] = body[doc_id]
        if doc_id in named_now:
            doc["last_seen_run"] = run_id
    return list(documents.values())


def run_row(records: list[dict], page_tables: PageTables, run: RunInfo, source: str) -> dict:
    pages = [r for r in records if r["kind"] == "page"]
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "pipeline_version": __version__,
        "source": source,
        "pages_requested": len(pages),
        "pages_answered": sum(1 for r in pages if r["outcome"] in ANSWERED),
        "pages_failed": sum(1 for r in pages if r["outcome"] not in ANSWERED),
        "changes": len(page_tables.changes),
    }
