import json
from pathlib import Path

import pytest

from snapshot.server import SITE_DIR, SnapshotServer

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS_DIR = FIXTURES / "seeds"  # copied from ../shared/seeds: the text captured from the real pages


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
    from selvhjelp_data.prefect_env import configure

    configure()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
