"""Publishing a release into a git data repository, so that the repository's history is the
dataset's history: one commit and one tag per release that changed something, a CHANGELOG.md
with one section per release, newest first.

Credentials come from the environment or git's credential helper; they are never written into
files, logs or commit messages (a URL's user:password part is masked in every message).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

DATASET_FILES = ("datapackage.json", "README.md", "changes.atom")
CHANGELOG = "CHANGELOG.md"
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


class PublishError(RuntimeError):
    pass


@dataclass
class PublishResult:
    release_id: str
    committed: bool
    tag: str | None
    message: str


def mask(text: str) -> str:
    return _CREDENTIALS.sub("***@", text)


def _git(args: list[str], cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # never wait for a password on a terminal
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise PublishError(
            f"git {args[0]} failed: {mask((proc.stderr or proc.stdout).strip().splitlines()[-1] if (proc.stderr or proc.stdout).strip() else 'no output')}"
        )
    return proc


def release_changes(release: Path, release_id: str) -> list[dict]:
    """The changes the run that made the release found (the table holds every earlier one too)."""
    return [c for c in pq.read_table(release / "data" / "changes.parquet").to_pylist() if c["run_id"] == release_id]


def commit_message(release_id: str, changes: list[dict]) -> str:
    counts = Counter(c["kind"] for c in changes)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    body = "\n".join(
        f"- {c['kind']}: {c['title'] or c['url']}" for c in sorted(changes, key=lambda c: (c["kind"], c["url"]))
    )
    return f"Release {release_id}: {summary}\n\n{body}\n"


def changelog_section(release_id: str, changes: list[dict]) -> str:
    lines = [f"## {release_id}", ""]
    for kind in sorted({c["kind"] for c in changes}):
        lines += [f"### {kind}", ""]
        for c in sorted((c for c in changes if c["kind"] == kind), key=lambda c: c["url"]):
            dates = f" (date {c['last_modified_before'] or '–'} → {c['last_modified_after'] or '–'})"
            lines.append(f"- [{c['title'] or c['url']}]({c['url']}){dates}")
        lines.append("")
    return "\n".join(lines)


def _checkout(remote: str, branch: str, workdir: Path) -> None:
    """A clean working copy of `branch`: fetched when it is there, a new orphan branch when the repository is empty."""
    if not (workdir / ".git").exists():
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.parent.mkdir(parents=True, exist_ok=True)
        _git(["clone", "--quiet", remote, str(workdir)])
    _git(["remote", "set-url", "origin", remote], cwd=workdir)
    _git(["fetch", "--quiet", "--tags", "origin"], cwd=workdir)
    if _git(["ls-remote", "--exit-code", "--heads", "origin", branch], cwd=workdir, check=False).returncode == 0:
        _git(["checkout", "--quiet", "-B", branch, f"origin/{branch}"], cwd=workdir)
        _git(["reset", "--quiet", "--hard", f"origin/{branch}"], cwd=workdir)
    else:
        _git(["checkout", "--quiet", "--orphan", branch], cwd=workdir, check=False)
    _git(["clean", "--quiet", "-fdx"], cwd=workdir)


def _replace_dataset_files(release: Path, workdir: Path) -> None:
    data = workdir / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    for path in sorted((release / "data").iterdir()):
        if path.suffix in (".csv", ".parquet"):
            shutil.copy2(path, data / path.name)
    for name in DATASET_FILES:
        shutil.copy2(release / name, workdir / name)


def publish_release_to_git(
    release: Path,
    remote: str,
    branch: str,
    workdir: Path,
    author: tuple[str, str] = ("selvhjelp-data", "selvhjelp-data@users.noreply.github.com"),
) -> PublishResult:
    """Commit, tag and push one release; nothing at all when it has no changes or is already there."""
    release = release.resolve()
    release_id = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["version"]
    tag = f"release-{release_id}"
    changes = release_changes(release, release_id)
    if not changes:
        return PublishResult(release_id, False, None, f"release {release_id} has no changes: nothing to publish")
    _checkout(remote, branch, workdir)
    if _git(["tag", "--list", tag], cwd=workdir).stdout.strip():
        return PublishResult(release_id, False, None, f"release {release_id} is already published as {tag}")
    _replace_dataset_files(release, workdir)
    old_changelog = (workdir / CHANGELOG).read_text(encoding="utf-8") if (workdir / CHANGELOG).exists() else ""
    heading = "# Changelog\n\nChanges of the selvhjelp.no policy pages, one section per release, newest first.\n\n"
    (workdir / CHANGELOG).write_text(
        heading + changelog_section(release_id, changes) + "\n" + old_changelog.removeprefix(heading), encoding="utf-8"
    )
    _git(["add", "--all"], cwd=workdir)
    if not _git(["status", "--porcelain"], cwd=workdir).stdout.strip():
        return PublishResult(release_id, False, None, f"release {release_id} changes no file: nothing to publish")
    identity = ["-c", f"user.name={author[0]}", "-c", f"user.email={author[1]}"]
    _git([*identity, "commit", "--quiet", "-m", commit_message(release_id, changes)], cwd=workdir)
    _git([*identity, "tag", "-a", tag, "-m", f"Release {release_id}"], cwd=workdir)
    try:
        _git(["push", "--quiet", "--atomic", "origin", f"HEAD:refs/heads/{branch}", f"refs/tags/{tag}"], cwd=workdir)
    except PublishError as error:
        # forget the local commit and tag, so the next attempt starts from the remote again
        _git(["tag", "-d", tag], cwd=workdir, check=False)
        shutil.rmtree(workdir, ignore_errors=True)
        raise PublishError(f"{error}; the release stays in {release}, nothing was pushed") from None
    return PublishResult(release_id, True, tag, f"pushed {tag} to {mask(remote)} ({branch})")
