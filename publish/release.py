"""Writing a release: output/releases/<run_id>/ with Parquet, CSV, datapackage.json, a data card,
an Atom feed of the changes and the validation results; `latest` switched atomically.

A release is assembled in a staging folder and moved into place only after validation passed;
a crashed or failed run leaves the previous release and `latest` exactly as they were.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from selvhjelp_data.settings import PROJECT_URL, Settings
from selvhjelp_data.text import sha256_hex
from transform.schema import TABLES

PIPELINE_VERSION = "0.1.0"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ReleaseLocked(RuntimeError):
    pass


@contextmanager
def run_lock(output_dir: Path):
    """Two runs never write at once."""
    output_dir.mkdir(parents=True, exist_ok=True)
    with open(output_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReleaseLocked(f"another run holds the lock on {output_dir}/.lock; try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def staging_dir(settings: Settings, run_id: str) -> Path:
    return settings.releases_dir / f".staging-{run_id}"


# -- data files --------------------------------------------------------------------------------
def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")


def csv_cell(value) -> str:
    """RFC 4180 via the csv module; ISO dates; lists joined with '; '; formulas made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
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


# -- metadata ----------------------------------------------------------------------------------
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


def _field(column) -> dict:
    field = {"name": column.name, "type": frictionless_type(column.type), "description": column.description}
    constraints = {}
    if not column.nullable:
        constraints["required"] = True
    if column.allowed:
        constraints["enum"] = list(column.allowed)
    if column.pattern and pa.types.is_string(column.type):
        # Frictionless matches the whole value: a prefix pattern ("^https?://...") needs its tail
        pattern = column.pattern.removeprefix("^")
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


def datapackage(root: Path, run_id: str, settings: Settings, source: str) -> dict:
    resources = []
    for name, table in TABLES.items():
        csv_path = root / "data" / f"{name}.csv"
        entry = _file_entry(csv_path, root)
        resource = {
            "name": name, "title": table.title, "description": table.description, "path": entry["path"],
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "bytes": entry["bytes"], "hash": entry["hash"],
            "dialect": {"header": True, "delimiter": ",", "lineTerminator": "\r\n"},
            "schema": {"fields": [_field(c) for c in table.columns], "primaryKey": list(table.key), "missingValues": [""]},
        }
        foreign = [{"fields": [col], "reference": {"resource": ref.split(".")[0], "fields": [ref.split(".")[1]]}}
                   for col, ref in table.references.items()]
        if foreign:
            resource["schema"]["foreignKeys"] = foreign
        resources.append(resource)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "datapackage.json")
    return {
        "name": "selvhjelp-policy-pages", "title": "Selvhjelp Norge: policy pages, changes and policy documents",
        "description": "The policy pages of selvhjelp.no (Selvhjelp Norge), every version of them, the changes between runs, "
                       "the policy documents they cite, quotations from those documents, and Selvhjelp Norge's offices.",
        "version": run_id, "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [{"name": settings.licence_name, "title": settings.licence_title, "path": settings.licence_url}],
        "sources": [{"title": "selvhjelp.no", "path": settings.wordpress_origin + "/"}],
        "homepage": PROJECT_URL, "keywords": ["selvhjelp", "self-help", "health policy", "Norway"],
        "x_pipeline": {"version": PIPELINE_VERSION, "run_id": run_id, "crawled_from": source},
        "x_files": [_file_entry(p, root) for p in files],
        "resources": resources,
    }


def changes_feed(changes: pa.Table, run_id: str, settings: Settings) -> bytes:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(f"{PROJECT_URL}/changes")
    feed.title("selvhjelp.no policy pages: changes")
    feed.link(href=settings.wordpress_origin + "/", rel="alternate")
    feed.subtitle(f"Changes detected on the policy pages of selvhjelp.no, release {run_id}")
    feed.language("nb")
    rows = sorted(changes.to_pylist(), key=lambda r: (r["detected_at"], r["change_id"]))
    for row in rows:  # feedgen prepends: the newest comes out first
        entry = feed.add_entry()
        entry.id(f"urn:selvhjelp-data:change:{row['change_id']}")
        entry.title(f"{row['kind']}: {row['title'] or row['url']}")
        entry.link(href=row["url"])
        entry.updated(row["detected_at"])
        dates = f"date {row['last_modified_before'] or '–'} → {row['last_modified_after'] or '–'}"
        lines = f", +{row['lines_added']}/−{row['lines_removed']} lines" if row["lines_added"] is not None else ""
        entry.summary(f"{row['kind']} ({dates}{lines})" + (f", now at {row['redirect_to']}" if row["redirect_to"] else ""))
    if not rows:
        feed.updated(datetime.now(timezone.utc))
    return feed.atom_str(pretty=True)


