"""Prefect settings this project needs, set before prefect is imported (see STACK-NOTES.md)."""

import os

DEFAULTS = {
    # the temporary API server takes 16-20 s to start on these machines, against a 20 s default
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # no telemetry: it fails offline with tracebacks and DNS look-ups of outside hosts
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


# A one-off run talks to a temporary API server on 127.0.0.1. On a busy machine it can answer 503
# (its SQLite database locked for a moment): two retries (after ~2 s and ~4 s) ride that out, where
# Prefect's five (~1 minute of back-off) would only drag out a run whose server is gone; a stop does
# not wait on them (flows/cli.py ends a stopped run within a few seconds whatever is in flight). Its
# log lines would go to a UI that ends with the run: they are in the run's log file.
ONE_OFF = {"PREFECT_CLIENT_MAX_RETRIES": "2", "PREFECT_LOGGING_TO_API_ENABLED": "false"}


def configure(one_off: bool = False) -> None:
    extra = ONE_OFF if one_off and not os.environ.get("PREFECT_API_URL") else {}
    for name, value in {**DEFAULTS, **extra}.items():
        os.environ.setdefault(name, value)
