"""The data files of a release: Parquet (typed, with descriptions) and CSV (RFC 4180, spreadsheet-safe)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")


def csv_cell(value) -> str:
    """RFC 4180 via the csv module; ISO dates; lists joined with '; '; formulas made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, list):
        text = "; ".join("" if v is None else str(v) for v in value)
    else:
        text = str(value)
    # a leading = + - @ would be run as a formula by spreadsheet programs (OWASP's CSV injection advice)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(table: pa.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(table.column_names)
        for row in table.to_pylist():
            writer.writerow([csv_cell(row[c]) for c in table.column_names])
