"""Golden files: what a careful reader records from each page, compared row by row with a release.

A golden file (tests/fixtures/golden/*.yaml) was written by reading the page, not by running the
code. It lists, for one page, its pages row and every row it feeds into document_mentions, quotes,
offices and office_tasks, in page order; `documents.yaml` lists the site's documents. A `why:` on a
row says why the row is what it is where the text is ambiguous. Only the columns a golden row names
are compared, so a row says what a reader can check.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from selvhjelp_data.schema import OFFICES

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
# the golden files of the bundled snapshot's pages (the other page files are of tests/fixtures/pages)
SNAPSHOT_PAGES = [
    "seed_000_politiske_dokumenter",
    "seed_001_politisk_forankring",
    "seed_002_helsedirektoratet_informerer",
    "seed_003_eldre_politiske_dokumenter",
    "seed_004_dokumenter_og_planer",
    "offices_page",
]
# the columns of each table a golden file states, in the order it states them
MENTION = ("document_id", "context_kind", "matched_text", "section_heading")
QUOTE = ("kind", "quote_marks", "document_id", "text", "parent")
OFFICE = ("office_id", "kind", *OFFICES.versioned)
TASK = ("office_kind", "office_id", "position", "year_from", "year_to", "list_lead", "task")
PAGE = ("title", "section", "site_generation", "last_modified_label", "last_modified")
DOCUMENT = ("document_id", "kind", "identifier", "title", "year_from", "year_to", "issuer", "mention_count", "aliases")


def load(name: str) -> dict:
    return yaml.safe_load((GOLDEN / f"{name}.yaml").read_text(encoding="utf-8"))


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def project(rows: list[dict], columns: tuple[str, ...]) -> list[dict]:
    return [{c: _plain(r.get(c)) for c in columns} for r in rows]


def strip_notes(rows: list, columns: tuple[str, ...] = ()) -> list[dict]:
    """Rows without their notes; a row written as a list names the columns in order."""
    rows = [dict(zip(columns, r, strict=True)) if isinstance(r, list) else r for r in rows]
    return [{k: v for k, v in r.items() if k != "why"} for r in rows]


def difference(table: str, expected: list[dict], actual: list[dict], columns: tuple[str, ...]) -> list[str]:
    """Rows missing and rows not expected, in a form a reader can act on; [] when they agree."""
    expected = project(strip_notes(expected, columns), columns)
    actual = project(actual, columns)
    lines = []
    for row in expected:
        if row not in actual:
            lines.append(f"{table}: missing   {row}")
    for row in actual:
        if row not in expected:
            lines.append(f"{table}: unexpected {row}")
    if not lines and expected != actual:
        lines.append(f"{table}: the same rows in another order")
    return lines


def page_rows(tables: dict[str, list[dict]], page_id: str) -> dict[str, list[dict]]:
    """A release's rows of one page, in page order, ready to compare with a golden file."""
    quotes = sorted((q for q in tables["quotes"] if q["page_id"] == page_id), key=lambda q: q["position"])
    text = {q["quote_id"]: q["text"] for q in quotes}
    return {
        "page": [p for p in tables["pages"] if p["page_id"] == page_id],
        "document_mentions": sorted(
            (m for m in tables["document_mentions"] if m["page_id"] == page_id), key=lambda m: m["position"]
        ),
        "quotes": [{**q, "parent": text[q["parent_quote_id"]][:40] if q["parent_quote_id"] else None} for q in quotes],
        "offices": [o for o in tables["offices"] if o["source_page_id"] == page_id],
        "office_tasks": [t for t in tables["office_tasks"] if t["page_id"] == page_id],
    }


def page_difference(golden: dict, rows: dict[str, list[dict]]) -> list[str]:
    return (
        difference("page", [golden["page"]], rows["page"], PAGE)
        + difference("document_mentions", golden.get("document_mentions", []), rows["document_mentions"], MENTION)
        + difference("quotes", golden.get("quotes", []), rows["quotes"], QUOTE)
        + difference("offices", golden.get("offices", []), rows["offices"], OFFICE)
        + difference("office_tasks", golden.get("office_tasks", []), rows["office_tasks"], TASK)
    )


def documents_difference(golden: list[dict], documents: list[dict]) -> list[str]:
    """Documents compared with their aliases as a set (the order of spellings says nothing)."""

    def normalised(rows):  # the table is sorted by its key; a document's spellings have no order
        rows = sorted(rows, key=lambda r: r["document_id"])
        return [{**r, "aliases": sorted(r.get("aliases") or [])} for r in rows]

    return difference("documents", normalised(strip_notes(golden)), normalised(documents), DOCUMENT)
