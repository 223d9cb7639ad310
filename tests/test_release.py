"""Writing releases: CSV rules, the lock, verification against datapackage.json, the atomic switch."""

import csv
import io
import json
from datetime import date, datetime, timezone

import pytest

from publish.release import ReleaseLocked, csv_cell, promote, run_lock, verify_release, write_csv, write_release_files
from selvhjelp_data.settings import load_settings
from transform.build import empty_tables, to_arrow


@pytest.mark.parametrize("value, cell", [
    (None, ""),
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+47 23 33 19 00", "'+47 23 33 19 00"),
    ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tskjult", "'\tskjult"),
    ("Meld. St. 19 (2014–2015)", "Meld. St. 19 (2014–2015)"),
    (date(2021, 11, 15), "2021-11-15"),
    (datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc), "2026-11-23T06:00:00Z"),
    (["Hedmark", "Oppland"], "Hedmark; Oppland"),
    (200, "200"),
])
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


def test_csv_is_rfc_4180_with_a_header_and_quotes_and_newlines_kept(tmp_path):
    table = to_arrow("office_tasks", [{"office_kind": "head", "task": 'si "hei",\nog gå', "position": 1, "page_id": "0123456789abcdef"}])
    write_csv(table, tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"office_kind,task,position,page_id\r\n")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[1] == ["head", 'si "hei",\nog gå', "1", "0123456789abcdef"]


def test_a_second_run_cannot_take_the_lock(tmp_path):
    with run_lock(tmp_path):
        with pytest.raises(ReleaseLocked, match="another run holds the lock"):
            with run_lock(tmp_path):
                pass
    with run_lock(tmp_path):  # released again
        pass


@pytest.fixture
def staged(tmp_path):
    settings = load_settings(output_dir=tmp_path / "out")
    stage = settings.releases_dir / ".staging-20261123T060000Z"
    write_release_files(stage, empty_tables(), "20261123T060000Z", settings, "test", {"run_id": "20261123T060000Z"})
    return settings, stage


def test_a_release_lists_every_file_with_its_size_and_hash(staged):
    settings, stage = staged
    package = json.loads((stage / "datapackage.json").read_text())
    listed = {f["path"] for f in package["x_files"]}
    assert {"README.md", "changes.atom", "run.json", "data/pages.parquet", "data/pages.csv"} <= listed
    assert verify_release(stage) == []


def test_a_damaged_or_missing_file_stops_the_release_and_latest_stays(staged):
    settings, stage = staged
    (stage / "data" / "pages.csv").write_text("tampered")
    (stage / "changes.atom").unlink()
    with pytest.raises(RuntimeError, match="not published: .*damaged data/pages.csv.*|not published: missing changes.atom"):
        promote(stage, settings, "20261123T060000Z")
    assert not settings.latest_dir.exists() and not (settings.releases_dir / "20261123T060000Z").exists()


def test_promote_moves_the_release_and_switches_latest(staged):
    settings, stage = staged
    release = promote(stage, settings, "20261123T060000Z")
    assert settings.latest_dir.is_symlink() and settings.latest_dir.resolve() == release.resolve()
    assert not stage.exists()
