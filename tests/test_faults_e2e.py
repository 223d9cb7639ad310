"""Fault injection around the real flow: the site misbehaves, our machine misbehaves, the input is bad.

Every scenario starts from a copy of one good output folder (two releases of the snapshot), then
compares the release before and after: no row lost, no change invented, `latest` readable; and the
next normal run publishes the same record as a run that never failed. docs/reliability.md lists
each scenario with the test that shows it.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.pipeline import ReleaseBlocked
from flows.stop import STOP_GRACE_SECONDS
from selvhjelp_data.layout import OutputLayout, OutputLocked
from selvhjelp_data.schema import TABLES

from .faults import SNAPSHOT_PATHS, copy_output, differing_tables, latest, lost_rows, run, tables

pytestmark = pytest.mark.e2e
P = SNAPSHOT_PATHS


@pytest.fixture(scope="module")
def good(prefect_harness, tmp_path_factory):
    """Two good releases of the snapshot; and, beside them, the release a third normal run makes."""
    base = tmp_path_factory.mktemp("good") / "out"
    run(base)
    run(base)
    reference = copy_output(base, tmp_path_factory.mktemp("reference") / "out")
    return {"base": base, "before": tables(latest(base)), "never_failed": tables(run(reference))}


@pytest.fixture
def out(good, tmp_path):
    return copy_output(good["base"], tmp_path / "out")


def assert_kept_and_recovers(good, out, expect_new_changes=0):
    """Nothing of the good release lost, no change invented; the next normal run is as if nothing failed."""
    after = tables(latest(out))
    assert lost_rows(good["before"], after) == dict.fromkeys(after, 0)
    assert len(after["changes"]) - len(good["before"]["changes"]) == expect_new_changes
    assert differing_tables(tables(run(out)), good["never_failed"]) == []


# -- the site ------------------------------------------------------------------------------------


def test_a_first_run_on_a_dead_site_publishes_nothing_and_says_why(tmp_path, prefect_harness):
    out = tmp_path / "fresh"
    cli = [sys.executable, "-m", "flows.cli", "run", "--start-url", "http://127.0.0.1:9/no/", "--output", str(out)]
    env = {**os.environ, "SELVHJELP_RETRY_TIMES": "0", "PREFECT_API_URL": prefect_harness}
    done = subprocess.run(cli, capture_output=True, text=True, env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert re.match(r"selvhjelp-data run: 127\.0\.0\.1 unreachable: 0 of \d+ pages answered \(connection refused", last)
    assert "[log: " in last and not (out / "releases").exists() and not (out / "latest").exists()


def test_a_dead_site_after_good_releases_publishes_nothing_and_says_so(good, out):
    with pytest.raises(Exception, match=r"selvhjelp\.no unreachable: 0 of \d+ pages answered \(http 503"):
        run(out, {"*": "503"})
    assert latest(out).name == latest(good["base"]).name and differing_tables(tables(latest(out)), good["before"]) == []


def test_one_page_answering_503_keeps_every_row_of_every_table(good, out):
    release = run(out, {P["politisk_forankring"]: "503"})
    after = tables(release)
    page = after["pages"].set_index("url").loc["https://selvhjelp.no/politisk-forankring/"]
    assert page.status == 200 and page.last_fetch_status == 503 and page.last_fetch_error.startswith("http 503")
    for name in ("quotes", "document_mentions", "documents", "office_tasks", "offices"):
        now = after[name][after[name].last_seen_run == release.name]
        assert len(now) == len(good["before"][name][good["before"][name].last_seen_run == latest(good["base"]).name])
    assert_kept_and_recovers(good, out)


@pytest.mark.parametrize(
    "faults",
    [
        {
            P["politisk_forankring"]: "500",
            P["kontakt"]: "truncated",
            P["index"]: "empty",
            P["seed_000"]: "binary",
            P["seed_003"]: "wrong_charset",
            P["seed_002"]: "redirect_loop",
        },
        {
            P["politisk_forankring"]: "offsite_redirect",
            P["kontakt"]: "oversized",
            P["index"]: "wrong_charset",
            P["seed_000"]: "robots_disallow",
            P["seed_003"]: "503",
            P["seed_002"]: "slow",
        },
    ],
    ids=["5xx-truncated-empty-binary-charset-loop", "offsite-oversized-charset-robots-503-timeout"],
)
def test_every_page_misbehaving_at_once_loses_nothing_and_invents_nothing(good, out, faults, monkeypatch):
    monkeypatch.setenv("SELVHJELP_DOWNLOAD_TIMEOUT", "1")  # the slow page answers after 5 s
    monkeypatch.setenv("SELVHJELP_DOWNLOAD_MAXSIZE", str(1024 * 1024))  # the oversized one sends 6 MB
    release = run(out, faults)
    pages = tables(release)["pages"]
    assert pages.last_fetch_error.notna().sum() >= 4 and (pages.status == 200).all()
    monkeypatch.undo()
    assert_kept_and_recovers(good, out)


def test_a_site_wide_maintenance_page_is_an_outage_not_new_text(good, out):
    """Every path answers 200 with "Vi oppgraderer nettstedet": no page's text is replaced, no link becomes a
    page, nothing is published; when the site is back, the next run is as if nothing had happened."""
    with pytest.raises(Exception, match=r"answers with pages that are not its own: 0 of \d+ pages answered"):
        run(out, {"*": "maintenance"})
    assert latest(out).name == latest(good["base"]).name
    assert_kept_and_recovers(good, out)


@pytest.mark.parametrize("fault", ["soft_404", "maintenance"])
def test_one_page_answering_200_with_a_stand_in_keeps_its_text_and_rows(good, out, fault):
    release = run(out, {P["politisk_forankring"]: fault})
    page = tables(release)["pages"].set_index("url").loc["https://selvhjelp.no/politisk-forankring/"]
    assert page.status == 200 and page.last_fetch_status == 200 and page.last_fetch_error
    assert_kept_and_recovers(good, out)


def test_a_temporary_redirect_is_the_same_page_not_a_new_one(good, out):
    release = run(out, {P["kontakt"]: "302"})
    pages = tables(release)["pages"]
    assert len(pages) == len(good["before"]["pages"]) and not pages.url.str.contains("midlertidig").any()
    assert_kept_and_recovers(good, out)


def test_robots_txt_shutting_us_out_is_an_outage(good, out):
    with pytest.raises(Exception, match=r"unreachable: 0 of \d+ pages answered \(disallowed by robots\.txt"):
        run(out, {"/": "robots_disallow"})
    assert latest(out).name == latest(good["base"]).name and differing_tables(tables(latest(out)), good["before"]) == []


# -- our machine ---------------------------------------------------------------------------------


def captures_of(out: Path, url: str) -> Path:
    sha = tables(latest(out))["pages"].set_index("url").loc[url].raw_sha256
    return out / "state" / "raw" / sha[:2] / sha


def records_of(out: Path, release: Path) -> dict:
    path = out / "state" / "runs" / release.name / "records.jsonl"
    return {r["url"]: r for r in map(json.loads, path.read_text().splitlines())}


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_damaged_or_missing_raw_capture_is_fetched_again_not_trusted(good, out, damage):
    url = "https://selvhjelp.no/politisk-forankring/"
    capture = captures_of(out, url)
    capture.write_bytes(capture.read_bytes()[:100]) if damage == "truncate" else capture.unlink()
    release = run(out)
    assert records_of(out, release)[url]["outcome"] == "fetched"  # asked without If-None-Match
    assert records_of(out, release)["https://selvhjelp.no/kontakt/"]["outcome"] == "not_modified"
    assert_kept_and_recovers(good, out)


def test_a_damaged_parquet_file_of_latest_is_named_and_read_from_its_csv(good, out, caplog):
    damaged = latest(out) / "data" / "quotes.parquet"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    run(out)
    assert f"{damaged} is damaged: quotes is read from quotes.csv" in caplog.text
    assert_kept_and_recovers(good, out)


def test_a_latest_release_damaged_past_reading_is_named_and_the_one_before_used(good, out, caplog):
    damaged = latest(out)
    for name in ("quotes.parquet", "quotes.csv"):
        (damaged / "data" / name).write_text("garbage")
    run(out)
    assert f"{damaged}: damaged data/quotes.csv, damaged data/quotes.parquet" in caplog.text
    after = tables(latest(out))
    lost = lost_rows(good["before"], after)
    assert lost == {**dict.fromkeys(after, 0), "runs": 1}  # the damaged release's own run, nothing else
    assert differing_tables(tables(run(out)), good["never_failed"]) == []


@pytest.mark.parametrize("what", ["sitemap state", "whole state folder", "latest link"])
def test_lost_or_damaged_state_costs_a_full_fetch_at_most(good, out, what):
    if what == "sitemap state":
        (out / "state" / "sitemaps.json").write_text('{"https://selvhjelp.no/wp-sitemap.xml": {"etag"')
    elif what == "whole state folder":
        import shutil

        shutil.rmtree(out / "state")
    else:
        (out / "latest").unlink()
    run(out)
    assert_kept_and_recovers(good, out)


def test_a_second_run_at_the_same_time_stops_at_once(good, out):
    with OutputLayout(out).lock(), pytest.raises(OutputLocked, match="another run holds the lock"):
        run(out)
    assert latest(out).name == latest(good["base"]).name


def test_a_run_that_fails_validation_publishes_nothing_and_leaves_latest(good, out):
    crashed = out / "releases" / ".staging-20200101T000000Z"  # as a crashed run would leave it
    (crashed / "data").mkdir(parents=True)
    with pytest.raises(ReleaseBlocked, match=r"live pages \(status 200\) fell from 6 to 0"):
        run(out, {"*": "404"})  # the site answers, but every page is gone
    assert latest(out).name == latest(good["base"]).name and not crashed.exists()
    failed = list((out / "failed").glob("*/validation/results.json"))
    assert len(failed) == 1 and '"success": false' in failed[0].read_text()
    assert_kept_and_recovers(good, out)


def cli_run(out: Path, api_url: str | None) -> subprocess.Popen:
    """A run from the command line in its own process group; api_url None: its own temporary API server."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"PREFECT_API_URL": api_url} if api_url else {})
    cli = [sys.executable, "-m", "flows.cli", "run", "--source", "snapshot", "--output", str(out)]
    return subprocess.Popen(
        cli, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )


