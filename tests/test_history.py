"""History only grows, and a failed fetch keeps every row: the transform over the snapshot's saved
pages, run after run, with no crawl (the records a crawl would write are made from the manifest)."""

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
import time_machine

from publish.previous import empty_tables
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import HISTORY_TABLES, TABLES
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap, page_id
from transform.build import build_tables
from transform.history import merge_history

from .saved import SEED_001, SEED_002, built_in_chunks, snapshot_records

URLS = UrlMap.from_settings(load_settings())
START = datetime(2026, 11, 20, 6, tzinfo=UTC)


def runs(tmp_path, epochs, change=None):
    """One release per epoch, each built on the one before; `change(n, records)` alters run n's records."""
    previous, releases = empty_tables(), []
    for n, epoch in enumerate(epochs):
        records = snapshot_records(epoch, tmp_path / "raw", previous["pages"].column("url").to_pylist())
        if change:
            records = change(n, records)
        previous = build_tables(
            records, tmp_path / "raw", previous, RunInfo.at(START + timedelta(days=n)), URLS, "test"
        )
        releases.append(previous)
    return releases


def rows(table: pa.Table, **where) -> list[dict]:
    return [r for r in table.to_pylist() if all(r[k] == v for k, v in where.items())]


def keys(name: str, table: pa.Table) -> set:
    return set(zip(*(table.column(k).to_pylist() for k in TABLES[name].key), strict=True))


@pytest.fixture(scope="module")
def epochs_1_2_1_1(tmp_path_factory):
    return runs(tmp_path_factory.mktemp("history"), [1, 2, 1, 1])


def test_a_large_runs_transform_a_page_at_a_time_makes_the_same_releases(epochs_1_2_1_1, tmp_path):
    """Chunks of one page, each chunk on disk between the passes: documents, quotes, offices and events
    that need every page (one identity of documents, the head office, a page removed and restored) come
    out as from all pages at once, run after run."""
    previous = empty_tables()
    for n, (epoch, at_once) in enumerate(zip([1, 2, 1, 1], epochs_1_2_1_1, strict=True)):
        records = snapshot_records(epoch, tmp_path / "raw", previous["pages"].column("url").to_pylist())
        run = RunInfo.at(START + timedelta(days=n))
        previous = built_in_chunks(tmp_path / str(n), records, tmp_path / "raw", previous, run, URLS, "test")
        assert [name for name in TABLES if not previous[name].equals(at_once[name])] == [], n
        assert previous["documents"].num_rows > 10 and (previous["events"].num_rows > 0) == (n > 0)  # epoch 2 differs


def test_every_release_keeps_every_row_of_the_one_before(epochs_1_2_1_1):
    for before, after in zip(epochs_1_2_1_1, epochs_1_2_1_1[1:], strict=False):
        for name in TABLES:
            assert keys(name, before[name]) <= keys(name, after[name]), name


def test_the_epoch_2_changes_are_still_there_after_the_revert(epochs_1_2_1_1):
    first, second, third, fourth = epochs_1_2_1_1
    second_changes = rows(second["changes"], run_id="20261121T060000Z")
    assert {c["kind"] for c in second_changes} == {
        "modified",
        "modified_silently",
        "date_only",
        "removed",
        "new",
        "moved",
    }
    assert rows(fourth["changes"], run_id="20261121T060000Z") == second_changes  # the same rows, by change_id
    reverts = {c["kind"] for c in rows(third["changes"], run_id="20261122T060000Z")}
    assert reverts == {"modified_silently", "date_only", "removed", "restored"}
    assert fourth["changes"].num_rows == third["changes"].num_rows  # the unchanged fourth run adds nothing


def test_rows_of_the_removed_page_stay_with_their_last_seen_run(epochs_1_2_1_1):
    second = epochs_1_2_1_1[1]
    removed = page_id(SEED_002)
    for name in ("quotes", "office_tasks", "document_mentions"):
        gone = rows(second[name], page_id=removed)
        assert gone and {r["last_seen_run"] for r in gone} == {"20261120T060000Z"}, name
    assert rows(second["pages"], page_id=removed)[0]["status"] == 404


