"""Golden files: the transform's documents, mentions, quotes, offices and tasks for each seed page
and the offices page, compared exactly with hand-checked expectations in tests/fixtures/golden/.

The files were reviewed line by line against the seed text. After a deliberate change of the
transform, write them anew with `UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review the diff.
"""

import json
import os

import pytest

from selvhjelp_data.urls import page_id
from transform.build import content_rows

from .conftest import FIXTURES
from .saved import INDEX, KONTAKT, SEED_000, SEED_001, SEED_002, SEED_003, snapshot_page

GOLDEN = FIXTURES / "golden"
PAGES = {
    "seed_000_politiske_dokumenter": SEED_000,
    "seed_001_politisk_forankring": SEED_001,
    "seed_002_helsedirektoratet_informerer": SEED_002,
    "seed_003_eldre_politiske_dokumenter": SEED_003,
    "seed_004_dokumenter_og_planer": INDEX,
    "offices_page": KONTAKT,
}


def reviewable(rows: dict[str, list[dict]]) -> dict:
    """The transform's rows for one page, without hashes, in a form a person can check against the text."""
    quote_text = {q["quote_id"]: q["text"] for q in rows["quotes"]}
    return {
        "documents": [
            {
                k: d[k]
                for k in (
                    "document_id",
                    "kind",
                    "identifier",
                    "title",
                    "year_from",
                    "year_to",
                    "issuer",
                    "aliases",
                    "mention_count",
                )
            }
            for d in sorted(rows["documents"], key=lambda d: d["document_id"])
        ],
        "document_mentions": [
            {k: m[k] for k in ("document_id", "matched_text", "section_heading", "position")}
            for m in rows["document_mentions"]
        ],
        "quotes": [
            {
                "kind": q["kind"],
                "quote_marks": q["quote_marks"],
                "text": q["text"],
                "section_heading": q["section_heading"],
                "document_id": q["document_id"],
                "position": q["position"],
                "parent": quote_text[q["parent_quote_id"]][:40] if q["parent_quote_id"] else None,
            }
            for q in sorted(rows["quotes"], key=lambda q: q["position"])
        ],
        "offices": [
            {k: v for k, v in o.items() if k not in ("source_page_id", "page_version")} for o in rows["offices"]
        ],
        "office_tasks": [{k: t[k] for k in ("office_kind", "position", "task")} for t in rows["office_tasks"]],
    }


def transform_one(name):
    url = PAGES[name]
    return reviewable(content_rows({page_id(url): (snapshot_page(url), 1)}))


@pytest.mark.parametrize("name", list(PAGES))
def test_golden(name):
    actual = transform_one(name)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert actual == json.loads(path.read_text(encoding="utf-8"))


def test_counts_per_table_over_the_golden_pages(capsys):
    counts = {
        table: sum(len(transform_one(n)[table]) for n in PAGES)
        for table in ("documents", "document_mentions", "quotes", "offices", "office_tasks")
    }
    print("rows per table over the six golden pages:", counts)
    assert counts["offices"] == 8 and counts["office_tasks"] == 18
