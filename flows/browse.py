"""`selvhjelp-data browse`: look at a release in a web browser, with Datasette.

Serves the release's SQLite copy (selvhjelp.db) with its metadata (datasette.json: every table's
and column's description, the licence and the source) and the plugin in datasette_plugins/, on
127.0.0.1. The index opens on the newest changes; pages, quotes and documents have full-text search.
"""

from __future__ import annotations

import subprocess
import sys
import webbrowser
from pathlib import Path

from publish.databases import DATASETTE_METADATA, SQLITE_FILE

PLUGINS = Path(__file__).parent / "datasette_plugins"


class NotARelease(ValueError):
    pass


def datasette_command(release: Path, host: str, port: int) -> list[str]:
    release = Path(release).resolve()
    database = release / SQLITE_FILE
    if not database.exists():
        raise NotARelease(
            f"{release} is not a release with {SQLITE_FILE} (give a folder under output/releases, or output/latest)"
        )
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(database),
        "--metadata",
        str(release / DATASETTE_METADATA),
        "--plugins-dir",
        str(PLUGINS),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "default_page_size",
        "50",
        "--setting",
        "sql_time_limit_ms",
        "3000",
    ]


def browse(release: Path, host: str = "127.0.0.1", port: int = 8001, open_browser: bool = True) -> int:
    command = datasette_command(release, host, port)
    url = f"http://{host}:{port}/"
    print(f"Browsing {Path(release).resolve()} at {url}  (the newest changes first; Ctrl-C stops)", flush=True)
    server = subprocess.Popen(command)
    if open_browser:
        webbrowser.open(url)
    try:
        return server.wait()
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(10)
