"""The transform reads raw captures only: it runs with networking disabled."""

import socket
from datetime import UTC, datetime

import pytest

from crawl.process import read_records
from publish.previous import empty_tables
from selvhjelp_data.runs import RunInfo
from transform.build import build_tables

from .conftest import crawl_snapshot

pytestmark = pytest.mark.e2e


def test_transform_runs_with_networking_disabled(tmp_path, monkeypatch):
    job = crawl_snapshot(tmp_path)
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("networking is disabled in this test")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    tables = build_tables(
        read_records(job.records_path),
        tmp_path / "raw",
        empty_tables(),
        RunInfo("20261123T060000Z", datetime(2026, 11, 23, 6, tzinfo=UTC)),
    )
    assert attempts == []
    assert tables["pages"].num_rows == 17 and tables["documents"].num_rows > 10 and tables["offices"].num_rows == 8


def test_parallel_extraction_gives_the_same_pages_as_sequential(tmp_path, monkeypatch):
    import transform.build as build
    from transform.pages import content_of

    job = crawl_snapshot(tmp_path)
    records = read_records(job.records_path)
    monkeypatch.setattr(build, "PARALLEL_FROM_PAGES", 1)
    parallel = build.extract_in_parallel(records, tmp_path / "raw", workers=2)
    sequential = {
        r["url"]: content_of(r, build.raw_reader(tmp_path / "raw"))
        for r in records
        if r["kind"] == "page" and r["outcome"] == "fetched"
    }
    assert parallel == sequential and len(parallel) == 6


def test_parallel_extraction_falls_back_when_workers_cannot_start(monkeypatch, tmp_path):
    from concurrent.futures.process import BrokenProcessPool

    import transform.build as build

    class Broken:
        def __init__(self, *args, **kwargs):
            raise BrokenProcessPool("a script without a __main__ guard")

    monkeypatch.setattr(build, "ProcessPoolExecutor", Broken)
    monkeypatch.setattr(build, "PARALLEL_FROM_PAGES", 1)
    records = [{"kind": "page", "outcome": "fetched", "url": "https://selvhjelp.no/x/", "raw_sha256": "0" * 64}]
    assert build.extract_in_parallel(records, tmp_path, workers=2) is None  # the caller extracts sequentially
