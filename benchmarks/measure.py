"""Shared helpers for the benchmark scripts: time a command and the peak memory of its process tree."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "flows.cli"]

# Runs in a fresh interpreter so that RUSAGE_CHILDREN covers this one command (and its descendants) only.
_WRAPPER = """
import json, resource, subprocess, sys, time
started = time.monotonic()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
print(json.dumps({"seconds": time.monotonic() - started, "returncode": proc.returncode,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "stderr_tail": proc.stderr[-800:]}))
"""


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
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {result['stderr_tail']}")
    return result


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


def peak_line(run: dict) -> str:
    """Peak memory after each stage: the flow process, and the children it waited for."""
    return ", ".join(
        f"{stage} {p['flow']:.0f}/{p['children']:.0f} MB" for stage, p in run.get("stage_peak_mb", {}).items()
    )


def largest_peak(run: dict) -> float:
    return max((max(p.values()) for p in run.get("stage_peak_mb", {}).values()), default=0.0)
