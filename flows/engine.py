"""Where the transform's heavy step runs: reading every capture (and the document references in it).

A small run reads its pages in the flow's process: starting workers would cost more than they save.
From `dask_from_pages` pages on (settings), the captures are read in chunks, each chunk a Prefect task
on a Dask task runner (prefect-dask): on a local cluster of one worker process per core, or on the
dask.distributed scheduler at `dask_address`, whose workers run this project (`dask worker ADDRESS`
in its environment) and see the same output folder. Scheduling, retries and where each chunk runs are
Dask's; the chunks are pure (captures in, pages out), so where they ran never changes the release.
"""

from __future__ import annotations

import logging
import os
import resource
import time

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from selvhjelp_data.settings import Settings
from transform.build import CaptureReader, Progress, read_captures

log = logging.getLogger(__name__)
CHUNKS_PER_WORKER = 4  # enough chunks that a slow one does not leave the other workers idle
CHUNK_PAGES = (64, 2000)  # bounds of a chunk: the per-task overhead below, a worker's memory above
PROGRESS_SECONDS = 2.0  # a long transform says where it is this often
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
    """The API this run reports to (also the temporary server a one-off run starts), if there is a run."""
    context = FlowRunContext.get()
    return str(context.client.api_url) if context else None


def peak_rss_mb() -> float:
    """This process's largest resident set so far, in MB (run on each worker)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def chunks(jobs: list, workers: int) -> list[list]:
    low, high = CHUNK_PAGES
    size = min(high, max(low, -(-len(jobs) // (workers * CHUNKS_PER_WORKER))))
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


class DaskCaptureReader(CaptureReader):
    """Reads a large run's captures on Dask, a small one's here (see the module's docstring)."""

    def __init__(self, raw_dir, settings: Settings, on_progress: Progress | None = None):
        super().__init__(raw_dir, on_progress)
        self.settings = settings
        self.ran_on: str | None = None  # where the chunks ran, once they did
        self.worker_peak_mb: dict[str, float] = {}  # each Dask worker's largest resident set, after the chunks

    def __call__(self, jobs):
        if len(jobs) < self.settings.dask_from_pages:
            return self.read_here(jobs)
        runner = dask_task_runner(self.settings)
        try:
            with runner:
                futures = [
                    runner.submit(read_chunk, {"raw_dir": self.raw_dir, "jobs": c}) for c in self._chunks(jobs, runner)
                ]
                self.ran_on = self.settings.dask_address or "a local Dask cluster"
                pages = self.keep(list(self._results(futures, len(jobs))))
                self.worker_peak_mb = runner.client.run(peak_rss_mb)
                return pages
        # OSError: the scheduler at dask_address did not answer in time; RuntimeError: local workers could not
        # start (a script without an `if __name__ == "__main__"` guard, which spawned workers import again)
        except (OSError, RuntimeError) as error:
            where = self.settings.dask_address or "a local cluster"
            log.warning("Dask (%s) unavailable: %s; reading the pages here", where, error)
            self.ran_on = None
            return self.read_here(jobs)

    def _chunks(self, jobs, runner) -> list[list]:
        workers = len(runner.client.scheduler_info(n_workers=-1)["workers"]) or 1
        return chunks(jobs, workers)

    def _results(self, futures, total: int):
        """Each chunk's pages in the order of the jobs, with a progress line every PROGRESS_SECONDS."""
        last, done = time.monotonic(), 0
        for future in futures:
            results = future.result()
            done += len(results)
            if self.on_progress and time.monotonic() - last >= PROGRESS_SECONDS:
                last = time.monotonic()
                self.on_progress(f"transform: read {done} of {total} pages", 0.5 * done / total)
            yield from results
