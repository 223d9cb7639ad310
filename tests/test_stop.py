"""A stopped run ends within seconds even when something on the way out hangs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flows.stop import STOPPED, child_pids

ROOT = Path(__file__).resolve().parents[1]
HANGS_ON_THE_WAY_OUT = """
import subprocess, sys, time
import flows.stop as stop
stop.STOP_GRACE_SECONDS = 0.5
stop.stop_on_signals()
child = subprocess.Popen(["sleep", "60"])
print(child.pid, flush=True)
while True:
    try:
        time.sleep(60)
    except KeyboardInterrupt:
        pass  # a clean-up that never ends: a client retrying against a server that is gone
"""


def test_a_stop_that_hangs_ends_the_process_and_its_children_after_the_grace():
    proc = subprocess.Popen(
        [sys.executable, "-c", HANGS_ON_THE_WAY_OUT],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child = int(proc.stdout.readline())
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == STOPPED and time.monotonic() - started < 3
    assert "stopped; nothing published" in proc.stderr.read()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and os.path.exists(f"/proc/{child}") and "Z" not in _state(child):
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{child}") or "Z" in _state(child)  # ended (a zombie until reaped)


def test_children_are_found_by_their_parent():
    child = subprocess.Popen(["sleep", "5"])
    try:
        assert child.pid in child_pids(os.getpid())
    finally:
        child.kill()
        child.wait()


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
