"""Reading a published release back: the previous release is where the next run starts from.

Every file of a release is listed in its datapackage.json with its SHA-256, and each table is in
the release twice (Parquet and CSV). The previous release is read only after its files check out:
a table whose Parquet file is damaged is read from its CSV; a release that cannot be read that way
is named and passed over for the newest earlier one that can (each release holds the whole history
up to its run). A damaged file never blocks every later run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from publish.files import read_csv
from selvhjelp_data.layout import OutputLayout
from selvhjelp_data.schema import TABLES
from selvhjelp_data.text import file_digest

log = logging.getLogger(__name__)
PACKAGE = "datapackage.json"


class DamagedReleases(RuntimeError):
    """No published release can be read: the run refuses to start from nothing and lose the record."""


def empty_tables() -> dict[str, pa.Table]:
    return {name: table.empty() for name, table in TABLES.items()}


def file_problems(root: Path) -> dict[str, str]:
    """{path in the release: "missing" | "damaged"} against datapackage.json; {} for an intact release."""
    try:
        listed = json.loads((root / PACKAGE).read_text(encoding="utf-8"))["x_files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {PACKAGE: "damaged"}
    problems = {}
    for entry in listed:
        path = root / entry["path"]
        if not path.exists():
            problems[entry["path"]] = "missing"
        elif "sha256:" + file_digest(path) != entry["hash"]:
            problems[entry["path"]] = "damaged"
    return problems


def verify_release(root: Path) -> list[str]:
    """Each file missing or damaged, in words; [] for an intact release (one that may be published)."""
    return [
        f"{problem} {path}" + (" (SHA-256 differs from datapackage.json)" if problem == "damaged" else "")
        for path, problem in file_problems(root).items()
    ]


def _readable_without(problems: dict[str, str]) -> bool:
    """True when every table is still readable from one of its two files."""
    return PACKAGE not in problems and not any(
        f"data/{name}.parquet" in problems and f"data/{name}.csv" in problems for name in TABLES
    )


def read_release_tables(data_dir: Path, problems: dict[str, str] | None = None) -> dict[str, pa.Table]:
    """The tables of a release, cast to today's schemas; each from its CSV where its Parquet is bad."""
    tables = {}
    for name, table in TABLES.items():
        path = Path(data_dir) / f"{name}.parquet"
        if f"data/{name}.parquet" in (problems or {}):
            log.warning("%s is %s: %s is read from %s.csv", path, problems[f"data/{name}.parquet"], name, name)
            tables[name] = read_csv(Path(data_dir) / f"{name}.csv", table)
            continue
        if not path.exists() and f"data/{name}.parquet" not in (problems or {}):
            tables[name] = table.empty()  # a table an older version did not write: it starts empty
            continue
        tables[name] = _with_added_columns(path, table)
    return tables


def _with_added_columns(path: Path, table) -> pa.Table:
    """A table as today's schema has it: columns a later version added (nullable ones) are nulls in rows an
    older version wrote; anything else is another version's table, not ours to read."""
    found = pq.read_schema(path).names
    added = [c for c in table.columns if c.name not in found]
    if set(found) - set(table.column_names) or any(not c.nullable for c in added):
        raise DamagedReleases(
            f"{path} has other columns than this version of selvhjelp-data writes "
            f"(lacks {sorted(c.name for c in added)}); it was written by another version: "
            "start a new output folder with --output"
        )
    present = pa.schema([f for f in table.schema if f.name in found])
    read = pq.read_table(path, schema=present)
    for column in added:
        read = read.append_column(table.schema.field(column.name), pa.nulls(read.num_rows, column.type))
    return read.select(table.column_names)


@dataclass
class PreviousRelease:
    path: Path | None  # None on a first run
    tables: dict[str, pa.Table]
    problems: list[str] = field(default_factory=list)  # what was wrong, and what was done about it
    files: dict[str, str] = field(default_factory=dict)  # its files that are missing or damaged (file_problems)

    @property
    def published(self) -> bool:
        return self.path is not None

    @property
    def run_id(self) -> str | None:
        """The run that made it (a release folder is named after its run): what this run builds on,
        whatever any clock said when either ran."""
        return self.path.name if self.path is not None else None


def _candidates(layout: OutputLayout) -> list[Path]:
    """Published releases, the one `latest` points at first, then newest first."""
    releases = layout.published_releases()
    if layout.latest.is_symlink() and layout.latest.exists():  # a folder there is a copy, not our link
        latest = layout.latest.resolve()
        releases = [latest] + [r for r in releases if r.resolve() != latest]
    return releases


def read_previous_release(layout: OutputLayout) -> PreviousRelease:
    """The newest release that can be read; empty tables when nothing was published yet."""
    passed_over = []
    for release in _candidates(layout):
        problems = file_problems(release)
        if _readable_without(problems):
            said = [f"{release}: {problem} {path}" for path, problem in problems.items()]
            for line in passed_over + said:
                log.warning("release damaged: %s", line)
            tables = read_release_tables(release / "data", problems)
            return PreviousRelease(release, tables, passed_over + said, problems)
        passed_over.append(f"{release}: {', '.join(f'{p} {path}' for path, p in problems.items())}")
    if passed_over:
        raise DamagedReleases("no release can be read to start from: " + "; ".join(passed_over))
    return PreviousRelease(None, empty_tables())
