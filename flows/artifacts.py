"""What a run leaves in the Prefect UI: a summary and the table of the changes it found."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pyarrow as pa
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from crawl.process import CrawlSummary
from publish.notify import NotifyResult
from validate.validation import ValidationReport

log = logging.getLogger(__name__)
CHANGE_COLUMNS = ("kind", "url", "title", "last_modified_before", "last_modified_after")


def run_summary_markdown(
    summary: CrawlSummary,
    tables: dict[str, pa.Table],
    report: ValidationReport,
    release: Path,
    notifications: NotifyResult,
) -> str:
    run_id = release.name
    changes = [c for c in tables["changes"].to_pylist() if c["run_id"] == run_id]
    by_kind = Counter(c["kind"] for c in changes)
    failed = "".join(f"| {reason} | {n} |\n" for reason, n in sorted(summary.failed.items())) or "| none | |\n"
    return (
        f"# selvhjelp-data run\n\n**Release:** `{release}`\n\n"
        "## Crawl\n\n| pages fetched | unchanged (304) | new | not found | redirects | bytes | seconds |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| {summary.pages_fetched} | {summary.unchanged} | {summary.new} | {summary.not_found} | {summary.redirects} "
        f"| {summary.bytes_downloaded} | {summary.duration_seconds} |\n\n"
        f"Failed or skipped (their pages keep their last good content):\n\n| reason | count |\n|---|---|\n{failed}\n"
        "## Changes\n\n"
        + ("".join(f"- {k}: {n}\n" for k, n in sorted(by_kind.items())) or "No changes.\n")
        + "\n## Tables\n\n| table | rows |\n|---|---|\n"
        + "".join(f"| {n} | {t.num_rows} |\n" for n, t in tables.items())
        + f"\n## Validation\n\n{report.summary()}\n\n## Notifications\n\n{notifications.line()}\n"
    )


def write_artifacts(
    summary: CrawlSummary,
    tables: dict[str, pa.Table],
    report: ValidationReport,
    release: Path,
    notifications: NotifyResult,
) -> None:
    markdown = run_summary_markdown(summary, tables, report, release, notifications)
    create_markdown_artifact(
        markdown=markdown, key="selvhjelp-run-summary", description="Crawl, changes, tables, validation, notifications"
    )
    changes = [
        {k: "" if c[k] is None else str(c[k]) for k in CHANGE_COLUMNS}
        for c in tables["changes"].to_pylist()
        if c["run_id"] == release.name
    ]
    create_table_artifact(
        table=changes or [dict.fromkeys(CHANGE_COLUMNS, "") | {"url": "no changes"}],
        key="selvhjelp-changes",
        description="Changes detected in this run",
    )


class RunProgress:
    """One progress artifact per run in the Prefect UI: the stage, and during the crawl its counts.

    Each stage has a share of the bar (the crawl most: it is most of a large run's time). The UI is a
    convenience: a failing API call is logged and the run goes on.
    """

    KEY = "selvhjelp-progress"
    STAGES = {"crawl": (0, 70), "transform": (70, 85), "validate": (85, 95), "publish": (95, 100)}

    def __init__(self):
        self.artifact_id = None

    def show(self, stage: str, share_done: float = 0.0, description: str | None = None) -> None:
        low, high = self.STAGES[stage]
        percent = round(low + (high - low) * min(max(share_done, 0.0), 1.0), 1)
        description = description or f"{stage} ..."
        try:
            if self.artifact_id is None:
                self.artifact_id = create_progress_artifact(percent, key=self.KEY, description=description)
            else:
                update_progress_artifact(self.artifact_id, percent, description=description)
        except Exception as error:  # the UI must never stop a run
            log.debug("progress artifact not updated: %s", error)

    def done(self, description: str) -> None:
        self.show("publish", 1.0, description)
