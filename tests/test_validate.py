"""Validation: the snapshot release passes; a copy broken in one way fails with that expectation named."""

from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from publish.previous import empty_tables
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap
from transform.build import build_tables
from validate.validation import run_validation

from .conftest import PUBLIC_URL_PATTERN
from .saved import snapshot_records

pytestmark = pytest.mark.e2e  # real Great Expectations: importing it alone takes ~9 s


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """The tables of a first run on the snapshot (made from its saved pages, no crawl)."""
    raw = tmp_path_factory.mktemp("validate") / "raw"
    run = RunInfo("20261123T060000Z", datetime(2026, 11, 23, 6, tzinfo=UTC))
    return build_tables(
        snapshot_records(1, raw),
        raw,
        empty_tables(),
        run,
        UrlMap.from_settings(load_settings()),
        "bundled snapshot of selvhjelp.no",
    )


def replace_column(table: pa.Table, name: str, values) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, table.schema.field(i), pa.array(values, type=table.schema.field(i).type))


def first_row(name: str, value):
    """A change to a table: `value` in column `name` of its first row."""
    return lambda t: replace_column(t, name, [value] + t.column(name).to_pylist()[1:])


def broken(good, name, change):
    tables = dict(good)
    tables[name] = change(good[name])
    return tables


def test_the_snapshot_release_passes_every_suite(good, tmp_path):
    report = run_validation(good, None, tmp_path, PUBLIC_URL_PATTERN)
    assert report.success, [f.line() for f in report.failures]
    assert report.evaluated > 100 and len(report.results) == len(TABLES) + 2  # every table, references, checks
    assert (tmp_path / "results.json").exists() and "All expectations passed" in (tmp_path / "report.html").read_text()


BREAKS = {
    "duplicate page_id": (
        "pages",
        lambda t: pa.concat_tables([t, t.slice(0, 1)]),
        ("pages", "page_id", "expect_column_values_to_be_unique"),
    ),
    "null url": (
        "pages",
        first_row("url", None),
        ("pages", "url", "expect_column_values_to_not_be_null"),
    ),
    "quote pointing to a missing page": (
        "quotes",
        first_row("page_id", "0000000000000000"),
        ("references", "quotes.page_id -> pages.page_id", "expect_column_values_to_be_null"),
    ),
    "date in the future": (
        "pages",
        first_row("last_modified", date(2999, 1, 1)),
        ("pages", "last_modified", "expect_column_values_to_be_between"),
    ),
    "unknown change kind": (
        "changes",
        first_row("kind", "rewritten"),
        ("changes", "kind", "expect_column_values_to_be_in_set"),
    ),
    "url off the site": (
        "pages",
        first_row("url", "http://127.0.0.1:8765/kontakt/"),
        ("pages", "url", "expect_column_values_to_match_regex"),
    ),
    "a column missing": (
        "offices",
        lambda t: t.drop_columns(["city"]),
        ("offices", None, "expect_table_columns_to_match_set"),
    ),
}


@pytest.mark.parametrize("what", list(BREAKS))
def test_one_break_fails_with_its_expectation_named(good, tmp_path, what):
    name, change, expected = BREAKS[what]
    report = run_validation(broken(good, name, change), None, tmp_path, PUBLIC_URL_PATTERN)
    assert not report.success
    assert expected in {(f.table, f.column, f.expectation) for f in report.failures}
    line = next(f.line() for f in report.failures if (f.table, f.column, f.expectation) == expected)
    assert line.startswith(f"validation failed: {expected[0]}") and expected[2] in line


