"""Tables mapped from the files a large run's transform wrote, and letting the pages read of them go.

The flow maps a large run's tables rather than copying them into its memory. But the pages of a mapped
file that a stage has read count in the process's resident memory, and stay there until the kernel
wants them back: validating and publishing a 100,000-page release reads all 1.4 GB of its tables. So a
stage that goes through a table a batch at a time lets go of what it read (`let_go`) before the next
batch: the file's pages stay in the page cache, out of this process, and come back if read again.
Nothing is mapped for a small run, and letting go is then nothing.
"""

from __future__ import annotations

import mmap
import weakref
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

_mapped: weakref.WeakSet[mmap.mmap] = weakref.WeakSet()  # gone with the last table that reads them


def map_table(path: Path) -> pa.Table:
    """An Arrow IPC file as a table whose buffers are the file's pages (no copy)."""
    with Path(path).open("rb") as f:
        pages = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    _mapped.add(pages)
    return pa.ipc.open_file(pa.py_buffer(pages)).read_all()


def let_go() -> None:
    """Drop the pages read of every mapped table from this process (they are read again if needed)."""
    for pages in list(_mapped):
        pages.madvise(mmap.MADV_DONTNEED)


SLICE_ROWS = 100_000  # rows a stage takes at a time from a large table, and at most
SLICE_BYTES = 32 * 1024 * 1024  # of its Arrow data (its pandas or text copy is several times that)


def slices(table: pa.Table, max_rows: int | None = None) -> Iterator[pa.Table]:
    """The table in slices of at most SLICE_ROWS rows (or `max_rows`) and about SLICE_BYTES (a page's text,
    a change's diff: rows differ a thousandfold in size), the pages read of a mapped table let go after
    each. A small table is one slice."""
    rows = max(1, min(max_rows or SLICE_ROWS, SLICE_BYTES * table.num_rows // max(table.nbytes, 1)))
    for start in range(0, table.num_rows, rows):
        yield table.slice(start, rows)
        let_go()


def fits_one_slice(table: pa.Table) -> bool:
    return table.num_rows <= SLICE_ROWS and table.nbytes <= SLICE_BYTES
