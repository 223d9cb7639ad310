"""The real flow, end to end: Prefect, the Scrapy crawl over HTTP, GX validation, releases read back.

Four runs into one output folder (tests/conftest.py `history`): epochs 1, 2, 1, 1 of the snapshot.
"""

import asyncio
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import feedparser
import pandas as pd
import pyarrow.parquet as pq
import pytest

from selvhjelp_data.schema import TABLES

from .conftest import tree_digest
from .golden import SNAPSHOT_PAGES, documents_difference, load, page_difference, page_rows

pytestmark = pytest.mark.e2e

EPOCH_2_KINDS = {"modified", "modified_silently", "date_only", "removed", "new", "moved"}


def table(release: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(release / "data" / f"{name}.parquet")


def run_id(release: Path) -> str:
    return release.name


def test_each_release_is_left_as_published_and_latest_is_the_last(history):
    releases = history["releases"]
    assert len(set(releases)) == 4 and all(r.parent == history["out"] / "releases" for r in releases)
    assert (history["out"] / "latest").resolve() == releases[-1].resolve()
    assert [tree_digest(r) for r in releases] == history["digests"]


def test_latest_still_holds_the_epoch_2_changes_after_the_revert(history):
    first, second, third, fourth = history["releases"]
    changes = table(fourth, "changes")
    second_run = changes[changes.run_id == run_id(second)]
    assert set(second_run.kind) == EPOCH_2_KINDS and len(second_run) == 6
    assert set(changes[changes.run_id == run_id(third)].kind) == {
        "modified_silently",
        "date_only",
        "removed",
        "restored",
    }
    assert set(changes[changes.run_id == run_id(first)].kind) == {"new"}
    # any two releases agree on the changes they share
    shared = table(second, "changes").set_index("change_id")
    assert shared.equals(changes.set_index("change_id").loc[shared.index])


def test_an_unchanged_fourth_run_adds_no_change_and_no_feed_entry(history):
    third, fourth = history["releases"][2:]
    assert len(table(fourth, "changes")) == len(table(third, "changes"))
    ids = [[e.id for e in feedparser.parse((r / "changes.atom").read_bytes()).entries] for r in (third, fourth)]
    assert ids[0] == ids[1]


def test_rows_of_the_removed_page_stay_with_their_last_seen_run(history):
    first, second = history["releases"][:2]
    removed = table(second, "changes").query("kind == 'removed'").page_id.iloc[0]
    for name in ("quotes", "document_mentions", "office_tasks"):
        rows = table(history["releases"][3], name)
        rows = rows[rows.page_id == removed]
        assert run_id(first) in set(rows.last_seen_run), name  # the rows as they were before it went
    tasks = table(second, "office_tasks")
    assert len(tasks[tasks.last_seen_run == run_id(second)]) < len(tasks)  # gone from the site, not from the record


def test_the_feed_lists_both_runs_changes_with_their_diffs(history):
    feed = feedparser.parse((history["releases"][2] / "changes.atom").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    changes = table(history["releases"][2], "changes").set_index("change_id")
    listed = {e.id.rsplit(":", 1)[1] for e in feed.entries if ":change:" in e.id}
    assert {run_id(r) for r in history["releases"][1:3]} <= set(changes.loc[list(listed)].run_id)
    modified = next(e for e in feed.entries if e.title.startswith("endret, med ny dato:"))
    assert "at det <ins>er</ins> gjort undersøkelser" in modified.content[0].value  # word by word


def test_the_feed_has_every_element_rfc_4287_requires(history):
    feed = feedparser.parse((history["releases"][-1] / "changes.atom").read_bytes())
    assert not feed.bozo
    assert feed.feed.id and feed.feed.title and feed.feed.updated and feed.feed.author
    assert any(link.rel == "self" for link in feed.feed.links)
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated and entry.link.startswith(("http://", "https://"))
    edited = [e for e in feed.entries if e.title.split(":")[0] in ("endret, med ny dato", "endret uten ny dato")]
    assert edited and all('<p class="diff">' in e.content[0].value for e in edited)
    newest_first = [e.updated_parsed for e in feed.entries]
    assert newest_first == sorted(newest_first, reverse=True)


def test_pages_holds_only_urls_that_answered_200_and_broken_links_the_rest(history):
    latest = history["releases"][-1]
    pages, broken = table(latest, "pages"), table(latest, "broken_links")
    assert pages.content_sha256.notna().all() and len(pages) == 7
    assert not set(broken.target_url) & set(pages.url)
    assert len(broken[broken.last_seen_run == run_id(latest)]) == 11 and set(broken.status) == {404}
    index = pages[pages.title == "Dokumenter og planer"].page_id.iloc[0]
    assert (broken.source_page_id == index).all() and broken.link_text.notna().all()  # the index's teasers


def test_page_versions_hold_every_text_of_each_edited_page(history):
    versions = table(history["releases"][-1], "page_versions")
    changes = table(history["releases"][1], "changes")
    edited = changes[changes.kind.isin(["modified", "modified_silently"])].page_id
    assert all(sorted(versions[versions.page_id == p].version) == [1, 2, 3] for p in edited)


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_reads_back_with_the_declared_types(history, name):
    path = history["releases"][-1] / "data" / f"{name}.parquet"
    arrow = pq.read_table(path)
    assert arrow.schema.equals(TABLES[name].schema, check_metadata=False)
    for column in TABLES[name].columns:
        assert arrow.schema.field(column.name).metadata[b"description"].decode() == column.description
    frame = pd.read_parquet(path)
    assert list(frame.columns) == TABLES[name].column_names
    assert duckdb.sql(f"select count(*) from '{path}'").fetchall()[0][0] == arrow.num_rows == len(frame)


def test_duckdb_sees_dates_timestamps_and_lists(history):
    data = history["releases"][-1] / "data"
    types = {r[0]: r[1] for r in duckdb.sql(f"describe select * from '{data}/pages.parquet'").fetchall()}
    assert types["last_modified"] == "DATE" and types["first_seen_at"] == "TIMESTAMP WITH TIME ZONE"
    query = f"select areas from '{data}/offices.parquet' where kind = 'district' order by office_id limit 1"
    assert duckdb.sql(query).fetchall()[0][0] == ["Buskerud", "Vestfold", "Telemark"]


def test_no_published_value_names_the_snapshot_server(history):
    for path in history["releases"][-1].rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json", ".atom", ".md"):
            assert "127.0.0.1" not in path.read_text(encoding="utf-8"), path


def test_frictionless_validates_the_data_package(history):
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(frictionless), "validate", "--json", "datapackage.json"],
        cwd=history["releases"][-1],
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, indent=1)[:3000]


