"""The real flow, end to end: Prefect, the Scrapy crawl over HTTP, GX validation, a release read back."""

import asyncio
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

pytestmark = pytest.mark.e2e

EPOCH_2_KINDS = {"modified", "modified_silently", "date_only", "removed", "new", "moved"}


def test_two_releases_latest_on_the_second_the_first_untouched(two_releases):
    out, first, second = two_releases["out"], two_releases["first"], two_releases["second"]
    assert first != second and first.parent == second.parent == out / "releases"
    assert two_releases["latest_after_second"] == second.resolve()
    assert tree_digest(first) == two_releases["first_files"]


def test_changes_list_each_epoch_2_scenario_once(two_releases):
    changes = pd.read_parquet(two_releases["second"] / "data" / "changes.parquet")
    assert sorted(changes.kind) == sorted(EPOCH_2_KINDS)
    first_changes = pd.read_parquet(two_releases["first"] / "data" / "changes.parquet")
    assert set(first_changes.kind) == {"new"}


def test_changes_atom_lists_the_changes_newest_first(two_releases):
    feed = feedparser.parse((two_releases["second"] / "changes.atom").read_bytes())
    assert not feed.bozo
    assert {e.title.split(":")[0] for e in feed.entries} == EPOCH_2_KINDS
    assert all(e.link.startswith(("https://selvhjelp.no/", "http://www.selvhjelp.no/")) for e in feed.entries)


def test_page_versions_hold_both_versions_of_each_edited_page(two_releases):
    versions = pd.read_parquet(two_releases["second"] / "data" / "page_versions.parquet")
    changes = pd.read_parquet(two_releases["second"] / "data" / "changes.parquet")
    edited = changes[changes.kind.isin(["modified", "modified_silently"])].page_id
    assert all(sorted(versions[versions.page_id == p].version) == [1, 2] for p in edited)


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_reads_back_with_the_declared_types(two_releases, name):
    path = two_releases["second"] / "data" / f"{name}.parquet"
    table = pq.read_table(path)
    assert table.schema.equals(TABLES[name].schema, check_metadata=False)
    for column in TABLES[name].columns:
        assert table.schema.field(column.name).metadata[b"description"].decode() == column.description
    frame = pd.read_parquet(path)
    assert list(frame.columns) == TABLES[name].column_names
    assert duckdb.sql(f"select count(*) from '{path}'").fetchall()[0][0] == table.num_rows == len(frame)


def test_duckdb_sees_dates_timestamps_and_lists(two_releases):
    data = two_releases["second"] / "data"
    types = {r[0]: r[1] for r in duckdb.sql(f"describe select * from '{data}/pages.parquet'").fetchall()}
    assert types["last_modified"] == "DATE" and types["first_seen_at"] == "TIMESTAMP WITH TIME ZONE"
    areas = duckdb.sql(
        f"select areas from '{data}/offices.parquet' where kind = 'district' order by office_id limit 1"
    ).fetchall()[0][0]
    assert areas == ["Buskerud", "Vestfold", "Telemark"]


def test_no_published_value_names_the_snapshot_server(two_releases):
    for path in (two_releases["second"]).rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json", ".atom", ".md"):
            assert "127.0.0.1" not in path.read_text(encoding="utf-8"), path


def test_frictionless_validates_the_data_package(two_releases):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "frictionless"), "validate", "--json", "datapackage.json"],
        cwd=two_releases["second"],
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, indent=1)[:3000]


def test_both_flow_runs_completed_with_their_artifacts(two_releases):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def read():
        async with get_client() as client:
            runs = await client.read_flow_runs()
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=["selvhjelp-run-summary", "selvhjelp-changes"])
                )
            )
            return runs, artifacts

    runs, artifacts = asyncio.run(read())
    ours = [r for r in runs if r.name and r.state and r.state.is_completed()]
    assert len(ours) >= 2
    for run in ours[:2]:
        assert {a.key for a in artifacts if a.flow_run_id == run.id} == {"selvhjelp-run-summary", "selvhjelp-changes"}


def test_serve_registers_a_deployment_with_the_cron_schedule(prefect_harness):
    from prefect.client.orchestration import get_client

    from flows.serve import build_deployment

    deployment_id = build_deployment(
        "15 5 * * 1", {"source": "snapshot", "start_urls": None, "output_dir": "/tmp/x"}
    ).apply()

    async def read():
        async with get_client() as client:
            return await client.read_deployment(deployment_id)

    deployment = asyncio.run(read())
    assert [s.schedule.cron for s in deployment.schedules] == ["15 5 * * 1"]
    assert deployment.parameters["source"] == "snapshot"


def test_a_run_that_fails_validation_publishes_nothing_and_leaves_latest(two_releases):
    from flows.pipeline import ReleaseBlocked, selvhjelp_pipeline

    out = two_releases["out"]
    latest_before = (out / "latest").resolve()
    state_before = (out / "state" / "validators.json").read_bytes()
    releases_before = sorted(p.name for p in (out / "releases").iterdir())
    crashed = out / "releases" / ".staging-20200101T000000Z"  # as a crashed run would leave it
    (crashed / "data").mkdir(parents=True)
    with pytest.raises(ReleaseBlocked, match="live pages \\(status 200\\) fell from 5 to 0"):
        selvhjelp_pipeline(source="snapshot", output_dir=str(out), snapshot_epoch=2, snapshot_faults={"*": "404"})
    assert (out / "latest").resolve() == latest_before
    assert sorted(p.name for p in (out / "releases").iterdir()) == releases_before
    assert (out / "state" / "validators.json").read_bytes() == state_before
    assert not crashed.exists() and not list((out / "releases").glob(".staging-*"))
    failed = list((out / "failed").glob("*/validation/results.json"))
    assert len(failed) == 1 and '"success": false' in failed[0].read_text()


def test_change_rows_carry_the_right_dates_and_hashes(two_releases):
    changes = pd.read_parquet(two_releases["second"] / "data" / "changes.parquet").set_index("kind")
    before = pd.read_parquet(two_releases["first"] / "data" / "pages.parquet").set_index("url")
    after = pd.read_parquet(two_releases["second"] / "data" / "pages.parquet").set_index("url")
    import datetime as dt

    def row(kind):
        return changes.loc[kind]

    m = row("modified")
    assert (m.last_modified_before, m.last_modified_after) == (dt.date(2021, 11, 15), dt.date(2023, 1, 9))
    assert (
        m.content_sha256_before
        == before.loc[m.url].content_sha256
        != m.content_sha256_after
        == after.loc[m.url].content_sha256
    )
    assert (m.lines_added, m.lines_removed) == (1, 1) and "det er gjort undersøkelser" in m["diff"]
    d = row("date_only")
    assert (d.last_modified_before, d.last_modified_after) == (dt.date(2019, 11, 15), dt.date(2021, 8, 24))
    assert d.content_sha256_before == d.content_sha256_after
    s = row("modified_silently")
    assert pd.isna(s.last_modified_before) and pd.isna(s.last_modified_after) and "Meldingen med navnet" in s["diff"]
    assert row("moved").redirect_to == "https://selvhjelp.no/politisk-forankring/"
    assert after.loc[row("removed").url].status == 404 and after.loc[row("moved").url].status == 301
