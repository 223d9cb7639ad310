"""How a change or an event reads to a person, in one place for every surface (the feed, the messages,
the git CHANGELOG, the release page): Norwegian labels (schema.KIND_LABELS), the page's date only where
it has one, the word-level diff the transform made, the start of a removed page's last text, a moved
page's new address as a link, and links to the release page and the Datasette row.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from publish.place import public_place
from selvhjelp_data.schema import KIND_LABELS
from selvhjelp_data.settings import Settings

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
RELEASE_PAGE = "index.html"
ITEM_TABLES = ("changes", "events", "documents", "offices", "pages", "runs")  # what items are made from
FIELD_LABELS = {
    "name": "navn",
    "city": "sted",
    "areas": "fylker",
    "street_address": "adresse",
    "postal_code": "postnummer",
    "phone": "telefon",
    "email": "e-post",
    "organisation_number": "organisasjonsnummer",
}


def md_text(value: object) -> str:
    """Site text made inert in Markdown: HTML escaped, Markdown punctuation backslashed, one line."""
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def md_url(url: str) -> str:
    """A URL for a Markdown link target: only http(s), with the characters that end a link escaped."""
    if not url.startswith(("http://", "https://")):
        return "#"
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def label(kind: str) -> str:
    """The kind as a Norwegian reader reads it: "endret uten ny dato", not "modified_silently"."""
    return KIND_LABELS[kind][0]


def norwegian_date(day: date | None) -> str | None:
    return f"{day.day}.{day.month}.{day.year}" if day else None


def date_note(change: dict) -> str | None:
    """ "sidedato 15.11.2021 → 9.1.2023", "sidedato 9.1.2023", or nothing for a page without a date."""
    before, after = norwegian_date(change["last_modified_before"]), norwegian_date(change["last_modified_after"])
    if before and after and before != after:
        return f"sidedato {before} → {after}"
    return f"sidedato {after or before}" if (after or before) else None


@dataclass(frozen=True)
class Item:
    """One change or event, as every surface shows it."""

    kind: str
    run_id: str
    title: str  # one line: what happened, where
    url: str | None
    details: list[str]  # short lines: dates, new address, values before and after
    word_diff: str | None
    word_diff_html: str | None
    excerpt: str | None
    document_id: str | None
    key: tuple[str, str]  # (table, id): the row it comes from

    @property
    def label(self) -> str:
        return label(self.kind)


def change_item(change: dict) -> Item:
    details = [d for d in (date_note(change),) if d]
    if change["kind"] == "moved" and change["redirect_to"]:
        details.append(f"ny adresse: {change['redirect_to']}")
    show_excerpt = change["kind"] in ("new", "removed", "moved", "restored")  # what the page says, or said
    return Item(
        change["kind"],
        change["run_id"],
        f"{label(change['kind'])}: {change['title'] or change['url']}",
        change["url"],
        details,
        change["word_diff"],
        change["word_diff_html"],
        change["excerpt"] if show_excerpt else None,
        None,
        ("changes", change["change_id"]),
    )


def entity_names(documents: list[dict], offices: list[dict]) -> dict[str, str]:
    """How an event names its thing: a document by its identifier (else its title), an office by its name."""
    names = {d["document_id"]: d["identifier"] or d["title"] or d["document_id"] for d in documents}
    names.update((o["office_id"], o["name"]) for o in offices)
    return names


def event_item(event: dict, names: dict[str, str], page_titles: dict[str, str]) -> Item:
    """ "dokument omtalt: Meld. St. 19 (2018–2019) – Politisk forankring", "kontor endret: Selvhjelp Norge,
    hovedkontoret – Kontakt oss" with "telefon: 23 33 19 00 → 23 33 19 10"."""
    where = page_titles.get(event["page_id"] or "") or event["url"] or ""
    source = names.get(event["document_id"] or "")
    thing = {
        "document": source or event["entity_id"],
        "quote": "sitat" + (f" fra {source}" if source else ""),
        "office": names.get(event["entity_id"], event["entity_id"]),
        "task": f"«{event['after'] or event['before']}»",
    }[event["entity"]]
    details = []
    if event["field"]:
        field = FIELD_LABELS.get(event["field"], event["field"])
        details.append(f"{field}: {event['before'] or '–'} → {event['after'] or '–'}")
    quoted = event["entity"] == "quote" and not event["word_diff"]
    return Item(
        event["kind"],
        event["run_id"],
        f"{label(event['kind'])}: {thing}" + (f" – {where}" if where else ""),
        event["url"],
        details,
        event["word_diff"] if not event["field"] else None,
        event["word_diff_html"] if not event["field"] else None,
        (event["after"] or event["before"]) if quoted else None,
        event["document_id"],
        ("events", event["event_id"]),
    )


