"""Every page's rows equal what a careful reader recorded in its golden file (tests/golden.py).

The snapshot's six pages are read together, as a release reads them (a document is one document
across pages); a difference is printed row by row.
"""

from datetime import UTC, datetime

import pytest

from publish.previous import empty_tables
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap, page_id
from transform.build import build_tables

from .golden import SNAPSHOT_PAGES, documents_difference, load, page_difference, page_rows
from .saved import fixture_records, snapshot_records

MORE_PAGES = ["fra_frivillighet_til_folkehelse", "stortingsmeldinger_om_folkehelse", "statsbudsjettet"]
RUN = RunInfo("20261123T060000Z", datetime(2026, 11, 23, 6, tzinfo=UTC))


def release(records, raw) -> dict[str, list[dict]]:
    tables = build_tables(records, raw, empty_tables(), RUN, UrlMap.from_settings(load_settings()), "test")
    return {name: table.to_pylist() for name, table in tables.items()}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    return release(snapshot_records(1, raw), raw)


@pytest.fixture(scope="module")
def more(tmp_path_factory):
    """Three more saved pages of both generations, read together as a site of their own."""
    raw = tmp_path_factory.mktemp("raw")
    return release(fixture_records([f"{name}.html" for name in MORE_PAGES], raw), raw)


def assert_agrees(lines: list[str]) -> None:
    assert not lines, "the release differs from the golden file:\n" + "\n".join(lines)


@pytest.mark.parametrize(
    "site, name", [("snapshot", name) for name in SNAPSHOT_PAGES] + [("more", name) for name in MORE_PAGES]
)
def test_each_page_equals_its_golden_file(request, site, name):
    golden = load(name)
    assert_agrees(page_difference(golden, page_rows(request.getfixturevalue(site), page_id(golden["url"]))))


@pytest.mark.parametrize("site, name", [("snapshot", "documents"), ("more", "documents_of_further_pages")])
def test_the_documents_equal_the_golden_file(request, site, name):
    assert_agrees(documents_difference(load(name), request.getfixturevalue(site)["documents"]))


def test_a_difference_is_printed_row_by_row():
    golden = [{"document_id": "is-1212", "why": "a note"}]
    lines = documents_difference(golden, [{"document_id": "is-1212"}, {"document_id": "is-2076"}])
    assert any(line.startswith("documents: unexpected {'document_id': 'is-2076'") for line in lines)
