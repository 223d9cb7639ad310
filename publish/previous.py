"""Reading a published release back: the previous release is where the next run starts from.

Every file of a release is listed in its datapackage.json with its SHA-256. The previous release is
read only after its files check out; a damaged or missing file is named, and the run starts from
the newest earlier release that is intact (each release holds the whole history up to its run),
so a damaged file costs one run's records at most, and never blocks every later run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from selvhjelp_data.layout import OutputLayout
from selvhjelp_data.schema import TABLES
from selvhjelp_data.text import sha256_hex

log = logging.getLogger(__name__)


class DamagedReleases(RuntimeError):
    """No published release can be read: the run refuses to start from nothing and lose the record."""


def empty_tables() -> dict[str, pa.Table]:
    return {name: table.empty() for name, table in TABLES.items()}


def verify_release(root: Path) -> list[str]:
    """Files missing or damaged against datapackage.json, each named; [] for an intact release."""
    try:
        package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        listed = package["x_files"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"datapackage.json unreadable ({type(error).__name__})"]
    problems = []
    for entry in listed:
        path = root / entry["path"]
        if not path.exists():
            problems.append(f"missing {entry['path']}")
        elif "sha256:" + sha256_hex(path.read_bytes()) != entry["hash"]:
            problems.append(f"damaged {entry['path']} (SHA-256 differs from datapackage.json)")
    return problems


def read_release_tables(data_dir: Path) -> dict[str, pa.Table]:
    """The tables of an intact release, cast to today's schemas; a release of another layout is named."""
    tables = {}
    for name, table in TABLES.items():
        path = Path(data_dir) / f"{name}.parquet"
        if not path.exists():
            raise DamagedReleases(f"{path} is missing")
        found = pq.read_schema(path).names
        if set(found) != set(table.column_names):
            raise DamagedReleases(
                f"{path} has other columns than this version of selvhjelp-data writes "
                f"(lacks {sorted(set(table.column_names) - set(found))}); it was written by another version: "
                "start a new output folder with --output"
            )
        tables[name] = pq.read_table(path, schema=table.schema)
    return tables


@dataclass
class PreviousRelease:
    path: Path | None  # None on a first run
    tables: dict[str, pa.Table]
    problems: list[str] = field(default_factory=list)  # what was wrong with newer releases that were passed over

    @property
    def published(self) -> bool:
        return self.path is not None


def read_previous_release(layout: OutputLayout) -> PreviousRelease:
    """The newest intact release (latest first); empty tables when nothing was published yet."""
    candidates = layout.published_releases()
    if layout.latest.exists() and layout.latest.resolve() in [c.resolve() for c in candidates]:
        latest = layout.latest.resolve()
        candidates = [latest] + [c for c in candidates if c.resolve() != latest]
    problems = []
    for release in candidates:
        damage = verify_release(release)
        if not damage:
            if problems:
                log.warning("starting from %s: %s", release, "; ".join(problems))
            return PreviousRelease(release, read_release_tables(release / "data"), problems)
        problems.append(f"{release}: {', '.join(damage)}")
    if problems:
        raise DamagedReleases("no intact release to start from: " + "; ".join(problems))
    return PreviousRelease(None, empty_tables())