def data_card(tables: dict[str, pa.Table], run_id: str, settings: Settings, source: str) -> str:
    """README.md of the release, generated from the schema definitions."""
    lines = [f"# selvhjelp.no policy pages — release {run_id}", "",
             "The policy pages of [selvhjelp.no](https://selvhjelp.no/) (Selvhjelp Norge, Norway's national centre for "
             "self-organised self-help), every version of them, the changes between runs, the policy documents they cite, "
             "quotations, and Selvhjelp Norge's offices. Values keep the site's Norwegian text.", "",
             f"- Source: {source}", f"- Licence: [{settings.licence_title}]({settings.licence_url})",
             f"- Produced by [selvhjelp-data]({PROJECT_URL}) {PIPELINE_VERSION}", "",
             "## Changes in this release", ""]
    changes = tables["changes"].to_pylist()
    lines += [f"- **{c['kind']}**: [{c['title'] or c['url']}]({c['url']})" + (f" (date {c['last_modified_before'] or '–'} → {c['last_modified_after'] or '–'})") for c in changes] or ["No changes."]
    lines += ["", "## Tables", "", "| table | rows | one row per | key |", "|---|---|---|---|"]
    lines += [f"| `{n}` | {tables[n].num_rows} | {t.description} | {', '.join(t.key)} |" for n, t in TABLES.items()]
    for name, table in TABLES.items():
        lines += ["", f"### `{name}`", "", table.description, "", "| column | type | required | description |", "|---|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {'yes' if not c.nullable else ''} | {c.description}{' Values: ' + ', '.join(map(str, c.allowed)) + '.' if c.allowed else ''} |" for c in table.columns]
    lines += ["", "## How to load", "", "```python", "import pandas as pd", 'pages = pd.read_parquet("data/pages.parquet")',
              "", "import duckdb", "duckdb.sql(\"select kind, count(*) from 'data/changes.parquet' group by kind\").show()", "```", "",
              "CSV files are UTF-8 with a header row; dates are ISO 8601, timestamps UTC; lists are joined with '; '; "
              "a cell beginning with = + - @ is prefixed with ' so spreadsheets do not run it.", "",
              "`datapackage.json` describes every table and column (Frictionless Data Package) and lists every file with its "
              "size and SHA-256. `changes.atom` is the changes as an Atom feed. `validation/` holds the validation results.", ""]
    return "\n".join(lines)


# -- assembling and switching --------------------------------------------------------------------
def write_release_files(stage: Path, tables: dict[str, pa.Table], run_id: str, settings: Settings, source: str,
                        run_info: dict) -> None:
    data = stage / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_parquet(table, data / f"{name}.parquet")
        write_csv(table, data / f"{name}.csv")
    (stage / "changes.atom").write_bytes(changes_feed(tables["changes"], run_id, settings))
    (stage / "README.md").write_text(data_card(tables, run_id, settings, source), encoding="utf-8")
    (stage / "run.json").write_text(json.dumps(run_info, indent=1, default=str), encoding="utf-8")
    (stage / "datapackage.json").write_text(json.dumps(datapackage(stage, run_id, settings, source), ensure_ascii=False, indent=1), encoding="utf-8")


def verify_release(root: Path) -> list[str]:
    """Files missing or damaged against datapackage.json: a release that fails this is not published."""
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    problems = []
    for entry in package["x_files"]:
        path = root / entry["path"]
        if not path.exists():
            problems.append(f"missing {entry['path']}")
        elif "sha256:" + sha256_hex(path.read_bytes()) != entry["hash"]:
            problems.append(f"damaged {entry['path']} (SHA-256 differs)")
    return problems


def promote(stage: Path, settings: Settings, run_id: str) -> Path:
    """Move the staged release into place and point `latest` at it, atomically."""
    problems = verify_release(stage)
    if problems:
        raise RuntimeError(f"release {run_id} not published: {'; '.join(problems)}")
    final = settings.releases_dir / run_id
    os.rename(stage, final)
    link = settings.output_dir / ".latest.tmp"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(Path("releases") / run_id)
    os.replace(link, settings.latest_dir)  # rename over the old link: readers see old or new, never neither
    return final


def keep_failed(stage: Path, settings: Settings, run_id: str) -> Path:
    """A release that failed validation: keep its validation results beside the releases, not as one."""
    failed = settings.output_dir / "failed" / run_id
    failed.parent.mkdir(parents=True, exist_ok=True)
    if (stage / "validation").exists():
        shutil.move(str(stage / "validation"), failed / "validation")
    shutil.rmtree(stage, ignore_errors=True)
    return failed
