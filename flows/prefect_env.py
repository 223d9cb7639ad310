"""Prefect settings this project needs, set before prefect is imported (see STACK-NOTES.md)."""

import os

DEFAULTS = {
    # the temporary API server takes 16-20 s to start on these machines, against a 20 s default
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # no telemetry: it fails offline with tracebacks and DNS look-ups of outside hosts
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


def configure() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
