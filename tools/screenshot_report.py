"""Open a release's validation report in headless Chromium and save a screenshot.

    python tools/screenshot_report.py [RELEASE_DIR] [OUT.png]     (defaults: output/latest, validation-report.png)

Needs Debian's chromium (`apt-get install chromium`). The report must render offline: Chromium
runs with background networking off and no network is reachable here anyway. `run_chromium` is
also how the browser test drives `selvhjelp-data browse`.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium as the machines here run it: no sandbox as root, no network of its own, a fresh profile
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def run_chromium(*args: str, window: str = "1400,1000", check: bool = False, timeout: float = 90) -> str:
    """Headless Chromium on `args` (a URL and what to do with it: --dump-dom, --screenshot=...); its stdout."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, *HEADLESS, f"--user-data-dir={profile}", f"--window-size={window}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )
    return done.stdout


def screenshot(report: Path, out: Path) -> Path:
    run_chromium(f"--screenshot={out}", report.resolve().as_uri(), window="1400,1800", check=True, timeout=60)
    return out


if __name__ == "__main__":
    release = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("output/latest")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("validation-report.png")
    try:
        print(screenshot(release / "validation" / "report.html", out))
    except RuntimeError as error:
        sys.exit(str(error))
