"""Where the transform runs, and its heavy step: reading every capture (and its document references).

A small run is transformed in the flow's process, its pages read one after the other: a process or
workers to start would cost more than they save. Larger runs (settings):
- from `transform_apart_from_pages` the transform runs in a process of its own (`python -m flows.engine
  JOB`), as the crawl does, and writes each table as soon as it is built: the flow's process, which holds
  Prefect and Great Expectations, never holds every page and row as well;
- from `dask_from_pages` the captures are read in chunks, each chunk a Prefect task on a Dask task
  runner (prefect-dask): on a local cluster of one worker process per core, or on the dask.distributed
  scheduler at `dask_address`, whose workers run this project (`dask worker ADDRESS` in its environment, with
  PREFECT_API_URL set) and see the same output folder. Scheduling, retries and where each chunk runs
  are Dask's; the chunks are pure (captures in, pages out), so where they ran never changes the release.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import pickle
import shutil
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from selvhjelp_data.child import peak_memory_mb, run_child
from selvhjelp_data.mapped import map_table
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import Settings
from selvhjelp_data.urls import UrlMap
from transform.build import CaptureReader, Jobs, NothingToRead, Progress, SiteNotAnswering, build_files, read_captures

log = logging.getLogger(__name__)
IN_FLIGHT_PER_WORKER = 2  # chunks submitted ahead per worker: each busy, none holding many read chunks
CONNECT_TIMEOUT = "15s"  # a configured scheduler that does not answer by then is passed over


# retried once: a worker lost mid-chunk (killed, its machine gone) is Dask's to replace, the chunk is pure
@task(name="read-pages", retries=1, cache_policy=NO_CACHE)
def read_chunk(raw_dir: str, jobs: list[tuple[str, str, str | None]]) -> list[tuple]:
    """One chunk of captures read on a worker: [(url, page, document references)]."""
    return read_captures(raw_dir, jobs)


def dask_task_runner(settings: Settings):
    """The configured cluster, or a local one (its workers start at the first chunk submitted). A
    cluster's workers report their task runs to the Prefect API of this run: local workers are told
    where it is; a separately started worker is started with PREFECT_API_URL (see docs/scale.md)."""
    from prefect_dask import DaskTaskRunner  # 0.35 s of imports (distributed) a small run never needs

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address, client_kwargs={"timeout": CONNECT_TIMEOUT})
    cluster = {"n_workers": os.cpu_count() or 1, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    if api := prefect_api_url():  # else each worker would start a temporary Prefect server of its own (8 s)
        cluster["env"] = {"PREFECT_API_URL": api}
    return DaskTaskRunner(cluster_kwargs=cluster)


def prefect_api_url() -> str | None:
    """The API this run reports to (also the temporary server a one-off run starts), if there is a run;
    in the transform's own process, the one its run passed on."""
    context = FlowRunContext.get()
    return str(context.client.api_url) if context else os.environ.get("PREFECT_API_URL")


class DaskCaptureReader(CaptureReader):
    """Reads a large run's captures on Dask, a small one's here (see the module's docstring)."""

    def __init__(self, raw_dir, settings: Settings, on_progress: Progress | None = None):
        super().__init__(raw_dir, on_progress)
        self.settings = settings
        self.ran_on: str | None = None  # where the chunks ran, once they did
        self.worker_peak_mb: dict[str, float] = {}  # each Dask worker's largest resident set, after the chunks

    def read_chunks(self, chunks: Iterable[Jobs], pages: int) -> Iterator[list[tuple]]:
        chunks = iter(chunks)
        if pages < self.settings.dask_from_pages:
            yield from super().read_chunks(chunks, pages)
            return
        waiting = deque()  # (chunk, its future): submitted, not yet handed on
        try:
            with dask_task_runner(self.settings) as runner:
                workers = len(runner.client.scheduler_info(n_workers=-1)["workers"]) or 1
                self.ran_on = self.settings.dask_address or "a local Dask cluster"
                yield from self._results(runner, chunks, waiting, workers)
                self.worker_peak_mb = runner.client.run(peak_memory_mb)
        # OSError: the scheduler at dask_address did not answer in time; RuntimeError: local workers could not
        # start (a script without an `if __name__ == "__main__"` guard, which spawned workers import again)
        except (OSError, RuntimeError) as error:
            where = self.settings.dask_address or "a local cluster"
            log.warning("Dask (%s) unavailable: %s; reading the pages here", where, error)
            self.ran_on = None
            # a cluster lost half-way: the chunks it had not handed back, and the rest, read here
            yield from super().read_chunks(itertools.chain((chunk for chunk, _ in waiting), chunks), pages)

    def _results(self, runner, chunks: Iterator[Jobs], waiting: deque, workers: int):
        """Each chunk's pages in the order of the chunks (the transform says how far it is). At most
        IN_FLIGHT_PER_WORKER chunks per worker are submitted ahead of the one awaited: read chunks do not
        pile up in the workers' memory while an earlier one is still being read."""
        window = workers * IN_FLIGHT_PER_WORKER
        for chunk in chunks:
            waiting.append((chunk, runner.submit(read_chunk, {"raw_dir": self.raw_dir, "jobs": chunk})))
            while len(waiting) >= window:
                yield self._collected(waiting)
        while waiting:
            yield self._collected(waiting)

    @staticmethod
    def _collected(waiting: deque) -> list[tuple]:
        results = waiting[0][1].result()
        waiting.popleft()  # handed on only once read
        return results


