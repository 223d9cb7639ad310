"""Open a release's validation report in headless Chromium and save a screenshot.

    python tools/screenshot_report.py [RELEASE_DIR] [OUT.png]     (defaults: output/latest, validation-report.png)

Needs Debian's chromium (`apt-get install chromium`). The report must render offline: Chromium
runs with background networking off and no network is reachable here anyway.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def screenshot(report: Path, out: Path) -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--window-size=1400,1800",
                f"--screenshot={out}",
                report.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return out


if __name__ == "__main__":
    release = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("output/latest")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("validation-report.png")
    print(screenshot(release / "validation" / "report.html", out))
