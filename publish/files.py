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


def cell_value(text: str, type_: pa.DataType):
    """The value csv_cell wrote as `text` (for reading a release back from its CSV)."""
    if text == "":
        return None
    if pa.types.is_list(type_):
        return [_unformula(v) for v in text.split("; ")]
    if pa.types.is_integer(type_):
        return int(text)
    if pa.types.is_date(type_):
        return date.fromisoformat(text)
    if pa.types.is_timestamp(type_):
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return _unformula(text)


def _unformula(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def read_csv(path: Path, table) -> pa.Table:
    """A table back from its CSV, typed by its schema: the way back when a release's Parquet is damaged."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != table.column_names:
            raise ValueError(f"{path}: the header is not {table.name}'s columns")
        types = [c.type for c in table.columns]
        rows = [
            dict(zip(header, (cell_value(v, t) for v, t in zip(line, types, strict=True)), strict=True))
            for line in reader
        ]
    return table.to_arrow(rows)
