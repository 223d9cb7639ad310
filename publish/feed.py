"""changes.atom: what changed on the policy pages, newest first: each page change and each event (a
document cited or no longer cited, a quotation added, cut or reworded, an office's facts, a task), told
in Norwegian with its word-level diff (publish/present.py).

A rolling window over the `changes` and `events` tables (which only grow), so a feed reader polling daily
sees each item once, under an id that never changes. A first run is one entry ("Første kjøring: N sider
registrert"), not one full text per page. Written with feedgen; each entry links its page, the release
page and, where the release is served publicly, its Datasette row.
"""

from __future__ import annotations

import html
from datetime import datetime

import pyarrow as pa
from feedgen.feed import FeedGenerator

from publish.place import public_place
from publish.present import first_run_summary, item_html, item_rows, items_of_run, release_page_url
from selvhjelp_data.settings import PROJECT_URL, Settings

FEED_FILE = "changes.atom"


def feed_url(settings: Settings) -> str:
    """The feed's own address: as the data repository's branch has it (the latest)."""
    return public_place(settings).latest(FEED_FILE)


def feed_entries(rows: dict[str, list[dict]], settings: Settings) -> list[dict]:
    """The feed's entries, newest run first: (id, title, link, updated, html, category)."""
    runs = sorted(rows["runs"], key=lambda r: r["run_id"], reverse=True)
    entries = []
    for run in runs:
        when = run["started_at"]
        if summary := first_run_summary(rows, run["run_id"]):
            entries.append(_first_run_entry(rows, run["run_id"], summary, when, settings))
            continue
        for item in items_of_run(rows, run["run_id"]):
            table, key = item.key
            entries.append(
                {
                    "id": f"urn:selvhjelp-data:{table[:-1]}:{key}",
                    "title": item.title,
                    "link": item.url or release_page_url(settings, run["run_id"]),
                    "updated": when,
                    "html": item_html(item, settings),
                    "category": item.kind,
                }
            )
        if len(entries) >= settings.feed_size:
            break
    return entries[: settings.feed_size]


def _first_run_entry(rows: dict, run_id: str, summary: str, when: datetime, settings: Settings) -> dict:
    changes = [c for c in rows["changes"] if c["run_id"] == run_id]
    pages = "".join(
        f'<li><a href="{html.escape(c["url"])}">{html.escape(c["title"] or c["url"])}</a></li>'
        for c in sorted(changes, key=lambda c: c["url"])
    )
    return {
        "id": f"urn:selvhjelp-data:first-run:{run_id}",
        "title": summary,
        "link": release_page_url(settings, run_id),
        "updated": when,
        "html": f"<p>{html.escape(summary)}:</p><ul>{pages}</ul>",
        "category": "first_run",
    }


def changes_feed(tables: dict[str, pa.Table], updated: datetime, settings: Settings) -> bytes:
    """The Atom document (RFC 4287): id, title, updated, author, self link on the feed; id, title,
    updated, link and content on every entry."""
    feed = FeedGenerator()
    feed.id(f"{PROJECT_URL}/changes")
    feed.title("selvhjelp.no: endringer på sidene om politikk og planer")
    feed.subtitle("Hva som er endret på selvhjelp.no sine sider om politiske dokumenter, nyeste først, ord for ord")
    feed.author(name=settings.publisher_name, uri=settings.contact_url)
    feed.link(href=feed_url(settings), rel="self", type="application/atom+xml")
    feed.link(href=settings.wordpress_origin + "/", rel="alternate", type="text/html")
    feed.language("nb")
    feed.generator("selvhjelp-data", uri=PROJECT_URL)
    entries = feed_entries(item_rows(tables), settings)
    feed.updated(entries[0]["updated"] if entries else updated)
    for row in reversed(entries):  # feedgen puts each new entry first: add the oldest first
        entry = feed.add_entry()
        entry.id(row["id"])
        entry.title(row["title"])
        entry.link(href=row["link"], rel="alternate")
        entry.updated(row["updated"])
        entry.content(row["html"], type="html")
        entry.category(term=row["category"])
    return feed.atom_str(pretty=True)
