"""Stopping a run: SIGTERM or Ctrl-C ends it within STOP_GRACE_SECONDS, whatever hangs on the way out.

The command line installs `stop` for SIGTERM and SIGINT. A Prefect flow then installs its own SIGTERM
handler for the flow's length (it turns the signal into TerminationSignal, and its clean-up can take
seconds of API calls); `arm_inside_flow` wraps that handler, so the watchdog starts on the signal
whoever handles it. The watchdog ends the process and its children once the grace is over.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path

STOPPED = 130  # the shell's code for a run ended by a signal (128 + SIGINT)
STOP_GRACE_SECONDS = 5.0  # a stop unwinds cleanly within this, or the process ends anyway
CHILD_GRACE_SECONDS = 0.5  # then each child has this long to go on SIGTERM, before SIGKILL
STOPPED_LINE = "stopped; nothing published, the previous release is as it was"
signals: list[int] = []  # a signal that arrived: whatever error follows it, the run was stopped


class Stopped(KeyboardInterrupt):
    """SIGTERM, raised where the run is so that every `with` and `finally` on the way out runs."""


def start_watchdog(signum: int) -> None:
    if not signals:
        threading.Thread(target=_end_after_grace, name="stop-watchdog", daemon=True).start()
    signals.append(signum)


def stop(signum, frame) -> None:
    start_watchdog(signum)
    raise Stopped()


def stop_on_signals() -> None:
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def arm_inside_flow() -> None:
    """Wrap whatever SIGTERM handler is installed now (Prefect's, inside a flow) so the watchdog starts too."""
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers belong to the main thread; a flow run elsewhere keeps the caller's
    current = signal.getsignal(signal.SIGTERM)
    if getattr(current, "arms_the_watchdog", False):
        return

    def watched(signum, frame):
        start_watchdog(signum)
        if callable(current):
            current(signum, frame)

    watched.arms_the_watchdog = True
    signal.signal(signal.SIGTERM, watched)


def _end_after_grace() -> None:
    """The way out of a stop that hangs (a client call retrying against a server already gone): end
    the process and its children. Nothing is lost: a release is published by one rename, and a
    half-written staging folder is cleared by the next run."""
    time.sleep(STOP_GRACE_SECONDS)
    left = descendants(os.getpid())
    for sig in (signal.SIGTERM, signal.SIGKILL):  # asked to go, then made to: a server may be slow to close
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        deadline = time.monotonic() + CHILD_GRACE_SECONDS
        while (left := [p for p in left if not _gone(p)]) and time.monotonic() < deadline:
            time.sleep(0.05)
    print(f"selvhjelp-data: {STOPPED_LINE}", file=sys.stderr, flush=True)
    os._exit(STOPPED)


def descendants(parent: int) -> list[int]:
    """Children, their children and so on (a server a child started is ours to end too)."""
    found, todo = [], [parent]
    while todo:
        children = child_pids(todo.pop())
        found += children
        todo += children
    return found


def _gone(pid: int) -> bool:
    """Ended, and reaped where it is our own child (a zombie left to init lingers in the process group)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def child_pids(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(stat.parent.name))
    return children
