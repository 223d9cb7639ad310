"""The selvhjelp-data flow: lock, crawl, transform, validate, publish.

Each step is a task named with a verb; what a step does lives in its stage (crawl/, transform/,
validate/, publish/), so the flow body below is the pipeline as a reader would draw it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from crawl.process import CrawlJob, CrawlResult, check_site_answered, check_start_pages, run_crawl
from crawl.progress import CrawlProgress
from crawl.state import known_urls, read_sitemap_state, sitemap_state, write_json_atomically
from flows.artifacts import RunProgress, write_artifacts
from flows.console import CONSOLE
from flows.engine import TransformJob, prefect_api_url, transform_apart
from flows.stop import arm_inside_flow
from flows.targets import CrawlTarget, check_run_input, crawl_target
from publish.git_repo import publish_release_to_git
from publish.notify import NotifyResult, check_targets, notify_changes
from publish.place import public_place
from publish.present import item_rows
from publish.previous import PreviousRelease
from publish.previous import read_previous_release as read_release
from publish.release import ReleaseInfo, keep_failed, promote, write_release_files
from publish.retention import prune_releases
from selvhjelp_data.child import peak_memory_mb
from selvhjelp_data.layout import OutputLayout
from selvhjelp_data.raw_store import RawStore
from selvhjelp_data.runs import RunInfo, run_started_at
from selvhjelp_data.settings import Settings, load_settings
from transform.build import build_tables
from validate.validation import ValidationError, ValidationReport, run_validation


class ReleaseBlocked(RuntimeError):
    """Validation failed: the run published nothing."""


@dataclass
class Run:
    """What every step of one run shares: its id, settings, output layout and target."""

    info: RunInfo
    settings: Settings
    target: CrawlTarget
    allow_shrink: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)
    stage_peak_mb: dict[str, dict[str, float]] = field(default_factory=dict)
    progress: RunProgress = field(default_factory=RunProgress)

    @property
    def layout(self) -> OutputLayout:
        return self.settings.layout

    @property
    def run_id(self) -> str:
        return self.info.run_id

    @contextmanager
    def timed(self, stage: str):
        self.progress.show(stage)
        started = time.monotonic()
        try:
            yield
        finally:
            self.stage_seconds[stage] = round(time.monotonic() - started, 3)
            # the largest resident set of this process so far: read after each stage, it bounds the stage;
            # the stage's own processes (crawl, transform, Dask workers) add their figures (processes_peaked)
            self.stage_peak_mb[stage] = {"flow": peak_memory_mb()}

    def processes_peaked(self, stage: str, **peaks_mb: float | None) -> None:
        """The peaks of the processes a stage started, each its own figure (see peak_memory_mb)."""
        self.stage_peak_mb[stage].update((who, mb) for who, mb in peaks_mb.items() if mb)


@task(name="read-previous-release", cache_policy=NO_CACHE)
def read_previous_release(layout: OutputLayout) -> PreviousRelease:
    """Read the tables of the newest intact release (empty tables on a first run)."""
    previous = read_release(layout)
    for problem in previous.problems:
        get_run_logger().warning(f"release damaged: {problem}", extra=CONSOLE)
    return previous


# no task retries: Scrapy retries each request itself, and a crawl that found the site down or was
# stopped must end the run at once, not start over
@task(name="crawl", cache_policy=NO_CACHE)
def crawl_site(run: Run, start_urls: list[str] | None, previous: PreviousRelease) -> CrawlResult:
    """Crawl the site in a child process; records and raw bodies go to files. Too few answers: nothing more."""
    layout = run.layout
    known_path = layout.run_dir(run.run_id) / "known.json"
    known = known_urls(
        previous.tables["pages"],
        previous.tables["broken_links"],
        read_sitemap_state(layout.sitemap_state),
        RawStore(layout.raw),
        previous.run_id,
    )
    write_json_atomically(known_path, known)
    job = CrawlJob(
        out_dir=str(layout.run_dir(run.run_id)),
        raw_dir=str(layout.raw),
        mirror=run.target.mirror,
        public_names=run.target.urls.public_names,
        start_urls=start_urls,
        known_path=str(known_path),
        speed="full" if run.target.snapshot else None,  # the bundled snapshot is ours; a mirror: the setting
    )  # a mirror gets live politeness
    with run.timed("crawl"):
        crawl = run_crawl(job, on_progress=lambda progress: show_crawl_progress(run, progress))
    run.processes_peaked("crawl", crawl=crawl.summary.peak_memory_mb)
    get_run_logger().info(crawl.summary.line(), extra=CONSOLE)
    check_start_pages(crawl.iter_records(), start_urls)
    check_site_answered(crawl.iter_records(), run.target.name, run.settings.min_answer_share)
    return crawl


def show_crawl_progress(run: Run, progress: CrawlProgress) -> None:
    """A progress line from the crawl child (every few seconds): on the terminal and in the UI."""
    get_run_logger().info(progress.line(), extra=CONSOLE)
    run.progress.show("crawl", progress.share_done(), progress.line())


def show_transform_progress(run: Run, line: str, share_done: float) -> None:
    get_run_logger().info(line, extra=CONSOLE)
    run.progress.show("transform", share_done, line)


@task(name="transform", cache_policy=NO_CACHE)
def transform_tables(run: Run, crawl: CrawlResult, previous: PreviousRelease) -> dict[str, pa.Table]:
    """Build the tables from the crawl records, raw captures and the previous release (no network): here for
    a small run, in a process of its own, with its pages read on Dask, for a large one (flows/engine.py)."""
    show = partial(show_transform_progress, run)
    if crawl.summary.pages_fetched + crawl.summary.unchanged >= run.settings.transform_apart_from_pages:
        tables = transform_large_run(run, crawl, previous, show)
    else:
        with run.timed("transform"):
            tables = build_tables(
                crawl.records(),
                crawl.raw_dir,
                previous.tables,
                run.info,
                run.target.urls,
                run.target.description,
                on_progress=show,
                previous_run=previous.run_id,
                min_answer_share=run.settings.min_answer_share,
            )
    get_run_logger().info("tables: " + ", ".join(f"{n} {t.num_rows}" for n, t in tables.items()), extra=CONSOLE)
    return tables


def transform_large_run(run: Run, crawl: CrawlResult, previous: PreviousRelease, show) -> dict[str, pa.Table]:
    """The transform in a process of its own (its pages read on Dask from dask_from_pages); the tables mapped
    from its files."""
    with run.timed("transform"):
        done = transform_apart(transform_job(run, crawl, previous), on_progress=show)
    workers = max(done["worker_peak_mb"].values(), default=None)
    run.processes_peaked("transform", transform=done["peak_mb"], dask_workers=workers)
    where = f"pages read on {done['ran_on']}" if done["ran_on"] else "pages read there"
    get_run_logger().info(f"transform: in its own process, {where}", extra=CONSOLE)
    return done["tables"]


def transform_job(run: Run, crawl: CrawlResult, previous: PreviousRelease) -> TransformJob:
    return TransformJob(
        records_path=str(crawl.records_path),
        raw_dir=str(crawl.raw_dir),
        previous_release=str(previous.path) if previous.path else None,
        previous_files=previous.files,
        run=run.info,
        urls=run.target.urls,
        source=run.target.description,
        previous_run=previous.run_id,
        min_answer_share=run.settings.min_answer_share,
        settings=run.settings,
        out_dir=str(run.layout.run_dir(run.run_id) / "transform"),
        api_url=prefect_api_url(),
    )


@task(name="validate", cache_policy=NO_CACHE)
def validate_tables(run: Run, tables: dict[str, pa.Table], previous: PreviousRelease) -> ValidationReport:
    """Run the Great Expectations suites; a failure stops the release and keeps its results."""
    stage = run.layout.staging(run.run_id)
    shutil.rmtree(stage, ignore_errors=True)
    with run.timed("validate"):
        report = run_validation(
            tables,
            previous.tables if previous.published else None,
            stage / "validation",
            run.target.url_pattern,
            allow_shrink=run.allow_shrink,
            today=run.info.latest_page_date,
        )
    logger = get_run_logger()
    logger.info(report.summary(), extra=CONSOLE)
    if not report.success:
        for failure in report.failures:
            logger.error(failure.line())
        failed = keep_failed(stage, run.layout, run.run_id)
        raise ReleaseBlocked(
            f"{ValidationError(report)}\nnothing published, latest unchanged; results in {failed}/validation"
        )
    return report


@task(name="publish", cache_policy=NO_CACHE)
def publish_release(run: Run, tables: dict[str, pa.Table], report: ValidationReport, crawl: CrawlResult) -> Path:
    """Write the release files, move them into place, switch `latest`, then save the next run's state."""
    run.progress.show("publish")
    stage = run.layout.staging(run.run_id)
    sitemaps = sitemap_state(read_sitemap_state(run.layout.sitemap_state), crawl.iter_records())
    run_json = {
        "run_id": run.run_id,
        "source": run.target.description,
        "crawl": crawl.summary.__dict__,
        "validation": report.summary(),
        "validation_seconds_beyond_import": round(report.seconds, 3),
        "stage_seconds": run.stage_seconds,
        "stage_peak_mb": run.stage_peak_mb,
    }
    urls = run.target.urls
    mirror = urls.mirror if urls.keeps_mirror_names else None
    info = ReleaseInfo(run.run_id, run.target.description, run.target.url_pattern, run_json, mirror)
    if (warning := public_place(run.settings).warning) and not run.target.snapshot:  # a demo publishes nowhere
        get_run_logger().warning(warning, extra=CONSOLE)
    write_release_files(stage, tables, info, run.settings)
    release = promote(stage, run.layout, run.run_id, {name: t.num_rows for name, t in tables.items()})
    write_json_atomically(run.layout.sitemap_state, sitemaps)
    get_run_logger().info(f"published {release}", extra=CONSOLE)
    found = {r["run_id"]: bool(r["changes"]) for r in tables["runs"].to_pylist()}
    found.update((e["run_id"], True) for e in tables["events"].select(["run_id"]).to_pylist())
    if removed := prune_releases(run.layout, found, run.settings.keep_releases):
        get_run_logger().info(f"removed {len(removed)} older releases with nothing new (retention)", extra=CONSOLE)
    return release


