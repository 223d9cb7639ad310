"""The selvhjelp-data flow: crawl, transform, validate, publish."""

from __future__ import annotations

import contextlib
import importlib
import re
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from crawl.run import SNAPSHOT_SETTINGS, CrawlJob, CrawlSummary, read_records, run_crawl
from crawl.state import next_state, read_state, write_state
from publish.git_repo import publish_release_to_git
from publish.release import keep_failed, promote, run_lock, staging_dir, write_release_files
from selvhjelp_data.settings import Settings, load_settings
from transform.build import build_tables, read_tables
from transform.pages import RunInfo
from validate.run import ValidationError, ValidationReport, run_validation


class ReleaseBlocked(RuntimeError):
    """Validation failed: the run published nothing."""


@contextlib.contextmanager
def crawl_target(source: str, start_urls: list[str] | None, snapshot_epoch: int = 1, snapshot_faults: dict | None = None,
                 snapshot_dir: str | None = None):
    """(mirror origin, public names) for the crawl; the bundled snapshot is served for the run's length."""
    if start_urls:
        parts = urlsplit(start_urls[0])
        yield f"{parts.scheme}://{parts.netloc}", False
    elif source == "snapshot":
        from snapshot.server import SITE_DIR, SnapshotServer

        site_dir = Path(snapshot_dir) if snapshot_dir else SITE_DIR
        with SnapshotServer(epoch=snapshot_epoch, faults=snapshot_faults or {}, site_dir=site_dir) as server:
            yield server.url, True
    elif source == "live":
        yield None, True
    else:
        raise ValueError(f"unknown source {source!r}: use live or snapshot")


@task(name="crawl", retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE)
def crawl_site(job: CrawlJob) -> CrawlSummary:
    """Crawl the site in a child process; records and raw bodies go to files."""
    summary = run_crawl(job)
    get_run_logger().info(summary.line())
    return summary


@task(name="transform", cache_policy=NO_CACHE)
def transform_tables(records_path: Path, raw_dir: Path, previous: dict[str, pa.Table], run: RunInfo) -> dict[str, pa.Table]:
    """Build the eight tables from the crawl records and raw captures (no network)."""
    tables = build_tables(read_records(records_path), raw_dir, previous, run)
    get_run_logger().info("tables: " + ", ".join(f"{n} {t.num_rows}" for n, t in tables.items()))
    return tables


@task(name="validate", cache_policy=NO_CACHE)
def validate_tables(tables: dict[str, pa.Table], previous: dict[str, pa.Table] | None, out_dir: Path, allow_shrink: bool,
                    url_pattern: str | None = None) -> ValidationReport:
    """Run the Great Expectations suites; a failure stops the release."""
    report = run_validation(tables, previous, out_dir, allow_shrink=allow_shrink, url_pattern=url_pattern)
    logger = get_run_logger()
    logger.info(report.summary())
    if not report.success:
        for failure in report.failures:
            logger.error(failure.line())
        raise ValidationError(report)
    return report


@task(name="publish", cache_policy=NO_CACHE)
def publish_release(stage: Path, tables: dict[str, pa.Table], settings: Settings, run_id: str, source: str,
                    run_info: dict, state: dict) -> Path:
    """Write the release files, move them into place, switch `latest`, then save the next run's state."""
    write_release_files(stage, tables, run_id, settings, source, run_info)
    release = promote(stage, settings, run_id)
    write_state(settings.state_dir / "validators.json", state)
    get_run_logger().info(f"published {release}")
    return release


