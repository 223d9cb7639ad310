"""Writing releases: CSV rules, the lock, verification against datapackage.json, the atomic switch."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from publish.files import csv_cell, write_csv
from publish.previous import empty_tables
from publish.release import ReleaseInfo, promote, verify_release, write_release_files
from selvhjelp_data.layout import OutputLayout, OutputLocked
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import load_settings

from .conftest import PUBLIC_URL_PATTERN


@pytest.mark.parametrize(
    "value, cell",
    [
        (None, ""),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+47 23 33 19 00", "'+47 23 33 19 00"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tskjult", "'\tskjult"),
        ("Meld. St. 19 (2014–2015)", "Meld. St. 19 (2014–2015)"),
        (date(2021, 11, 15), "2021-11-15"),
        (datetime(2026, 11, 23, 6, 0, tzinfo=UTC), "2026-11-23T06:00:00Z"),
        (["Hedmark", "Oppland"], "Hedmark; Oppland"),
        (200, "200"),
    ],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


def test_csv_is_rfc_4180_with_a_header_and_quotes_and_newlines_kept(tmp_path):
    table = pa.table(
        {"office_kind": ["head"], "task": ['si "hei",\nog gå'], "position": [1], "page_id": ["0123456789abcdef"]}
    )
    write_csv(table, tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"office_kind,task,position,page_id\r\n")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[1] == ["head", 'si "hei",\nog gå', "1", "0123456789abcdef"]


def test_a_second_run_cannot_take_the_lock(tmp_path):
    layout = OutputLayout(tmp_path)
    with layout.lock(), pytest.raises(OutputLocked, match="another run holds the lock"), layout.lock():
        pass
    with layout.lock():  # released again
        pass


@pytest.fixture
def staged(tmp_path):
    settings = load_settings(output_dir=tmp_path / "out")
    stage = settings.layout.staging("20261123T060000Z")
    info = ReleaseInfo("20261123T060000Z", "test", PUBLIC_URL_PATTERN, {"run_id": "20261123T060000Z"})
    write_release_files(stage, empty_tables(), info, settings)
    return settings.layout, stage


def test_a_release_lists_every_file_with_its_size_and_hash(staged):
    layout, stage = staged
    package = json.loads((stage / "datapackage.json").read_text())
    listed = {f["path"] for f in package["x_files"]}
    assert {"README.md", "changes.atom", "run.json", "data/pages.parquet", "data/pages.csv"} <= listed
    assert verify_release(stage) == []


def test_a_damaged_or_missing_file_stops_the_release_and_latest_stays(staged):
    layout, stage = staged
    (stage / "data" / "pages.csv").write_text("tampered")
    (stage / "changes.atom").unlink()
    with pytest.raises(
        RuntimeError, match="not published: .*damaged data/pages.csv.*|not published: missing changes.atom"
    ):
        promote(stage, layout, "20261123T060000Z")
    assert not layout.latest.exists() and not layout.release("20261123T060000Z").exists()


def test_promote_moves_the_release_and_switches_latest(staged):
    layout, stage = staged
    release = promote(stage, layout, "20261123T060000Z")
    assert layout.latest.is_symlink() and layout.latest.resolve() == release.resolve()
    assert not stage.exists()


def write_and_promote(root) -> None:
    """The snapshot's first release written and promoted under `root` (a subprocess runs it under a limit)."""
    from pathlib import Path

    from selvhjelp_data.runs import RunInfo
    from selvhjelp_data.urls import UrlMap
    from transform.build import build_tables

    from .saved import snapshot_records

    root = Path(root)
    settings = load_settings(output_dir=root / "out")
    run = RunInfo.at(datetime(2026, 11, 23, 6, tzinfo=UTC))
    records = snapshot_records(1, root / "raw")
    tables = build_tables(records, root / "raw", empty_tables(), run, UrlMap.from_settings(settings), "test")
    stage = settings.layout.staging(run.run_id)
    write_release_files(stage, tables, ReleaseInfo(run.run_id, "test", PUBLIC_URL_PATTERN), settings)
    promote(stage, settings.layout, run.run_id, {name: t.num_rows for name, t in tables.items()})


def test_a_release_that_does_not_read_back_whole_is_not_promoted(staged):
    layout, stage = staged
    (stage / "selvhjelp.duckdb.wal").write_bytes(b"left over")
    with pytest.raises(RuntimeError, match="selvhjelp.duckdb.wal beside the release"):
        promote(stage, layout, "20261123T060000Z", dict.fromkeys(TABLES, 0))
    assert not layout.latest.exists()