def test_half_the_pages_gone_blocks_the_release_unless_overridden(good, tmp_path):
    pages = good["pages"]
    live = pc.equal(pages.column("status"), 200)
    shrunk = broken(
        good,
        "pages",
        lambda t: replace_column(t, "status", [404 if s == 200 else s for s in t.column("status").to_pylist()]),
    )
    report = run_validation(shrunk, good, tmp_path, PUBLIC_URL_PATTERN)
    assert not report.success and pc.sum(live).as_py() == 6
    assert any(
        f.table == "release_checks" and "live pages (status 200) fell from 6 to 0" in f.line() for f in report.failures
    )
    assert run_validation(shrunk, good, tmp_path, PUBLIC_URL_PATTERN, allow_shrink=True).success


def test_a_release_that_lost_rows_of_the_previous_one_is_blocked(good, tmp_path):
    report = run_validation(broken(good, "quotes", lambda t: t.slice(1)), good, tmp_path, PUBLIC_URL_PATTERN)
    assert any(
        "quotes keeps every row" in f.line() and "1 rows of the previous release are gone" in f.line()
        for f in report.failures
    )


@pytest.mark.parametrize("name", ["pages", "page_versions", "documents", "document_mentions", "runs"])
def test_a_table_the_site_always_feeds_may_not_be_empty(good, tmp_path, name):
    report = run_validation(broken(good, name, lambda t: t.slice(0, 0)), None, tmp_path, PUBLIC_URL_PATTERN)
    assert (name, None, "expect_table_row_count_to_be_between") in {
        (f.table, f.column, f.expectation) for f in report.failures
    }


def test_failed_results_are_written_too(good, tmp_path):
    run_validation(broken(good, "changes", BREAKS["unknown change kind"][1]), None, tmp_path, PUBLIC_URL_PATTERN)
    assert (
        "FAILED" in (tmp_path / "report.html").read_text()
        and '"success": false' in (tmp_path / "results.json").read_text()
    )


def test_a_district_office_lost_from_the_table_is_caught(good, tmp_path):
    report = run_validation(
        broken(good, "offices", lambda t: t.slice(0, t.num_rows - 2)), None, tmp_path, PUBLIC_URL_PATTERN
    )
    assert any("lists 7 district offices, the table has 6" in f.line() for f in report.failures)


def test_an_empty_table_says_what_was_seen_and_what_was_expected(good, tmp_path):
    report = run_validation(broken(good, "documents", lambda t: t.slice(0, 0)), None, tmp_path, PUBLIC_URL_PATTERN)
    (line,) = [f.line() for f in report.failures if f.expectation == "expect_table_row_count_to_be_between"]
    assert line.endswith("documents: expect_table_row_count_to_be_between: '0 observed, at least 1 expected'")


def test_a_large_table_is_validated_in_batches_and_still_fails_on_a_key_twice_or_a_null_in_any(
    good, tmp_path, monkeypatch
):
    """More than a slice of rows: the row rules a slice at a time, the key's uniqueness over the whole table
    (the first row repeated as the last, in another batch), a null in the last batch caught too."""
    from selvhjelp_data import mapped

    monkeypatch.setattr(mapped, "SLICE_ROWS", 20)
    mentions = good["document_mentions"]
    assert mentions.num_rows > 40
    passed = run_validation(good, None, tmp_path / "ok", PUBLIC_URL_PATTERN)
    assert passed.success and {"document_mentions (its key)", "document_mentions (rows 21-40)"} <= set(passed.results)
    twice = broken(good, "document_mentions", lambda t: pa.concat_tables([t, t.slice(0, 1)]))
    nulled = broken(
        good, "document_mentions", lambda t: replace_column(t, "context", t["context"].to_pylist()[:-1] + [None])
    )
    failures = {
        (f.table, f.column, f.expectation)
        for tables, out in ((twice, "twice"), (nulled, "nulled"))
        for f in run_validation(tables, None, tmp_path / out, PUBLIC_URL_PATTERN).failures
    }
    assert failures == {
        ("document_mentions", "mention_id,first_seen_run", "expect_compound_columns_to_be_unique"),
        ("document_mentions", "context", "expect_column_values_to_not_be_null"),
    }
