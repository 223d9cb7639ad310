"""The release as databases, with the schema's descriptions where each engine shows them:

- selvhjelp.duckdb: every table, with `COMMENT ON` for tables and columns (DuckDB's DESCRIBE and
  duckdb_columns() show them);
- selvhjelp.db: a SQLite copy built with sqlite-utils, with full-text search on page text, quotes
  and documents, and datasette.json, the Datasette metadata (title, description, licence and source
  of every table and column) that `selvhjelp-data browse` serves it with.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlite_utils

from selvhjelp_data.mapped import slices
from selvhjelp_data.schema import TABLES, Table
from selvhjelp_data.settings import Settings

DUCKDB_FILE = "selvhjelp.duckdb"
# The oldest DuckDB that opens the file: analysts still run 1.1 and later, and a file in today's storage
# format opens in no 1.x at all
DUCKDB_READABLE_FROM = "v1.1.0"
DUCKDB_MEMORY = "256MB"
SQLITE_FILE = "selvhjelp.db"
DATASETTE_METADATA = "datasette.json"
DATABASE = "selvhjelp"  # the database's name in Datasette (the SQLite file's stem)
# Full-text search: the columns a reader searches (Norwegian text of pages, quotes, documents).
SEARCHABLE = {
    "page_versions": ["title", "text"],
    "quotes": ["text"],
    "documents": ["title", "identifier", "aliases"],
    "changes": ["title", "word_diff", "excerpt"],
    "events": ["before", "after"],
}
# Questions a monitor asks, one click away in Datasette (the run of this release: the newest in `runs`)
NOW = "(select max(run_id) from runs)"
CANNED_QUERIES = {
    "on_the_site_now": {
        "title": "On the site now: quotations and the documents they come from",
        "sql": f"select q.text, q.kind, d.title as document, p.title as page, p.url from quotes q "
        f"join pages p using (page_id) left join documents d using (document_id) where q.last_seen_run = {NOW} "
        "order by p.title, q.position",
    },
    "changes_with_their_diff": {
        "title": "Changes and events with their word-level diff, newest first",
        "sql": "select detected_at, kind, title as what, url, word_diff_html from changes union all "
        "select e.detected_at, e.kind, coalesce(d.title, e.entity_id), e.url, e.word_diff_html from events e "
        "left join documents d using (document_id) order by detected_at desc",
    },
    "everything_about_one_document": {
        "title": "Everything about one document (give its document_id, e.g. meld-st-19-2014-2015)",
        "sql": "select 'mention' as what, m.last_seen_run as seen, p.title as page, m.matched_text as text "
        "from document_mentions m join pages p using (page_id) where m.document_id = :document_id union all "
        "select 'quotation', q.last_seen_run, p.title, q.text from quotes q join pages p using (page_id) "
        "where q.document_id = :document_id union all select e.kind, e.run_id, e.url, "
        "coalesce(e.word_diff, e.after, e.before) from events e where e.document_id = :document_id order by seen desc",
    },
}


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_duckdb(path: Path, tables: dict[str, pa.Table]) -> None:
    """Every table, typed as in Parquet, with its description and each column's as comments."""
    path.unlink(missing_ok=True)
    # within a bounded memory, DuckDB writes what it built into the file as it goes rather than holding it all
    config = {"storage_compatibility_version": DUCKDB_READABLE_FROM, "memory_limit": DUCKDB_MEMORY}
    with duckdb.connect(str(path), config=config) as con:
        for name, table in tables.items():
            con.register("incoming", table.slice(0, 0))
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
            for part in slices(table):
                con.register("incoming", part)
                con.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')
            con.unregister("incoming")
            con.execute(f'COMMENT ON TABLE "{name}" IS {_sql_text(TABLES[name].description)}')
            for column in TABLES[name].columns:
                con.execute(f'COMMENT ON COLUMN "{name}"."{column.name}" IS {_sql_text(column.description)}')
        # written into the file now, where a failure raises: DuckDB's own checkpoint at close would leave the
        # data in a .wal beside a short file and say nothing (a full disk, a file-size limit)
        con.execute("CHECKPOINT")


def _sqlite_value(value):
    if isinstance(value, list):
        return "; ".join("" if v is None else str(v) for v in value)  # as in CSV: searchable text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _sqlite_column(values: pa.Array) -> list:
    """A column's values as SQLite stores them (text for dates, times and lists)."""
    if pa.types.is_string(values.type) or pa.types.is_integer(values.type):
        return values.to_pylist()
    return [_sqlite_value(v) for v in values.to_pylist()]


