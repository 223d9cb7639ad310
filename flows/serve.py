"""`selvhjelp-data serve`: the flow as a Prefect deployment on a cron schedule.

A schedule needs a real Prefect API server (the temporary one never schedules). PREFECT_API_URL
is used when set; otherwise a `prefect server start` is started on 127.0.0.1 and stopped on exit.
"""

from __future__ import annotations

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_local_server(timeout: float = 120) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


def serve(cron: str | None, source: str, start_urls: list[str] | None, output_dir: str | None) -> int:
    configure()
    cron = cron or load_settings().cron
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        print("PREFECT_API_URL is not set: starting a Prefect server on 127.0.0.1 for the schedule ...", flush=True)
        server, api = start_local_server()
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
        if server is not None:
            server.terminate()
            server.wait(30)
    return 0
