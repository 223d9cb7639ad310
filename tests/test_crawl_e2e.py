"""The real Scrapy crawl, in a child process, over real HTTP against the snapshot server."""

import json
import urllib.parse

import pytest

from crawl.process import CrawlJob, run_crawl
from crawl.progress import CrawlProgress
from crawl.state import write_json_atomically
from selvhjelp_data.raw_store import read_raw
from selvhjelp_data.reading import extract_page, read_page
from snapshot.server import Fault, SnapshotServer

from .saved import snapshot_capture

pytestmark = pytest.mark.e2e

INDEX = "http://www.selvhjelp.no/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/"


def known_from(records):
    """What the flow would hand the next crawl after publishing these records."""
    return {
        r["url"]: {
            "kind": r["kind"],
            "status": r["status"],
            "etag": r["http_etag"],
            "last_modified": r["http_last_modified"],
            "raw_sha256": r["raw_sha256"],
        }
        for r in records
        if r["outcome"] in ("fetched", "not_found")
    }


def crawl(server, tmp_path, name, state=None, **job):
    state_path = None
    if state is not None:
        state_path = tmp_path / f"{name}-known.json"
        write_json_atomically(state_path, state)
    job = CrawlJob(
        out_dir=str(tmp_path / name),
        raw_dir=str(tmp_path / "raw"),
        mirror=server.url,
        known_path=str(state_path) if state_path else None,
        speed="full",
        **job,
    )
    crawl = run_crawl(job)
    return crawl.summary, crawl.records()


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    with SnapshotServer(epoch=1) as server:
        summary, records = crawl(server, tmp, "first")
        first_log = server.requests()
        server.clear_log()
        second_summary, second_records = crawl(server, tmp, "second", state=known_from(records))
        second_log = server.requests()
    return dict(
        summary=summary,
        records=records,
        log=first_log,
        second_summary=second_summary,
        second_records=second_records,
        second_log=second_log,
        tmp=tmp,
    )


def test_crawl_gets_exactly_the_expected_urls_and_statuses(first_crawl, manifest):
    pages = {r["url"]: r["status"] for r in first_crawl["records"] if r["kind"] == "page"}
    in_snapshot = {
        r["url"]: r["status"]
        for r in manifest["resources"]
        if 1 in r["epochs"] and r.get("content_type", "").startswith("text/html")
    }
    index_html = snapshot_capture(INDEX).body.decode("utf-8")
    children = {urllib.parse.unquote(link.url) for link in extract_page(index_html, INDEX).links}
    missing_children = {u for u in children if u not in {urllib.parse.unquote(p) for p in in_snapshot}}
    assert len(in_snapshot) == 6 and len(missing_children) == 11
    assert {urllib.parse.unquote(u): s for u, s in pages.items()} == {
        **{urllib.parse.unquote(u): 200 for u in in_snapshot},
        **{u: 404 for u in missing_children},
    }


def test_records_carry_public_urls_never_the_snapshot_server(first_crawl):
    for record in first_crawl["records"]:
        assert record["url"].startswith(("http://www.selvhjelp.no/", "https://selvhjelp.no/"))
        assert "127.0.0.1" not in json.dumps({k: v for k, v in record.items() if k != "fetched_url"})
        assert record["fetched_url"].startswith("http://127.0.0.1:")


def test_every_body_is_in_the_raw_store_and_records_say_which(first_crawl):
    fetched = [r for r in first_crawl["records"] if r["outcome"] == "fetched"]
    assert len(fetched) == 8  # 6 pages, 2 sitemaps
    for r in fetched:
        raw = first_crawl["tmp"] / "raw" / r["raw_sha256"][:2] / r["raw_sha256"]
        assert raw.stat().st_size == r["bytes"] > 0
        assert r["fetched_at"].endswith("+00:00") and r["http_etag"] and r["http_last_modified"]


def test_both_generations_are_told_apart_in_the_spider(first_crawl):
    by_url = {r["url"]: r for r in first_crawl["records"]}
    assert by_url["https://selvhjelp.no/politisk-forankring/"]["site_generation"] == "wordpress"
    assert by_url[INDEX]["site_generation"] == "legacy"


def test_second_crawl_of_an_unchanged_site_downloads_no_page_body(first_crawl):
    page_bodies = [e for e in first_crawl["second_log"] if e.bytes > 0 and e.path != "/robots.txt"]
    assert page_bodies == []
    statuses = {r["url"]: (r["method"], r["status"]) for r in first_crawl["second_records"] if r["kind"] == "page"}
    assert sum(1 for m, s in statuses.values() if s == 304) == 6
    assert all(m == "HEAD" for m, s in statuses.values() if s == 404)  # known 404s are asked without a body
    assert first_crawl["second_summary"].unchanged == 6 and first_crawl["second_summary"].pages_fetched == 0


