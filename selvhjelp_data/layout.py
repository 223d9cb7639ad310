"""Where everything lives under the output folder: one class, read by every stage.

output/
  releases/<run_id>/      published releases (never changed once there)
  releases/.staging-<id>/ a release being written (removed by the next run if a run crashed)
  latest                  symlink to the newest release that passed validation
  failed/<run_id>/        validation results of runs that published nothing
  state/raw/              content-addressed raw captures (file name = SHA-256 of the bytes)
  state/runs/<run_id>/    one run's crawl job, records, Scrapy stats and crawl log
  state/sitemaps.json     validators of the sitemaps (the pages' own are in the latest release)
  state/publish/          working copies of git data repositories
  state/latest-copy-set-aside-<run_id>/   a folder found where the `latest` link belongs (a copy), set aside
  logs/run-<time>.log     the full log of a run, tracebacks included
  .lock                   held by the run that is writing
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from selvhjelp_data.text import sha256_hex

# What may stand in an output folder besides our own entries: anything else means `--output` names
# a folder that is not ours (a home directory, `/`), and a run refuses to write into it.
OUR_ENTRIES = frozenset({"releases", "latest", "failed", "state", "logs", ".lock", ".latest.tmp", "README.md"})


class OutputLocked(RuntimeError):
    """Another run is writing into the same output folder."""


class NotAnOutputFolder(ValueError):
    """`--output` names a folder that holds something else than releases."""


@dataclass(frozen=True)
class OutputLayout:
    root: Path

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def latest(self) -> Path:
        return self.root / "latest"

    @property
    def failed(self) -> Path:
        return self.root / "failed"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def raw(self) -> Path:
        return self.state / "raw"

    @property
    def sitemap_state(self) -> Path:
        return self.state / "sitemaps.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"

    def release(self, run_id: str) -> Path:
        return self.releases / run_id

    def staging(self, run_id: str) -> Path:
        return self.releases / f".staging-{run_id}"

    def failed_run(self, run_id: str) -> Path:
        return self.failed / run_id

    def run_dir(self, run_id: str) -> Path:
        return self.state / "runs" / run_id

    def run_log(self, started: datetime) -> Path:
        """The log of a run started at `started` (it has a file before it has a run id)."""
        return self.logs / f"run-{started.astimezone(UTC):%Y%m%dT%H%M%SZ}.log"

    def publish_workdir(self, remote: str) -> Path:
        """The working copy of a git data repository, kept between runs."""
        return self.state / "publish" / sha256_hex(remote)[:12]

    def leftover_staging(self) -> list[Path]:
        return sorted(self.releases.glob(".staging-*")) if self.releases.is_dir() else []

    def published_releases(self) -> list[Path]:
        """Every published release, newest first."""
        if not self.releases.is_dir():
            return []
        return sorted((p for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)

    def check_is_ours(self) -> None:
        """Refuse a folder that holds anything but our layout, or that we cannot write into."""
        if not self.root.exists():
            try:
                self.root.mkdir(parents=True)
            except OSError as error:
                raise NotAnOutputFolder(f"--output {self.root} cannot be made: {error.strerror}") from None
        if not self.root.is_dir():
            raise NotAnOutputFolder(f"--output {self.root} is a file, not a folder")
        foreign = sorted(p.name for p in self.root.iterdir() if p.name not in OUR_ENTRIES)
        if foreign:
            shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
            raise NotAnOutputFolder(
                f"--output {self.root} holds other files ({shown}): give an empty folder or one with earlier releases"
            )
        if not os.access(self.root, os.W_OK):
            raise NotAnOutputFolder(f"--output {self.root} is not writable")

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Two runs never write at once: the second one stops at once and says why."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputLocked(
                    f"another run holds the lock on {self.lock_file}; try again when it has finished"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def set_aside_copied_latest(self, run_id: str) -> Path | None:
        """`latest` that is a folder, not the link to a release (a copy that followed the link): moved into
        state/, where nothing reads it, so a run starts from its own releases and can link `latest` again.
        Where it went, if it was one."""
        if self.latest.is_symlink() or not self.latest.is_dir():
            return None
        self.state.mkdir(parents=True, exist_ok=True)
        aside = self.state / f"latest-copy-set-aside-{run_id}"
        os.rename(self.latest, aside)
        return aside

    def switch_latest(self, release: Path) -> None:
        """Point `latest` at a release with one rename: readers see the old or the new, never neither."""
        link = self.root / ".latest.tmp"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(Path(os.path.relpath(release, self.root)))
        os.replace(link, self.latest)
