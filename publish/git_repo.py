"""Publishing a release into a git data repository, so that the repository's history is the
dataset's history: one commit and one tag (`release-<id>`) per published release, a CHANGELOG.md
with one section per release, newest first, and a SHA256SUMS of the files it holds.

What is published is what the remote lacks: the remote is asked first (a mistyped URL fails here,
with git's reason), its last `release-*` tag says which changes it has, and a release is pushed
when the remote has none yet or lacks a change of it. The branch is the remote's default branch
(what `git clone` checks out), unless one is given.

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

from publish.datapackage import sha256sums
from publish.place import DEFAULT_BRANCH, TAG_PREFIX
from publish.present import ITEM_TABLES, Item, first_run_summary, item_rows, items_of_run, label, md_text, md_url
from publish.release import STATUS_FILE
from selvhjelp_data.schema import KIND_LABELS

DATASET_FILES = (
    "datapackage.json",
    "LICENSE",
    "README.md",
    "index.html",
    "changes.atom",
    "catalog.ttl",
    "catalog.jsonld",
    "status.json",
)
CHANGELOG = "CHANGELOG.md"
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
_HEADING = "# Changelog\n\nChanges of the selvhjelp.no policy pages, one section per release, newest first.\n\n"


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
        said = " ".join(line.strip() for line in (proc.stderr or proc.stdout).splitlines() if line.strip())
        verb = next(a for a in args if not a.startswith("-") and "=" not in a)  # "ls-remote", not "-c"
        raise PublishError(f"git {verb} failed: {mask(said or 'no output')}")
    return proc


# -- what the remote has -------------------------------------------------------------------------


@dataclass(frozen=True)
class Remote:
    url: str
    branch: str  # where releases go
    last_release: str | None  # the newest release-* tag's release id
    has_release: frozenset[str]


def check_target(url: str, branch: str | None) -> None:
    """A target or branch git would read as an option (`--upload-pack=CMD` runs CMD) is refused; every URL
    also goes to git after `--`."""
    for what, value in (("target", url), ("branch", branch or "")):
        if value.startswith("-"):
            raise PublishError(f"the {what} {value!r} starts with '-': git would take it for an option")


def ask_remote(url: str, branch: str | None) -> Remote:
    """The remote's default branch and release tags (git's error when it cannot be reached)."""
    check_target(url, branch)
    tags = _git(["ls-remote", "--tags", "--refs", "--", url]).stdout.split()
    releases = frozenset(
        ref.removeprefix(f"refs/tags/{TAG_PREFIX}") for ref in tags if ref.startswith(f"refs/tags/{TAG_PREFIX}")
    )
    return Remote(url, branch or default_branch(url), max(releases, default=None), releases)


def default_branch(url: str) -> str:
    """The branch the remote's HEAD names: what a `git clone` of it checks out."""
    head = _git(["ls-remote", "--symref", "--", url, "HEAD"]).stdout
    if m := re.search(r"^ref: refs/heads/(\S+)\s+HEAD", head, re.M):
        return m[1]
    if Path(url).is_dir():  # an empty repository on this machine: its HEAD names the branch to be born
        named = _git(["--git-dir", url, "symbolic-ref", "--short", "HEAD"], check=False).stdout.strip()
        if named:
            return named
    return DEFAULT_BRANCH  # an empty remote elsewhere does not say; the host's default is usually main


def changes_since(release: Path, after: str | None) -> list[dict]:
    """The release's changes the remote does not have (those found after its last release)."""
    changes = pq.read_table(release / "data" / "changes.parquet").to_pylist()
    return [c for c in changes if after is None or c["run_id"] > after]


# -- commit and changelog ------------------------------------------------------------------------


def summary(changes: list[dict]) -> str:
    counts = Counter(c["kind"] for c in changes)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no changes"


def commit_message(release_id: str, changes: list[dict]) -> str:
    body = "\n".join(
        f"- {c['kind']}: {c['title'] or c['url']}" for c in sorted(changes, key=lambda c: (c["kind"], c["url"]))
    )
    return f"Release {release_id}: {summary(changes)}\n\n{body}\n"


def items_since(release: Path, after: str | None) -> tuple[list[Item], str | None]:
    """The page changes and events of the runs the remote lacks, as people read them, and the line a
    first run gets instead of one item per page (None when the first run is not among them)."""
    rows = item_rows({name: pq.read_table(release / "data" / f"{name}.parquet") for name in ITEM_TABLES})
    first_line = None
    items = []
    for run_id in sorted(r["run_id"] for r in rows["runs"] if after is None or r["run_id"] > after):
        if summary := first_run_summary(rows, run_id):
            first_line = summary
        else:
            items += items_of_run(rows, run_id)
    return items, first_line


def changelog_section(release_id: str, items: list[Item], first_line: str | None = None) -> str:
    """One release's section: its page changes and events in Norwegian, each with its word-level diff."""
    lines = [f"## {release_id}", ""]
    if first_line:
        lines += [first_line + ".", ""]
    if not items and not first_line:
        lines += ["Ingen endringer på sidene siden forrige utgivelse her; registeret er oppdatert.", ""]
    for kind in sorted({item.kind for item in items}, key=lambda k: list(KIND_LABELS).index(k)):
        lines += [f"### {label(kind)}", ""]
        for item in (i for i in items if i.kind == kind):
            title = md_text(item.title.split(": ", 1)[-1])
            lines.append(f"- [{title}]({md_url(item.url)})" if item.url else f"- {title}")
            lines += [f"  - {md_text(detail)}" for detail in item.details]
            if item.word_diff:
                lines.append("  - `" + item.word_diff.replace("`", "'") + "`")
            elif item.excerpt:
                lines.append(f"  - «{md_text(item.excerpt)}»")
        lines.append("")
    return "\n".join(lines)


