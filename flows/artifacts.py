"""What a run leaves in the Prefect UI: a summary and the table of the changes it found."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from crawl.process import CrawlSummary
from publish.notify import NotifyResult
from validate.validation import ValidationReport

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
