"""The transform stage: crawl records, raw captures and the previous release in; every table out.

Reads the raw store only, never the network, so it re-runs offline. History only grows: every
table starts from the previous release's rows (see transform/history.py).
"""

from __future__ import annotations

import gc
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from selvhjelp_data import __version__
from selvhjelp_data.raw_store import RawStore
from selvhjelp_data.reading import PageContent
from selvhjelp_data.records import ANSWERED
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import HISTORY_TABLES, TABLES
from selvhjelp_data.urls import UrlMap, page_id
from transform.documents import PageReading, build_document_tables, read_references
from transform.events import run_events
from transform.history import merge_history
from transform.links import broken_link_rows
from transform.offices import HEAD_OFFICE_ID, merge_offices, offices_of_page, tasks_of_page
from transform.pages import PageTables, build_page_tables, extract_capture, serial_reader
from transform.quotes import Named, PageSources, quotes_of_page

log = logging.getLogger(__name__)
LONG_RUN_PAGES = 500  # a run this large says where its transform is
Progress = Callable[[str, float], None]  # (line for the terminal, share of the stage done)


def content_rows(
    contents: dict[str, tuple[PageContent, int]],
    head_office_known: bool = False,
    previous_documents: list[dict] = (),
    readings: dict[str, PageReading] | None = None,
) -> dict[str, list]:
    """documents, mentions, quotes, offices and tasks of the pages live now (page_id -> (content, version));
    the previous release's documents keep their ids; `readings`: pages whose references are read already."""
    documents, mentions, index = build_document_tables(contents, previous_documents, readings)

    def document_of_heading(heading):
        return index.document_of_heading(heading) if heading else None

    kinds = {d["document_id"]: d["kind"] for d in documents}
    named = defaultdict(list)  # page_id -> where it names documents, in page order (mentions are sorted so)
    for m in mentions:
        named[m["page_id"]].append(
            Named(m["position"], m["position"] + len(m["matched_text"]), m["document_id"], kinds[m["document_id"]])
        )
    rows = {"documents": documents, "document_mentions": mentions, "quotes": [], "offices": [], "office_tasks": []}
    for pid in sorted(contents):
        page, version = contents[pid]
        rows["quotes"] += quotes_of_page(pid, page, version, PageSources(named[pid], document_of_heading))
        rows["offices"] += offices_of_page(pid, page, version)
    rows["offices"] = merge_offices(rows["offices"])
    head_office_known = head_office_known or any(o["office_id"] == HEAD_OFFICE_ID for o in rows["offices"])
    for pid in sorted(contents):
        page, version = contents[pid]
        rows["office_tasks"] += tasks_of_page(pid, page, version, HEAD_OFFICE_ID if head_office_known else None)
    return rows


def read_capture(job: tuple[str, str, str, str | None]) -> tuple[str, PageContent | None, PageReading | None]:
    """One capture's unit of work: the page in it, and what it says of documents (step 1 of their reading
    needs no other page, so it runs where the page is read, on as many workers as there are)."""
    url, page = extract_capture(job)
    return url, page, read_references(page_id(url), page) if page else None


def read_captures(raw_dir: str, jobs: list[tuple[str, str, str | None]]) -> list[tuple]:
    """A chunk of captures read, as a worker reads them: [(url, page, reading)]."""
    with cyclic_gc_paused():
        return [read_capture((raw_dir, *job)) for job in jobs]


class CaptureReader:
    """Reads the captures of a run: [(url, raw SHA-256, Content-Type)] -> {url: page}, and each page's
    document references into `readings` (page_id -> PageReading). Here, one after the other; a large
    run's reader (flows/engine.py) reads chunks of them on Dask workers instead."""

    def __init__(self, raw_dir: Path, on_progress: Progress | None = None):
        self.raw_dir = str(raw_dir)
        self.readings: dict[str, PageReading] = {}
        self.on_progress = on_progress

    def __call__(self, jobs: list[tuple[str, str, str | None]]) -> dict[str, PageContent | None]:
        return self.read_here(jobs)

    def read_here(self, jobs: list[tuple[str, str, str | None]]) -> dict[str, PageContent | None]:
        """In this process, one capture after the other (the references are read later, as needed)."""
        return serial_reader(RawStore(Path(self.raw_dir)))(jobs)

    def keep(self, results: list[tuple]) -> dict[str, PageContent | None]:
        """{url: page} of read chunks, their references kept for the documents' reading."""
        self.readings.update((page_id(url), reading) for url, _, reading in results if reading)
        return {url: page for url, page, _ in results}


