"""What a run leaves in the Prefect UI: a summary and the table of its changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from crawl.process import CrawlSummary
from validate.validation import ValidationReport

CHANGE_COLUMNS = ("kind", "url", "title", "last_modified_before", "last_modified_after")


def run_summary_markdown(
    summary: CrawlSummary, tables: dict[str, pa.Table], report: ValidationReport, release: Path
) -> str:
    by_kind = Counter(tables["changes"].column("kind").to_pylist())
    failed = "".join(f"| {reason} | {n} |\n" for reason, n in sorted(summary.failed.items())) or "| none | |\n"
    return (
        f"# selvhjelp-data run\n\n**Release:** `{release}`\n\n"
        "## Crawl\n\n| pages fetched | unchanged (304) | new | not found | redirects | bytes | seconds |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| {summary.pages_fetched} | {summary.unchanged} | {summary.new} | {summary.not_found} | {summary.redirects} "
        f"| {summary.bytes_downloaded} | {summary.duration_seconds} |\n\n"
        f"Failed or skipped:\n\n| reason | count |\n|---|---|\n{failed}\n"
        "## Changes\n\n"
        + ("".join(f"- {k}: {n}\n" for k, n in sorted(by_kind.items())) or "No changes.\n")
        + "\n## Tables\n\n| table | rows |\n|---|---|\n"
        + "".join(f"| {n} | {t.num_rows} |\n" for n, t in tables.items())
        + f"\n## Validation\n\n{report.summary()}\n"
    )


def write_artifacts(
    summary: CrawlSummary, tables: dict[str, pa.Table], report: ValidationReport, release: Path
) -> None:
    create_markdown_artifact(
        markdown=run_summary_markdown(summary, tables, report, release),
        key="selvhjelp-run-summary",
        description="Crawl, changes, tables, validation",
    )
    changes = [{k: "" if c[k] is None else str(c[k]) for k in CHANGE_COLUMNS} for c in tables["changes"].to_pylist()]
    create_table_artifact(
        table=changes or [dict.fromkeys(CHANGE_COLUMNS, "") | {"url": "no changes"}],
        key="selvhjelp-changes",
        description="Changes detected in this run",
    )
