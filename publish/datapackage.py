"""datapackage.json: the release as a Frictionless Data Package, derived from the table schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from selvhjelp_data import __version__
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import PROJECT_URL, Settings
from selvhjelp_data.text import sha256_hex


def frictionless_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime"
    if pa.types.is_list(t):
        return "string"  # joined with "; " in CSV
    return "string"


def _field(column, url_pattern: str) -> dict:
    field = {"name": column.name, "type": frictionless_type(column.type), "description": column.description}
    constraints = {}
    if not column.nullable:
        constraints["required"] = True
    if column.allowed:
        constraints["enum"] = list(column.allowed)
    if (pattern := column.pattern_for(url_pattern)) and pa.types.is_string(column.type):
        # Frictionless matches the whole value: a prefix pattern ("^https?://...") needs its tail
        pattern = pattern.removeprefix("^")
        constraints["pattern"] = pattern.removesuffix("$") if pattern.endswith("$") else pattern + ".*"
    if pa.types.is_timestamp(column.type):
        field["format"] = "%Y-%m-%dT%H:%M:%SZ"
    if pa.types.is_list(column.type):
        field["description"] += " (a list: joined with '; ' in CSV, a list in Parquet)"
    if constraints:
        field["constraints"] = constraints
    return field


def _file_entry(path: Path, root: Path) -> dict:
    data = path.read_bytes()
    return {"path": str(path.relative_to(root)), "bytes": len(data), "hash": "sha256:" + sha256_hex(data)}


def datapackage(root: Path, run_id: str, settings: Settings, source: str, url_pattern: str) -> dict:
    resources = []
    for name, table in TABLES.items():
        csv_path = root / "data" / f"{name}.csv"
        entry = _file_entry(csv_path, root)
        resource = {
            "name": name,
            "title": table.title,
            "description": table.description,
            "path": entry["path"],
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": entry["bytes"],
            "hash": entry["hash"],
            "dialect": {"header": True, "delimiter": ",", "lineTerminator": "\r\n"},
            "schema": {
                "fields": [_field(c, url_pattern) for c in table.columns],
                "primaryKey": list(table.key),
                "missingValues": [""],
            },
        }
        foreign = [
            {"fields": [col], "reference": {"resource": ref.split(".")[0], "fields": [ref.split(".")[1]]}}
            for col, ref in table.references.items()
        ]
        if foreign:
            resource["schema"]["foreignKeys"] = foreign
        resources.append(resource)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "datapackage.json")
    licence = settings.licence_terms
    return {
        "name": "selvhjelp-policy-pages",
        "title": "Selvhjelp Norge: policy pages, changes and policy documents",
        "description": "The policy pages of selvhjelp.no (Selvhjelp Norge), every version of them, the changes between runs, "
        "the policy documents they cite, quotations from those documents, and Selvhjelp Norge's offices.",
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