@task(name="publish-to-git", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def push_to_data_repository(run: Run, release: Path) -> str:
    """Commit, tag and push the release into the configured git data repository (one retry: a network
    hiccup; a remote that refuses says so at once)."""
    settings = run.settings
    result = publish_release_to_git(
        release, settings.publish_to, settings.publish_branch or None, run.layout.publish_workdir(settings.publish_to)
    )
    get_run_logger().info(result.message)
    return result.message


def push_after_publishing(run: Run, release: Path) -> str:
    """The push's outcome in words. The release is published whatever happens here: a failed push is said
    beside it (and `selvhjelp-data publish` sends it later), never a failed run."""
    state = push_to_data_repository(run, release, return_state=True)
    if state.is_completed():
        return state.result()
    try:
        state.result()
    except Exception as error:  # the task's own failure, whatever it was
        line = f"push to the data repository failed: {error} (the release is published; `publish` sends it later)"
        get_run_logger().warning(line, extra=CONSOLE)
        return line
    return f"push to the data repository ended {state.name}"


def warm_up_validation() -> None:
    """Import Great Expectations (~9 s) while the crawl child works: this process only waits meanwhile."""
    threading.Thread(
        target=importlib.import_module, args=("great_expectations",), name="import-gx", daemon=True
    ).start()


def new_run(layout: OutputLayout, previous_run: str | None, site_timezone: str, warn=lambda line: None) -> RunInfo:
    """A run named after its start (UTC). Run ids sort as the record's time, so a run never takes a name
    before the release it builds on: with the clock behind it, the run is named one second after it (and
    says so). A run that starts in the second the last one was named waits it out."""
    run = RunInfo.starting_now(site_timezone)
    if previous_run and run.run_id <= previous_run:
        after = RunInfo.at(run_started_at(previous_run) + timedelta(seconds=1), site_timezone)
        warn(
            f"the clock ({run.run_id}) is not after the last release ({previous_run}): this run is named "
            f"{after.run_id}, so the record stays in order"
        )
        run = after
    while layout.release(run.run_id).exists() or layout.failed_run(run.run_id).exists():
        time.sleep(0.2)
        later = RunInfo.at(run.started_at + timedelta(seconds=1), site_timezone)
        run = max(RunInfo.starting_now(site_timezone), later, key=lambda r: r.run_id)
    return run


def clear_crashed_staging(layout: OutputLayout) -> None:
    """A crashed run's half-written release; the lock says no run is writing it."""
    for leftover in layout.leftover_staging():
        shutil.rmtree(leftover, ignore_errors=True)


@task(name="notify", cache_policy=NO_CACHE)
def notify_subscribers(run: Run, tables: dict[str, pa.Table]) -> NotifyResult:
    """One message about this run's changes to every notify target; a failure is counted, never fatal."""
    result = notify_changes(run.settings.notify, item_rows(tables), run.run_id, run.target.name)
    (get_run_logger().warning if result.failed else get_run_logger().info)(result.line(), extra=CONSOLE)
    return result


@dataclass(frozen=True)
class RunOutcome(os.PathLike):
    """What a run did, for the command line; a path to the release wherever a path is wanted."""

    release: Path
    pages_failed: int
    changes: int
    notifications: NotifyResult
    pushed: str | None = None  # what became of the push to the data repository, when there is one

    def __fspath__(self) -> str:
        return str(self.release)

    def __str__(self) -> str:
        return str(self.release)

    def lines(self) -> list[str]:
        return [
            f"published release: {self.release}",
            f"  {self.changes} changes, {self.pages_failed} pages failed (kept as they were); "
            + self.notifications.line(),
            *([f"  {self.pushed}"] if self.pushed else []),
        ]


@flow(name="selvhjelp-data", log_prints=True)
def selvhjelp_pipeline(
    source: str = "live",
    start_urls: list[str] | None = None,
    output_dir: str | None = None,
    allow_shrink: bool = False,
    snapshot_epoch: int = 1,
    snapshot_faults: dict[str, str] | None = None,
    snapshot_dir: str | None = None,
) -> RunOutcome:
    """Crawl selvhjelp.no's policy pages, record changes, validate, publish a release, tell subscribers."""
    arm_inside_flow()  # Prefect's SIGTERM handler is in place now: a stop still ends within the grace
    settings = load_settings(output_dir=Path(output_dir) if output_dir else None)
    check_run_input(settings, source, start_urls)
    check_targets(settings.notify)
    with (
        settings.layout.lock(),
        crawl_target(settings, source, start_urls, snapshot_epoch, snapshot_faults, snapshot_dir) as target,
    ):
        clear_crashed_staging(settings.layout)
        warn = partial(get_run_logger().warning, extra=CONSOLE)
        if aside := settings.layout.set_aside_copied_latest(RunInfo.starting_now().run_id):
            warn(f"{settings.layout.latest} was a folder, not the link to a release: set aside as {aside}")
        previous = read_previous_release(settings.layout)
        named = new_run(settings.layout, previous.run_id, settings.site_timezone, warn)
        run = Run(named, settings, target, allow_shrink)
        warm_up_validation()
        crawl = crawl_site(run, start_urls, previous)
        tables = transform_tables(run, crawl, previous)
        report = validate_tables(run, tables, previous)
        release = publish_release(run, tables, report, crawl)
    notifications = notify_subscribers(run, tables)
    write_artifacts(crawl.summary, tables, report, release, notifications)
    run.progress.done(f"published {release.name}")
    pushed = push_after_publishing(run, release) if settings.publish_to else None
    this_run = tables["runs"].to_pylist()[-1]
    return RunOutcome(release, this_run["pages_failed"], this_run["changes"], notifications, pushed)