SQLITE_BATCH_ROWS = 4096  # rows inserted at a time: memory stays that of one batch


def write_sqlite(path: Path, tables: dict[str, pa.Table]) -> None:
    """A SQLite copy for Datasette: each table with its key and foreign keys, full-text search where a
    reader searches. The tables are made (and linked) empty, which is quick, then filled with batches of
    plain tuples (sqlite-utils' row-dict inserts, and its linking of full tables, took 17 s of a
    10,000-page release)."""
    path.unlink(missing_ok=True)
    db = sqlite_utils.Database(path)
    for name in tables:
        schema = TABLES[name]
        db[name].create(
            {c.name: _sqlite_type(c.type) for c in _people_first(schema)},
            pk=schema.key if len(schema.key) > 1 else schema.key[0],
        )
    db.add_foreign_keys([(name, *key) for name, table in TABLES.items() for key in _foreign_keys(table)])
    for name, table in tables.items():
        _insert(db, name, table)
        if name in SEARCHABLE:
            db[name].enable_fts(SEARCHABLE[name], create_triggers=False, tokenize="unicode61")
    db.close()


def _insert(db: sqlite_utils.Database, name: str, table: pa.Table) -> None:
    columns = [c.name for c in _people_first(TABLES[name])]
    insert = f"INSERT INTO [{name}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})"
    with db.conn:
        for part in slices(table.select(columns)):
            for batch in part.to_batches(max_chunksize=SQLITE_BATCH_ROWS):
                db.conn.executemany(insert, zip(*(_sqlite_column(c) for c in batch.columns), strict=True))


def _people_first(table: Table) -> list:
    """The columns a person reads first (kind, title, the diff), then the rest in the schema's order."""
    first = [table.column(name) for name in table.display_first]
    return first + [c for c in table.columns if c.name not in table.display_first]


def _foreign_keys(table: Table) -> list[tuple[str, str, str]]:
    """References to a table's whole key (so Datasette links a quote to its page and its document)."""
    keys = []
    for column, target in table.references.items():
        other, other_column = target.split(".")
        if TABLES[other].key == (other_column,):
            keys.append((column, other, other_column))
    return keys


def _sqlite_type(type_: pa.DataType):
    return int if pa.types.is_integer(type_) else str


def _table_metadata(table: Table) -> dict:
    meta = {
        "title": table.title,
        "description": table.description,
        "columns": {c.name: c.description for c in table.columns},
    }
    if table.name in ("changes", "events"):  # the monitor's view opens on the newest change
        meta.update(sort_desc="detected_at")
    elif "last_seen_run" in table.column_names:
        meta.update(sort_desc="last_seen_run")
    if table.name in SEARCHABLE:
        meta["fts_table"] = f"{table.name}_fts"
    if table.label:
        meta["label_column"] = table.label
    return meta


def datasette_metadata(settings: Settings, source: str) -> dict:
    licence = settings.licence_terms
    return {
        "title": "selvhjelp.no policy pages",
        "description": "The policy pages of selvhjelp.no, every version of them, every change since the first "
        "run (with its diff), the policy documents they cite, quotations and offices.",
        "license": licence.title,
        "license_url": licence.url,
        "source": source,
        "source_url": settings.wordpress_origin + "/",
        "databases": {
            DATABASE: {"tables": {name: _table_metadata(t) for name, t in TABLES.items()}, "queries": CANNED_QUERIES}
        },
    }


def write_databases(root: Path, tables: dict[str, pa.Table], settings: Settings, source: str) -> None:
    write_duckdb(root / DUCKDB_FILE, tables)
    write_sqlite(root / SQLITE_FILE, tables)
    metadata = datasette_metadata(settings, source)
    (root / DATASETTE_METADATA).write_text(json.dumps(metadata, ensure_ascii=False, indent=1), encoding="utf-8")


def database_rows(root: Path) -> dict[str, dict[str, int]]:
    """{file: {table: rows}} of the release's databases, read back (read-only) as a user opens them."""
    with duckdb.connect(str(root / DUCKDB_FILE), read_only=True) as con:
        duck = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in TABLES}
    db = sqlite_utils.Database(root / SQLITE_FILE)
    try:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError(f"{SQLITE_FILE} fails SQLite's integrity check")
        lite = {name: db[name].count for name in TABLES}
    finally:
        db.close()
    return {DUCKDB_FILE: duck, SQLITE_FILE: lite}
