"""changes.atom: the changes as an Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from selvhjelp_data.settings import PROJECT_URL, Settings


def changes_feed(changes: pa.Table, run_id: str, settings: Settings) -> bytes:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(f"{PROJECT_URL}/changes")
    feed.title("selvhjelp.no policy pages: changes")
    feed.link(href=settings.wordpress_origin + "/", rel="alternate")
    feed.subtitle(f"Changes detected on the policy pages of selvhjelp.no, release {run_id}")
    feed.language("nb")
    rows = sorted(changes.to_pylist(), key=lambda r: (r["detected_at"], r["change_id"]))
    for row in rows:  # feedgen prepends: the newest comes out first
        entry = feed.add_entry()
        entry.id(f"urn:selvhjelp-data:change:{row['change_id']}")
        entry.title(f"{row['kind']}: {row['title'] or row['url']}")
        entry.link(href=row["url"])
        entry.updated(row["detected_at"])
        dates = f"date {row['last_modified_before'] or '–'} → {row['last_modified_after'] or '–'}"
        lines = f", +{row['lines_added']}/−{row['lines_removed']} lines" if row["lines_added"] is not None else ""
        entry.summary(
            f"{row['kind']} ({dates}{lines})" + (f", now at {row['redirect_to']}" if row["redirect_to"] else "")
        )
    if not rows:
        feed.updated(datetime.now(UTC))
    return feed.atom_str(pretty=True)
