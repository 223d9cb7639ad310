"""The transform stage: crawl records, raw captures and the previous release in; every table out.

Reads the raw store only, never the network, so it re-runs offline. History only grows: every
table starts from the previous release's rows (see transform/history.py).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from selvhjelp_data import __version__
from selvhjelp_data.raw_store import RawStore
from selvhjelp_data.reading import PageContent
from selvhjelp_data.records import ANSWERED
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import TABLES
from selvhjelp_data.urls import UrlMap, page_id
from transform.chunks import ArrowFiles, PreviousRows, RowLists, Scratch, page_chunks
from transform.documents import (
    DocumentIndex,
    PageReading,
    References,
    TitleFinder,
    build_document_tables,
    document_index,
    documents_read,
    mention_rows,
    page_mentions,
    read_references,
)
from transform.events import EVENT_TABLES, event_rows, events_of, gone_pages
from transform.history import merge_history
from transform.links import link_rows, note_links
from transform.offices import HEAD_OFFICE_ID, merge_offices, offices_of_page, tasks_of_page
from transform.pages import (
    OK,
    Fetch,
    PageTables,
    Versions,
    believable_date,
    capture_to_read,
    extract_capture,
    fetches_of,
    page_rows,
    probe_answer,
    serial_reader,
)
from transform.placeholders import one_text_in_many_places, probe_text, reason_of_its_own
from transform.quotes import Named, PageSources, quotes_of_page

log = logging.getLogger(__name__)
LONG_RUN_PAGES = 500  # a run this large says where its transform is
PROGRESS_SECONDS = 2.0  # a long transform says where it is this often
Progress = Callable[[str, float], None]  # (line for the terminal, share of the stage done)


def content_rows(
    contents: dict[str, tuple[PageContent, int]],
    head_office_known: bool = False,
    previous_documents: list[dict] = (),
    readings: dict[str, PageReading] | None = None,
) -> dict[str, list]:
    """documents, mentions, quotes, offices and tasks of the pages live now (page_id -> (content, version)),
    all at once; the previous release's documents keep their ids; `readings`: pages whose references are
    read already."""
    documents, mentions, index = build_document_tables(contents, previous_documents, readings)
    offices = merge_offices([o for pid in sorted(contents) for o in offices_of_page(pid, *contents[pid])])
    head_office_known = head_office_known or any(o["office_id"] == HEAD_OFFICE_ID for o in offices)
    kinds = {d["document_id"]: d["kind"] for d in documents}
    head = HEAD_OFFICE_ID if head_office_known else None
    quotes, tasks = quotes_and_tasks(contents, mentions, kinds, index, head)
    return {"documents": documents, "document_mentions": mentions, "quotes": quotes, "offices": offices,
            "office_tasks": tasks}  # fmt: skip


def quotes_and_tasks(contents, mentions: list[dict], kinds: dict[str, str], index: DocumentIndex, head: str | None):
    """(quotes, office_tasks) of these pages, given their mentions (sorted by page and position) and the
    document kinds; `head`: the head office's id, when it is known, to give the tasks of the centre."""

    def document_of_heading(heading):
        return index.document_of_heading(heading) if heading else None

    named = defaultdict(list)  # page_id -> where it names documents, in page order
    for m in mentions:
        named[m["page_id"]].append(
            Named(m["position"], m["position"] + len(m["matched_text"]), m["document_id"], kinds[m["document_id"]])
        )
    quotes, tasks = [], []
    for pid in sorted(contents):
        page, version = contents[pid]
        quotes += quotes_of_page(pid, page, version, PageSources(named[pid], document_of_heading))
        tasks += tasks_of_page(pid, page, version, head)
    return quotes, tasks


def read_capture(job: tuple[str, str, str, str | None]) -> tuple[str, PageContent | None, PageReading | None]:
    """One capture's unit of work: the page in it, and what it says of documents (step 1 of their reading
    needs no other page, so it runs where the page is read, on as many workers as there are)."""
    url, page = extract_capture(job)
    return url, page, read_references(page_id(url), page) if page else None


def read_captures(raw_dir: str, jobs: list[tuple[str, str, str | None]]) -> list[tuple]:
    """A chunk of captures read, as a worker reads them: [(url, page, reading)]."""
    with cyclic_gc_paused():
        return [read_capture((raw_dir, *job)) for job in jobs]


Jobs = list[tuple[str, str, str | None]]  # [(url, raw SHA-256, Content-Type)] of one chunk of pages


