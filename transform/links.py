"""broken_links: URLs of the site that have never answered 200, and the pages that link to them.

Such a URL is not a page (it has no text to record), but a monitor wants to know it: a teaser that
links to a page the site never had, a link that breaks after a move. A broken link stays on the
record while a live page links to it (or a start URL or the sitemap names it).
"""

from __future__ import annotations

from selvhjelp_data.reading import PageContent
from selvhjelp_data.urls import UrlMap
from transform.pages import FAILED, Fetch

FOUND_ELSEWHERE = ("start", "sitemap")


def broken_link_rows(
    not_pages: dict[str, Fetch],
    contents: dict[str, tuple[PageContent, int]],
    urls: UrlMap,
    previous: list[dict] = (),
) -> list[dict]:
    """One row per URL asked for this run that is not a page, with the first live page that links to it.
    A request that failed this run (a 5xx, robots.txt, a stand-in page) says nothing new of the link: it
    keeps the last answer the record has of it."""
    linked_from = {}
    note_links(linked_from, contents, urls, {fetch.url for fetch in not_pages.values()})
    return link_rows(not_pages, linked_from, previous)


def note_links(linked_from: dict, contents: dict[str, tuple[PageContent, int]], urls: UrlMap, targets: set) -> None:
    """{target URL: (page_id, link text)} of the first page (in page order: take chunks of pages in order)
    that links to each of `targets`."""
    for pid in sorted(contents):
        for link in contents[pid][0].links:
            if urls.is_own(link.url) and (target := urls.to_public(link.url)) in targets:
                linked_from.setdefault(target, (pid, link.text))


def link_rows(not_pages: dict[str, Fetch], linked_from: dict, previous: list[dict] = ()) -> list[dict]:
    last = {row["target_url"]: row for row in sorted(previous, key=lambda r: r["last_seen_run"])}
    rows = []
    for fetch in not_pages.values():
        if fetch.url in linked_from:
            source, text = linked_from[fetch.url]
        elif fetch.discovered_from in FOUND_ELSEWHERE:
            source, text = None, fetch.link_text
        else:
            continue  # nothing on the site points at it any more
        status, error = fetch.status, fetch.error
        if fetch.verdict == FAILED and (kept := last.get(fetch.url)):
            status, error = kept["status"], kept["fetch_error"]
        rows.append(
            {
                "target_url": fetch.url,
                "source_page_id": source,
                "link_text": text,
                "status": status,
                "fetch_error": error,
            }
        )
    return rows
