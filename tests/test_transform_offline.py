"""The transform reads raw captures only: it runs with networking disabled."""

import socket
from datetime import datetime, timezone

import pytest

from crawl.run import SNAPSHOT_SETTINGS, CrawlJob, read_records, run_crawl
from snapshot.server import SnapshotServer
from transform.build import build_tables, empty_tables
from transform.pages import RunInfo

pytestmark = pytest.mark.e2e


def test_transform_runs_with_networking_disabled(tmp_path, monkeypatch):
    with SnapshotServer(epoch=1) as server:
        job = CrawlJob(out_dir=str(tmp_path / "crawl"), raw_dir=str(tmp_path / "raw"), mirror=server.url, settings=SNAPSHOT_SETTINGS)
        run_crawl(job)
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("networking is disabled in this test")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    tables = build_tables(read_records(job.records_path), tmp_path / "raw", empty_tables(),
                          RunInfo("20261123T060000Z", datetime(2026, 11, 23, 6, tzinfo=timezone.utc)))
    assert attempts == []
    assert tables["pages"].num_rows == 17 and tables["documents"].num_rows > 10 and tables["offices"].num_rows == 8
