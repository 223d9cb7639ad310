"""What a person at the terminal sees of a run, and where the rest goes.

The terminal shows the run's own progress lines (marked `extra={"console": True}`) and warnings
from our stages, one line each; everything, Prefect's engine and every traceback included, goes to
the run's log file. A failing run ends with one line that names what failed and the log file.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

CONSOLE = {"console": True}  # `logger.info(message, extra=CONSOLE)`: this line is for the terminal too
LOG_FILE_ONLY = {"console": False}
OUR_PACKAGES = ("crawl", "transform", "validate", "publish", "flows", "selvhjelp_data", "snapshot")


class ConsoleFilter(logging.Filter):
    """Our progress lines, and warnings of our own code; never the engine's chatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        marked = getattr(record, "console", None)
        if marked is not None:
            return marked
        return record.levelno >= logging.WARNING and record.name.split(".")[0] in OUR_PACKAGES


class OneLineFormatter(logging.Formatter):
    """A record as one line: no traceback (the log file has it)."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.getMessage()}"
        return " ".join(line.split("\n")[:1])


class QuietFileHandler(logging.FileHandler):
    """The run's log file, which stops (saying so once on the terminal) when it cannot be written: a full
    disk must not turn every log line into a traceback on stderr, nor the error report into a loop."""

    def __init__(self, path: Path):
        super().__init__(path, encoding="utf-8")
        self.broken: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.broken is None:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.broken is None:
            self.broken = str(sys.exc_info()[1] or "cannot write")
            with contextlib.suppress(OSError):
                sys.stderr.write(f"log file {self.baseFilename}: {self.broken}; the rest of this run is not logged\n")


def send_logs(log_file: Path) -> None:
    """Route logging: the full record to `log_file`, the terminal's lines to stderr.

    Call after Prefect has configured logging (it puts its console handler on the root logger).
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler).__name__ == "PrefectConsoleHandler":
            root.removeHandler(handler)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = QuietFileHandler(log_file)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s - %(message)s"))
    to_terminal = logging.StreamHandler(sys.stderr)
    to_terminal.addFilter(ConsoleFilter())
    to_terminal.setFormatter(OneLineFormatter())
    root.addHandler(to_file)
    root.addHandler(to_terminal)
    root.setLevel(logging.INFO)
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).setLevel(logging.INFO)
