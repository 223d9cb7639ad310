"""The transform reads raw captures only: it runs with networking disabled; large runs read their
captures in a process pool that gives the same pages as one process."""

import socket
from datetime import UTC, datetime

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


def test_a_chunk_read_on_a_worker_gives_the_pages_and_references_read_here(tmp_path):
    import transform.build as build

    on_worker = build.read_captures(str(tmp_path / "raw"), jobs(tmp_path))
    (here,) = build.CaptureReader(tmp_path / "raw").read_chunks([jobs(tmp_path)], len(jobs(tmp_path)))
    sequential = dict(extract_capture((str(tmp_path / "raw"), *job)) for job in jobs(tmp_path))
    pages = {url: page for url, page, _ in on_worker}
    assert pages == sequential == {url: page for url, page, _ in here} and len(pages) == 6 and all(pages.values())
    # a worker reads each page's document references too, as this process would
    readings = {page_id(url): reading for url, _, reading in on_worker}
    assert readings == {page_id(url): read_references(page_id(url), page) for url, page in sequential.items()}
    contents = {page_id(url): (page, 1) for url, page in sequential.items()}
    assert build.content_rows(contents, readings=readings) == build.content_rows(contents)
