"""A site that changes and misbehaves, the crawl records a run of it would write, and a model of what the
record must then say: the parts of the stateful property test (tests/test_invariants.py).

The site is a few pages in the site's own layout (title, date line, paragraphs that name documents,
quote and give an office, links). A run crawls it as the spider does (one record per URL: 304 when the
capture is intact and unchanged, 404s, 301s, one probe of a path the site cannot have), with at most one
fault, and hands the records to the real transform. The model says, from what the site really was,
which changes the record must show.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from selvhjelp_data.dates import MONTHS
from selvhjelp_data.raw_store import raw_path, read_raw, store_raw

SITE = "https://selvhjelp.no"
PARAGRAPHS = (
    "Meld. St. 19 (2014–2015) handler om folkehelse og mestring i hverdagen.",
    "Nasjonal plan for selvhjelp 2014–2018 gir retning for arbeidet i kommunene.",
    "«Selvhjelp er å ta tak i egne muligheter og finne fram til egne ressurser.»",
    "Selvhjelp Norges distriktskontor for Oslo, Akershus og Østfold holder til i Oslo.",
    "Folkehelseloven gjelder for alle kommuner og fylkeskommuner i landet.",
    "Grupper møtes jevnlig og deler erfaringer med hverandre over tid.",
    "IS-2076 Sammen om mestring er en veileder for kommunenes arbeid.",
    "Statsbudsjettet for 2019 gir midler til arbeidet med selvorganisert selvhjelp.",
)
MISSING_LINK = "/mangler/"  # a link on the first page to a page the site never had (a broken link)
MAINTENANCE = (
    b"<!doctype html><html lang='nb'><head><title>Vi oppgraderer nettstedet</title></head><body><main>"
    b"<h1>Vi oppgraderer nettstedet</h1><p>Selvhjelp Norge er snart tilbake.</p></main></body></html>"
)
NOT_FOUND_TEMPLATE = (
    "<!doctype html><html lang='nb'><head><title>Siden finnes ikke – Selvhjelp Norge</title></head><body><main>"
    "<article><h1>Oi! Denne siden finnes ikke</h1><p>Prøv et søk, eller gå til forsiden.</p></article></main>"
    "<footer><p>Selvhjelp Norge, Lilletorget 1, 0184 Oslo</p></footer></body></html>"
).encode()
# the faults a run may meet, one at a time; "*" ones strike the whole site
PAGE_FAULTS = ("503", "soft_404", "maintenance", "robots", "spelling", "capture_lost")
SITE_FAULTS = ("maintenance*", "robots*", "503*")
CLOCK_FAULTS = ("slow_clock", "late_evening_utc")
SPELLINGS = (str.upper, lambda p: p.rstrip("/"), lambda p: p + "index.html", lambda p: p + "?utm_source=nyhetsbrev")


@dataclass(frozen=True)
class Page:
    title: str
    paragraphs: tuple[int, ...]
    day: date
    status: int = 200  # 200, 404, or 301 (then moved_to)
    moved_to: str | None = None

    @property
    def text(self) -> tuple:
        """What the page says (its date line is not its text: content_sha256 leaves it out)."""
        return (self.title, self.paragraphs)


def render(path: str, page: Page) -> bytes:
    paragraphs = "".join(f"<p>{PARAGRAPHS[i]}</p>" for i in page.paragraphs)
    link = f'<p><a href="{MISSING_LINK}">Les mer om planen</a></p>' if path == "/side-0/" else ""
    day = f"{page.day.day} {MONTHS[page.day.month - 1]} {page.day.year}"
    return (
        f"<!doctype html><html lang='nb'><head><meta charset='utf-8'><title>{page.title} – Selvhjelp Norge</title>"
        f"</head><body><header><nav><a href='/'>Forside</a></nav></header><main><article><h1>{page.title}</h1>"
        f"<p>Sist oppdatert: {day}.</p>{paragraphs}{link}</article></main><footer><p>Selvhjelp Norge, "
        f"Lilletorget 1, 0184 Oslo. Tlf. 23 33 19 00</p></footer></body></html>"
    ).encode()


@dataclass
class Believed:
    """What the record holds of one URL: its status and, for a page, its last good text and date."""

    status: int
    text: tuple | None = None
    day: date | None = None


def expected_change(before: Believed | None, page: Page | None) -> str | None:
    """The change kind a run that saw the site right must record for one URL (transform/pages.change_kind)."""
    had = before is not None and before.text is not None and before.status == 200
    status = page.status if page else 404
    if status == 404:
        return "removed" if had else None
    if status == 301:
        return "moved" if had else None
    if before is None or before.text is None:
        return "new"
    if before.status != 200:
        return "restored"
    if page.text != before.text:
        return "modified" if page.day > before.day else "modified_silently"
    return "date_only" if page.day != before.day else None


@dataclass
class Site:
    pages: dict[str, Page] = field(default_factory=dict)

    def urls(self, known: dict[str, dict]) -> list[str]:
        """What a crawl asks for: the site's pages, the links it follows, and every URL the record knows."""
        paths = {SITE + path for path in self.pages} | {SITE + MISSING_LINK}
        return sorted(paths | set(known))

    def page_at(self, url: str) -> Page | None:
        return self.pages.get(url.removeprefix(SITE))


