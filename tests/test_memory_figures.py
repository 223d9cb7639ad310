"""The peak memory a process reports is its own: what run.json and the benchmarks say rests on it."""

import subprocess
import sys

from selvhjelp_data.child import peak_memory_mb

HELD_MB = 300


def test_a_started_process_does_not_report_its_starters_memory():
    """Linux hands a started process its starter's resident set as its first ru_maxrss: a crawl started by a
    1 GB flow would "peak" at 1 GB. The high-water mark of its own memory does not."""
    held = bytearray(HELD_MB * 1024 * 1024)
    held[::4096] = b"\1" * len(held[::4096])  # touched, so resident
    assert peak_memory_mb() > HELD_MB
    child = subprocess.run(
        [sys.executable, "-c", "from selvhjelp_data.child import peak_memory_mb; print(peak_memory_mb())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert 0 < float(child.stdout) < HELD_MB / 2
    del held


def mapped_resident_mb() -> float:
    """What of mapped files this process holds in memory now (RssFile)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssFile:")) / 1024


def test_the_pages_read_of_a_mapped_table_leave_this_process_when_let_go(tmp_path):
    """A large run's tables are files the flow maps; going through one a slice at a time and letting go
    after each, what the process holds stays that of a slice (without, it grows to the whole file)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from selvhjelp_data.mapped import let_go, map_table, slices

    path = tmp_path / "big.arrow"
    column = pa.array([f"{i:064d}" for i in range(2_500_000)])  # about 170 MB of text
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, pa.schema([("text", pa.string())])) as writer:
        writer.write_table(pa.table({"text": column}))
    del column, writer
    table, before = map_table(path), mapped_resident_mb()
    nines = sum(pc.sum(pc.count_substring(part["text"], "9")).as_py() for part in slices(table, 250_000))
    assert nines > 0 and mapped_resident_mb() - before < 60  # every slice read, its pages gone after it
    again = sum(pc.sum(pc.count_substring(part["text"], "9")).as_py() for part in table.to_batches(250_000))
    assert again == nines and mapped_resident_mb() - before > 120  # the same reading, nothing let go
    let_go()
    assert mapped_resident_mb() - before < 60
