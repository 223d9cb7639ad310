"""pages, page_versions and changes: each run's crawl records compared with the previous release.

Pure: crawl records, a function that returns raw bytes, and the previous release's rows in;
rows out. Compare with the previous version only, so a page that returns to an earlier text
has changed (reverts count).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from w3lib.encoding import html_to_unicode

from crawl.extract import PageContent, extract_page
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import PAGES
from selvhjelp_data.text import sha256_hex
from selvhjelp_data.urls import page_id

PERMANENT_REDIRECTS = (301, 308)
GONE = (404, 410)


def decode_html(body: bytes, content_type: str | None) -> str:
    """As browsers and Scrapy do: the declared charset, iso-8859-1 read as windows-1252, else sniffed."""
    return html_to_unicode(content_type, body)[1]


def content_of(record: dict, read_raw: Callable[[str], bytes | None]) -> PageContent | None:
    """The extracted page for a 200 or 304 record, from the raw store (never the network)."""
    sha = record.get("raw_sha256")
    body = read_raw(sha) if sha else None
    if body is None:
        return None
    return extract_page(decode_html(body, record.get("content_type")), record["url"])


def extract_raw(job: tuple[str, str, str, str | None]) -> tuple[str, PageContent | None]:
    """(url, page) from (raw store, url, raw SHA-256, Content-Type): a process-pool worker's unit of work."""
    from selvhjelp_data.raw_store import read_raw

    raw_dir, url, sha, content_type = job
    body = read_raw(raw_dir, sha)
    return url, extract_page(decode_html(body, content_type), url) if body is not None else None


def _http_date(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def _diff(before: str, after: str) -> tuple[str, int, int]:
    lines = list(difflib.unified_diff(before.split("\n"), after.split("\n"), "before", "after", lineterm="", n=1))
    added = sum(1 for l in lines if l.startswith("+") and not l.startswith("+++"))
    removed = sum(1 for l in lines if l.startswith("-") and not l.startswith("---"))
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


def build_page_tables(
    records: list[dict],
    read_raw: Callable[[str], bytes | None],
    previous_pages: list[dict],
    previous_versions: list[dict],
    run: RunInfo,
    extracted: dict[str, PageContent | None] | None = None,
) -> tuple[list[dict], list[dict], list[dict], dict[str, PageContent]]:
    """pages, page_versions, changes, and the extracted content of every live page.

    `extracted` holds pages already extracted by URL (in parallel, for large runs); others are read here.
    """
    pages = {p["page_id"]: dict(p) for p in previous_pages}
    latest_version: dict[str, dict] = {}
    versions = [dict(v) for v in previous_versions]
    for v in versions:
        if v["page_id"] not in latest_version or v["version"] > latest_version[v["page_id"]]["version"]:
            latest_version[v["page_id"]] = v
    changes: list[dict] = []
    contents: dict[str, PageContent] = {}
    previous_text: dict[str, str] = {}  # page_id -> the text before this run's new version (for diffs)

    for record in (r for r in records if r["kind"] == "page"):
        pid = page_id(record["url"])
        prev = pages.get(pid)
        row = (
            dict(prev)
            if prev
            else {
                **dict.fromkeys(PAGES.column_names),
                "page_id": pid,
                "url": record["url"],
                "first_seen_at": run.started_at,
            }
        )
        row["last_fetched_at"] = run.started_at
        if record["outcome"] in ("failed", "skipped"):
            row["fetch_error"] = record["reason"]
            row.setdefault("status", None)
            pages[pid] = row
            continue
        row["fetch_error"] = None
        status = 304 if record["outcome"] == "not_modified" else record["status"]
        live_status = 200 if status == 304 else status
        if live_status != 200:
            page = None
        elif extracted is not None and record["url"] in extracted:
            page = extracted[record["url"]]
        else:
            page = content_of(record, read_raw)
        if live_status == 200 and page is None:
            row["fetch_error"] = "raw capture missing"
            pages[pid] = row
            continue
        content_sha = sha256_hex(page.main_text) if page else None
        kind = change_kind(
            prev, live_status, content_sha, page.last_modified if page else None, record.get("raw_sha256")
        )
        row["status"] = live_status
        row["redirect_to"] = record.get("redirect_to") if live_status in (301, 302, 303, 307, 308) else None
        if status != 304:
            row["http_etag"] = record.get("http_etag")
            row["http_last_modified"] = _http_date(record.get("http_last_modified"))
        if page:
            contents[pid] = page
            row.update(
                title=page.title,
                section=page.section,
                site_generation=page.site_generation,
                last_modified_label=page.date_label,
                last_modified=page.last_modified,
                content_sha256=content_sha,
                raw_sha256=record["raw_sha256"],
                word_count=page.word_count,
            )
            before = _record_version(versions, latest_version, pid, page, content_sha, record["raw_sha256"], run.run_id)
            if before is not None:
                previous_text[pid] = before
        if kind:
            row["last_changed_at"] = run.started_at
            changes.append(_change_row(kind, pid, record["url"], prev, row, page, previous_text.get(pid), run))
        pages[pid] = row

    return list(pages.values()), versions, changes, contents


def _record_version(versions, latest_version, pid, page, content_sha, raw_sha, run_id) -> str | None:
    """Record this run's content of a page; the text it replaces when it is a new version."""
    latest = latest_version.get(pid)
    if latest and latest["content_sha256"] == content_sha:
        latest["last_seen_run"] = run_id
        return None
    row = {
        "page_id": pid,
        "version": (latest["version"] + 1) if latest else 1,
        "content_sha256": content_sha,
        "raw_sha256": raw_sha,
        "title": page.title,
        "last_modified_label": page.date_label,
        "last_modified": page.last_modified,
        "text": page.main_text,
        "first_seen_run": run_id,
        "last_seen_run": run_id,
    }
    versions.append(row)
    latest_version[pid] = row
    return latest["text"] if latest else None


def _change_row(kind, pid, url, prev, row, page, before, run) -> dict:
    change = {
        "change_id": sha256_hex(f"{run.run_id}|{pid}|{kind}")[:16],
        "run_id": run.run_id,
        "detected_at": run.started_at,
        "page_id": pid,
        "url": url,
        "title": row.get("title"),
        "kind": kind,
        "last_modified_before": prev.get("last_modified") if prev else None,
        "last_modified_after": page.last_modified if page else None,
        "content_sha256_before": prev.get("content_sha256") if prev else None,
        "content_sha256_after": row.get("content_sha256") if page else None,
        "redirect_to": row.get("redirect_to"),
        "lines_added": None,
        "lines_removed": None,
        "diff": None,
    }
    if kind in ("modified", "modified_silently", "restored", "reparsed") and page and before is not None:
        change["diff"], change["lines_added"], change["lines_removed"] = _diff(before, page.main_text)
    return change
