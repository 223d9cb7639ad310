"""What lets the transform take a run's pages a chunk at a time: the chunks, the scratch files a chunk's
pages wait in between passes, the previous release's rows of a chunk's pages, and where the rows go.

A small run is one chunk, held in memory, its rows in lists. A large run's transform (its own process:
flows/engine.py) writes each chunk's pages to scratch files and each table's rows, as they come, to an
Arrow file, sorted by the table's key at the end (by DuckDB, on disk): the memory it needs is that of a
chunk, not of the site.
"""

from __future__ import annotations

import pickle
import shutil
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from selvhjelp_data.schema import TABLES


def page_chunks(page_ids: Iterable[str], size: int | None) -> list[list[str]]:
    """The pages in chunks of `size` by page id (so a chunk's rows, sorted, follow the previous chunk's),
    each chunk's pages in the order given (None: one chunk)."""
    page_ids = list(page_ids)
    if not size or len(page_ids) <= size:
        return [page_ids] if page_ids else []
    rank = {pid: i for i, pid in enumerate(sorted(page_ids))}
    chunks = [[] for _ in range(-(-len(page_ids) // size))]
    for pid in page_ids:
        chunks[rank[pid] // size].append(pid)
    return chunks


class Scratch:
    """A chunk's pages between two passes: in memory (a small run), or pickled in a folder (a large one)."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder else None
        self._held: dict[int, object] = {}
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)

    def put(self, chunk: int, value) -> None:
        if self.folder is None:
            self._held[chunk] = value
            return
        with (self.folder / f"{chunk}.pickle").open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)

    def take(self, chunk: int):
        if self.folder is None:
            return self._held.pop(chunk)
        path = self.folder / f"{chunk}.pickle"
        with path.open("rb") as f:
            value = pickle.load(f)
        path.unlink()
        return value

    def remove(self) -> None:
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


class PreviousRows:
    """The previous release's rows of some pages (filtered in Arrow: only those become dicts)."""

    def __init__(self, tables: dict[str, pa.Table]):
        self.tables = tables

    def all(self, name: str) -> list[dict]:
        return self.tables[name].to_pylist()

    def of_pages(self, name: str, page_ids: list[str], column: str = "page_id") -> list[dict]:
        table = self.tables[name]
        if table.num_rows == 0:
            return []
        return table.filter(pc.is_in(table[column], value_set=pa.array(page_ids, pa.string()))).to_pylist()

    def not_of_pages(self, name: str, page_ids: set[str], column: str = "page_id") -> list[dict]:
        """Rows of pages that are in no chunk (none, in a consistent release: every page it knew is asked for)."""
        table = self.tables[name]
        if table.num_rows == 0:
            return []
        inside = pc.is_in(table[column], value_set=pa.array(sorted(page_ids), pa.string()))
        return table.filter(pc.invert(pc.fill_null(inside, False))).to_pylist()

    def page_urls(self) -> dict[str, dict]:
        """{page_id: {"page_id", "url"}} of every page the previous release knew."""
        pages = self.tables["pages"]
        ids, urls = pages["page_id"].to_pylist(), pages["url"].to_pylist()
        return {pid: {"page_id": pid, "url": url} for pid, url in zip(ids, urls, strict=True)}

    def latest_hashes(self) -> dict[str, str]:
        """Each page's last text, as its hash (transform/pages.latest_hashes of the whole release)."""
        versions = self.tables["page_versions"]
        latest: dict[str, tuple[int, str]] = {}
        columns = (versions[c].to_pylist() for c in ("page_id", "version", "content_sha256"))
        for pid, version, sha in zip(*columns, strict=True):
            if pid not in latest or version > latest[pid][0]:
                latest[pid] = (version, sha)
        return {pid: sha for pid, (_, sha) in latest.items()}


class RowLists:
    """Where a small run's rows go: a list per table."""

    def __init__(self):
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def add(self, name: str, rows: list[dict]) -> None:
        self.rows[name] += rows

    def add_arrow(self, name: str, table: pa.Table) -> None:
        self.rows[name] += table.to_pylist()

    def finish(self) -> dict[str, list[dict]]:
        return {name: self.rows.get(name, []) for name in TABLES}


class ArrowFiles:
    """Where a large run's rows go: each table an Arrow file, sorted by its key as a small run's tables are.
    The rows come a chunk at a time, each chunk sorted; they wait in buckets by the first character of the
    key (ids are hex digits: sixteen buckets, each a sixteenth of the table), and at the end each bucket,
    in order, is read, sorted and appended: what is held at once is a bucket, not the table."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        # table -> first character of the key (as a number: the order of UTF-8 is that of code points) -> file
        self._buckets: dict[str, dict[int, _Writer]] = defaultdict(dict)
        self._adds: dict[str, int] = defaultdict(int)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.arrow"

    def add(self, name: str, rows: list[dict]) -> None:
        if rows:
            self.add_arrow(name, TABLES[name].to_arrow(rows))

    def add_arrow(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        table = table.cast(TABLES[name].schema)
        self._adds[name] += 1
        first = pc.utf8_slice_codeunits(table[TABLES[name].key[0]], 0, 1)
        for char in pc.unique(first).to_pylist():
            bucket = ord(char) if char else 0
            if bucket not in self._buckets[name]:
                self._buckets[name][bucket] = _Writer(self.folder / f"{name}.{bucket}.part", TABLES[name].schema)
            self._buckets[name][bucket].write(table.filter(pc.equal(first, char)))

    def finish(self) -> dict[str, Path]:
        for name, table in TABLES.items():
            with _Writer(self.path(name), table.schema) as out:
                for _, bucket in sorted(self._buckets.pop(name, {}).items()):  # in the order of the characters
                    bucket.close()
                    rows = pa.ipc.open_file(str(bucket.path)).read_all()
                    out.write(rows if self._adds[name] == 1 else table.sorted(rows))
                    bucket.path.unlink()
        return {name: self.path(name) for name in TABLES}


class _Writer:
    """An Arrow IPC file written a table at a time."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.path = path
        self._sink = pa.OSFile(str(path), "wb")
        self._writer = pa.ipc.new_file(self._sink, schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        if self._sink is not None:
            self._writer.close()
            self._sink.close()
            self._sink = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
