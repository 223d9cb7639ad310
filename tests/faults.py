"""Helpers of the fault-injection tests: runs of the real flow into copies of one good output folder,
and comparisons of releases that see past what differs from run to run (ids, times)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from selvhjelp_data.schema import TABLES

# Columns that name a run or a moment, and the headers of the last fetch: two runs that saw the same
# site differ only here (a 304 carries no Content-Type, so the last 200's label stays).
RUN_COLUMNS = {
    "run_id",
    "detected_at",
    "first_seen_run",
    "last_seen_run",
    "first_seen_at",
    "last_fetched_at",
    "last_ok_at",
    "last_changed_at",
    "last_fetch_status",
    "last_fetch_error",
    "change_id",
    "event_id",
    "http_etag",
    "http_last_modified",
    "content_type",
}
SNAPSHOT_PATHS = {
    "index": "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/",
    "seed_000": "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/Politiske+dokumenter+og+faglige+veiledere"
    "+%E2%80%93+et+verkt%C3%B8y+i+forankringsarbeidet.b7C_wlvO4v.ips",
    "seed_003": "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/Eldre+politiske+dokumenter+%E2%80%93+litt"
    "+historikk.b7C_wtbI07.ips",
    "seed_002": "/no/Tematisert/Samfunnsperspektiv/Nasjonal_plan_for_selvhjelp/Helsedirektoratet+informerer+om"
    "+selvorganisert+selvhjelp%2C+satsingen+og+revidering+av+nasjonal+plan+%28.9UFRzIWG.ips",
    "politisk_forankring": "/politisk-forankring/",
    "kontakt": "/kontakt/",
}


def run(out: Path, faults: dict | None = None, epoch: int = 1):
    from flows.pipeline import selvhjelp_pipeline

    return Path(
        selvhjelp_pipeline(source="snapshot", output_dir=str(out), snapshot_epoch=epoch, snapshot_faults=faults or {})
    )


def copy_output(source: Path, to: Path) -> Path:
    shutil.copytree(source, to, symlinks=True)
    return to


def tables(release: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(release / "data" / f"{name}.parquet") for name in TABLES}


def latest(out: Path) -> Path:
    return (out / "latest").resolve()


def keys(name: str, frame: pd.DataFrame) -> set:
    return set(map(tuple, frame[list(TABLES[name].key)].astype(str).values))


def lost_rows(before: dict, after: dict) -> dict[str, int]:
    """Rows of `before` missing from `after`, per table (history only grows: all should be 0)."""
    return {name: len(keys(name, before[name]) - keys(name, after[name])) for name in TABLES}


def comparable_rows(frame: pd.DataFrame) -> set:
    frame = frame.drop(columns=[c for c in frame.columns if c in RUN_COLUMNS])
    return {tuple(str(v) for v in row) for row in frame.itertuples(index=False)}


def differing_tables(a: dict, b: dict) -> list[str]:
    """Tables that differ between two records in what the site said, not in when or by which run."""
    return [name for name in TABLES if name != "runs" and comparable_rows(a[name]) != comparable_rows(b[name])]
