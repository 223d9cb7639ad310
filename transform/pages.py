"""pages, page_versions and changes: one run's crawl records compared with the previous release.

Each page URL the run asked for gets a verdict:
- ok: the site answered 200 or 304, and the content comes from the capture it points at;
- gone (404/410) or moved (301/308): the page's state changes, its last content stays in history;
- failed (5xx, timeout, refused, truncated, robots.txt, too large, not HTML, no text ...): the
  page is treated as if it had answered 304: its last good capture feeds every table, nothing of
  it is removed, and the failure is recorded on its row.
A URL that has never answered 200 is not a page (see transform/links.py).

Compare with the previous version only, so a page that returns to an earlier text has changed
(reverts count). Pure: records, a capture reader and the previous rows in; rows out.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from selvhjelp_data.reading import PageContent, read_page
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import PAGES
from selvhjelp_data.text import sha256_hex
from selvhjelp_data.urls import Spellings, page_id
from transform.diffs import excerpt, word_diff
from transform.placeholders import placeholders

log = logging.getLogger(__name__)
PERMANENT_REDIRECTS = (301, 308)
GONE = (404, 410)
OK, GONE_VERDICT, MOVED, FAILED = "ok", "gone", "moved", "failed"
NOT_REQUESTED = "not requested in this run"


def believable_date(page: PageContent | None, run: RunInfo) -> PageContent | None:
    """A page's own date outside what the schema allows (before the site's time, after the run: a typo,
    a CMS fault) is no date at all; the date line stays, as printed, in last_modified_label."""
    if page is None or page.last_modified is None:
        return page
    if PAGES.column("last_modified").violation(page.last_modified, run.latest_page_date, "") is None:
        return page
    log.warning(
        "%s: date line %r gives %s, outside the dates a page can have; recorded without a date",
        page.title,
        page.date_label,
        page.last_modified,
    )
    return dataclasses.replace(page, last_modified=None)


def extract_capture(job: tuple[str, str, str, str | None]) -> tuple[str, PageContent | None]:
    """(url, page) from (raw store, url, raw SHA-256, Content-Type): a process-pool worker's unit of work."""
    from selvhjelp_data.raw_store import read_raw

    raw_dir, url, sha, content_type = job
    return url, read_page(read_raw(raw_dir, sha), url, content_type)


@dataclass(frozen=True)
class Fetch:
    """What this run learned about one page URL."""

    url: str
    verdict: str  # ok | gone | moved | failed
    status: int | None  # HTTP status of the request (304 for unchanged); None when no answer came
    error: str | None = None
    capture: str | None = None  # raw SHA-256 of the content to read (for failures: filled in from the page)
    content_type: str | None = None
    etag: str | None = None
    http_last_modified: str | None = None
    redirect_to: str | None = None
    link_text: str | None = None
    discovered_from: str | None = None


def fetch_of(record: dict) -> Fetch:
    """The verdict of one crawl record of a page."""
    outcome, status = record["outcome"], record.get("status")
    common = dict(
        url=record["url"],
        status=status,
        link_text=record.get("link_text"),
        discovered_from=record.get("discovered_from"),
    )
    if outcome in ("fetched", "not_modified"):
        return Fetch(
            verdict=OK,
            status=304 if outcome == "not_modified" else status,
            capture=record.get("raw_sha256"),
            content_type=record.get("content_type"),
            etag=record.get("http_etag"),
            http_last_modified=record.get("http_last_modified"),
            **{k: v for k, v in common.items() if k != "status"},
        )
    if outcome == "not_found":
        return Fetch(verdict=GONE_VERDICT, **common)
    if outcome == "redirect" and status in PERMANENT_REDIRECTS:
        return Fetch(verdict=MOVED, redirect_to=record.get("redirect_to"), **common)
    if outcome == "redirect":
        return Fetch(verdict=FAILED, error=f"temporary redirect ({status}) to {record.get('redirect_to')}", **common)
    return Fetch(verdict=FAILED, error=record.get("reason") or outcome, **common)