def items_of_run(tables: dict, run_id: str) -> list[Item]:
    """A run's changes, then its events, as items (tables: the release's rows as lists of dicts)."""
    names = entity_names(tables["documents"], tables["offices"])
    titles = {p["page_id"]: p["title"] for p in tables["pages"]}
    changes = sorted((c for c in tables["changes"] if c["run_id"] == run_id), key=lambda c: (c["kind"], c["url"]))
    events = sorted((e for e in tables["events"] if e["run_id"] == run_id), key=lambda e: (e["kind"], e["url"] or ""))
    return [change_item(c) for c in changes] + [event_item(e, names, titles) for e in events]


def release_page_url(settings: Settings, run_id: str) -> str:
    """The page of the release that found the item, pinned to its tag."""
    return public_place(settings).pinned(RELEASE_PAGE, run_id) + f"#run-{run_id}"


def row_url(settings: Settings, item: Item) -> str | None:
    """The item's row in Datasette, where the release is served publicly (SELVHJELP_DATASETTE_BASE_URL)."""
    if not settings.datasette_base_url:
        return None
    table, key = item.key
    return settings.datasette_base_url.rstrip("/") + f"/selvhjelp/{table}/{key}"


def item_html(item: Item, settings: Settings | None = None) -> str:
    """An item as HTML: what happened, the page as a link, dates and values, the word diff, the text."""
    parts = [f"<p><strong>{html.escape(item.title)}</strong></p>"]
    if item.url:
        parts.append(f'<p><a href="{html.escape(item.url)}">{html.escape(item.url)}</a></p>')
    for detail in item.details:
        text = html.escape(detail)
        if detail.startswith("ny adresse: "):
            target = html.escape(detail.removeprefix("ny adresse: "))
            text = f'ny adresse: <a href="{target}">{target}</a>'
        parts.append(f"<p>{text}</p>")
    if item.word_diff_html:
        parts.append(f'<p class="diff">{item.word_diff_html}</p>')
    if item.excerpt:
        parts.append(f"<blockquote>{html.escape(item.excerpt)}</blockquote>")
    if settings is not None:
        links = [f'<a href="{html.escape(release_page_url(settings, item.run_id))}">utgivelsen</a>']
        if row := row_url(settings, item):
            links.append(f'<a href="{html.escape(row)}">raden i Datasette</a>')
        parts.append("<p>Se " + " · ".join(links) + "</p>")
    return "\n".join(parts)


def item_text(item: Item) -> str:
    """An item as plain text, for messages: one heading line, the page, the details, the word diff."""
    lines = [item.title]
    if item.url:
        lines.append(item.url)
    lines += item.details
    if item.word_diff:
        lines.append(item.word_diff)
    elif item.excerpt:
        lines.append(f"«{item.excerpt}»")
    return "\n".join(lines)


def first_run_summary(rows: dict[str, list[dict]], run_id: str) -> str | None:
    """What the record's first run says instead of one full-text item per page ("Første kjøring: 6 sider
    registrert"); None for any later run (run ids sort as time)."""
    if run_id != min((r["run_id"] for r in rows["runs"]), default=None):
        return None
    pages = len({c["page_id"] for c in rows["changes"] if c["run_id"] == run_id})
    return f"Første kjøring: {pages} side{'r' * (pages != 1)} registrert"


# the columns items read, of the tables whose rows are one a page (a large site's are many): not the line
# diffs, which no item shows and which hold a first run's every page in full, nor hashes and counts
ITEM_COLUMNS = {
    "changes": ("change_id", "run_id", "detected_at", "page_id", "url", "title", "kind", "redirect_to",
                "last_modified_before", "last_modified_after", "excerpt", "word_diff", "word_diff_html"),
    "pages": ("page_id", "title"),
}  # fmt: skip


def item_rows(tables) -> dict[str, list[dict]]:
    """The rows items are made from, out of a release's Arrow tables."""
    return {name: _only_item_columns(name, tables[name]).to_pylist() for name in ITEM_TABLES}


def _only_item_columns(name: str, table):
    return table.select(list(ITEM_COLUMNS[name])) if name in ITEM_COLUMNS else table
