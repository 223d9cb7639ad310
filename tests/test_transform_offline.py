"""The transform reads raw captures only: it runs with networking disabled; large runs read their
captures in a process pool that gives the same pages as one process."""

import socket
from datetime import UTC, datetime

import pytest

from publish.previous import empty_tables
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap, page_id
from transform.build import build_tables
from transform.documents import read_references
from transform.pages import extract_capture

from .saved import snapshot_records

RUN = RunInfo("20261123T060000Z", datetime(2026, 11, 23, 6, tzinfo=UTC))
URLS = UrlMap.from_settings(load_settings())


def test_transform_runs_with_networking_disabled(tmp_path, monkeypatch):
    records = snapshot_records(1, tmp_path / "raw")
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("networking is disabled in this test")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    tables = build_tables(records, tmp_path / "raw", empty_tables(), RUN, URLS, "test")
    assert attempts == []
    assert tables["pages"].num_rows == 6 and tables["documents"].num_rows > 10 and tables["offices"].num_rows == 8


def jobs(tmp_path):
    records = snapshot_records(1, tmp_path / "raw")
    return [(r["url"], r["raw_sha256"], r["content_type"]) for r in records if r["raw_sha256"]]


@pytest.mark.e2e  # starts two worker processes (~3 s)
def test_parallel_extraction_gives_the_same_pages_as_sequential(tmp_path, monkeypatch):
    import transform.build as build

    monkeypatch.setattr(build, "PARALLEL_FROM_PAGES", 1)
    reader = build.CaptureReader(tmp_path / "raw", workers=2)
    parallel = reader(jobs(tmp_path))
    sequential = dict(extract_capture((str(tmp_path / "raw"), *job)) for job in jobs(tmp_path))
    assert parallel == sequential and len(parallel) == 6 and all(parallel.values())
    # the workers read each page's document references too, as this process would
    assert reader.readings == {page_id(url): read_references(page_id(url), page) for url, page in sequential.items()}
    contents = {page_id(url): (page, 1) for url, page in sequential.items()}
    assert build.content_rows(contents, readings=reader.readings) == build.content_rows(contents)


def test_parallel_extraction_falls_back_when_workers_cannot_start(monkeypatch, tmp_path):
    from concurrent.futures.process import BrokenProcessPool

    import transform.build as build

    class Broken:
        def __init__(self, *args, **kwargs):
            raise BrokenProcessPool("a script without a __main__ guard")

    monkeypatch.setattr(build, "ProcessPoolExecutor", Broken)
    monkeypatch.setattr(build, "PARALLEL_FROM_PAGES", 1)
    pages = build.CaptureReader(tmp_path / "raw", workers=2)(jobs(tmp_path))
    assert len(pages) == 6 and all(pages.values())  # read in this process instead
