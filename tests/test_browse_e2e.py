"""`selvhjelp-data browse` in a real browser: Debian's Chromium, headless, reading what Datasette serves.

The screenshot of the changes page is kept in test-results/ (not committed). Without Chromium the
test is skipped, unless SELVHJELP_REQUIRE_BROWSER is set (CI sets it: .ci/run installs chromium).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tools.screenshot_report import CHROMIUM, run_chromium

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-results"

if CHROMIUM is None and not os.environ.get("SELVHJELP_REQUIRE_BROWSER"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(history):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    release = history["releases"][2]  # holds the epoch-2 changes and their reverts
    server = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "browse", str(release), "--port", str(port), "--no-open"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    yield url, release
    server.terminate()
    server.wait(10)


def test_the_browser_opens_on_the_newest_changes_and_a_screenshot_is_kept(site):
    url, release = site
    dom = run_chromium("--dump-dom", url + "/")
    changes = pd.read_parquet(release / "data" / "changes.parquet")
    assert "changes" in dom and f"{len(changes)} rows" in dom
    newest = changes.sort_values("detected_at").iloc[-1]
    assert newest.change_id in dom and "restored" in dom and "modified_silently" in dom
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / "browse-changes.png"
    shot.unlink(missing_ok=True)
    run_chromium(f"--screenshot={shot}", url + "/", window="1400,2600")  # tall enough for the rows
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_full_text_search_finds_a_quote(site):
    url, _ = site
    dom = run_chromium("--dump-dom", url + "/selvhjelp/quotes?_search=" + urllib.parse.quote("samhørighet"))
    assert "Mestring, samhørighet og håp" in dom and "1 row" in dom


def test_a_change_shows_its_diff_readably(site):
    url, release = site
    changes = pd.read_parquet(release / "data" / "changes.parquet")
    modified = changes[changes.kind == "modified"].iloc[0]
    dom = run_chromium("--dump-dom", f"{url}/selvhjelp/changes/{modified.change_id}")
    assert '<pre class="diff"' in dom
    assert "+I veilederen vises det også til at det er gjort undersøkelser" in dom.replace("&nbsp;", " ")
