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