def test_every_flow_run_completed_with_its_artifacts(history):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowFilter, FlowFilterName

    async def read():
        async with get_client() as client:
            # the pipeline's runs: other flows of the session (tests/test_dask_e2e.py's) make no artifacts
            runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["selvhjelp-data"])))
            keys = ArtifactFilterKey(any_=["selvhjelp-run-summary", "selvhjelp-changes", "selvhjelp-progress"])
            return runs, await client.read_artifacts(artifact_filter=ArtifactFilter(key=keys))

    runs, artifacts = asyncio.run(read())
    ours = [r for r in runs if r.name and r.state and r.state.is_completed()]
    assert len(ours) >= 4
    for run in ours[:4]:
        mine = {a.key: a for a in artifacts if a.flow_run_id == run.id}
        assert set(mine) == {"selvhjelp-run-summary", "selvhjelp-changes", "selvhjelp-progress"}
        # the progress bar went through the stages and ended full
        assert mine["selvhjelp-progress"].data == 100 and mine["selvhjelp-progress"].description.startswith("published")


def test_serve_registers_a_deployment_with_the_cron_schedule(prefect_harness):
    from prefect.client.orchestration import get_client

    from flows.serve import build_deployment

    parameters = {"source": "snapshot", "start_urls": None, "output_dir": "/tmp/x"}
    deployment_id = build_deployment("15 5 * * 1", parameters).apply()

    async def read():
        async with get_client() as client:
            return await client.read_deployment(deployment_id)

    deployment = asyncio.run(read())
    assert [s.schedule.cron for s in deployment.schedules] == ["15 5 * * 1"]
    assert deployment.parameters["source"] == "snapshot"


def test_change_rows_carry_the_right_dates_hashes_and_versions(history):
    first, second = history["releases"][:2]
    changes = table(second, "changes").query(f"run_id == '{run_id(second)}'").set_index("kind")
    before, after = table(first, "pages").set_index("url"), table(second, "pages").set_index("url")
    m = changes.loc["modified"]
    assert (m.last_modified_before, m.last_modified_after) == (dt.date(2021, 11, 15), dt.date(2023, 1, 9))
    assert m.content_sha256_before == before.loc[m.url].content_sha256 != m.content_sha256_after
    assert m.content_sha256_after == after.loc[m.url].content_sha256 and (m.version_before, m.version_after) == (1, 2)
    assert (m.lines_added, m.lines_removed) == (1, 1) and "det er gjort undersøkelser" in m["diff"]
    d = changes.loc["date_only"]
    assert (d.last_modified_before, d.last_modified_after) == (dt.date(2019, 11, 15), dt.date(2021, 8, 24))
    assert d.content_sha256_before == d.content_sha256_after
    s = changes.loc["modified_silently"]
    assert pd.isna(s.last_modified_before) and pd.isna(s.last_modified_after) and "Meldingen med navnet" in s["diff"]
    assert changes.loc["moved"].redirect_to == "https://selvhjelp.no/politisk-forankring/"
    assert after.loc[changes.loc["removed"].url].status == 404 and after.loc[changes.loc["moved"].url].status == 301


@pytest.mark.parametrize("name", SNAPSHOT_PAGES)
def test_the_first_release_equals_the_golden_files_row_by_row(history, name):
    from selvhjelp_data.urls import page_id

    release = {n: pq.read_table(history["first"] / "data" / f"{n}.parquet").to_pylist() for n in TABLES}
    golden = load(name)
    lines = page_difference(golden, page_rows(release, page_id(golden["url"])))
    if name == "offices_page":
        lines += documents_difference(load("documents"), release["documents"])
    assert not lines, "the release differs from the golden file:\n" + "\n".join(lines)
