"""Writing a release: output/releases/<run_id>/ with the data files, datapackage.json, a data card,
the changes feed and the validation results; `latest` switched atomically.

A release is assembled in a staging folder and moved into place only after validation passed;
a crashed or failed run leaves the previous release and `latest` exactly as they were.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from publish.catalogue import Release, coverage, write_catalogue
from publish.data_card import QUOTATION_NOTICE, data_card
from publish.databases import database_rows, write_databases
from publish.datapackage import datapackage, sha256sums
from publish.feed import FEED_FILE, changes_feed
from publish.files import csv_rows, write_csv, write_parquet
from publish.present import RELEASE_PAGE
from publish.previous import verify_release
from publish.release_page import release_page
from selvhjelp_data.layout import OutputLayout
from selvhjelp_data.mapped import let_go
from selvhjelp_data.runs import run_started_at
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import PROJECT_URL, Settings


@dataclass(frozen=True)
class ReleaseInfo:
    """What a release says about the run that made it."""

    run_id: str
    source: str  # what was crawled, in words
    url_pattern: str  # the regex the recorded page URLs match (the public site's, or a mirror's)
    run: dict = field(default_factory=dict)  # run.json: crawl summary, validation, stage timings
    mirror: str | None = None  # the copy of the site it was crawled from, when that copy keeps its own URLs


def write_release_files(stage: Path, tables: dict[str, pa.Table], release: ReleaseInfo, settings: Settings) -> None:
    """Every file of a release, in the order each needs the ones before (checksums come last)."""
    run_id, source, started = release.run_id, release.source, run_started_at(release.run_id)
    write_data_files(stage / "data", tables)
    # each step lets go of the pages it read of a large run's mapped tables (selvhjelp_data/mapped.py)
    (stage / FEED_FILE).write_bytes(changes_feed(tables, started, settings))
    let_go()
    (stage / "README.md").write_text(data_card(tables, run_id, settings, source), encoding="utf-8")
    let_go()
    (stage / RELEASE_PAGE).write_text(release_page(tables, run_id, settings, source), encoding="utf-8")
    let_go()
    (stage / "run.json").write_text(json.dumps(release.run, indent=1, default=str), encoding="utf-8")
    (stage / STATUS_FILE).write_text(json.dumps(status(tables, run_id), indent=1, default=str), encoding="utf-8")
    (stage / "LICENSE").write_text(licence_text(settings), encoding="utf-8")
    first_run = min(tables["runs"].column("started_at").to_pylist(), default=started).date()
    record = Release(run_id, stage, first_run, started.date(), coverage(tables), release.mirror)
    write_catalogue(stage, record, settings)
    write_databases(stage, tables, settings, source)
    package = datapackage(stage, run_id, settings, source, release.url_pattern, started.date())
    (stage / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    (stage / "SHA256SUMS").write_text(sha256sums(stage), encoding="utf-8")


STATUS_FILE = "status.json"


def licence_text(settings: Settings) -> str:
    """LICENSE: the terms of the tables, where their full text is, and what the licence does not cover."""
    terms = settings.licence_terms
    return (
        f"The tables and files of this dataset are published by {settings.publisher_name} under\n"
        f"{terms.title} ({terms.name}).\nThe full text of the licence: {terms.url}\n\n"
        f"{QUOTATION_NOTICE}\n\nMade with selvhjelp-data: {PROJECT_URL}\n"
    )


def status(tables: dict[str, pa.Table], run_id: str, data_release: str | None = None) -> dict:
    """The heartbeat of a run, small enough to push after every run: when it ran and what it found, and
    which release holds the data (a run that found nothing pushes this file alone)."""
    run = next((r for r in tables["runs"].to_pylist() if r["run_id"] == run_id), {})
    events = sum(1 for e in tables["events"].select(["run_id"]).to_pylist() if e["run_id"] == run_id)
    return {
        "run_id": run_id,
        **{k: run.get(k) for k in ("started_at", "source", "pages_requested", "pages_answered", "pages_failed")},
        "changes": run.get("changes"),
        "events": events,
        "data_release": data_release or run_id,
    }


def write_data_files(data: Path, tables: dict[str, pa.Table]) -> None:
    data.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_parquet(table, data / f"{name}.parquet")
        write_csv(table, data / f"{name}.csv")


def files_that_do_not_read_back(stage: Path, rows: dict[str, int]) -> list[str]:
    """Each file of a staged release that does not open as its reader opens it, with every row of its table:
    a checksum proves what was written, not that it was all written (a file cut by a size limit, a
    database whose data stayed in its journal)."""
    problems = []
    for name, count in rows.items():
        for path, read in ((stage / "data" / f"{name}.parquet", parquet_rows), (stage / "data" / f"{name}.csv", None)):
            try:
                got = read(path) if read else sum(1 for _ in csv_rows(path, TABLES[name]))
            except (OSError, ValueError, pa.ArrowException) as error:
                problems.append(f"{path.relative_to(stage)} does not read back ({error})")
                continue
            if got != count:
                problems.append(f"{path.relative_to(stage)} holds {got} rows of {count}")
    try:
        counted = database_rows(stage)
    except Exception as error:  # whatever the engine raises, the file is not one to publish
        problems.append(f"a database does not open ({type(error).__name__}: {error})")
        counted = {}
    for file, counts in counted.items():
        problems += [f"{file}: {name} holds {n} rows of {rows[name]}" for name, n in counts.items() if n != rows[name]]
    problems += [f"{p.name} beside the release: data not written into its file" for p in stage.glob("*.wal")]
    return problems


def parquet_rows(path: Path) -> int:
    """The rows of a Parquet file, every row group of it decoded, one at a time (iter_batches buffers the
    whole file ahead: 600 MB for the changes of 50,000 pages)."""
    file = pq.ParquetFile(path)
    return sum(file.read_row_group(i).num_rows for i in range(file.num_row_groups))


def promote(stage: Path, layout: OutputLayout, run_id: str, rows: dict[str, int] | None = None) -> Path:
    """Move the staged release into place and point `latest` at it, atomically; only a release whose
    every file matches its checksum and reads back whole (`rows`: each table's rows) moves."""
    problems = verify_release(stage) + (files_that_do_not_read_back(stage, rows) if rows is not None else [])
    if problems:
        raise RuntimeError(f"release {run_id} not published: {'; '.join(problems)}")
    final = layout.release(run_id)
    os.rename(stage, final)
    layout.switch_latest(final)
    return final


def keep_failed(stage: Path, layout: OutputLayout, run_id: str) -> Path:
    """A release that failed validation: keep its validation results beside the releases, not as one."""
    failed = layout.failed_run(run_id)
    failed.parent.mkdir(parents=True, exist_ok=True)
    if (stage / "validation").exists():
        shutil.move(str(stage / "validation"), failed / "validation")
    shutil.rmtree(stage, ignore_errors=True)
    return failed