def latest_run(previous: dict[str, pa.Table]) -> str | None:
    """The newest run of a record (run ids sort as time: flows/pipeline.new_run keeps them so)."""
    runs = previous["runs"].column("run_id").to_pylist()
    return max(runs) if runs else None


@contextmanager
def cyclic_gc_paused():
    """The transform makes millions of small objects and no reference cycles: the cyclic collector
    would walk the whole heap (Prefect's and GX's objects too) again and again to free nothing
    (2 s of a 10,000-page transform). Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_tables(*args, **kwargs) -> dict[str, pa.Table]:
    """Every table of the release this run makes, as Arrow tables (the arguments: build_rows')."""
    with cyclic_gc_paused():
        return arrow_tables(build_rows(*args, **kwargs))


def build_rows(
    records: list[dict],
    raw_dir: Path,
    previous: dict[str, pa.Table],
    run: RunInfo,
    urls: UrlMap,
    source: str,
    on_progress: Progress | None = None,
    previous_run: str | None = None,
    min_answer_share: float = 0.0,
    reader: CaptureReader | None = None,
) -> dict[str, list[dict]]:
    """The rows of every table of the release this run makes; `on_progress` hears where a long transform is.
    `previous_run`: the run of the release `previous` is (its folder's name); rows it saw on the site
    continue. Given, no clock can make a row of the present look like one of the past (and start it
    again); left out, the newest run of the record. Fewer than `min_answer_share` of the pages answering
    with their own text stops the run (SiteNotAnswering). `reader`: how captures are read (by default here,
    one after the other)."""
    reader = reader or CaptureReader(raw_dir, on_progress)
    with cyclic_gc_paused():
        before = previous_run or latest_run(previous)
        return _build_rows(records, reader, previous, run, urls, source, on_progress, before, min_answer_share)


def _build_rows(records, reader, previous, run, urls, source, on_progress, before, min_answer_share) -> dict[str, list]:
    long_run = on_progress is not None and len(records) >= LONG_RUN_PAGES  # a short one says nothing
    say = on_progress if long_run else (lambda line, share: None)
    raw = RawStore(Path(reader.raw_dir))
    page_tables = build_page_tables(
        records, raw, previous["pages"].to_pylist(), previous["page_versions"].to_pylist(), run, reader
    )
    check_believed_answers(page_tables, records, min_answer_share, source)
    check_something_to_read(records, page_tables, previous, source)
    old = {name: previous[name].to_pylist() for name in (*HISTORY_TABLES, "documents")}
    head_office_known = any(o["office_id"] == HEAD_OFFICE_ID for o in old["offices"])
    say(f"transform: documents, quotes and offices of {len(page_tables.contents)} pages", 0.6)
    current = content_rows(page_tables.contents, head_office_known, old["documents"], reader.readings)
    current["broken_links"] = broken_link_rows(page_tables.not_pages, page_tables.contents, urls, old["broken_links"])
    # what the pages say is in the rows now: their text goes before the tables are built (memory)
    page_tables.contents.clear()
    reader.readings.clear()
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
    say("transform: history merged, building the tables", 0.9)
    rows["documents"] = merge_documents(old["documents"], current["documents"], rows["document_mentions"], run.run_id)
    rows["pages"], rows["page_versions"] = page_tables.pages, page_tables.versions
    rows["changes"] = previous["changes"].to_pylist() + page_tables.changes
    rows["events"] = previous["events"].to_pylist() + run_events(old, rows, run, before, rows["pages"], rows["changes"])
    rows["runs"] = previous["runs"].to_pylist() + [run_row(records, page_tables, run, source)]
    return rows


class NothingToRead(ValueError):
    """The site answered, but no page of it holds an article: not the site, or not a site of articles."""


def check_something_to_read(records: list[dict], page_tables: PageTables, previous: dict, source: str) -> None:
    """A first run whose pages answered and none of which holds an article says so in one line, rather than
    failing validation for every empty table (a later run keeps the pages it had: see history)."""
    answered = sum(1 for r in records if r["kind"] == "page" and r["outcome"] == "fetched")
    articles = sum(1 for page, _ in page_tables.contents.values() if page.blocks)  # a title alone is no article
    if answered and not articles and previous["pages"].num_rows == 0:
        raise NothingToRead(
            f"no page of {source} holds an article: {answered} page{'s' * (answered != 1)} answered, "
            "none with text to read (is it the site?)"
        )


def arrow_tables(rows: dict[str, list[dict]]) -> dict[str, pa.Table]:
    """One table at a time, the rows of each let go as soon as it is built: a 10,000-page run holds
    hundreds of MB of row dicts, and the Arrow copies need not sit beside all of them."""
    return {name: table.to_arrow(rows.pop(name)) for name, table in TABLES.items()}


def merge_documents(previous: list[dict], current: list[dict], mentions: list[dict], run_id: str) -> list[dict]:
    """Every document ever named: this run's reading of it where a page names it now, else the last one."""
    documents = {d["document_id"]: dict(d) for d in previous}
    for doc in current:
        known = documents.get(doc["document_id"])
        if known is None:
            documents[doc["document_id"]] = {**doc, "first_seen_run": run_id, "last_seen_run": run_id}
            continue
        known.update(_reread(known, doc))
    on_site = [m for m in mentions if m["last_seen_run"] == run_id]
    named_now = {m["document_id"] for m in on_site}
    body = Counter(m["document_id"] for m in on_site if m["context_kind"] == "body")
    for doc_id, doc in documents.items():
        doc["mention_count"] = body[doc_id]
        if doc_id in named_now:
            doc["last_seen_run"] = run_id
    return list(documents.values())


KEPT_FACTS = ("identifier", "is_number", "title", "year_from", "year_to", "issuer")  # what no reading erases


def _reread(known: dict, doc: dict) -> dict:
    """This run's reading of a document over the last: a fact the pages no longer state (the page that
    printed the identifier is gone) keeps its last value, and whether it was inferred; spellings add up."""
    now = {k: v for k, v in doc.items() if k not in ("source_page_id", "source_page_version")}
    inferred = set(doc["inferred_columns"] or [])
    for column in KEPT_FACTS:
        if now[column] is None and known.get(column) is not None:
            now[column] = known[column]
            inferred.discard(column)
            inferred.update({column} & set(known.get("inferred_columns") or []))
    now["inferred_columns"] = [c for c in KEPT_FACTS if c in inferred]
    now["aliases"] = list(dict.fromkeys([*(known["aliases"] or []), *(doc["aliases"] or [])]))
    return now


def page_counts(records: list[dict], page_tables: PageTables) -> tuple[int, int, int]:
    """(asked, answered, failed) pages of a run; an answer that was not the page counts as a failure."""
    outcomes = [r["outcome"] for r in records if r["kind"] == "page"]
    answered, stand_ins = sum(1 for o in outcomes if o in ANSWERED), len(page_tables.placeholders)
    return len(outcomes), answered - stand_ins, len(outcomes) - answered + stand_ins


def run_row(records: list[dict], page_tables: PageTables, run: RunInfo, source: str) -> dict:
    asked, answered, failed = page_counts(records, page_tables)
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "pipeline_version": __version__,
        "source": source,
        "pages_requested": asked,
        "pages_answered": answered,
        "pages_failed": failed,
        "changes": len(page_tables.changes),
    }


class SiteNotAnswering(RuntimeError):
    """Too few pages answered with their own text (a maintenance page, a "not found" template in their place)."""


def check_believed_answers(page_tables: PageTables, records: list[dict], min_share: float, source: str) -> None:
    """Stop the run, as for a site that does not answer, when answers that were not the pages leave too few
    believed: a site-wide maintenance page is an outage, not new text for every page."""
    if not page_tables.placeholders:
        return
    asked = sum(1 for r in records if r["kind"] == "page")
    believed = sum(1 for r in records if r["kind"] == "page" and r["outcome"] in ANSWERED) - len(
        page_tables.placeholders
    )
    if believed < min_share * asked:
        reasons = Counter(page_tables.placeholders.values()).most_common(1)[0]
        raise SiteNotAnswering(
            f"{source} answers with pages that are not its own: {believed} of {asked} pages answered with their text "
            f"({reasons[0]} ×{reasons[1]}); nothing published"
        )
