"""Publishing releases into real local git repositories, read back with a real `git clone`."""

import json
import re
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
import rdflib

from publish.git_repo import PublishError, mask, publish_release_to_git

pytestmark = pytest.mark.e2e


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)


def bare(path):
    """A data repository as `git init --bare` makes it: its HEAD names master, and it is empty."""
    subprocess.run(
        ["git", "init", "--quiet", "--bare", str(path)],
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(path.parent), "GIT_CONFIG_NOSYSTEM": "1"},
    )
    return path


@pytest.fixture(scope="module")
def published(history, tmp_path_factory):
    """The first two releases, then the fourth (no changes of its own; the third was never pushed)."""
    tmp = tmp_path_factory.mktemp("git")
    remote = bare(tmp / "data.git")
    first, second, third, fourth = history["releases"]
    results = [publish_release_to_git(r, str(remote), None, tmp / "work") for r in (first, second, fourth)]
    clone = git("clone", str(remote), str(tmp / "clone"))
    return dict(
        remote=remote,
        clone=tmp / "clone",
        clone_said=clone.stderr,
        results=results,
        tmp=tmp,
        releases=history["releases"],
        out=history["out"],
    )


def test_a_clone_of_a_plain_bare_repository_checks_out_the_data(published):
    clone = published["clone"]
    assert "warning" not in published["clone_said"]
    assert git("branch", "--show-current", cwd=clone).stdout.strip() == "master"  # the remote's default
    assert (clone / "data" / "pages.parquet").exists() and (clone / "CHANGELOG.md").exists()
    assert pq.read_table(clone / "data" / "changes.parquet").num_rows == 18  # every change, the fourth release's


