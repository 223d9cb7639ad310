"""The bundled snapshot and its server: seed text, HTTP semantics, epoch-2 scenarios, fault modes."""

import http.client
import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from selvhjelp_data.reading import extract_page
from selvhjelp_data.text import normalise
from snapshot.server import OFFSITE_LOCATION, Fault, SnapshotServer

from .conftest import SEEDS_DIR

SHARE_BLOCK = "Del på sosiale medier"  # the seed of the WordPress page also caught the share block


def fetch(server, path, method="GET", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def path_of(url):
    return urllib.parse.urlsplit(url).path


def seed_resources(manifest, epoch=1):
    return [r for r in manifest["resources"] if "seed" in r and epoch in r["epochs"]]


def decode(response, body):
    charset = re.search(r"charset=([\w-]+)", response.getheader("Content-Type"))[1].lower()
    return body.decode("cp1252" if charset in ("iso-8859-1", "windows-1252") else charset)


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_served_article_text_is_the_seed_text(snapshot_server, manifest, seed):
    resource = next(r for r in seed_resources(manifest) if r["seed"] == seed)
    response, body = fetch(snapshot_server, path_of(resource["url"]))
    assert response.status == 200
    page = extract_page(decode(response, body), resource["url"])
    expected = next(SEEDS_DIR.glob(f"{seed}_*.txt")).read_text(encoding="utf-8").split(SHARE_BLOCK)[0]
    assert normalise(page.article_text) == normalise(expected)


def test_every_page_declares_its_charset_and_validators(snapshot_server, manifest):
    for resource in manifest["resources"]:
        if resource["status"] != 200 or 1 not in resource["epochs"]:
            continue
        response, _ = fetch(snapshot_server, path_of(resource["url"]), method="HEAD")
        assert response.status == 200
        assert "charset=" in response.getheader("Content-Type")
        assert response.getheader("Last-Modified") and response.getheader("ETag")


def test_a_legacy_page_is_served_in_windows_1252_with_norwegian_letters_intact(snapshot_server, manifest):
    resource = next(r for r in seed_resources(manifest) if r["seed"] == "003")
    response, body = fetch(snapshot_server, path_of(resource["url"]))
    assert response.getheader("Content-Type") == "text/html; charset=windows-1252"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "nære relasjoner" in body.decode("cp1252")


def test_conditional_requests_answer_304_without_a_body(snapshot_server):
    path = "/politisk-forankring/"
    first, _ = fetch(snapshot_server, path)
    by_etag, body = fetch(snapshot_server, path, headers={"If-None-Match": first.getheader("ETag")})
    by_date, _ = fetch(snapshot_server, path, headers={"If-Modified-Since": first.getheader("Last-Modified")})
    stale, _ = fetch(snapshot_server, path, headers={"If-None-Match": '"something-else"'})
    assert (by_etag.status, body, by_date.status, stale.status) == (304, b"", 304, 200)


def test_head_sends_headers_only_and_unknown_paths_are_404(snapshot_server):
    head, body = fetch(snapshot_server, "/kontakt/", method="HEAD")
    missing, _ = fetch(snapshot_server, "/no/finnes/ikke.ips")
    assert (head.status, body, int(head.getheader("Content-Length")) > 0) == (200, b"", True)
    assert missing.status == 404


def test_the_request_log_counts_what_was_downloaded(snapshot_server):
    fetch(snapshot_server, "/kontakt/")
    fetch(snapshot_server, "/kontakt/", method="HEAD")
    entries = snapshot_server.requests()
    assert [(e.method, e.path, e.status) for e in entries] == [("GET", "/kontakt/", 200), ("HEAD", "/kontakt/", 200)]
    assert entries[0].bytes > 1000 and entries[1].bytes == 0


def test_bodies_stay_on_disk_until_asked_for(tmp_path):
    """The server runs in the flow's process: a generated site of 100,000 pages would be a GB of bodies
    held there. So a body is read at each answer: a file changed under a running server is served changed."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.html").write_text("<html><body><p>første</p></body></html>", encoding="utf-8")
    manifest = {"resources": [{"url": "https://selvhjelp.no/a/", "epochs": [1], "status": 200, "file": "a.html",
                               "content_type": "text/html; charset=utf-8"}]}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with SnapshotServer(site_dir=tmp_path) as server:
        assert "første" in fetch(server, "/a/")[1].decode()
        (files / "a.html").write_text("<html><body><p>andre</p></body></html>", encoding="utf-8")
        assert "andre" in fetch(server, "/a/")[1].decode()


def test_concurrent_requests_are_served_in_parallel():
    with SnapshotServer(faults={"/treg/": Fault.SLOW}, slow_seconds=1.0) as server:
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: fetch(server, "/treg/")[0].status, range(4)))
        assert statuses == [200] * 4 and time.monotonic() - started < 2.5


def test_epoch_2_answers_each_documented_scenario(manifest):
    scenarios = {r["scenario"].split(":")[0]: r for r in manifest["resources"] if 2 in r["epochs"] and "scenario" in r}
    assert {"modified", "modified_silently", "date_only", "removed", "new", "moved"} <= set(scenarios)
    with SnapshotServer(epoch=1) as server:
        before = {
            k: extract_page(decode(*fetch(server, path_of(r["url"]))), r["url"])
            for k, r in scenarios.items()
            if k in ("modified", "modified_silently", "date_only")
        }
        server.set_epoch(2)
        after = {
            k: extract_page(decode(*fetch(server, path_of(r["url"]))), r["url"]) for k in before for r in [scenarios[k]]
        }
        moved, _ = fetch(server, path_of(scenarios["moved"]["url"]))
        removed, _ = fetch(server, path_of(scenarios["removed"]["url"]))
        new, _ = fetch(server, path_of(scenarios["new"]["url"]))
    assert (moved.status, moved.getheader("Location")) == (301, "https://selvhjelp.no/politisk-forankring/")
    assert (removed.status, new.status) == (404, 200)
    m, s, d = (
        (before["modified"], after["modified"]),
        (before["modified_silently"], after["modified_silently"]),
        (before["date_only"], after["date_only"]),
    )
    assert m[0].main_text != m[1].main_text and m[1].last_modified > m[0].last_modified
    assert s[0].main_text != s[1].main_text and s[0].last_modified is None and s[1].last_modified is None
    assert d[0].main_text == d[1].main_text and d[1].last_modified > d[0].last_modified


@pytest.mark.parametrize(
    "fault, check",
    [
        (Fault.SERVER_ERROR, lambda r, b: r.status == 500),
        (Fault.UNAVAILABLE, lambda r, b: r.status == 503 and r.getheader("Retry-After") == "1"),
        (Fault.REDIRECT_LOOP, lambda r, b: r.status == 302 and r.getheader("Location") == "/kontakt/"),
        (Fault.OFFSITE_REDIRECT, lambda r, b: r.status == 302 and r.getheader("Location") == OFFSITE_LOCATION),
        (
            Fault.BINARY,
            lambda r, b: r.status == 200 and r.getheader("Content-Type").startswith("text/html") and b"\x00" in b,
        ),
        (Fault.MALFORMED, lambda r, b: r.status == 200 and b"<h1>" in b and b"</html>" not in b),
        (Fault.OVERSIZED, lambda r, b: len(b) >= 1024 * 1024),
    ],
)
def test_fault_modes(fault, check):
    with SnapshotServer(faults={"/kontakt/": fault}, oversized_bytes=1024 * 1024) as server:
        response, body = fetch(server, "/kontakt/")
        untouched, _ = fetch(server, "/politisk-forankring/")
    assert check(response, body)
    assert untouched.status == 200  # faults are per path


def test_truncated_body_is_shorter_than_promised():
    with SnapshotServer(faults={"/kontakt/": Fault.TRUNCATED}) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/kontakt/")
        response = conn.getresponse()
        with pytest.raises(http.client.IncompleteRead):
            response.read()


def test_slow_fault_answers_only_after_the_delay():
    with SnapshotServer(faults={"/kontakt/": Fault.SLOW}, slow_seconds=1.0) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=0.3)
        conn.request("GET", "/kontakt/")
        with pytest.raises(socket.timeout):
            conn.getresponse()


def test_robots_disallow_fault_adds_the_path_to_robots_txt():
    with SnapshotServer(faults={"/kontakt/": Fault.ROBOTS_DISALLOW}) as server:
        _, robots = fetch(server, "/robots.txt")
        page, _ = fetch(server, "/kontakt/")
    assert b"Disallow: /kontakt/" in robots and page.status == 200


def test_command_line_server_answers_head_of_the_index_with_last_modified_and_charset():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "snapshot-server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "Serving" in proc.stdout.readline()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("HEAD", "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Last-Modified") == "Mon, 12 Jun 2017 09:21:00 GMT"
        assert "charset=" in response.getheader("Content-Type")
        assert (
            proc.stdout.readline()
            .rstrip()
            .endswith("HEAD /no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/ 200 0")
        )
    finally:
        proc.terminate()
        proc.wait(5)


def test_the_builder_remakes_the_bundled_pages_byte_for_byte(tmp_path):
    """tools/build_snapshot.py is how the pages were made: it must still make exactly them."""
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "tools/build_snapshot.py", "tests/fixtures/seeds", str(tmp_path)],
        cwd=root,
        check=True,
        capture_output=True,
    )
    made = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert len(made) == 18  # epochs 1 and 2, and the three files of epoch 3
    for name in made:
        assert (tmp_path / "files" / name).read_bytes() == (root / "snapshot" / "site" / "files" / name).read_bytes()
