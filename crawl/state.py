"""What a crawl knows before it starts: every URL the previous release knew, with its validators.

The previous release is the state: `pages` holds each page's ETag, Last-Modified and raw capture,
`broken_links` the links that never answered 200. Only the sitemaps' validators live in a file of
their own (state/sitemaps.json); a damaged one is ignored, never fatal: the sitemaps are fetched again.

A page is asked conditionally only when its raw capture is intact: a 304 is only as good as the
bytes it points at, so a missing or damaged capture means a full fetch.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from selvhjelp_data.raw_store import RawStore

if TYPE_CHECKING:  # the crawl child reads only JSON: pyarrow (and numpy's thread pool) stay out of it
    import pyarrow as pa

log = logging.getLogger(__name__)


def known_urls(
    pages: pa.Table, broken_links: pa.Table, sitemaps: dict[str, dict], raw: RawStore, latest_run: str | None
) -> dict[str, dict]:
    """{public URL: {kind, status, etag, last_modified, raw_sha256}} for the spider."""
    known: dict[str, dict] = {}
    for link in broken_links.to_pylist():
        if link["last_seen_run"] == latest_run:  # still linked from a page
            known[link["target_url"]] = {"kind": "page", "status": link["status"]}
    for page in pages.to_pylist():
        entry = {"kind": "page", "status": page["status"], "raw_sha256": page["raw_sha256"]}
        if page["status"] == 200 and raw.has_intact(page["raw_sha256"]):
            entry["etag"] = page["http_etag"]
            entry["last_modified"] = _http_date(page["http_last_modified"])
        known[page["url"]] = entry
    for url, entry in sitemaps.items():
        known[url] = {**entry, "kind": "sitemap"} if raw.has_intact(entry.get("raw_sha256")) else {"kind": "sitemap"}
    return known


def _http_date(moment) -> str | None:
    return format_datetime(moment.astimezone(UTC), usegmt=True) if moment is not None else None


def sitemap_state(previous: dict[str, dict], records: Iterable[dict]) -> dict[str, dict]:
    """The sitemaps' validators after a crawl: a failed fetch keeps what was known."""
    state = {url: dict(entry) for url, entry in previous.items()}
    for r in records:
        if r["kind"] != "sitemap" or r["outcome"] != "fetched":
            continue
        state[r["url"]] = {
            "status": r["status"],
            "etag": r["http_etag"],
            "last_modified": r["http_last_modified"],
            "raw_sha256": r["raw_sha256"],
        }
    return state


def read_sitemap_state(path: Path) -> dict[str, dict]:
    """The sitemaps' validators; an unreadable file is named in the log and costs one full fetch."""
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(state, dict):
            raise ValueError("not a JSON object")
        return state
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("ignoring damaged %s (%s): the sitemaps are fetched again in full", path, error)
        return {}


def write_json_atomically(path: Path, data) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def read_known(path: Path | None) -> dict[str, dict]:
    """The file the flow wrote for the spider (the crawl child reads it)."""
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
