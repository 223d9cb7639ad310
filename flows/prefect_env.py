"""Prefect settings this project needs, set before prefect is imported (see STACK-NOTES.md)."""

import os

DEFAULTS = {
    # the temporary API server takes 16-20 s to start on these machines, against a 20 s default
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # no telemetry: it fails offline with tracebacks and DNS look-ups of outside hosts
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


# A one-off run talks to a temporary API server on 127.0.0.1 that a SIGTERM to the process group
# stops along with us: retrying its calls (up to ~2 minutes of back-off) would only delay the stop,
# and its log lines would go to a UI that ends with the run (they are in the run's log file).
ONE_OFF = {"PREFECT_CLIENT_MAX_RETRIES": "0", "PREFECT_LOGGING_TO_API_ENABLED": "false"}


def configure(one_off: bool = False) -> None:
    extra = ONE_OFF if one_off and not os.environ.get("PREFECT_API_URL") else {}
    for name, value in {**DEFAULTS, **extra}.items():
        os.environ.setdefault(name, value)
