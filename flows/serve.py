"""`selvhjelp-data serve`: the flow as a Prefect deployment on a cron schedule.

A schedule needs a real Prefect API server (the temporary one never schedules). PREFECT_API_URL
is used when set; otherwise a `prefect server start` is started on 127.0.0.1 and stopped on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from flows.prefect_env import configure
from selvhjelp_data.settings import load_settings

DEPLOYMENT_NAME = "scheduled"


def build_deployment(cron: str, parameters: dict):
    from flows.pipeline import selvhjelp_pipeline

    return selvhjelp_pipeline.to_deployment(
        name=DEPLOYMENT_NAME,
        cron=cron,
        parameters=parameters,
        description="Crawl, transform, validate and publish on a schedule",
    )


def check_port_free(port: int) -> None:
    """The UI's port, taken: one line now rather than a server that dies where nobody looks."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise ValueError(f"port {port} is in use: give serve --port, or SELVHJELP_SERVE_PORT") from None


def start_local_server(port: int, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on 127.0.0.1:port, its UI told where its API is (else it looks at :4200)."""
    api = f"http://127.0.0.1:{port}/api"
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PREFECT_SERVER_UI_API_URL": api},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(api + "/health", timeout=2)
            return proc, api
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("prefect server start exited; see `prefect server start` for why") from None
            time.sleep(1)
    proc.terminate()
    raise RuntimeError(f"the Prefect server did not answer on {api} within {timeout:.0f} s")


def check_cron(cron: str, where: str) -> None:
    """A schedule Prefect takes (five fields, no random or hashed ones), or one line naming it."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError:
        raise ValueError(
            f"{where} {cron!r} is not a cron schedule: five fields, minute hour day month weekday (like '0 6 * * *')"
        ) from None


def serve(
    cron: str | None, source: str, start_urls: list[str] | None, output_dir: str | None, port: int | None = None
) -> int:
    configure()
    settings = load_settings()
    cron = cron or settings.cron
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        port = port or settings.serve_port
        check_port_free(port)
        print(
            f"PREFECT_API_URL is not set: starting a Prefect server on 127.0.0.1:{port} for the schedule ...",
            flush=True,
        )
        server, api = start_local_server(port)
        os.environ["PREFECT_API_URL"] = api
        print(f"Prefect UI: {api.removesuffix('/api')}  (runs, logs and artifacts)", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        from prefect import serve as prefect_serve

        deployment = build_deployment(cron, {"source": source, "start_urls": start_urls, "output_dir": output_dir})
        print(
            f"serving deployment selvhjelp-data/{DEPLOYMENT_NAME} on cron {cron!r}; Ctrl-C or SIGTERM stops", flush=True
        )
        prefect_serve(deployment)
    except KeyboardInterrupt:
        pass
    finally:
        end_runs_left_running("stopped: selvhjelp-data serve ended (SIGTERM or Ctrl-C) during the run")
        if server is not None:
            server.terminate()
            server.wait(30)
    return 0


def end_runs_left_running(reason: str) -> list[str]:
    """A stop of `serve` during a run: the run's process ends, and its record in Prefect says so (Crashed,
    with the reason) instead of "Running" for good. The names of the runs it ended."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    from flows.stop import descendants

    for pid in descendants(os.getpid()):  # the runs' processes (not a server we started: it is stopped after)
        if not _is_prefect_server(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    ended = []
    with contextlib.suppress(Exception), get_client(sync_client=True) as client:  # a server gone: nothing to tell
        running = FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING]))
        )
        ours = DeploymentFilter(name=DeploymentFilterName(any_=[DEPLOYMENT_NAME]))
        for run in client.read_flow_runs(flow_run_filter=running, deployment_filter=ours):
            client.set_flow_run_state(run.id, Crashed(message=reason), force=True)
            ended.append(run.name)
    return ended


def _is_prefect_server(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return b"prefect\x00server\x00start" in open(f"/proc/{pid}/cmdline", "rb").read()
    return False