def test_a_restored_page_starts_new_rows_and_keeps_the_old(epochs_1_2_1_1):
    third = epochs_1_2_1_1[2]
    tasks = rows(third["office_tasks"], page_id=page_id(SEED_002))
    assert {(r["first_seen_run"], r["last_seen_run"]) for r in tasks} == {
        ("20261120T060000Z", "20261120T060000Z"),
        ("20261122T060000Z", "20261122T060000Z"),
    }


def test_today_is_one_filter(epochs_1_2_1_1):
    fourth = epochs_1_2_1_1[3]
    quotes_now = rows(fourth["quotes"], last_seen_run="20261123T060000Z")
    first_run_quotes = epochs_1_2_1_1[0]["quotes"]
    assert sorted(q["text"] for q in quotes_now) == sorted(first_run_quotes.column("text").to_pylist())


def test_unchanged_rows_continue_without_new_rows(epochs_1_2_1_1):
    third, fourth = epochs_1_2_1_1[2], epochs_1_2_1_1[3]
    for name in HISTORY_TABLES:
        assert fourth[name].num_rows == third[name].num_rows, name


def fail(url, reason="http 503 after 2 retries", status=503):
    def change(n, records):
        if n == 0:
            return records
        return [
            {**r, "outcome": "failed", "status": status, "reason": reason, "raw_sha256": None} if r["url"] == url else r
            for r in records
        ]

    return change


@pytest.mark.parametrize("url", [SEED_001, "https://selvhjelp.no/kontakt/"])
def test_one_page_failing_keeps_every_row_of_every_table(tmp_path, url):
    good, failed = runs(tmp_path, [1, 1], fail(url))
    for name in HISTORY_TABLES + ("documents",):
        on_site = {
            k
            for k, r in zip(keys(name, failed[name]), failed[name].to_pylist(), strict=True)
            if r["last_seen_run"] == "20261121T060000Z"
        }
        assert {k[0] for k in on_site} == {r[TABLES[name].key[0]] for r in good[name].to_pylist()}, name
    page = rows(failed["pages"], page_id=page_id(url))[0]
    assert page["status"] == 200 and page["last_fetch_status"] == 503
    assert page["last_fetch_error"] == "http 503 after 2 retries" and page["last_ok_at"] < page["last_fetched_at"]
    assert rows(failed["changes"], run_id="20261121T060000Z") == []


def test_a_page_whose_capture_is_gone_and_whose_fetch_failed_keeps_its_rows(tmp_path):
    def lose_capture(n, records):
        if n == 1:
            for sha in {r["raw_sha256"] for r in records if r["url"] == SEED_001}:
                (tmp_path / "raw" / sha[:2] / sha).write_bytes(b"truncated")
        return fail(SEED_001, "timeout after 2 retries", None)(n, records)

    good, failed = runs(tmp_path, [1, 1], lose_capture)
    pid = page_id(SEED_001)
    assert {r["quote_id"] for r in rows(failed["quotes"], page_id=pid, last_seen_run="20261121T060000Z")} == {
        r["quote_id"] for r in rows(good["quotes"], page_id=pid)
    }
    assert rows(failed["pages"], page_id=pid)[0]["last_fetch_status"] is None


def test_merge_history_continues_closes_and_restarts_rows():
    table = TABLES["office_tasks"]
    row = {c: None for c in table.column_names if c not in ("first_seen_run", "last_seen_run")}
    a, b = {**row, "task_id": "a", "page_id": "p"}, {**row, "task_id": "b", "page_id": "p"}
    first = merge_history(table, [], [a, b], "r1", None)
    second = merge_history(table, first, [a], "r2", "r1")
    third = merge_history(table, second, [a, b], "r3", "r2")
    spans = sorted((r["task_id"], r["first_seen_run"], r["last_seen_run"]) for r in third)
    assert spans == [("a", "r1", "r3"), ("b", "r1", "r1"), ("b", "r3", "r3")]
    carried = merge_history(table, third, [], "r4", "r3", carried_pages={"p"})
    assert sorted(r["last_seen_run"] for r in carried) == ["r1", "r4", "r4"]