@task(name="publish-to-git", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def push_to_data_repository(release: Path, settings: Settings) -> str:
    """Commit, tag and push the release into the configured git data repository."""
    result = publish_release_to_git(release, settings.publish_to, settings.publish_branch, settings.publish_workdir(settings.publish_to))
    get_run_logger().info(result.message)
    return result.message


def warm_up_validation() -> threading.Thread:
    """Import Great Expectations (~9 s) while the crawl child works: this process only waits meanwhile."""
    thread = threading.Thread(target=importlib.import_module, args=("great_expectations",), name="import-gx", daemon=True)
    thread.start()
    return thread


class StageClock:
    """Wall-clock seconds per stage, for run.json and the benchmarks."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[stage] = round(time.monotonic() - started, 3)


def new_run() -> RunInfo:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return RunInfo(now.strftime("%Y%m%dT%H%M%SZ"), now)


@flow(name="selvhjelp-data", log_prints=True)
def selvhjelp_pipeline(source: str = "live", start_urls: list[str] | None = None, output_dir: str | None = None,
                       allow_shrink: bool = False, snapshot_epoch: int = 1, snapshot_faults: dict[str, str] | None = None,
                       snapshot_dir: str | None = None) -> str:
    """Crawl selvhjelp.no's policy pages, record changes, validate, publish a release."""
    settings = load_settings(output_dir=Path(output_dir) if output_dir else None)
    run = new_run()
    source_name = (", ".join(start_urls) if start_urls else settings.wordpress_origin if source == "live"
                   else f"snapshot served from {snapshot_dir}" if snapshot_dir else "bundled snapshot of selvhjelp.no")
    with run_lock(settings.output_dir), crawl_target(source, start_urls, snapshot_epoch, snapshot_faults, snapshot_dir) as (mirror, public_names):
        for leftover in settings.releases_dir.glob(".staging-*"):  # a crashed run's; the lock says none is running
            shutil.rmtree(leftover, ignore_errors=True)
        previous_dir = settings.latest_dir / "data" if settings.latest_dir.exists() else None
        previous = read_tables(previous_dir)
        state_path = settings.state_dir / "validators.json"
        run_dir = settings.state_dir / "runs" / run.run_id
        job = CrawlJob(out_dir=str(run_dir), raw_dir=str(settings.state_dir / "raw"), mirror=mirror, public_names=public_names,
                       start_urls=start_urls, state_path=str(state_path) if state_path.exists() else None,
                       settings=SNAPSHOT_SETTINGS if source == "snapshot" and not start_urls else {})  # a mirror gets live politeness
        clock = StageClock()
        warm_up_validation()
        with clock("crawl"):
            summary = crawl_site(job)
        with clock("transform"):
            tables = transform_tables(job.records_path, Path(job.raw_dir), previous, run)
        stage = staging_dir(settings, run.run_id)
        shutil.rmtree(stage, ignore_errors=True)
        try:
            mirror_urls = f"^{re.escape(mirror)}/" if start_urls else None  # --start-url records the mirror's URLs
            with clock("validate"):
                report = validate_tables(tables, previous if previous_dir else None, stage / "validation", allow_shrink, mirror_urls)
        except ValidationError as error:
            failed = keep_failed(stage, settings, run.run_id)
            raise ReleaseBlocked(f"{error}\nnothing published, latest unchanged; results in {failed}/validation") from None
        state = next_state(read_state(state_path), read_records(job.records_path))
        run_info = {"run_id": run.run_id, "source": source_name, "crawl": summary.__dict__, "validation": report.summary(),
                    "validation_seconds_beyond_import": round(report.seconds, 3), "stage_seconds": clock.seconds}
        release = publish_release(stage, tables, settings, run.run_id, source_name, run_info, state)
    write_artifacts(summary, tables, report, release)
    if settings.publish_to:
        push_to_data_repository(release, settings)  # a failure here leaves the local release as it is
    return str(release)


def write_artifacts(summary: CrawlSummary, tables: dict[str, pa.Table], report: ValidationReport, release: Path) -> None:
    changes = tables["changes"].to_pylist()
    by_kind: dict[str, int] = {}
    for c in changes:
        by_kind[c["kind"]] = by_kind.get(c["kind"], 0) + 1
    failed = "".join(f"| {reason} | {n} |\n" for reason, n in sorted(summary.failed.items())) or "| none | |\n"
    markdown = (f"# selvhjelp-data run\n\n**Release:** `{release}`\n\n"
                f"## Crawl\n\n| pages fetched | unchanged (304) | new | not found | redirects | bytes | seconds |\n|---|---|---|---|---|---|---|\n"
                f"| {summary.pages_fetched} | {summary.unchanged} | {summary.new} | {summary.not_found} | {summary.redirects} | {summary.bytes_downloaded} | {summary.duration_seconds} |\n\n"
                f"Failed or skipped:\n\n| reason | count |\n|---|---|\n{failed}\n"
                f"## Changes\n\n" + ("".join(f"- {k}: {n}\n" for k, n in sorted(by_kind.items())) or "No changes.\n") +
                "\n## Tables\n\n| table | rows |\n|---|---|\n" + "".join(f"| {n} | {t.num_rows} |\n" for n, t in tables.items()) +
                f"\n## Validation\n\n{report.summary()}\n")
    create_markdown_artifact(markdown=markdown, key="selvhjelp-run-summary", description="Crawl, changes, tables, validation")
    create_table_artifact(table=[{k: str(c[k]) if c[k] is not None else "" for k in ("kind", "url", "title", "last_modified_before", "last_modified_after")}
                                 for c in changes] or [{"kind": "", "url": "no changes", "title": "", "last_modified_before": "", "last_modified_after": ""}],
                          key="selvhjelp-changes", description="Changes detected in this run")
