"""The transform on Dask (prefect-dask): a local cluster by default, a separately started
dask.distributed cluster when one is configured, and the pages read here below the line. Wherever
the pages are read, the release is the same, byte for byte in every table."""

import dataclasses
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from prefect import flow

from crawl.process import CrawlJob, run_crawl
from flows import engine
from flows.engine import DaskCaptureReader
from publish.previous import empty_tables
from publish.release import write_data_files
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap
from snapshot.server import SnapshotServer
from transform.build import build_tables

from .conftest import tree_digest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synthetic_site import generate

pytestmark = pytest.mark.e2e
PAGES = 300
RUN = RunInfo.starting_now()  # one run id for every reading: the releases may differ in nothing


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A real crawl of a generated site of 300 pages: (records, raw store, URL map)."""
    tmp = tmp_path_factory.mktemp("dask")
    site = generate(PAGES, tmp / "site")
    with SnapshotServer(epoch=1, site_dir=site) as server:
        job = CrawlJob(out_dir=str(tmp / "crawl"), raw_dir=str(tmp / "raw"), mirror=server.url, speed="full")
        crawl = run_crawl(job)
        urls = UrlMap.from_settings(load_settings(), mirror=server.url)
    return crawl.records(), crawl.raw_dir, urls


@flow(name="transform-on")
def transform_on(settings, records, raw_dir, urls, out: Path) -> str | None:
    """The transform as a run does it, its tables written as a release's data files; where pages were read."""
    reader = DaskCaptureReader(raw_dir, settings)
    tables = build_tables(records, raw_dir, empty_tables(), RUN, urls, "synthetic", reader=reader, chunk_pages=64)
    write_data_files(out, tables)
    return reader.ran_on