class CaptureReader:
    """Reads a run's captures a chunk of pages at a time, in order: [(url, page, reading or None)] per
    chunk. Here, one after the other (the references are read later, from the page); a large run's reader
    (flows/engine.py) reads the chunks on Dask workers, references and all."""

    def __init__(self, raw_dir: Path, on_progress: Progress | None = None):
        self.raw_dir = str(raw_dir)
        self.on_progress = on_progress

    def read_chunks(self, chunks: Iterable[Jobs], pages: int) -> Iterator[list[tuple]]:
        """Each chunk read, in order (`pages`: about how many there are in all)."""
        read = serial_reader(RawStore(Path(self.raw_dir)))
        for jobs in chunks:
            yield [(url, page, None) for url, page in read(jobs).items()]


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


def build_rows(records: list[dict], *args, **kwargs) -> dict[str, list[dict]]:
    """The rows of every table of the release this run makes, as lists (the other arguments: build_into's)."""
    rows = RowLists()
    build_into(rows, lambda: records, *args, **kwargs)
    return rows.finish()


def build_into(
    sink: RowLists | ArrowFiles,
    records: Callable[[], Iterable[dict]],
    raw_dir: Path,
    previous: dict[str, pa.Table],
    run: RunInfo,
    urls: UrlMap,
    source: str,
    on_progress: Progress | None = None,
    previous_run: str | None = None,
    min_answer_share: float = 0.0,
    reader: CaptureReader | None = None,
    chunk_pages: int | None = None,
    scratch: Path | None = None,
) -> None:
    """The rows of every table of the release this run makes, into `sink`; `records` gives the crawl's
    records anew each time they are needed; `on_progress` hears where a long transform is.
    `previous_run`: the run of the release `previous` is (its folder's name); rows it saw on the site
    continue. Given, no clock can make a row of the present look like one of the past (and start it
    again); left out, the newest run of the record. Fewer than `min_answer_share` of the pages answering
    with their own text stops the run (SiteNotAnswering). `reader`: how captures are read (by default here,
    one after the other). The pages are taken `chunk_pages` at a time (Passes; None: all at once), kept
    in `scratch` between passes (None: in memory)."""
    reader = reader or CaptureReader(raw_dir, on_progress)
    spill = Scratch(scratch)
    try:
        with cyclic_gc_paused():
            before = previous_run or latest_run(previous)
            Passes(sink, records, reader, previous, run, urls, source, on_progress, before, min_answer_share,
                   chunk_pages, spill).run()  # fmt: skip
    finally:
        spill.remove()


def build_files(folder: Path, records: Callable[[], Iterable[dict]], *args, chunk_pages: int, **kwargs) -> dict:
    """build_into (the arguments as there), each table an Arrow file in `folder`, sorted by its key:
    {table: path}. The pages `chunk_pages` at a time, each chunk's pages kept in folder/scratch between
    passes: what a large run's transform holds is a chunk, not the site."""
    files = ArrowFiles(folder)
    build_into(files, records, *args, chunk_pages=chunk_pages, scratch=Path(folder) / "scratch", **kwargs)
    return files.finish()