def test_sha256sums_check_out_in_the_clone_and_in_the_release(published):
    for where in (published["clone"], published["releases"][-1]):
        done = subprocess.run(
            ["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=where, capture_output=True, text=True
        )
        assert done.returncode == 0 and ": OK" in done.stdout, done.stdout + done.stderr


def test_each_publication_is_a_commit_and_a_tag_of_what_the_remote_lacked(published):
    first, second, third, fourth = (r.name for r in published["releases"])
    log = git("log", "--format=%s", cwd=published["clone"]).stdout.splitlines()
    assert log == [
        f"Release {fourth}: 1 date_only, 2 modified_silently, 1 removed, 2 restored",  # the third run's, never pushed
        f"Release {second}: 1 date_only, 1 modified, 1 modified_silently, 1 moved, 1 new, 1 removed",
        f"Release {first}: 6 new",
    ]
    assert git("tag", "--list", cwd=published["clone"]).stdout.split() == [
        f"release-{r}" for r in (first, second, fourth)
    ]


def test_the_changelog_has_a_section_per_release_newest_first(published):
    changelog = (published["clone"] / "CHANGELOG.md").read_text(encoding="utf-8")
    first, second = (r.name for r in published["releases"][:2])
    assert changelog.index(f"## {second}") < changelog.index(f"## {first}")
    section = changelog.split(f"## {second}")[1].split(f"## {first}")[0]
    assert "### bare ny dato" in section  # date_only, as a Norwegian reader reads it
    assert "- [Kontakt oss](https://selvhjelp.no/kontakt/)\n  - sidedato 15.11.2019 → 24.8.2021" in section


def test_a_release_the_remote_has_adds_nothing(published, tmp_path):
    again = publish_release_to_git(published["releases"][1], str(published["remote"]), None, tmp_path / "work")
    assert not again.committed and "already published" in again.message


def test_a_new_empty_repository_receives_the_latest_release_even_without_changes_of_its_own(published, tmp_path):
    remote = bare(tmp_path / "new.git")
    result = publish_release_to_git(published["releases"][-1], str(remote), None, tmp_path / "work")
    assert result.committed and result.tag == f"release-{published['releases'][-1].name}"
    git("clone", str(remote), str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "data" / "pages.parquet").exists()


def test_a_mistyped_remote_fails_before_anything_else(published, tmp_path):
    release = published["releases"][-1]
    with pytest.raises(
        PublishError, match=r"^git ls-remote failed: fatal: '.*nowhere.git' does not appear to be a git"
    ):
        publish_release_to_git(release, str(tmp_path / "nowhere.git"), None, tmp_path / "work")  # git's whole reason


def test_a_rejected_push_fails_cleanly_and_nothing_is_pushed(published, tmp_path):
    remote = bare(tmp_path / "guarded.git")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(PublishError, match="git push failed: .*nothing was pushed"):
        publish_release_to_git(published["releases"][0], str(remote), None, tmp_path / "work")
    assert subprocess.run(["git", "show-ref"], cwd=remote, capture_output=True).stdout == b""  # no branch, no tag


def test_credentials_in_a_remote_url_are_masked():
    assert (
        mask("fatal: could not read from https://bot:s3cret@example.org/data.git")
        == "fatal: could not read from https://***@example.org/data.git"
    )


def test_publish_command_pushes_latest_and_says_what_it_did(published, tmp_path):
    remote = bare(tmp_path / "cli.git")
    cli = [sys.executable, "-m", "flows.cli", "publish", "--to", str(remote), "--output", str(published["out"])]
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith(f"pushed release-{published['releases'][-1].name}")
    again = subprocess.run(cli, capture_output=True, text=True)
    assert again.returncode == 0 and "already published" in again.stdout
    missing = subprocess.run([*cli[:-1], str(tmp_path / "empty")], capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stderr.startswith("selvhjelp-data publish: no release to publish")


def test_a_run_that_found_nothing_pushes_its_heartbeat(published, tmp_path):
    """After the fourth release, publishing the fourth again adds nothing; a later release without changes
    (the history's last run found none) pushes status.json alone: when it ran, and where the data is."""
    fourth = published["releases"][-1]
    later = tmp_path / "later"
    shutil.copytree(fourth, later)  # a release of a later run that found nothing new
    package = json.loads((later / "datapackage.json").read_text())
    package["version"] = "20991231T060000Z"
    (later / "datapackage.json").write_text(json.dumps(package))
    beat = json.loads((later / "status.json").read_text())
    (later / "status.json").write_text(json.dumps({**beat, "run_id": "20991231T060000Z", "changes": 0}))
    result = publish_release_to_git(later, str(published["remote"]), None, tmp_path / "work")
    assert result.committed and result.tag is None and result.message.startswith("Heartbeat 20991231T060000Z")
    clone = tmp_path / "clone"
    git("clone", str(published["remote"]), str(clone))
    status = json.loads((clone / "status.json").read_text())
    assert (status["run_id"], status["data_release"], status["changes"]) == ("20991231T060000Z", fourth.name, 0)
    assert git("log", "-1", "--format=%s", cwd=clone).stdout.startswith("Heartbeat 20991231T060000Z")
    done = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=clone, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


RAW = "https://github.com/selvhjelp-data/selvhjelp-data-releases/raw/"  # the default (placeholder) place


def test_every_url_of_the_pushed_catalogue_is_a_file_of_the_clone_or_its_tag(published):
    clone = published["clone"]
    graph = rdflib.Graph().parse(clone / "catalog.ttl")
    downloads = [str(o) for o in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/dcat#downloadURL"))]
    assert downloads and all(url.startswith(RAW + "release-") for url in downloads)  # pinned to a release tag
    for url in downloads:
        ref, path = url.removeprefix(RAW).split("/", 1)
        shown = subprocess.run(["git", "cat-file", "-e", f"{ref}:{path}"], cwd=clone, capture_output=True)
        assert shown.returncode == 0, f"{url} is no file of {ref}"
    package = json.loads((clone / "datapackage.json").read_text())
    assert all((clone / f["path"]).is_file() for f in package["x_files"])  # lists only what the clone holds
    assert (clone / "LICENSE").read_text().startswith("The tables and files of this dataset are published by")
    card = (clone / "README.md").read_text()
    assert "a data repository holds the rest" in card


def test_two_releases_of_the_same_data_differ_in_their_json_ld_only_where_runs_dates_and_checksums_do(published):
    third, fourth = (
        json.dumps(json.loads((r / "catalog.jsonld").read_text()), indent=1, sort_keys=True).splitlines()
        for r in published["releases"][2:4]
    )
    assert len(third) == len(fourth)  # the same nodes and properties, in the same order: line for line
    changed = [line for pair in zip(third, fourth, strict=True) if pair[0] != pair[1] for line in pair]
    assert changed, "the two releases are of different runs"
    expected = re.compile(r"\d{8}T\d{6}Z|\d{4}-\d{2}-\d{2}|\b[0-9a-f]{40}\b|\"@value\": \"\d+\"")
    assert [line for line in changed if not expected.search(line)] == []
