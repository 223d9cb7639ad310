"""Shared helpers for the benchmark scripts: time a command and the peak memory of its process tree."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from flows.stop import descendants
from selvhjelp_data.child import high_water_mb

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "flows.cli"]


def environment(prefect_home: Path) -> dict:
    return {
        **os.environ,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def measure(cmd: list[str], env: dict) -> dict:
    """Run `cmd`: its seconds, and the largest resident set of any process of its tree (sampled)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as stderr:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr, env=env, cwd=ROOT)
        peaks = TreePeaks(proc.pid)
        while proc.poll() is None:
            peaks.sample()
            time.sleep(0.2)
        seconds = time.monotonic() - started
        stderr.seek(0)
        tail = stderr.read()[-800:]
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {tail}")
    return {"seconds": seconds, "returncode": proc.returncode, "peak_rss_mb": peaks.largest_mb(), "stderr_tail": tail}


class TreePeaks:
    """Each process of a tree, its high-water mark (VmHWM) as last read. Not getrusage(RUSAGE_CHILDREN):
    Linux gives a started process its starter's resident set as its own first peak, so a child of a 1 GB
    process would count as 1 GB. Sampling misses only what a process grows in its last 0.2 s, and each
    process of ours reports its own figure in run.json besides."""

    def __init__(self, root: int):
        self.root, self.peak_mb, self.samples = root, {}, 0

    def sample(self) -> None:
        if self.samples % 5 == 0:  # new processes, once a second: reading all of /proc costs
            self.peak_mb.update((pid, 0.0) for pid in descendants(self.root) if pid not in self.peak_mb)
        self.samples += 1
        for pid in [self.root, *self.peak_mb]:
            if (mb := high_water_mb(pid)) is not None:
                self.peak_mb[pid] = max(mb, self.peak_mb.get(pid, 0.0))

    def largest_mb(self) -> float:
        return max(self.peak_mb.values(), default=0.0)


FLOOR_SCRIPT = """
import great_expectations  # noqa: F401  (the validate step pays this import)
from prefect import flow

@flow
def trivial():
    return 1

trivial()
"""


def framework_floor(env: dict) -> dict:
    """One run of a trivial Prefect flow plus importing Great Expectations: what any run of ours pays."""
    return measure([sys.executable, "-c", FLOOR_SCRIPT], env)


def warm_up(env: dict) -> None:
    """The first run in a new PREFECT_HOME also creates Prefect's database: a warm-up, not a figure."""
    framework_floor(env)


def median(values: list[float]) -> float:
    return statistics.median(values)


def run_flow(output: Path, env: dict, *extra: str) -> dict:
    result = measure([*CLI, "run", "--source", "snapshot", "--output", str(output), *extra], env)
    run_json = json.loads((output / "latest" / "run.json").read_text(encoding="utf-8"))
    return {**result, "run": run_json}


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}, {platform.system()}"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="selvhjelp-bench-"))


def stage_line(run: dict) -> str:
    return ", ".join(f"{k} {v:.1f} s" for k, v in run["stage_seconds"].items())


def processes_of(stage_peaks: dict) -> str:
    return ", ".join(f"{who} {mb:.0f}" for who, mb in stage_peaks.items()) + " MB"


def largest_peak(run: dict) -> float:
    return max((max(p.values()) for p in run.get("stage_peak_mb", {}).values()), default=0.0)
