"""The crawl record: one per URL tried, whatever happened to it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

# Outcomes that are an answer of the site; "failed" (5xx, timeout, refused, truncated ...) is not.
ANSWERED = ("fetched", "not_modified", "redirect", "not_found", "skipped")


@dataclass
class CrawlRecord:
    url: str  # public URL (never the snapshot server's)
    fetched_url: str  # what was really requested
    outcome: str  # fetched | not_modified | redirect | not_found | failed | skipped
    kind: str = "page"  # page | sitemap
    status: int | None = None
    reason: str | None = None  # why a fetch failed or was skipped
    method: str = "GET"
    redirect_to: str | None = None  # public URL of a redirect's target
    redirect_chain: list[str] = field(default_factory=list)
    content_type: str | None = None
    http_last_modified: str | None = None
    http_etag: str | None = None
    raw_sha256: str | None = None  # the bytes in the raw store (for 304: the bytes last seen)
    bytes: int = 0  # body bytes downloaded
    fetched_at: str | None = None  # UTC, ISO 8601
    depth: int = 0
    discovered_from: str | None = None  # start | sitemap | known | <public URL of the linking page>
    link_text: str | None = None  # the text of the link it was found by
    sitemap_lastmod: str | None = None
    site_generation: str | None = None
    body: bytes | None = field(default=None, repr=False)  # handed to the raw store, never written to records

    def to_json_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "body"}  # asdict copies deep: slow
