"""Reading a published release back: the previous release is where the next run starts from."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from selvhjelp_data.schema import TABLES


def empty_tables() -> dict[str, pa.Table]:
    return {name: table.empty() for name, table in TABLES.items()}


def read_release_tables(data_dir: Path | None) -> dict[str, pa.Table]:
    """A release's tables (an empty table for each one missing)."""
    tables = empty_tables()
    if data_dir is None:
        return tables
    for name in TABLES:
        path = Path(data_dir) / f"{name}.parquet"
        if path.exists():
            tables[name] = pq.read_table(path, schema=TABLES[name].schema)
    return tables
