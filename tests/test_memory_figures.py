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