FAULTS = {
    "/feil/": Fault.UNAVAILABLE,
    "/for-stor/": Fault.OVERSIZED,
    "/binaer/": Fault.BINARY,
    "/ut/": Fault.OFFSITE_REDIRECT,
    "/sirkel/": Fault.REDIRECT_LOOP,
    "/avkortet/": Fault.TRUNCATED,
    "/treg/": Fault.SLOW,
    "/odelagt/": Fault.MALFORMED,
    "/kontakt/": Fault.ROBOTS_DISALLOW,
}


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    start = ["https://selvhjelp.no" + p for p in FAULTS] + [INDEX]
    with SnapshotServer(epoch=1, faults=FAULTS, slow_seconds=4, oversized_bytes=2 * 1024 * 1024) as server:
        summary, records = crawl(
            server,
            tmp,
            "faults",
            start_urls=start,
            sitemap_urls=[],
            settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 2, "DOWNLOAD_MAXSIZE": 1024 * 1024},
        )
        log = server.requests()
    stats = json.loads((tmp / "faults" / "stats.json").read_text())
    return dict(summary=summary, records={r["url"]: r for r in records}, log=log, stats=stats, tmp=tmp)


def outcome(fault_crawl, path):
    r = fault_crawl["records"]["https://selvhjelp.no" + path]
    return r["outcome"], r["reason"]


def test_a_5xx_page_is_retried_then_recorded_as_failed(fault_crawl):
    assert outcome(fault_crawl, "/feil/") == ("failed", "http 503 after 2 retries")
    assert sum(1 for e in fault_crawl["log"] if e.path == "/feil/") == 3


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/for-stor/", ("skipped", "too large (over 1048576 bytes)")),
        ("/binaer/", ("skipped", "binary body labelled as HTML")),
        ("/ut/", ("skipped", "off-site redirect to http://example.org/elsewhere/")),
        ("/kontakt/", ("failed", "disallowed by robots.txt")),  # the site not answering us, not an answer
        ("/sirkel/", ("failed", "redirect loop (1 hops)")),
        ("/avkortet/", ("failed", "truncated body after 2 retries")),
        ("/treg/", ("failed", "timeout after 2 retries")),
    ],
)
def test_each_fault_is_recorded_with_its_reason(fault_crawl, path, expected):
    assert outcome(fault_crawl, path) == expected


def test_malformed_html_is_read_not_fatal(fault_crawl):
    r = fault_crawl["records"]["https://selvhjelp.no/odelagt/"]
    page = read_page(read_raw(fault_crawl["tmp"] / "raw", r["raw_sha256"]), r["url"], r["content_type"])
    assert r["outcome"] == "fetched" and page.title.startswith("Ødelagt")


def test_a_slow_page_does_not_stall_the_rest_of_the_crawl(fault_crawl):
    assert fault_crawl["records"][INDEX]["outcome"] == "fetched"
    assert fault_crawl["summary"].duration_seconds < 20


def test_nothing_outside_the_snapshot_server_is_requested(fault_crawl):
    # every request the downloader made arrived at our server; the off-site hop was never sent
    assert fault_crawl["stats"]["downloader/request_count"] == len(fault_crawl["log"])
    assert not any("example.org" in e.path for e in fault_crawl["log"])


def test_a_crawl_reports_where_it_is_while_it_runs(tmp_path):
    """Progress lines come from the child as it works (here every 0.1 s, with one page taking a second
    to answer) and the last one is the total."""
    seen = []
    with SnapshotServer(epoch=1, faults={"/politisk-forankring/": Fault.SLOW}, slow_seconds=1) as server:
        job = CrawlJob(
            out_dir=str(tmp_path / "c"),
            raw_dir=str(tmp_path / "raw"),
            mirror=server.url,
            speed="full",
            settings={"SELVHJELP_PROGRESS_SECONDS": 0.1, "DOWNLOAD_TIMEOUT": 5, "LOG_LEVEL": "INFO"},
        )
        result = run_crawl(job, on_progress=seen.append)
    assert len(seen) >= 2 and all(isinstance(p, CrawlProgress) for p in seen)
    assert [p.fetched for p in seen] == sorted(p.fetched for p in seen)  # counts only grow
    last = seen[-1]
    assert last.fetched == result.summary.requests and last.queued == 0 and last.share_done() == 1.0
    assert any(p.queued > 0 for p in seen[:-1])  # mid-crawl: the slow page was still on the wire
    log = (tmp_path / "c" / "crawl.log").read_text()
    assert "PROGRESS" not in log  # progress is not log noise
    # Scrapy lists its extensions at INFO: ours is on; no way into a running crawl is
    assert "crawl.extensions.ProgressLines" in log and "RemoteControl" not in log and "TelnetConsole" not in log