# -- the transform in a process of its own ---------------------------------------------------------

PROGRESS_PREFIX = "transform-progress "
KNOWN_FAILURES = {e.__name__: e for e in (NothingToRead, SiteNotAnswering)}  # said in one line by the run


class TransformError(RuntimeError):
    """The transform's process failed; the message holds its last words and where its log is."""


@dataclass
class TransformJob:
    """What the transform's process is given (pickled: the same code reads it on both sides)."""

    records_path: str
    raw_dir: str
    previous_release: str | None  # the folder of the release this run builds on; None on a first run
    run: RunInfo
    urls: UrlMap
    source: str
    previous_run: str | None
    min_answer_share: float
    settings: Settings
    out_dir: str
    api_url: str | None = None  # the Prefect API the Dask workers' task runs report to
    previous_files: dict[str, str] = field(default_factory=dict)  # its missing or damaged files, checked by the run

    @property
    def result_path(self) -> Path:
        return Path(self.out_dir) / "result.json"


def transform_apart(job: TransformJob, on_progress: Progress | None = None, timeout: float = 6 * 3600) -> dict:
    """Run the transform in its own process; {"tables": {name: Arrow table}, "ran_on", "worker_peak_mb",
    "peak_mb" (its own)}.
    A site that did not answer or holds nothing to read raises as it would here; anything else, TransformError."""
    out = Path(job.out_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "job.pickle").write_bytes(pickle.dumps(job))
    cmd = [sys.executable, "-m", "flows.engine", str(out / "job.pickle")]
    # the Prefect API the run reports to, set before the child imports Prefect (which reads it then)
    api = {"PREFECT_API_URL": job.api_url} if job.api_url else {}
    returncode, output = run_child(cmd, timeout, _progress_of, lambda p: on_progress and on_progress(*p), api)
    (out / "transform.log").write_text(output, encoding="utf-8")
    result = json.loads(job.result_path.read_text(encoding="utf-8")) if job.result_path.exists() else {}
    if failure := result.get("failure"):
        raise KNOWN_FAILURES[failure["kind"]](failure["message"])
    if returncode != 0 or not result:
        last = output.strip().splitlines()[-1:] or ["no output"]
        raise TransformError(f"transform failed (exit {returncode}): {last[0]}  [log: {out / 'transform.log'}]")
    tables = {name: map_table(out / f"{name}.arrow") for name in TABLES}
    shutil.rmtree(out, ignore_errors=True)  # the mapped tables stay readable until let go
    return {**result, "tables": tables}


def _progress_of(line: str) -> tuple[str, float] | None:
    if not line.startswith(PROGRESS_PREFIX):
        return None
    said = json.loads(line[len(PROGRESS_PREFIX) :])
    return said["line"], said["share"]


def _say_progress(line: str, share: float) -> None:
    print(PROGRESS_PREFIX + json.dumps({"line": line, "share": share}), flush=True)


def _transform_here(job: TransformJob) -> None:
    """The child's work: the transform in passes over chunks of pages (transform/build.Passes), each table's
    rows written as they come (Arrow IPC, sorted at the end, memory-mapped back by the run)."""
    from crawl.process import iter_records
    from publish.previous import empty_tables, read_release_tables

    # the files as the run checked them: hashing the whole previous release again would read it twice
    previous = (
        read_release_tables(Path(job.previous_release) / "data", job.previous_files)
        if job.previous_release
        else empty_tables()
    )
    reader = DaskCaptureReader(job.raw_dir, job.settings, on_progress=_say_progress)
    try:
        build_files(
            Path(job.out_dir), lambda: iter_records(job.records_path), job.raw_dir, previous, job.run, job.urls,
            job.source, _say_progress, job.previous_run, job.min_answer_share, reader,
            chunk_pages=job.settings.transform_chunk_pages,
        )  # fmt: skip
    except tuple(KNOWN_FAILURES.values()) as failure:
        result = {"failure": {"kind": type(failure).__name__, "message": str(failure)}}
        job.result_path.write_text(json.dumps(result), encoding="utf-8")
        return
    result = {"ran_on": reader.ran_on, "worker_peak_mb": reader.worker_peak_mb, "peak_mb": peak_memory_mb()}
    job.result_path.write_text(json.dumps(result), encoding="utf-8")


def main(job_path: str) -> None:
    _transform_here(pickle.loads(Path(job_path).read_bytes()))


if __name__ == "__main__":
    main(sys.argv[1])