class Passes:
    """The transform in three passes over chunks of pages (page ids in order), each chunk's pages read
    once and kept in scratch between passes; between passes, what needs every page: pass 1 reads the
    captures and tells the stand-ins (a text in many places); pass 2 makes the pages' rows (pages,
    versions, changes) and reads what they say of documents and offices; one identity of documents then;
    pass 3 makes the rows of what the pages say (mentions, quotes, tasks), each merged with the previous
    release's rows of the chunk's pages. What is held across chunks is per page a verdict and a hash, and
    what the pages say once per thing said; rows leave for `sink` chunk by chunk."""

    def __init__(self, sink, records, reader, previous, run, urls, source, on_progress, before, min_share,
                 chunk_pages, scratch):  # fmt: skip
        self.sink, self.records, self.reader, self.run_info = sink, records, reader, run
        self.urls, self.source = urls, source
        self.before, self.min_share, self.scratch = before, min_share, scratch
        self.previous = PreviousRows(previous)
        self.first_run = previous["pages"].num_rows == 0
        self.fetches = fetches_of(records(), self.previous.page_urls())
        self.chunks = page_chunks(self.fetches, chunk_pages)
        self.read = serial_reader(RawStore(Path(reader.raw_dir)))
        long_run = on_progress is not None and len(self.fetches) >= LONG_RUN_PAGES  # a short one says nothing
        self.say = Say(on_progress if long_run else None)
        # what the passes learn of the whole run
        self.carried: set[str] = set()  # live pages whose content could not be read: their rows stay
        self.gone: set[str] = set()  # pages removed or moved this run
        self.not_pages: dict[str, Fetch] = {}
        self.page_urls: dict[str, str] = {}
        self.articles = self.changes = 0
        self.events: dict[str, list[dict]] = defaultdict(list)

    def run(self) -> None:
        stand_ins = self.read_pages()
        check_believed_answers(stand_ins, self.records(), self.min_share, self.source)
        said, offices = self.page_rows(stand_ins)
        check_something_to_read(self.records(), self.articles, self.first_run, self.source)
        self.content_rows(said, offices)
        self.sink.add_arrow("runs", self.previous.tables["runs"])
        self.sink.add("runs", [run_row(self.records(), len(stand_ins), self.changes, self.run_info, self.source)])

    def read_pages(self) -> dict[str, str]:
        """Pass 1: every capture read (on Dask workers for a large run); {page_id: why} of the answers that
        are not the page (transform/placeholders.py: a page's own reason, then one text in many places)."""
        probe = probe_text(probe_answer(self.records(), self.read))
        reasons, texts = {}, {}
        jobs = (self._jobs(pids) for pids in self.chunks)  # made as the reader asks for them
        results_of_chunks = self.reader.read_chunks(jobs, len(self.fetches))
        for i, (pids, results) in enumerate(zip(self.chunks, results_of_chunks, strict=True)):
            pages = {url: believable_date(page, self.run_info) for url, page, _ in results}
            for pid in pids:
                fetch = self.fetches[pid]
                if fetch.verdict == OK and (page := pages.get(fetch.url)) is not None:
                    if reason := reason_of_its_own(page, probe):
                        reasons[pid] = reason
                    else:
                        texts[pid] = hashlib.sha256(page.main_text.encode()).digest()  # only equality counts
            self.scratch.put(i, (pages, {page_id(url): reading for url, _, reading in results if reading}))
            self.say(f"transform: read {i + 1} of {len(self.chunks)} chunks of pages", 0.5 * (i + 1) / len(self.chunks))
        return reasons | one_text_in_many_places(texts, self.previous.latest_hashes())

    def _jobs(self, pids: list[str]) -> Jobs:
        previous = {p["page_id"]: p for p in self.previous.of_pages("pages", pids)}
        captures = ((self.fetches[pid].url, *capture_to_read(self.fetches[pid], previous.get(pid))) for pid in pids)
        return [(url, sha, content_type) for url, sha, content_type in captures if sha]

    def page_rows(self, stand_ins: dict[str, str]) -> tuple[References, list[dict]]:
        """Pass 2: pages, page_versions and changes, chunk by chunk; what the pages say of documents (step 1,
        kept once per thing said) and of offices."""
        said, offices = References(), OfficeReadings()
        self.sink.add_arrow("changes", self.previous.tables["changes"])
        for i, pids in enumerate(self.chunks):
            pages, readings = self.scratch.take(i)
            previous = {p["page_id"]: p for p in self.previous.of_pages("pages", pids)}
            versions = Versions(self.previous.of_pages("page_versions", pids))
            fetches = {pid: self.fetches[pid] for pid in pids}
            tables = page_rows(fetches, previous, pages, versions, stand_ins, self.read, self.run_info)
            for name, rows in zip(("pages", "page_versions", "changes"), tables.rows(), strict=True):
                self.sink.add(name, rows)
            final = {}
            for pid in sorted(tables.contents):
                page, version = tables.contents[pid]
                # a reading of the capture read in pass 1; a page read again (a stand-in's last good text) anew
                reading = readings.get(pid) if page is pages.get(fetches[pid].url) else None
                final[pid] = reading or read_references(pid, page)
                said.add(final[pid])
                offices.add(offices_of_page(pid, page, version))
            self._learn(tables)
            self.scratch.put(i, (tables.contents, final))
            self.say(
                f"transform: rows of {i + 1} of {len(self.chunks)} chunks of pages",
                0.5 + 0.2 * (i + 1) / len(self.chunks),
            )
        self.sink.add("page_versions", self.previous.not_of_pages("page_versions", set(self.fetches)))
        return said, offices.rows

    def _learn(self, tables: PageTables) -> None:
        self.carried |= tables.carried
        self.gone |= gone_pages(tables.changes, self.run_info.run_id)
        self.not_pages.update(tables.not_pages)
        if self.before is not None:  # events, which name their page's URL, need a release before
            self.page_urls.update((row["page_id"], row["url"]) for row in tables.pages)
        self.articles += sum(1 for page, _ in tables.contents.values() if page.blocks)  # a title alone is none
        self.changes += len(tables.changes)

    def content_rows(self, said: References, offices_read: list[dict]) -> None:
        """One identity of documents; pass 3: mentions, quotes and tasks, chunk by chunk, each merged with
        the previous release's rows of the chunk's pages; then what is one row per run or per thing:
        documents, offices, broken links, events."""
        old_documents, old_offices = self.previous.all("documents"), self.previous.all("offices")
        index = document_index(said, old_documents)
        finder = TitleFinder(index.names)
        offices = merge_offices(offices_read)
        head = HEAD_OFFICE_ID if any(o["office_id"] == HEAD_OFFICE_ID for o in [*old_offices, *offices]) else None
        kinds = {doc_id: doc.kind for doc_id, doc in index.documents.items()}
        cited, linked_from, targets = Cited(), {}, {fetch.url for fetch in self.not_pages.values()}
        for i, pids in enumerate(self.chunks):
            contents, readings = self.scratch.take(i)
            mentions = []
            for pid in sorted(contents):
                mentions += page_mentions(index, finder, said, pid, contents[pid][0], readings[pid])
            current = {"document_mentions": mention_rows(mentions, {pid: v for pid, (_, v) in contents.items()})}
            current["quotes"], current["office_tasks"] = quotes_and_tasks(
                contents, current["document_mentions"], kinds, index, head
            )
            cited.read(current["document_mentions"])
            note_links(linked_from, contents, self.urls, targets)
            for name, rows in current.items():
                self._merge(name, self.previous.of_pages(name, pids), rows, cited)
            self.say(f"transform: documents, quotes and offices of {i + 1} of {len(self.chunks)} chunks of pages",
                     0.7 + 0.25 * (i + 1) / len(self.chunks))  # fmt: skip
        for name in ("document_mentions", "quotes", "office_tasks"):
            self._merge(name, self.previous.not_of_pages(name, set(self.fetches)), [], cited)
        documents = documents_read(index, cited.body_read, cited.first_read)
        self.sink.add("documents", merge_cited_documents(old_documents, documents, cited, self.run_info.run_id))
        self._merge("offices", old_offices, offices, cited)
        old_links = self.previous.all("broken_links")
        self._merge("broken_links", old_links, link_rows(self.not_pages, linked_from, old_links), cited)
        self.sink.add_arrow("events", self.previous.tables["events"])
        found = [event for table in EVENT_TABLES for event in self.events[table]]
        self.sink.add("events", event_rows(found, self.run_info, self.page_urls))

    def _merge(self, name: str, old: list[dict], current: list[dict], cited: Cited) -> None:
        page_column = "source_page_id" if name == "offices" else "page_id"
        merged = merge_history(TABLES[name], old, current, self.run_info.run_id, self.before, self.carried, page_column)
        if name in EVENT_TABLES:
            self.events[name] += events_of(name, old, merged, self.run_info.run_id, self.before, self.gone)
        if name == "document_mentions":
            cited.on_site(merged, self.run_info.run_id)
        self.sink.add(name, merged)