@pytest.fixture
def dask_cluster(prefect_harness, tmp_path):
    """A scheduler and two one-thread workers, each its own process, started as an operator would."""
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PREFECT_API_URL": prefect_harness}  # the workers report to the run's Prefect API
    bin_dir = Path(sys.executable).parent
    scheduler = subprocess.Popen(
        [bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", scheduler_file],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not scheduler_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    worker = subprocess.Popen(
        [bin_dir / "dask", "worker", "--scheduler-file", scheduler_file, "--nworkers", "2", "--nthreads", "1",
         "--no-dashboard"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    from distributed import Client

    address = json.loads(scheduler_file.read_text())["address"]
    with Client(address, timeout="60s") as client:
        client.wait_for_workers(2, timeout=120)
    yield address
    for process in (worker, scheduler):
        process.terminate()
        process.wait(timeout=60)


def test_the_same_release_from_here_a_local_cluster_and_a_dask_cluster(crawled, dask_cluster, tmp_path):
    records, raw_dir, urls = crawled
    settings = dataclasses.replace(load_settings(), dask_from_pages=100)
    here = transform_on(dataclasses.replace(settings, dask_from_pages=10**6), records, raw_dir, urls, tmp_path / "here")
    local = transform_on(settings, records, raw_dir, urls, tmp_path / "local")
    cluster = transform_on(
        dataclasses.replace(settings, dask_address=dask_cluster), records, raw_dir, urls, tmp_path / "cluster"
    )
    assert (here, local, cluster) == (None, "a local Dask cluster", dask_cluster)
    files = tree_digest(tmp_path / "here")
    assert len(files) == 22 and files == tree_digest(tmp_path / "local") == tree_digest(tmp_path / "cluster")
    pages = pq.read_table(tmp_path / "cluster" / "pages.parquet")
    assert pages.num_rows > PAGES  # the articles and their index pages, all read


def test_a_scheduler_that_does_not_answer_leaves_the_pages_read_here(crawled, prefect_harness, monkeypatch, tmp_path):
    records, raw_dir, urls = crawled
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "2s")
    settings = dataclasses.replace(load_settings(), dask_from_pages=100, dask_address="tcp://127.0.0.1:9")
    ran_on = transform_on(settings, records, raw_dir, urls, tmp_path / "out")
    assert ran_on is None and (tmp_path / "out" / "pages.parquet").exists()  # read here, and published


def test_a_large_run_is_transformed_in_its_own_process_into_the_same_tables(crawled, prefect_harness, tmp_path):
    from flows.engine import TransformJob, transform_apart

    records, raw_dir, urls = crawled
    settings = dataclasses.replace(load_settings(), dask_from_pages=100, transform_chunk_pages=64)
    job = TransformJob(
        str(records_path(raw_dir)), str(raw_dir), None, RUN, urls, "synthetic", None, 0.5, settings,
        str(tmp_path / "apart"), prefect_harness,
    )  # fmt: skip
    progress = []
    done = transform_apart(job, on_progress=lambda line, share: progress.append(line))
    here = build_tables(records, raw_dir, empty_tables(), RUN, urls, "synthetic", min_answer_share=0.5)
    assert set(done["tables"]) == set(here) and all(done["tables"][n].equals(here[n]) for n in here)
    assert done["ran_on"] == "a local Dask cluster" and len(done["worker_peak_mb"]) == os.cpu_count()
    assert not (tmp_path / "apart").exists()  # its files are mapped, then gone


def test_a_failure_in_the_transforms_process_is_the_runs_one_line(crawled, prefect_harness, tmp_path):
    from flows.engine import TransformJob, transform_apart
    from transform.build import NothingToRead

    records, raw_dir, urls = crawled
    settings = dataclasses.replace(load_settings(), dask_from_pages=10**6)
    sitemap = next(r["raw_sha256"] for r in records if r["url"].endswith("sitemap.xml") and r.get("raw_sha256"))
    no_article = tmp_path / "records.jsonl"  # every page answers with a text that holds no article
    no_article.write_text("".join(json.dumps({**r, "raw_sha256": sitemap}) + "\n" for r in records))
    job = TransformJob(str(no_article), str(raw_dir), None, RUN, urls, "x", None, 0.5, settings, str(tmp_path / "a"))
    with pytest.raises(NothingToRead, match="^no page of x holds an article: .* answered") as raised:
        transform_apart(job)
    assert len(str(raised.value).splitlines()) == 1  # the same one line as a run transformed here says


def records_path(raw_dir: Path) -> Path:
    return Path(raw_dir).parent / "crawl" / "records.jsonl"


def test_a_large_run_end_to_end_publishes_from_its_own_transform_process(crawled, prefect_harness, tmp_path):
    site = Path(crawled[1]).parent / "site"
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_harness,
        "SELVHJELP_TRANSFORM_APART_FROM_PAGES": "100",
        "SELVHJELP_DASK_FROM_PAGES": "100",
    }
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--source", "snapshot", "--snapshot-dir", str(site),
         "--output", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "transform: in its own process, pages read on a local Dask cluster" in done.stdout + done.stderr
    run = json.loads((tmp_path / "out" / "latest" / "run.json").read_text())
    peaks = run["stage_peak_mb"]
    assert 0 < peaks["transform"]["dask_workers"] < 1024 and 0 < peaks["transform"]["transform"] < 1024
    assert 0 < peaks["crawl"]["crawl"] == run["crawl"]["peak_memory_mb"]
    pages = pq.read_table(tmp_path / "out" / "latest" / "data" / "pages.parquet")
    assert pages.num_rows > PAGES and not (tmp_path / "out" / "state" / "runs" / run["run_id"] / "transform").exists()


def test_the_transforms_process_reads_a_damaged_previous_release_as_the_run_checked_it(
    crawled, prefect_harness, tmp_path
):
    """A previous release whose Parquet file is damaged: the run's check says so, and the transform's own
    process reads that table from its CSV, as the transform in the flow's process does."""
    from flows.engine import TransformJob, transform_apart
    from publish.previous import read_previous_release
    from publish.release import ReleaseInfo, promote, write_release_files
    from selvhjelp_data.layout import OutputLayout

    records, raw_dir, urls = crawled
    layout = OutputLayout(tmp_path / "out")
    first = build_tables(records, raw_dir, empty_tables(), RUN, urls, "synthetic", min_answer_share=0.5)
    stage = layout.staging(RUN.run_id)
    write_release_files(stage, first, ReleaseInfo(RUN.run_id, "synthetic", ".*"), load_settings())
    promote(stage, layout, RUN.run_id)
    damaged = layout.latest / "data" / "quotes.parquet"
    damaged.write_bytes(damaged.read_bytes()[:100])
    previous = read_previous_release(layout)
    assert previous.files == {"data/quotes.parquet": "damaged"}
    later = RunInfo.at(RUN.started_at + timedelta(days=1))
    settings = dataclasses.replace(load_settings(), dask_from_pages=10**6)
    job = TransformJob(
        str(records_path(raw_dir)), str(raw_dir), str(previous.path), later, urls, "synthetic", previous.run_id,
        0.5, settings, str(tmp_path / "apart"), previous_files=previous.files,
    )  # fmt: skip
    apart = transform_apart(job)["tables"]
    here = build_tables(records, raw_dir, previous.tables, later, urls, "synthetic", None, previous.run_id, 0.5)
    assert all(apart[n].equals(here[n]) for n in here) and apart["quotes"].num_rows == first["quotes"].num_rows