@time_machine.travel(datetime(2026, 11, 23, 6, 0, 0, 654321, tzinfo=UTC), tick=False)
def test_a_run_is_named_after_its_start_in_utc_whole_seconds():
    run = RunInfo.starting_now()
    assert run.run_id == "20261123T060000Z" and run.started_at == datetime(2026, 11, 23, 6, tzinfo=UTC)


def test_an_office_fact_is_never_erased_and_a_changed_one_starts_a_new_row():
    """The address no page prints this run stays; a new address is a new row, the old one closed."""
    table = TABLES["offices"]
    blank = {c: None for c in table.column_names if c not in ("first_seen_run", "last_seen_run")}
    office = {
        **blank,
        "office_id": "o",
        "kind": "head",
        "name": "Kontoret",
        "source_page_id": "p",
        "inferred_columns": [],
    }
    stated = {**office, "street_address": "Kirkeveien 61", "postal_code": "0364"}
    first = merge_history(table, [], [stated], "r1", None)
    second = merge_history(table, first, [office], "r2", "r1")  # the footer is gone
    assert [(r["street_address"], r["first_seen_run"], r["last_seen_run"]) for r in second] == [
        ("Kirkeveien 61", "r1", "r2")
    ]
    moved = {**office, "street_address": "Lilletorget 1", "postal_code": "0184"}
    third = merge_history(table, second, [moved], "r3", "r2")
    assert [(r["street_address"], r["first_seen_run"], r["last_seen_run"]) for r in third] == [
        ("Kirkeveien 61", "r1", "r2"),
        ("Lilletorget 1", "r3", "r3"),
    ]
    at = [r["street_address"] for r in third if r["first_seen_run"] <= "r2" <= r["last_seen_run"]]
    assert at == ["Kirkeveien 61"]  # the value at run r2; the value now is the row seen in r3


def test_a_run_with_a_slow_clock_does_not_make_the_next_run_duplicate_history(tmp_path):
    """The release a run builds on is the last run of `runs`, not the greatest run id: a run named two
    days early by a slow clock, then a normal one, keep one row per thing on the site."""
    previous, made_it = empty_tables(), None
    for moment in (START, START - timedelta(days=2), START + timedelta(days=1)):
        records = snapshot_records(1, tmp_path / "raw", previous["pages"].column("url").to_pylist())
        run = RunInfo.at(moment)
        previous = build_tables(records, tmp_path / "raw", previous, run, URLS, "test", previous_run=made_it)
        made_it = run.run_id  # the release folder's name
    for name in HISTORY_TABLES:
        identity = TABLES[name].identity
        rows = previous[name].to_pylist()
        assert len({tuple(r[c] for c in identity) for r in rows}) == len(rows), name


def test_a_clock_behind_the_last_release_names_the_run_after_it(tmp_path):
    from flows.pipeline import new_run
    from selvhjelp_data.layout import OutputLayout

    said = []
    with time_machine.travel(START - timedelta(days=2), tick=False):
        run = new_run(OutputLayout(tmp_path), RunInfo.at(START).run_id, "Europe/Oslo", said.append)
    assert run.run_id == RunInfo.at(START + timedelta(seconds=1)).run_id and "clock" in said[0]


def test_a_page_dated_today_in_oslo_keeps_its_date_when_utc_is_still_yesterday():
    from selvhjelp_data.reading import extract_page
    from transform.pages import believable_date

    page = extract_page(
        "<html><body><h1>Side</h1><p>Sist oppdatert: 29 november 2026</p><p>Tekst her.</p></body></html>",
        "https://selvhjelp.no/x/",
    )
    late_evening_utc = RunInfo.at(datetime(2026, 11, 28, 23, 30, tzinfo=UTC))  # 00:30 on the 29th in Oslo
    assert believable_date(page, late_evening_utc).last_modified.isoformat() == "2026-11-29"