class OfficeReadings:
    """Every page's rows of offices, each said once: a site's pages repeat the same contact block, and a
    row said again by another page changes nothing of the merged office (transform/offices.merge_offices)."""

    def __init__(self):
        self._rows: dict[tuple, dict] = {}

    def add(self, rows: list[dict]) -> None:
        for row in rows:
            said = tuple((k, repr(v)) for k, v in row.items() if k not in ("source_page_id", "source_page_version"))
            self._rows.setdefault(said, row)

    @property
    def rows(self) -> list[dict]:
        return list(self._rows.values())


class Say:
    """Progress of a long transform, at most every PROGRESS_SECONDS (nothing for a short one)."""

    def __init__(self, on_progress: Progress | None):
        self.on_progress, self.said = on_progress, 0.0

    def __call__(self, line: str, share: float) -> None:
        if self.on_progress and (time.monotonic() - self.said >= PROGRESS_SECONDS or share >= 0.95):
            self.said = time.monotonic()
            self.on_progress(line, share)


class Cited:
    """What the runs's mentions say of each document: body mentions and the first mention of this run's
    reading, and (merged with history) body mentions on the site now and the documents named now."""

    def __init__(self):
        self.body_read, self.first_read = Counter(), {}
        self.body_now, self.named_now = Counter(), set()

    def read(self, mentions: list[dict]) -> None:
        for m in mentions:
            self.first_read.setdefault(m["document_id"], (m["page_id"], m["page_version"]))
            self.body_read[m["document_id"]] += m["context_kind"] == "body"

    def on_site(self, merged: list[dict], run_id: str) -> None:
        for m in merged:
            if m["last_seen_run"] == run_id:
                self.named_now.add(m["document_id"])
                self.body_now[m["document_id"]] += m["context_kind"] == "body"


