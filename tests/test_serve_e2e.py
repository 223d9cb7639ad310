"""`selvhjelp-data serve` as an operator runs it: its own Prefect server whose UI shows the runs, at the port
asked for; a stop during a run leaves that run in a final state, not "Running" for good."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tools.screenshot_report import CHROMIUM, run_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(tmp_path, env: dict, *args: str) -> subprocess.Popen:
    cli = [sys.executable, "-m", "flows.cli", "serve", "--source", "snapshot", "--output", str(tmp_path / "out"), *args]
    return subprocess.Popen(
        cli, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
    )


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 180) -> list[str]:
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if marker in line:
            return lines
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no {marker!r}: {''.join(lines)[-3000:]}")


def api(base: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def start_a_run(base: str) -> str:
    """A run of the served deployment now (serve registers it a moment after saying it serves)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            deployment = api(base, "/deployments/name/selvhjelp-data/scheduled")
            break
        except urllib.error.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    return api(base, f"/deployments/{deployment['id']}/create_flow_run", {})["id"]


def wait_for_state(base: str, run_id: str, wanted: set[str], timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api(base, f"/flow_runs/{run_id}")["state"]["type"]
        if state in wanted:
            return state
        time.sleep(0.5)
    raise AssertionError(f"flow run {run_id} still {state}, not {wanted}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(60)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_the_ui_serve_prints_loads_its_flow_runs_at_the_port_asked_for(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    proc = start_serve(tmp_path, env, "--port", str(port))
    try:
        said = "".join(read_until(proc, "serving deployment"))
        ui = f"http://127.0.0.1:{port}"
        assert f"Prefect UI: {ui}" in said
        run_id = start_a_run(ui + "/api")
        assert wait_for_state(ui + "/api", run_id, FINAL) == "COMPLETED"
        name = api(ui + "/api", f"/flow_runs/{run_id}")["name"]
        page = f"{ui}/runs/flow-run/{run_id}"
        dom = run_chromium("--virtual-time-budget=20000", "--dump-dom", page, window="1400,1000")
        assert name in dom and "Can't connect to Server API" not in dom
        run_chromium("--virtual-time-budget=20000", f"--screenshot={tmp_path / 'ui.png'}", page, window="1400,1000")
        assert (tmp_path / "ui.png").stat().st_size > 20_000
    finally:
        stop(proc)


def test_a_stop_during_a_scheduled_run_leaves_it_in_a_final_state(prefect_harness, tmp_path):
    env = {**os.environ, "PREFECT_API_URL": prefect_harness, "SELVHJELP_CRAWL_SPEED": "polite"}
    proc = start_serve(tmp_path, env)
    try:
        read_until(proc, "serving deployment")
        run_id = start_a_run(prefect_harness)
        wait_for_state(prefect_harness, run_id, {"RUNNING"})
    finally:
        stop(proc)
    state = api(prefect_harness, f"/flow_runs/{run_id}")["state"]
    assert state["type"] in FINAL - {"COMPLETED"}, state
    assert "serve ended" in (state["message"] or "") or state["type"] == "CANCELLED"
