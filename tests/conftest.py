import json
from pathlib import Path

import pytest

from snapshot.server import SITE_DIR, SnapshotServer

FIXTURES = Path(__file__).parent / "fixtures"
PUBLIC_URL_PATTERN = r"^https?://(selvhjelp\.no|www\.selvhjelp\.no)/"  # what a crawl under public names records
SEEDS_DIR = FIXTURES / "seeds"  # copied from ../shared/seeds: the text captured from the real pages


def crawl_snapshot(tmp: Path, epoch: int = 1):
    """A real crawl of the bundled snapshot into tmp/crawl and tmp/raw; returns its CrawlJob."""
    from crawl.process import CrawlJob, run_crawl

    with SnapshotServer(epoch=epoch) as server:
        job = CrawlJob(out_dir=str(tmp / "crawl"), raw_dir=str(tmp / "raw"), mirror=server.url, speed="full")
        run_crawl(job)
    return job


@pytest.fixture
def snapshot_server():
    with SnapshotServer(epoch=1) as server:
        yield server


@pytest.fixture(scope="session")
def manifest():
    return json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (it takes ~20 s to start here)."""
    from flows.prefect_env import configure

    configure()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        import prefect.settings

        yield prefect.settings.PREFECT_API_URL.value()  # for a command-line run in a child process


def tree_digest(root):
    import hashlib

    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(root).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def history(prefect_harness, tmp_path_factory):
    """Four real flow runs into one output folder: the snapshot's epoch 1, epoch 2 (one scenario per
    change kind), epoch 1 again (every edit undone) and epoch 1 once more (nothing changed)."""
    from flows.pipeline import selvhjelp_pipeline

    out = tmp_path_factory.mktemp("output")
    releases, digests = [], []
    for epoch in (1, 2, 1, 1):
        releases.append(Path(selvhjelp_pipeline(source="snapshot", output_dir=str(out), snapshot_epoch=epoch)))
        digests.append(tree_digest(releases[-1]))
    return dict(out=out, releases=releases, digests=digests, first=releases[0], second=releases[1])
