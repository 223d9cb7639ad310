"""A stage in a process of its own (the crawl; a large run's transform): its memory is its own, freed
when it ends, and a stop of the run ends it too."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
from collections.abc import Callable


def run_child(
    cmd: list[str], timeout: float, parse: Callable[[str], object | None], on_progress=None, env: dict | None = None
) -> tuple[int, str]:
    """(exit code, everything it wrote) of a child process (`env` added to this one's environment), passing
    on each line `parse` reads as progress as it comes. The child is killed if it runs past `timeout` or if
    this process is interrupted."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
    )
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    lines = []
    try:
        for line in proc.stdout:
            progress = parse(line)
            if progress is None:
                lines.append(line)
            elif on_progress is not None:
                on_progress(progress)
        return proc.wait(), "".join(lines)
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def peak_memory_mb() -> float:
    """The largest resident set so far of this process, in MB: Linux's high-water mark (VmHWM).

    Not getrusage's ru_maxrss: Linux hands a process started by another the starter's figure at the time
    (fork copies it, exec keeps the larger), so every child of a 1 GB flow would "peak" at 1 GB."""
    mb = high_water_mb()
    if mb is None:  # not Linux: the rusage figure, an upper bound
        mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return round(mb, 1)


def high_water_mb(pid: int | str = "self") -> float | None:
    """A process's largest resident set so far (VmHWM), in MB; None if it is gone, a zombie, or not on Linux."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        return None