def wait_for(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    """Read the run's terminal lines until one starts with `marker` (the end of a stage)."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if marker in line or not line:
            return "".join(seen)
    raise AssertionError(f"no {marker!r} within {timeout} s: {''.join(seen)}")


def crawl_child(proc: subprocess.Popen) -> bool:
    out = subprocess.run(["pgrep", "-f", "-g", str(os.getpgid(proc.pid)), "crawl.process"], capture_output=True)
    return out.returncode == 0


@pytest.mark.parametrize(
    "stage, marker",
    [
        ("crawl", None),
        ("transform", "crawl:"),
        ("validate", "tables:"),
        ("publish", "validation passed"),
    ],
)
def test_sigkill_at_any_stage_leaves_latest_readable_and_the_next_run_whole(good, out, prefect_harness, stage, marker):
    proc = cli_run(out, prefect_harness)
    if marker:
        wait_for(proc, marker)
    else:
        deadline = time.monotonic() + 60
        while not crawl_child(proc) and time.monotonic() < deadline:
            time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert tables(latest(out))  # readable: the old release or, killed after the switch, the new one
    assert latest(out).parent == out / "releases"
    assert_kept_and_recovers(good, out)


@pytest.mark.parametrize(
    "marker, own_server", [("crawl:", False), ("tables:", True)], ids=["crawling", "validating-own-server"]
)
def test_sigterm_stops_a_run_within_seconds_with_no_orphan(good, out, prefect_harness, marker, own_server):
    """Inside the flow Prefect's SIGTERM handler stands in front of ours; the watchdog starts all the same. With
    the run's own temporary API server (stopped by the same signal) Prefect's clean-up would retry for 12 s."""
    proc = cli_run(out, None if own_server else prefect_harness)
    wait_for(proc, marker)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)
    assert time.monotonic() - started < STOP_GRACE_SECONDS + 2 and proc.returncode == 130  # the documented grace
    assert "stopped; nothing published" in proc.stderr.read()
    time.sleep(0.5)
    assert subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True).returncode == 1  # none left
    assert latest(out).name == latest(good["base"]).name


# -- bad input -----------------------------------------------------------------------------------

BAD_INPUT = [
    (["--start-url", "not a url"], {}, "--start-url: 'not a url' is not an http(s) URL"),
    (["--start-url", "ftp://x"], {}, "--start-url: 'ftp://x' is not an http(s) URL"),
    (["--source", "snapshot"], {"SELVHJELP_DOWNLOAD_MAXSIZE": "-5"}, "SELVHJELP_DOWNLOAD_MAXSIZE=-5 is out of range"),
    (["--source", "snapshot"], {"SELVHJELP_DEPTH_LIMIT": "two"}, "SELVHJELP_DEPTH_LIMIT='two' is not a whole number"),
    (["--source", "snapshot"], {"SELVHJELP_LICENCE": "GPL"}, "SELVHJELP_LICENCE='GPL': choose one of NLOD-2.0"),
    (["--source", "snapshot"], {"SELVHJELP_NOTIFY": "no-such-service"}, "SELVHJELP_NOTIFY: target 1"),
    (["--source", "snapshot"], {"SELVHJELP_MIN_ANSWER_SHARE": "1.5"}, "SELVHJELP_MIN_ANSWER_SHARE=1.5"),
    (["--output", "/"], {}, "--output / holds other files"),
    (["--output", "{file}/sub"], {}, "--output"),
    (
        ["--source", "snapshot"],
        {"SELVHJELP_PUBLISHER_NAME": "Selvhjelp \udcff"},
        "SELVHJELP_PUBLISHER_NAME is not valid UTF-8",
    ),
    (["--source", "snapshot"], {"SELVHJELP_OWN_HOSTS": ","}, "SELVHJELP_OWN_HOSTS is empty"),
    (
        ["--source", "snapshot"],
        {"SELVHJELP_ALLOW_PATTERNS": "^/(no"},
        "SELVHJELP_ALLOW_PATTERNS: '^/(no' is not a regular",
    ),
    (["--source", "snapshot"], {"SELVHJELP_DOWNLOAD_TIMEOUT": "nan"}, "SELVHJELP_DOWNLOAD_TIMEOUT=nan is not a finite"),
    (["--source", "snapshot"], {"SELVHJELP_MIN_ANSWER_SHARE": "nan"}, "SELVHJELP_MIN_ANSWER_SHARE=nan is not a finite"),
    (
        ["--source", "snapshot"],
        {"SELVHJELP_PUBLISHER_ORG_NUMBER": "1> a <b"},
        "SELVHJELP_PUBLISHER_ORG_NUMBER='1> a <b'",
    ),
    (["--source", "snapshot"], {"SELVHJELP_CONTACT_URL": 'https://x.no/"> <a'}, "SELVHJELP_CONTACT_URL:"),
    (["--source", "snapshot"], {"SELVHJELP_USER_AGENT": "bot\r\nX-Evil: 1"}, "SELVHJELP_USER_AGENT="),
    (["--source", "snapshot"], {"SELVHJELP_SITE_TIMEZONE": "Mars/Base"}, "SELVHJELP_SITE_TIMEZONE='Mars/Base'"),
    (["--source", "snapshot"], {"SELVHJELP_PUBLISH_TO": "--upload-pack=touch x"}, "SELVHJELP_PUBLISH_TO="),
    (["--source", "snapshot"], {"SELVHJELP_LEGACY_PATH_PREFIX": "no"}, "SELVHJELP_LEGACY_PATH_PREFIX='no'"),
    (
        ["--source", "snapshot"],
        {"SELVHJELP_DASK_ADDRESS": "10.0.0.5"},
        "SELVHJELP_DASK_ADDRESS='10.0.0.5' is not a Dask",
    ),
    (["--source", "snapshot"], {"SELVHJELP_DASK_FROM_PAGES": "0"}, "SELVHJELP_DASK_FROM_PAGES=0 is out of range"),
]


@pytest.mark.parametrize("args, env, message", BAD_INPUT, ids=[m.split(" ")[0].rstrip(":=") for _, _, m in BAD_INPUT])
def test_bad_input_is_one_clear_line_and_a_failure_exit(tmp_path, args, env, message):
    (tmp_path / "a-file").write_text("")
    args = [a.format(file=tmp_path / "a-file") for a in args]
    if "--output" not in args:
        args += ["--output", str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("selvhjelp-data run: ") and message in lines[0]


def _run_cli(args: list[str], prefect_harness: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SELVHJELP_RETRY_TIMES": "0", "PREFECT_API_URL": prefect_harness}
    return subprocess.run([sys.executable, "-m", "flows.cli", "run", *args], capture_output=True, text=True, env=env)


def test_a_start_url_that_answers_404_is_one_line_and_nothing_published(tmp_path, prefect_harness, snapshot_server):
    start = f"{snapshot_server.url}/finnes-ikke/"
    done = _run_cli(["--start-url", start, "--output", str(tmp_path / "out")], prefect_harness)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1 and "Traceback" not in done.stderr and "validation" not in done.stderr
    assert last.startswith(f"selvhjelp-data run: the start page {start} answered 404 (not found): check --start-url")
    assert not (tmp_path / "out" / "releases").exists()


def test_a_site_without_an_article_is_one_line_and_nothing_published(tmp_path, prefect_harness):
    import functools
    import http.server
    import threading

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><head><title>Parkert domene</title></head><body><div></div></body></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        start = f"http://127.0.0.1:{server.server_address[1]}/"
        done = _run_cli(["--start-url", start, "--output", str(tmp_path / "out")], prefect_harness)
        server.shutdown()
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1 and "Traceback" not in done.stderr and "validation" not in done.stderr
    assert last.startswith(f"selvhjelp-data run: no page of {start} holds an article: 1 page answered")


OTHER_COMMANDS = [
    (["serve", "--cron", "61 * * *"], "selvhjelp-data serve: --cron '61 * * *' is not a cron schedule"),
    (["serve", "--start-url", "not a url", "--output", "/"], "selvhjelp-data serve: --start-url: 'not a url'"),
    (["publish", "--to=--upload-pack=touch {marker}"], "selvhjelp-data publish: the target '--upload-pack"),
]


@pytest.mark.parametrize("args, message", OTHER_COMMANDS, ids=["cron", "serve-input", "git-option"])
def test_serve_and_publish_refuse_bad_input_in_one_line_before_anything_starts(tmp_path, args, message):
    marker = tmp_path / "ran"
    args = [a.format(marker=marker) for a in args]
    if "--output" not in args:
        args += ["--output", str(tmp_path / "out")]
    done = subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and lines[0].startswith(message), done.stderr
    assert not marker.exists()  # the option never reached git


def test_latest_replaced_by_a_copied_folder_is_set_aside_and_the_run_publishes(good, out):
    """A copy that followed the `latest` link is not our release: it is set aside, the run builds on the
    newest release in releases/ and links `latest` again."""
    copy = out / "latest"
    target = copy.resolve()
    copy.unlink()
    shutil.copytree(target, copy)
    (copy / "data" / "pages.parquet").write_bytes(b"stale")  # whatever the copy holds is not read
    release = run(out)
    assert (out / "latest").is_symlink() and latest(out) == release
    assert list((out / "state").glob("latest-copy-set-aside-*"))
    assert lost_rows(good["before"], tables(release)) == dict.fromkeys(TABLES, 0)


def test_a_release_whose_database_stays_in_its_journal_is_not_published(tmp_path):
    """A file-size limit cuts selvhjelp.duckdb while its data waits in a .wal: the files are read back
    before `latest` moves, and the release is refused."""
    script = f"""
import resource, sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from tests.test_release import write_and_promote
resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))
write_and_promote(Path({str(tmp_path)!r}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and ("File too large" in done.stderr or "does not read back" in done.stderr)
    assert not (tmp_path / "out" / "latest").exists()


def test_a_full_disk_under_the_log_file_is_one_line_not_a_flood(tmp_path):
    """/dev/full answers every write with ENOSPC, as a full disk does."""
    script = """
import logging
from pathlib import Path
from flows.console import QuietFileHandler
logging.getLogger().addHandler(QuietFileHandler(Path('/dev/full')))
for n in range(500):
    logging.getLogger('crawl').warning('line %d', n)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 0 and len(lines) == 1 and "No space left on device" in lines[0], done.stderr[:2000]


def test_a_failed_push_is_said_beside_a_published_release_not_a_failed_run(good, out, tmp_path, monkeypatch):
    from flows.pipeline import selvhjelp_pipeline

    monkeypatch.setenv("SELVHJELP_PUBLISH_TO", str(tmp_path / "no-such-repository.git"))
    outcome = selvhjelp_pipeline(source="snapshot", output_dir=str(out))
    assert latest(out) == Path(outcome.release) and latest(out).name != latest(good["base"]).name
    assert outcome.pushed.startswith("push to the data repository failed:")
    assert outcome.lines()[-1].strip() == outcome.pushed