def fetches_of(records: list[dict], previous_pages: dict[str, dict]) -> dict[str, Fetch]:
    """One verdict per page, under the spelling of its URL the record knew first (`/KONTAKT/` and
    `/kontakt?utm_source=x` are `/kontakt/`; of two answers for one page the readable one counts); a known
    page the crawl did not ask for counts as a failed fetch."""
    spellings = Spellings(page["url"] for page in previous_pages.values())
    fetches: dict[str, Fetch] = {}
    for record in records:
        if record["kind"] == "page":
            fetch = fetch_of({**record, "url": spellings.of(record["url"])})
            pid = page_id(fetch.url)
            if pid not in fetches or (fetches[pid].verdict != OK and fetch.verdict == OK):
                fetches[pid] = fetch
    for pid, page in previous_pages.items():
        fetches.setdefault(pid, Fetch(url=page["url"], verdict=FAILED, status=None, error=NOT_REQUESTED))
    return fetches


def capture_to_read(fetch: Fetch, previous: dict | None) -> tuple[str | None, str | None]:
    """(raw SHA-256, Content-Type) of the content a page has this run: its new capture, or its last good one."""
    if fetch.verdict == OK:
        return fetch.capture, fetch.content_type or (previous or {}).get("content_type")
    if fetch.verdict == FAILED and previous and previous["status"] == 200:
        return previous["raw_sha256"], previous["content_type"]
    return None, None


@dataclass
class PageTables:
    pages: list[dict]
    versions: list[dict]
    changes: list[dict]
    contents: dict[str, tuple[PageContent, int]]  # page_id -> (content, version) of every page live this run
    carried: set[str]  # live pages whose content could not be read: their rows stay as they were
    not_pages: dict[str, Fetch] = field(default_factory=dict)  # URLs that have never answered 200
    placeholders: dict[str, str] = field(default_factory=dict)  # page_id -> why its answer was not the page

    def rows(self) -> tuple[list[dict], list[dict], list[dict]]:
        """The rows of pages, page_versions and changes."""
        return self.pages, self.versions, self.changes


class Versions:
    """page_versions as they grow: the latest version of each page, and the text each new one replaced."""

    def __init__(self, previous: list[dict]):
        self.rows = [dict(v) for v in previous]
        self.latest: dict[str, dict] = {}
        for v in self.rows:
            if v["page_id"] not in self.latest or v["version"] > self.latest[v["page_id"]]["version"]:
                self.latest[v["page_id"]] = v

    def see(self, pid: str, page: PageContent, content_sha: str, raw_sha: str, run_id: str) -> tuple[dict, str | None]:
        """The version this content is, and the text before it when it is new."""
        latest = self.latest.get(pid)
        if latest and latest["content_sha256"] == content_sha:
            latest["last_seen_run"] = run_id
            return latest, None
        row = {
            "page_id": pid,
            "version": latest["version"] + 1 if latest else 1,
            "content_sha256": content_sha,
            "raw_sha256": raw_sha,
            "title": page.title,
            "last_modified_label": page.date_label,
            "last_modified": page.last_modified,
            "text": page.main_text,
            "first_seen_run": run_id,
            "last_seen_run": run_id,
        }
        self.rows.append(row)
        self.latest[pid] = row
        return row, latest["text"] if latest else ""

    def carry(self, pid: str, run_id: str) -> None:
        self.latest[pid]["last_seen_run"] = run_id


Reader = Callable[[list[tuple[str, str, str | None]]], dict[str, PageContent | None]]


def serial_reader(read_raw: Callable[[str], bytes | None]) -> Reader:
    """Read captures one after the other: [(url, raw SHA-256, Content-Type)] -> {url: page}."""
    return lambda jobs: {url: read_page(read_raw(sha), url, content_type) for url, sha, content_type in jobs}


def probe_answer(records: list[dict], read: Reader) -> PageContent | None:
    """What the site answered with 200 for a path it cannot have (the crawl's probe), read; None if 404."""
    answers = [r for r in records if r["kind"] == "probe" and r["outcome"] == "fetched" and r.get("raw_sha256")]
    for record in answers:
        if page := read([(record["url"], record["raw_sha256"], record.get("content_type"))])[record["url"]]:
            return page
    return None


