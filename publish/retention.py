"""Which local releases to keep. Every run publishes a release, and a run with no change is a whole copy
(its runs row and last-seen columns moved on); kept forever, a daily schedule fills a disk with copies.

Kept: the newest `keep` releases; beyond them, every release whose run found a change or an event, and the
last release of each month (a reader can still look at the record as it stood then). `latest` is always
kept. The record loses nothing either way: each release holds the whole history.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from selvhjelp_data.layout import OutputLayout


def releases_to_remove(runs: list[tuple[str, bool]], keep: int) -> list[str]:
    """Run ids (oldest first) of releases to remove; `runs`: (run_id, found something) of every release."""
    ordered = sorted(runs)
    newest = {run_id for run_id, _ in ordered[-keep:]}
    month_ends = {max(r for r, _ in ordered if r[:6] == month) for month in {r[:6] for r, _ in ordered}}
    return [r for r, changed in ordered if r not in newest and not changed and r not in month_ends]


def prune_releases(layout: OutputLayout, found: dict[str, bool], keep: int) -> list[Path]:
    """Remove the releases the rule lets go (`found`: run id -> the run found a change or an event)."""
    on_disk = {p.name: p for p in layout.published_releases()}
    latest = layout.latest.resolve().name if layout.latest.is_symlink() else None
    runs = [(run_id, found.get(run_id, True)) for run_id in on_disk]  # a release we know nothing of is kept
    removed = []
    for run_id in releases_to_remove(runs, keep):
        if run_id != latest:
            shutil.rmtree(on_disk[run_id])
            removed.append(on_disk[run_id])
    return removed