def _checkout(remote: Remote, workdir: Path) -> None:
    """A clean working copy of the branch: fetched when it is there, a new orphan branch otherwise."""
    if not (workdir / ".git").exists():
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        _git(["init", "--quiet"], cwd=workdir)
        _git(["remote", "add", "--", "origin", remote.url], cwd=workdir)
    _git(["remote", "set-url", "--", "origin", remote.url], cwd=workdir)
    _git(["fetch", "--quiet", "--tags", "--force", "origin"], cwd=workdir)
    if _git(["ls-remote", "--exit-code", "--heads", "origin", remote.branch], cwd=workdir, check=False).returncode == 0:
        _git(["checkout", "--quiet", "-B", remote.branch, f"origin/{remote.branch}"], cwd=workdir)
        _git(["reset", "--quiet", "--hard", f"origin/{remote.branch}"], cwd=workdir)
    else:
        _git(["checkout", "--quiet", "--orphan", remote.branch], cwd=workdir, check=False)
        _git(["rm", "-r", "--quiet", "--cached", "--ignore-unmatch", "."], cwd=workdir, check=False)
    _git(["clean", "--quiet", "-fdx"], cwd=workdir)


def _replace_dataset_files(release: Path, workdir: Path, release_id: str, last_release: str | None) -> None:
    data = workdir / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    for path in sorted((release / "data").iterdir()):
        if path.suffix in (".csv", ".parquet"):
            shutil.copy2(path, data / path.name)
    for name in DATASET_FILES:
        if (release / name).exists():
            shutil.copy2(release / name, workdir / name)
    _list_only_what_is_here(workdir)
    old = (workdir / CHANGELOG).read_text(encoding="utf-8") if (workdir / CHANGELOG).exists() else ""
    section = changelog_section(release_id, *items_since(release, last_release))
    (workdir / CHANGELOG).write_text(_HEADING + section + "\n" + old.removeprefix(_HEADING), encoding="utf-8")
    (workdir / "SHA256SUMS").write_text(sha256sums(workdir), encoding="utf-8")


def _push(workdir: Path, refs: list[str], release: Path) -> None:
    try:
        _git(["push", "--quiet", "--atomic", "origin", *refs], cwd=workdir)
    except PublishError as error:
        # forget the local commit and tag, so the next attempt starts from the remote again
        shutil.rmtree(workdir, ignore_errors=True)
        raise PublishError(f"{error}; the release stays in {release}, nothing was pushed") from None


def _heartbeat(release: Path, release_id: str, remote: Remote, workdir: Path, author: tuple[str, str]) -> PublishResult:
    """A run that found nothing the remote lacks: its status.json alone, so a reader of the repository sees
    the pipeline ran (and when, and what it asked), not only that nothing changed."""
    _checkout(remote, workdir)
    beat = json.loads((release / STATUS_FILE).read_text(encoding="utf-8"))
    (workdir / STATUS_FILE).write_text(
        json.dumps({**beat, "data_release": remote.last_release}, indent=1), encoding="utf-8"
    )
    (workdir / "SHA256SUMS").write_text(sha256sums(workdir), encoding="utf-8")
    _git(["add", "--all"], cwd=workdir)
    identity = ["-c", f"user.name={author[0]}", "-c", f"user.email={author[1]}"]
    message = f"Heartbeat {release_id}: no changes since release {remote.last_release}"
    _git([*identity, "commit", "--quiet", "--allow-empty", "-m", message], cwd=workdir)
    _push(workdir, ["HEAD:refs/heads/" + remote.branch], release)
    return PublishResult(
        release_id, True, None, f"{message}; status.json pushed to {mask(remote.url)} ({remote.branch})"
    )


def _list_only_what_is_here(workdir: Path) -> None:
    """The pushed datapackage.json lists the files the repository holds (a release folder also has its
    databases and validation results, which are not pushed)."""
    package = json.loads((workdir / "datapackage.json").read_text(encoding="utf-8"))
    package["x_files"] = [f for f in package["x_files"] if (workdir / f["path"]).is_file()]
    (workdir / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")


def publish_release_to_git(
    release: Path,
    url: str,
    branch: str | None,
    workdir: Path,
    author: tuple[str, str] = ("selvhjelp-data", "selvhjelp-data@users.noreply.github.com"),
) -> PublishResult:
    """Commit, tag and push the release when the remote lacks it; say why not otherwise."""
    release = release.resolve()
    release_id = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["version"]
    tag = TAG_PREFIX + release_id
    remote = ask_remote(url, branch)
    if release_id in remote.has_release:
        return PublishResult(release_id, False, None, f"release {release_id} is already published as {tag}")
    if remote.last_release and remote.last_release > release_id:
        return PublishResult(release_id, False, None, f"{mask(url)} has a newer release ({remote.last_release})")
    changes = changes_since(release, remote.last_release)
    if remote.last_release and not changes:
        return _heartbeat(release, release_id, remote, workdir, author)
    _checkout(remote, workdir)
    _replace_dataset_files(release, workdir, release_id, remote.last_release)
    _git(["add", "--all"], cwd=workdir)
    identity = ["-c", f"user.name={author[0]}", "-c", f"user.email={author[1]}"]
    _git([*identity, "commit", "--quiet", "--allow-empty", "-m", commit_message(release_id, changes)], cwd=workdir)
    _git([*identity, "tag", "-a", tag, "-m", f"Release {release_id}"], cwd=workdir)
    _push(workdir, [f"HEAD:refs/heads/{remote.branch}", f"refs/tags/{tag}"], release)
    return PublishResult(release_id, True, tag, f"pushed {tag} to {mask(url)} ({remote.branch}): {summary(changes)}")
