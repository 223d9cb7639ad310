"""Publishing releases into a real local bare git repository."""

import subprocess

import pyarrow.parquet as pq
import pytest

from publish.git_repo import PublishError, mask, publish_release_to_git

pytestmark = pytest.mark.e2e


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def published(history, tmp_path_factory):
    """The first two releases, then the unchanged fourth, pushed into a bare repository."""
    tmp = tmp_path_factory.mktemp("git")
    bare = tmp / "data.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    workdir = tmp / "work"
    first, second, _, unchanged = history["releases"]
    results = [publish_release_to_git(r, str(bare), "main", workdir) for r in (first, second, unchanged)]
    clone = tmp / "clone"
    git("clone", "--quiet", str(bare), str(clone))
    releases = {"first": first, "second": second, "out": history["out"]}
    return dict(bare=bare, clone=clone, results=results, tmp=tmp, releases=releases, unchanged=unchanged)


def test_two_releases_give_two_commits_and_two_tags(published):
    log = git("log", "--format=%s", cwd=published["clone"]).splitlines()
    tags = git("tag", "--list", cwd=published["clone"]).split()
    first_id, second_id = published["releases"]["first"].name, published["releases"]["second"].name
    assert log == [
        f"Release {second_id}: 1 date_only, 1 modified, 1 modified_silently, 1 moved, 1 new, 1 removed",
        f"Release {first_id}: 6 new",
    ]
    assert tags == [f"release-{first_id}", f"release-{second_id}"]


def test_the_repository_holds_the_dataset_files_of_the_latest_release(published):
    clone, second = published["clone"], published["releases"]["second"]
    tracked = set(git("ls-files", cwd=clone).split())
    expected = {"datapackage.json", "README.md", "changes.atom", "CHANGELOG.md"} | {
        f"data/{p.name}" for p in (second / "data").iterdir()
    }
    assert tracked == expected
    assert (clone / "datapackage.json").read_bytes() == (second / "datapackage.json").read_bytes()
    assert pq.read_table(clone / "data" / "changes.parquet").num_rows == 12  # the first run's 6 and the second's


def test_changelog_has_one_section_per_release_newest_first(published):
    changelog = (published["clone"] / "CHANGELOG.md").read_text(encoding="utf-8")
    first_id, second_id = published["releases"]["first"].name, published["releases"]["second"].name
    assert changelog.index(f"## {second_id}") < changelog.index(f"## {first_id}")
    section = changelog.split(f"## {second_id}")[1].split(f"## {first_id}")[0]
    assert (
        "### date_only" in section
        and "[Kontakt oss](https://selvhjelp.no/kontakt/) (date 2019-11-15 → 2021-08-24)" in section
    )


def test_a_release_without_changes_adds_nothing(published):
    result = published["results"][2]
    assert not result.committed and "no changes" in result.message
    assert len(git("log", "--format=%H", cwd=published["clone"]).splitlines()) == 2
    assert len(git("tag", "--list", cwd=published["clone"]).split()) == 2


def test_publishing_the_same_release_again_adds_nothing(published, tmp_path):
    again = publish_release_to_git(published["releases"]["second"], str(published["bare"]), "main", tmp_path / "work")
    assert not again.committed and "already published" in again.message


def test_unreachable_remote_fails_with_a_clear_message_and_keeps_the_release(published, tmp_path):
    release = published["releases"]["second"]
    before = sorted(p.name for p in release.rglob("*"))
    with pytest.raises(PublishError, match=r"^git clone failed: .*"):
        publish_release_to_git(release, str(tmp_path / "nowhere.git"), "main", tmp_path / "work")
    assert sorted(p.name for p in release.rglob("*")) == before


def test_rejected_push_fails_cleanly_and_nothing_is_pushed(published, tmp_path):
    bare = tmp_path / "guarded.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(PublishError, match="git push failed: .*nothing was pushed"):
        publish_release_to_git(published["releases"]["first"], str(bare), "main", tmp_path / "work")
    assert subprocess.run(["git", "show-ref"], cwd=bare, capture_output=True).stdout == b""  # no branch, no tag
    assert (published["releases"]["first"] / "datapackage.json").exists()


def test_credentials_in_a_remote_url_are_masked():
    assert (
        mask("fatal: could not read from https://bot:s3cret@example.org/data.git")
        == "fatal: could not read from https://***@example.org/data.git"
    )


def test_publish_command_pushes_latest_and_says_what_it_did(published, tmp_path):
    bare = tmp_path / "cli.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    out = published["releases"]["out"]
    import sys

    cli = [sys.executable, "-m", "flows.cli", "publish", "--to", str(bare), "--output", str(out)]
    done = subprocess.run(cli, capture_output=True, text=True)
    # latest is the unchanged fourth release: nothing to publish, and it says so
    assert done.returncode == 0 and "no changes: nothing to publish" in done.stdout
    missing = subprocess.run([*cli[:-1], str(tmp_path / "empty")], capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stderr.startswith("selvhjelp-data publish: no release to publish")