def build_page_tables(
    records: list[dict],
    read_raw: Callable[[str], bytes | None],
    previous_pages: list[dict],
    previous_versions: list[dict],
    run: RunInfo,
    read_captures: Reader | None = None,
) -> PageTables:
    """pages, page_versions and changes after this run, and the content of every live page, all pages at
    once (a large run's transform takes the same steps a chunk of pages at a time: transform/build.py).

    `read_captures` reads many captures at once (on Dask workers, for large runs).
    """
    previous = {p["page_id"]: p for p in previous_pages}
    fetches = fetches_of(records, previous)
    read = serial_reader(read_raw)
    pages = read_pages(fetches, previous, read_captures or read, run)
    versions = Versions(previous_versions)
    stand_ins = placeholders(answered(fetches, pages), latest_hashes(versions), probe_answer(records, read))
    return page_rows(fetches, previous, pages, versions, stand_ins, read, run)


def read_pages(fetches: dict[str, Fetch], previous: dict[str, dict], reader: Reader, run: RunInfo) -> dict:
    """{url: page} of the captures these pages have this run (their new ones, or their last good ones)."""
    jobs = []
    for pid, fetch in fetches.items():
        sha, content_type = capture_to_read(fetch, previous.get(pid))
        if sha:
            jobs.append((fetch.url, sha, content_type))
    return {url: believable_date(page, run) for url, page in reader(jobs).items()}


def answered(fetches: dict[str, Fetch], pages: dict) -> dict[str, PageContent]:
    """{page_id: page} of the pages that answered this run with something readable."""
    return {pid: pages[f.url] for pid, f in fetches.items() if f.verdict == OK and pages.get(f.url) is not None}


def latest_hashes(versions: Versions) -> dict[str, str]:
    """Each page's last text, as its hash (all a stand-in's test compares is whether texts are equal)."""
    return {pid: v["content_sha256"] for pid, v in versions.latest.items()}


def page_rows(
    fetches: dict[str, Fetch],
    previous: dict[str, dict],
    pages: dict,
    versions: Versions,
    stand_ins: dict[str, str],
    read: Reader,
    run: RunInfo,
) -> PageTables:
    """The rows of these pages (`pages`: their captures read, {url: page}); `stand_ins`: pages whose
    answer was not the page (transform/placeholders.py), whose last good capture is read instead."""
    tables = PageTables(pages=[], versions=versions.rows, changes=[], contents={}, carried=set())
    tables.placeholders = stand_ins
    for pid, fetch in fetches.items():
        prev = previous.get(pid)
        (sha, content_type), page = capture_to_read(fetch, prev), pages.get(fetch.url)
        if fetch.verdict == OK and (page is None or pid in stand_ins):  # answered, but not with the page
            fetch = Fetch(
                url=fetch.url,
                verdict=FAILED,
                status=fetch.status,
                error=stand_ins.get(pid, "no readable text in the answer"),
                link_text=fetch.link_text,
                discovered_from=fetch.discovered_from,
            )
            sha, content_type = capture_to_read(fetch, prev)
            page = believable_date(read([(fetch.url, sha, content_type)])[fetch.url], run) if sha else None
        if prev is None and fetch.verdict != OK:
            tables.not_pages[pid] = fetch
            continue
        tables.pages.append(_page_row(pid, fetch, prev, page, sha, content_type, versions, tables, run))
    return tables


def _page_row(pid, fetch, prev, page, sha, content_type, versions, tables, run) -> dict:
    row = (
        dict(prev)
        if prev
        else {"page_id": pid, "url": fetch.url, "first_seen_at": run.started_at, "last_changed_at": None}
    )
    row.update(last_fetched_at=run.started_at, last_fetch_status=fetch.status, last_fetch_error=fetch.error)
    if fetch.verdict != FAILED:
        row["last_ok_at"] = run.started_at
    if fetch.verdict in (GONE_VERDICT, MOVED):
        row.update(status=fetch.status, redirect_to=fetch.redirect_to)
    elif fetch.verdict == OK:
        row.update(
            status=200,
            redirect_to=None,
            http_etag=fetch.etag or row.get("http_etag"),
            http_last_modified=_http_date(fetch.http_last_modified) or row.get("http_last_modified"),
        )
    before = _content_state(prev, versions)
    if page is not None:
        content_sha = sha256_hex(page.main_text)
        version, replaced = versions.see(pid, page, content_sha, sha, run.run_id)
        tables.contents[pid] = (page, version["version"])
        row.update(
            title=page.title,
            section=page.section,
            site_generation=page.site_generation,
            last_modified_label=page.date_label,
            last_modified=page.last_modified,
            content_sha256=content_sha,
            raw_sha256=sha,
            content_type=content_type,
            current_version=version["version"],
            word_count=page.word_count,
        )
    else:
        replaced = None
        if fetch.verdict == FAILED and row["status"] == 200:
            tables.carried.add(pid)  # live, but its last capture is unreadable: everything of it stays
            versions.carry(pid, run.run_id)
    kind = change_kind(
        prev, row["status"], row["content_sha256"] if page else None, page.last_modified if page else None, sha
    )
    if kind:
        row["last_changed_at"] = run.started_at
        tables.changes.append(_change_row(kind, pid, row, before, replaced, page, run))
    return row


