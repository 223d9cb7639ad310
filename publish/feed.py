"""changes.atom: the latest changes across every run, newest first, each with its diff.

A rolling window over the `changes` table (which only grows), so a feed reader polling daily sees
each change once, under an id that never changes (from `change_id`). Written with feedgen; the
diff goes into the entry's HTML content, escaped, inside <pre>.
"""

from __future__ import annotations

import html
from datetime import datetime

import pyarrow as pa
from feedgen.feed import FeedGenerator

from selvhjelp_data.settings import PROJECT_URL, Settings

FEED_FILE = "changes.atom"
DIFF_LINES_IN_SUMMARY = 6  # the start of a diff, for notifications and feed readers that show summaries only


def feed_url(settings: Settings) -> str:
    return settings.publish_base_url.rstrip("/") + "/" + FEED_FILE


def change_line(change: dict) -> str:
    """ "modified: Kontakt oss (page date 2019-11-15 → 2021-08-24, +1/−1 lines)" """
    detail = f"page date {change['last_modified_before'] or '–'} → {change['last_modified_after'] or '–'}"
    if change["lines_added"] is not None:
        detail += f", +{change['lines_added']}/−{change['lines_removed']} lines"
    if change["redirect_to"]:
        detail += f", now at {change['redirect_to']}"
    return f"{change['kind']}: {change['title'] or change['url']} ({detail})"


def diff_start(change: dict, lines: int = DIFF_LINES_IN_SUMMARY) -> str:
    """The first changed lines of a diff, without its file headers."""
    body = [line for line in (change["diff"] or "").split("\n") if not line.startswith(("---", "+++", "@@"))]
    return "\n".join(body[:lines]) + ("\n…" if len(body) > lines else "")


def entry_html(change: dict) -> str:
    parts = [
        f"<p>{html.escape(change_line(change))}</p>",
        f'<p><a href="{html.escape(change["url"])}">{html.escape(change["url"])}</a></p>',
    ]
    if change["diff"]:
        parts.append(f"<pre>{html.escape(change['diff'])}</pre>")
    return "\n".join(parts)


def latest_changes(changes: pa.Table, size: int) -> list[dict]:
    rows = sorted(changes.to_pylist(), key=lambda r: (r["detected_at"], r["change_id"]), reverse=True)
    return rows[:size]


def changes_feed(changes: pa.Table, updated: datetime, settings: Settings) -> bytes:
    """The Atom document (RFC 4287): id, title, updated, author, self link on the feed; id, title,
    updated, link and content on every entry."""
    feed = FeedGenerator()
    feed.id(f"{PROJECT_URL}/changes")
    feed.title("selvhjelp.no policy pages: changes")
    feed.subtitle("Changes detected on the policy pages of selvhjelp.no, newest first, each with its diff")
    feed.author(name=settings.publisher_name, uri=settings.contact_url)
    feed.link(href=feed_url(settings), rel="self", type="application/atom+xml")
    feed.link(href=settings.wordpress_origin + "/", rel="alternate", type="text/html")
    feed.language("nb")
    feed.generator("selvhjelp-data", uri=PROJECT_URL)
    rows = latest_changes(changes, settings.feed_size)
    feed.updated(rows[0]["detected_at"] if rows else updated)
    for row in reversed(rows):  # feedgen puts each new entry first: add the oldest first
        entry = feed.add_entry()
        entry.id(f"urn:selvhjelp-data:change:{row['change_id']}")
        entry.title(f"{row['kind']}: {row['title'] or row['url']}")
        entry.link(href=row["url"], rel="alternate")
        entry.updated(row["detected_at"])
        entry.summary(change_line(row))
        entry.content(entry_html(row), type="html")
        entry.category(term=row["kind"])
    return feed.atom_str(pretty=True)
