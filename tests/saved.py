"""Saved pages with their real URLs, for tests that need no crawl (city-scrapers style).

The pages of the bundled snapshot are read from snapshot/site (its manifest gives each URL, file and
Content-Type per epoch): tests never keep copies of them. Pages that are not in the snapshot are in
tests/fixtures/pages, listed in its index.json with their URL and Content-Type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from selvhjelp_data.reading import PageContent, read_page
from snapshot.server import load_site

FIXTURE_PAGES = Path(__file__).parent / "fixtures" / "pages"

INDEX = "http://www.selvhjelp.no/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/"
SEED_000 = (
    INDEX + "Politiske+dokumenter+og+faglige+veiledere+%E2%80%93+et+verkt%C3%B8y+i+forankringsarbeidet.b7C_wlvO4v.ips"
)
SEED_003 = INDEX + "Eldre+politiske+dokumenter+%E2%80%93+litt+historikk.b7C_wtbI07.ips"
SEED_002 = (
    "http://www.selvhjelp.no/no/Tematisert/Samfunnsperspektiv/Nasjonal_plan_for_selvhjelp/Helsedirektoratet+informerer"
    "+om+selvorganisert+selvhjelp%2C+satsingen+og+revidering+av+nasjonal+plan+%28.9UFRzIWG.ips"
)
SEED_001 = "https://selvhjelp.no/politisk-forankring/"
KONTAKT = "https://selvhjelp.no/kontakt/"
NEW_PLAN_PAGE = "https://selvhjelp.no/nasjonal-plan-for-selvhjelp/"


@dataclass(frozen=True)
class Capture:
    url: str
    body: bytes
    content_type: str | None

    @property
    def page(self) -> PageContent:
        page = read_page(self.body, self.url, self.content_type)
        assert page is not None, f"no text in {self.url}"
        return page


@cache
def _site(epoch: int) -> dict:
    return {r.url: r for r in load_site(epoch).values()}


@cache
def _fixture_index() -> dict:
    return json.loads((FIXTURE_PAGES / "index.json").read_text(encoding="utf-8"))


def snapshot_capture(url: str, epoch: int = 1) -> Capture:
    resource = _site(epoch)[url]
    return Capture(url, resource.body, resource.content_type)


def fixture_capture(name: str) -> Capture:
    entry = _fixture_index()[name]
    return Capture(entry["url"], (FIXTURE_PAGES / name).read_bytes(), entry["content_type"])


def snapshot_page(url: str, epoch: int = 1) -> PageContent:
    return snapshot_capture(url, epoch).page


def snapshot_records(epoch: int, raw_dir: Path, known: list[str] = ()) -> list[dict]:
    """The crawl records a crawl of the snapshot would write, without a crawl: every page of the epoch
    answered as the manifest says, its body put in the raw store, and each `known` URL the epoch lacks
    answered 404 (as the server does). For tests of what follows the crawl."""
    from email.utils import format_datetime

    from selvhjelp_data.raw_store import store_raw

    records = []
    for resource in _site(epoch).values():
        if resource.content_type and "html" not in resource.content_type:
            continue
        record = {
            "kind": "page",
            "url": resource.url,
            "status": resource.status,
            "discovered_from": "start",
            "link_text": None,
            "reason": None,
            "raw_sha256": None,
            "content_type": resource.content_type,
            "http_etag": resource.etag,
            "redirect_to": resource.location,
            "http_last_modified": format_datetime(resource.last_modified, usegmt=True)
            if resource.last_modified
            else None,
        }
        if resource.status == 200:
            record.update(outcome="fetched", raw_sha256=store_raw(raw_dir, resource.body))
        else:
            record["outcome"] = "redirect" if resource.location else "not_found"
        records.append(record)
    asked = {r["url"] for r in records}
    records += [
        {
            "kind": "page",
            "url": url,
            "status": 404,
            "outcome": "not_found",
            "discovered_from": "known",
            "link_text": None,
            "reason": None,
            "raw_sha256": None,
            "content_type": None,
            "http_etag": None,
            "redirect_to": None,
            "http_last_modified": None,
        }
        for url in known
        if url not in asked
    ]
    return records


def fixture_records(names: list[str], raw_dir: Path) -> list[dict]:
    """Crawl records of saved fixture pages, each answered 200, its body in the raw store."""
    from selvhjelp_data.raw_store import store_raw

    records = []
    for name in names:
        capture = fixture_capture(name)
        records.append(
            {
                "kind": "page",
                "url": capture.url,
                "status": 200,
                "outcome": "fetched",
                "discovered_from": "start",
                "link_text": None,
                "reason": None,
                "redirect_to": None,
                "raw_sha256": store_raw(raw_dir, capture.body),
                "content_type": capture.content_type,
                "http_etag": None,
                "http_last_modified": None,
            }
        )
    return records


def built_in_chunks(folder: Path, records: list[dict], *args, chunk_pages: int = 1, **kwargs) -> dict:
    """The tables as a large run's transform makes them (transform.build.build_files: a chunk of pages at
    a time, kept on disk between passes, each table an Arrow file sorted at the end), read back."""
    import pyarrow as pa

    from transform.build import build_files

    files = build_files(folder, lambda: iter(records), *args, chunk_pages=chunk_pages, **kwargs)
    return {name: pa.ipc.open_file(str(path)).read_all() for name, path in files.items()}