class NothingToRead(ValueError):
    """The site answered, but no page of it holds an article: not the site, or not a site of articles."""


def check_something_to_read(records: Iterable[dict], articles: int, first_run: bool, source: str) -> None:
    """A first run whose pages answered and none of which holds an article (`articles`: pages with text)
    says so in one line, rather than failing validation for every empty table (a later run keeps the
    pages it had: see history)."""
    answered = sum(1 for r in records if r["kind"] == "page" and r["outcome"] == "fetched")
    if answered and not articles and first_run:
        raise NothingToRead(
            f"no page of {source} holds an article: {answered} page{'s' * (answered != 1)} answered, "
            "none with text to read (is it the site?)"
        )


def arrow_tables(rows: dict[str, list[dict]]) -> dict[str, pa.Table]:
    """One table at a time, the rows of each let go as soon as it is built: a 10,000-page run holds
    hundreds of MB of row dicts, and the Arrow copies need not sit beside all of them."""
    return {name: table.to_arrow(rows.pop(name)) for name, table in TABLES.items()}


def merge_documents(previous: list[dict], current: list[dict], mentions: list[dict], run_id: str) -> list[dict]:
    """Every document ever named: this run's reading of it where a page names it now, else the last one
    (`mentions`: document_mentions merged with history)."""
    cited = Cited()
    cited.on_site(mentions, run_id)
    return merge_cited_documents(previous, current, cited, run_id)


def merge_cited_documents(previous: list[dict], current: list[dict], cited: Cited, run_id: str) -> list[dict]:
    documents = {d["document_id"]: dict(d) for d in previous}
    for doc in current:
        known = documents.get(doc["document_id"])
        if known is None:
            documents[doc["document_id"]] = {**doc, "first_seen_run": run_id, "last_seen_run": run_id}
            continue
        known.update(_reread(known, doc))
    for doc_id, doc in documents.items():
        doc["mention_count"] = cited.body_now[doc_id]
        if doc_id in cited.named_now:
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


def page_counts(records: Iterable[dict], stand_ins: int) -> tuple[int, int, int]:
    """(asked, answered, failed) pages of a run; an answer that was not the page counts as a failure."""
    outcomes = [r["outcome"] for r in records if r["kind"] == "page"]
    answered = sum(1 for o in outcomes if o in ANSWERED)
    return len(outcomes), answered - stand_ins, len(outcomes) - answered + stand_ins


def run_row(records: Iterable[dict], stand_ins: int, changes: int, run: RunInfo, source: str) -> dict:
    asked, answered, failed = page_counts(records, stand_ins)
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "pipeline_version": __version__,
        "source": source,
        "pages_requested": asked,
        "pages_answered": answered,
        "pages_failed": failed,
        "changes": changes,
    }


class SiteNotAnswering(RuntimeError):
    """Too few pages answered with their own text (a maintenance page, a "not found" template in their place)."""


def check_believed_answers(stand_ins: dict[str, str], records: Iterable[dict], min_share: float, source: str) -> None:
    """Stop the run, as for a site that does not answer, when answers that were not the pages (`stand_ins`:
    page_id -> why) leave too few believed: a site-wide maintenance page is an outage, not new text for
    every page."""
    if not stand_ins:
        return
    asked = answered = 0
    for r in records:
        if r["kind"] == "page":
            asked += 1
            answered += r["outcome"] in ANSWERED
    believed = answered - len(stand_ins)
    if believed < min_share * asked:
        reasons = Counter(stand_ins.values()).most_common(1)[0]
        raise SiteNotAnswering(
            f"{source} answers with pages that are not its own: {believed} of {asked} pages answered with their text "
            f"({reasons[0]} ×{reasons[1]}); nothing published"
        )