def _content_state(prev: dict | None, versions: Versions) -> dict:
    """The page as the previous release had it (for the 'before' side of a change)."""
    if prev is None:
        return {}
    latest = versions.latest.get(prev["page_id"])
    return {
        "version": prev["current_version"],
        "last_modified": prev["last_modified"],
        "content_sha256": prev["content_sha256"],
        "status": prev["status"],
        "text": latest["text"] if latest else None,  # its last text (a removed page's entry shows its start)
    }


def _http_date(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def _diff(before: str, after: str) -> tuple[str, int, int]:
    lines = list(difflib.unified_diff(before.split("\n"), after.split("\n"), "before", "after", lineterm="", n=1))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return "\n".join(lines), added, removed


def change_kind(
    prev: dict | None, status: int | None, content_sha: str | None, last_modified: date | None, raw_sha: str | None
) -> str | None:
    """The change kind of one page between the previous release and this run, or None."""
    had_content = bool(prev and prev.get("content_sha256"))
    prev_status = prev.get("status") if prev else None
    if status in GONE:
        return "removed" if had_content and prev_status == 200 else None
    if status in PERMANENT_REDIRECTS:
        return "moved" if had_content and prev_status == 200 else None
    if status != 200 or content_sha is None:
        return None
    if not had_content:
        return "new"
    if prev_status in GONE or prev_status in PERMANENT_REDIRECTS:
        return "restored"
    if content_sha != prev["content_sha256"]:
        if raw_sha is not None and raw_sha == prev.get("raw_sha256"):
            return "reparsed"
        before = prev.get("last_modified")
        return "modified" if last_modified and (before is None or last_modified > before) else "modified_silently"
    if last_modified != prev.get("last_modified") and last_modified is not None:
        return "date_only"
    return None


def _change_row(kind: str, pid: str, row: dict, before: dict, replaced: str | None, page, run: RunInfo) -> dict:
    change = {
        "change_id": change_id(run.run_id, pid, kind),
        "run_id": run.run_id,
        "detected_at": run.started_at,
        "page_id": pid,
        "url": row["url"],
        "title": row.get("title"),
        "kind": kind,
        "version_before": before.get("version"),
        "version_after": row["current_version"] if page else None,
        "last_modified_before": before.get("last_modified"),
        "last_modified_after": page.last_modified if page else None,
        "content_sha256_before": before.get("content_sha256"),
        "content_sha256_after": row["content_sha256"] if page else None,
        "redirect_to": row.get("redirect_to"),
        "lines_added": None,
        "lines_removed": None,
        "diff": None,
        "word_diff": None,
        "word_diff_html": None,
        "excerpt": excerpt(page.main_text if page else before.get("text")),
    }
    if replaced is not None:  # the text changed: a new page, an edit, a revert, a restored page, a new parser
        change["diff"], change["lines_added"], change["lines_removed"] = _diff(replaced, page.main_text)
        if replaced:  # a new page has no before: its excerpt says what it holds
            words = word_diff(replaced, page.main_text)
            change["word_diff"], change["word_diff_html"] = words.text, words.html
    return change


def change_id(run_id: str, pid: str, kind: str) -> str:
    return sha256_hex(f"{run_id}|{pid}|{kind}")[:16]
