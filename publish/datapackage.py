"""datapackage.json: the release as a Frictionless Data Package, derived from the table schemas.

Each table is two resources, its CSV file and its Parquet file, with the same fields, keys and
constraints; the constraints are the schema's own (required, enum, pattern - the run's URL pattern
for URL columns - min length, bounds with "today" as the run's day), so `frictionless validate`
checks what Great Expectations checked. `x_files` lists every file with its size and SHA-256.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from selvhjelp_data import __version__
from selvhjelp_data.schema import TABLES, Column, Table, as_bound
from selvhjelp_data.settings import PROJECT_URL, Settings
from selvhjelp_data.text import file_digest

CSV_TIMESTAMP = "%Y-%m-%dT%H:%M:%S%z"  # "2026-11-23T06:00:00Z": read back in UTC, not as a naive time
FORMULA_GUARD = (
    "A text cell that begins with =, +, -, @, a tab or a carriage return is written with one leading apostrophe "
    "(') so that spreadsheet programs do not run it as a formula; drop that apostrophe to get the text. The "
    "Parquet file holds every text as it is."
)
NOT_LISTED = ("datapackage.json", "SHA256SUMS")  # each describes the others


def frictionless_type(t: pa.DataType, fmt: str) -> str:
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_list(t):
        return "string" if fmt == "csv" else "any"  # joined with "; " in CSV, a list in Parquet
    return "string"


def _constraints(column: Column, url_pattern: str, today: date) -> dict:
    constraints = {}
    if not column.nullable:
        constraints["required"] = True
    if column.allowed:
        constraints["enum"] = list(column.allowed)
    if (pattern := column.pattern_for(url_pattern)) and pa.types.is_string(column.type):
        # Frictionless matches the whole value: a prefix pattern ("^https?://...") needs its tail
        pattern = pattern.removeprefix("^")
        constraints["pattern"] = pattern.removesuffix("$") if pattern.endswith("$") else pattern + ".*"
    if column.min_length is not None:
        constraints["minLength"] = column.min_length
    for key, bound in (("minimum", column.min_value), ("maximum", column.max_value)):
        if bound is not None:
            value = as_bound(bound, today)
            constraints[key] = value.isoformat() if isinstance(value, date) else value
    return constraints


def _field(column: Column, url_pattern: str, today: date, fmt: str) -> dict:
    field = {"name": column.name, "type": frictionless_type(column.type, fmt), "description": column.description}
    if pa.types.is_timestamp(column.type) and fmt == "csv":
        field["format"] = CSV_TIMESTAMP
    if pa.types.is_list(column.type):
        field["description"] += " (a list: joined with '; ' in CSV, a list in Parquet)"
    if constraints := _constraints(column, url_pattern, today):
        field["constraints"] = constraints
    return field


def _file_entry(path: Path, root: Path) -> dict:
    return {
        "path": path.relative_to(root).as_posix(),
        "bytes": path.stat().st_size,
        "hash": "sha256:" + file_digest(path),
    }


def _resource(root: Path, table: Table, fmt: str, url_pattern: str, today: date) -> dict:
    entry = _file_entry(root / "data" / f"{table.name}.{fmt}", root)
    suffix = "" if fmt == "csv" else "-parquet"
    resource = {
        "name": table.name + suffix,
        "title": f"{table.title} ({fmt.upper()})",
        "description": table.description,
        "path": entry["path"],
        "format": fmt,
        "schema": {
            "fields": [_field(c, url_pattern, today, fmt) for c in table.columns],
            "primaryKey": list(table.key),
        },
    }
    if fmt == "csv":
        resource.update(
            mediatype="text/csv",
            encoding="utf-8",
            bytes=entry["bytes"],
            hash=entry["hash"],
            dialect={"header": True, "delimiter": ",", "lineTerminator": "\r\n"},
            x_formula_guard=FORMULA_GUARD,
        )
        resource["schema"]["missingValues"] = [""]
    else:
        # Frictionless reads Parquet through pandas, where a null integer is NaN and a null time NaT, and it
        # cannot count a Parquet file's bytes as it reads (the size and SHA-256 are in x_files and SHA256SUMS)
        resource["mediatype"] = "application/vnd.apache.parquet"
        resource["schema"]["missingValues"] = ["", "nan", "NaN", "NaT", "None"]
    foreign = [
        {"fields": [col], "reference": {"resource": ref.split(".")[0] + suffix, "fields": [ref.split(".")[1]]}}
        for col, ref in table.references.items()
    ]
    if foreign:
        resource["schema"]["foreignKeys"] = foreign
    return resource


def datapackage(
    root: Path, run_id: str, settings: Settings, source: str, url_pattern: str, today: date | None = None
) -> dict:
    today = today or datetime.now(UTC).date()
    resources = [
        _resource(root, table, fmt, url_pattern, today) for fmt in ("csv", "parquet") for table in TABLES.values()
    ]
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name not in NOT_LISTED)
    licence = settings.licence_terms
    return {
        "name": "selvhjelp-policy-pages",
        "title": "Selvhjelp Norge: policy pages, changes and policy documents",
        "description": "The policy pages of selvhjelp.no (Selvhjelp Norge), every version of them, every change since "
        "the first run, the policy documents they cite, quotations from those documents, and Selvhjelp Norge's "
        "offices. Quoted text belongs to its authors and is included as quotation (åndsverkloven § 29).",
        "version": run_id,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [{"name": licence.name, "title": licence.title, "path": licence.url}],
        "sources": [{"title": "selvhjelp.no", "path": settings.wordpress_origin + "/"}],
        "homepage": PROJECT_URL,
        "keywords": ["selvhjelp", "self-help", "health policy", "Norway"],
        "x_pipeline": {"version": __version__, "run_id": run_id, "crawled_from": source},
        "x_files": [_file_entry(p, root) for p in files],
        "resources": resources,
    }


def sha256sums(root: Path) -> str:
    """Every file but this list (and git's own), as `sha256sum -c` reads it."""
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.name != "SHA256SUMS"
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    return "".join(f"{file_digest(p)}  {p.relative_to(root).as_posix()}\n" for p in files)