def crawl(site: Site, known: dict[str, dict], raw: Path, fault: tuple[str, str | None]) -> list[dict]:
    """The records a crawl of the site writes (crawl/spiders/selvhjelp.py), with the fault on its page
    (or on every page for a "*" fault). `known`: url -> the record's last status and raw SHA-256."""
    kind, where = fault
    records = [_probe(kind, raw)]
    for url in site.urls(known):
        struck = kind.endswith("*") or where == url
        records.append(_record(url, site.page_at(url), known.get(url, {}), raw, kind.rstrip("*") if struck else None))
    return records


def _probe(kind: str, raw: Path) -> dict:
    if kind == "maintenance*":  # the whole site answers with one page, a path it cannot have included
        return {**_base(SITE + "/selvhjelp-data-probe-x/"), "kind": "probe", **_answer(MAINTENANCE, raw)}
    return {**_base(SITE + "/selvhjelp-data-probe-x/"), "kind": "probe", "outcome": "not_found", "status": 404}


def _base(url: str) -> dict:
    fields = ("http_last_modified", "http_etag", "raw_sha256", "redirect_to", "reason", "content_type", "link_text")
    return {"url": url, "fetched_url": url, "kind": "page", "discovered_from": "start", **dict.fromkeys(fields)}


def _answer(body: bytes, raw: Path) -> dict:
    return {
        "outcome": "fetched",
        "status": 200,
        "raw_sha256": store_raw(raw, body),
        "content_type": "text/html; charset=utf-8",
    }


def _record(url: str, page: Page | None, known: dict, raw: Path, fault: str | None) -> dict:
    record = _base(url)
    if fault == "503":
        return {**record, "outcome": "failed", "status": 503, "reason": "http 503"}
    if fault == "robots":
        return {**record, "outcome": "failed", "reason": "disallowed by robots.txt"}
    if fault in ("maintenance", "soft_404"):
        return {**record, **_answer(MAINTENANCE if fault == "maintenance" else NOT_FOUND_TEMPLATE, raw)}
    if fault and fault.startswith("spelling"):  # "spelling": one of SPELLINGS by the URL; "spelling2": that one
        which = int(fault[8:]) if fault[8:] else int(hashlib.sha1(url.encode()).hexdigest(), 16) % len(SPELLINGS)
        record["url"] = record["fetched_url"] = SITE + SPELLINGS[which](url.removeprefix(SITE))
    if page is None or page.status == 404:
        return {**record, "outcome": "not_found", "status": 404}
    if page.status == 301:
        return {**record, "outcome": "redirect", "status": 301, "redirect_to": SITE + page.moved_to}
    body = render(url.removeprefix(SITE), page)
    sha = hashlib.sha256(body).hexdigest()
    if fault == "capture_lost" and known.get("raw_sha256"):
        raw_path(raw, known["raw_sha256"]).unlink(missing_ok=True)
    if known.get("raw_sha256") == sha and read_raw(raw, sha) is not None:  # asked with its validators: 304
        return {**record, "outcome": "not_modified", "status": 304, "raw_sha256": sha}
    return {**record, **_answer(body, raw)}


def known_of(pages: list[dict]) -> dict[str, dict]:
    return {p["url"]: {"status": p["status"], "raw_sha256": p["raw_sha256"]} for p in pages}


def moved(page: Page, to: str) -> Page:
    return dataclasses.replace(page, status=301, moved_to=to)
