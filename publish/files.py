"""The data files of a release: Parquet (typed, with descriptions) and CSV (RFC 4180, spreadsheet-safe)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from selvhjelp_data.mapped import fits_one_slice, slices

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = "^[" + re.escape("".join(_FORMULA_START)) + "]"  # the same characters, for Arrow
CSV_BATCH_ROWS = 4096  # rows converted and written at a time: memory stays that of one batch


def write_parquet(table: pa.Table, path: Path) -> None:
    """A large table a slice at a time (a Parquet row group each: selvhjelp_data/mapped.slices)."""
    if fits_one_slice(table):
        pq.write_table(table, path, compression="zstd")
        return
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for part in slices(table):
            writer.write_table(part)


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


def csv_column(values: pa.Array) -> pa.Array:
    """A column as the text of its CSV cells (csv_cell's rules, vectorised; null stays null: an empty cell)."""
    kind = values.type
    if pa.types.is_timestamp(kind):
        seconds = values.cast(pa.timestamp("s", "UTC"), safe=False)  # Arrow's %S would print the fraction
        text = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
    elif pa.types.is_date(kind):
        text = pc.strftime(values, format="%Y-%m-%d")
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind):
        text = values.cast(pa.string())
    else:  # lists and anything rarer: by the one rule, value by value
        return pa.array([None if v is None else csv_cell(v) for v in values.to_pylist()], pa.string())
    # a leading = + - @ would be run as a formula by spreadsheet programs (OWASP's CSV injection advice)
    guarded = pc.binary_join_element_wise("'", text, "")
    return pc.if_else(pc.fill_null(pc.match_substring_regex(text, _FORMULA_PATTERN), False), guarded, text)


def write_csv(table: pa.Table, path: Path) -> None:
    """RFC 4180 (CRLF, quotes where a cell needs them), a batch of rows at a time."""
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerow(table.column_names)
    schema = pa.schema([(name, pa.string()) for name in table.column_names])
    options = pa_csv.WriteOptions(include_header=False, eol="\r\n", quoting_style="needed")
    with path.open("ab") as f, pa_csv.CSVWriter(f, schema, write_options=options) as writer:
        for part in slices(table):
            for batch in part.to_batches(max_chunksize=CSV_BATCH_ROWS):
                writer.write_batch(pa.record_batch([csv_column(c) for c in batch.columns], schema=schema))


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
    return table.to_arrow(list(csv_rows(path, table)))


def csv_rows(path: Path, table) -> Iterator[dict]:
    """The rows of a table's CSV, typed by its schema, one at a time."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != table.column_names:
            raise ValueError(f"{path}: the header is not {table.name}'s columns")
        types = [c.type for c in table.columns]
        for line in reader:
            yield dict(zip(header, (cell_value(v, t) for v, t in zip(line, types, strict=True)), strict=True))
