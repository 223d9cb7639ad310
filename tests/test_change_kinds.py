"""Every change kind of DESIGN.md, decided by transform.pages.change_kind, plus a revert."""

from datetime import UTC, date, datetime

import pytest

from selvhjelp_data.runs import RunInfo
from transform.pages import build_page_tables, change_kind

D1, D2 = date(2021, 11, 15), date(2023, 1, 9)
LIVE = {"status": 200, "content_sha256": "a", "last_modified": D1, "raw_sha256": "r1"}


@pytest.mark.parametrize(
    "prev, now, kind",
    [
        (None, (200, "a", D1, "r1"), "new"),
        (
            {"status": 404, "content_sha256": None},
            (200, "a", None, "r1"),
            "new",
        ),  # a link that never worked, now a page
        (LIVE, (200, "b", D2, "r2"), "modified"),
        (LIVE, (200, "b", D1, "r2"), "modified_silently"),
        ({**LIVE, "last_modified": None}, (200, "b", None, "r2"), "modified_silently"),
        (LIVE, (200, "a", D2, "r2"), "date_only"),
        (LIVE, (404, None, None, None), "removed"),
        (LIVE, (410, None, None, None), "removed"),
        ({**LIVE, "status": 404}, (200, "a", D1, "r1"), "restored"),
        (LIVE, (301, None, None, None), "moved"),
        (LIVE, (302, None, None, None), None),  # temporary redirects are not moves
        (LIVE, (200, "b", D1, "r1"), "reparsed"),  # same bytes, new extraction
        (LIVE, (200, "a", D1, "r1"), None),  # unchanged
        (LIVE, (503, None, None, None), None),  # a failed fetch is never a removal
        ({"status": 404, "content_sha256": None}, (404, None, None, None), None),
    ],
)
def test_change_kind(prev, now, kind):
    assert change_kind(prev, *now) == kind


def _page(text: str, date_text: str) -> bytes:
    return (
        f"<html><body><div><h1>Tittel</h1><p>Sist oppdatert: {date_text}</p><p>{text}</p></div></body></html>".encode()
    )


def test_a_revert_to_an_earlier_text_is_a_change_and_a_new_version():
    bodies = {
        "r1": _page("Første tekst.", "1 mars 2020"),
        "r2": _page("Andre tekst.", "1 april 2020"),
        "r3": _page("Første tekst.", "1 mai 2020"),
    }
    url = "https://selvhjelp.no/side/"
    pages, versions = [], []
    kinds = []
    for n, raw in enumerate(["r1", "r2", "r3"], 1):
        record = {
            "kind": "page",
            "url": url,
            "outcome": "fetched",
            "status": 200,
            "raw_sha256": raw,
            "content_type": "text/html; charset=utf-8",
            "http_etag": None,
            "http_last_modified": None,
        }
        run = RunInfo(f"2026112{n}T060000Z", datetime(2026, 11, 20 + n, 6, tzinfo=UTC))
        tables = build_page_tables([record], bodies.get, pages, versions, run)
        pages, versions = tables.pages, tables.versions
        kinds.append([c["kind"] for c in tables.changes])
    assert kinds == [["new"], ["modified"], ["modified"]]
    assert [v["version"] for v in versions] == [1, 2, 3] and versions[0]["content_sha256"] == versions[2][
        "content_sha256"
    ]
