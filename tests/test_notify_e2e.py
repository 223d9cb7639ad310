"""Notifications end to end: real flow runs, Apprise posting to a webhook receiver on 127.0.0.1."""

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from snapshot.server import SITE_DIR

pytestmark = pytest.mark.e2e
TWO_PAGES = ("https://selvhjelp.no/politisk-forankring/", "https://selvhjelp.no/kontakt/")


class Receiver(http.server.ThreadingHTTPServer):
    """Records every JSON message posted to it."""

    def __init__(self):
        self.messages = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.messages.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server_address[1]}/selvhjelp"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.shutdown()


EDITED = 9  # the epoch of the copy below


@pytest.fixture(scope="module")
def two_pages_change(tmp_path_factory):
    """A copy of the snapshot with one more epoch: epoch 1, but the two pages above as in epoch 2."""
    site = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(SITE_DIR, site)
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    manifest["epochs"][str(EDITED)] = "epoch 1 with two pages edited"
    for resource in manifest["resources"]:
        changed = resource["url"] in TWO_PAGES
        if (2 if changed else 1) in resource["epochs"]:
            resource["epochs"].append(EDITED)
    (site / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return site


def run(out, site, epoch):
    from flows.pipeline import selvhjelp_pipeline

    return selvhjelp_pipeline(source="snapshot", output_dir=str(out), snapshot_epoch=epoch, snapshot_dir=str(site))


def test_two_changed_pages_make_one_message_and_an_unchanged_run_none(
    prefect_harness, two_pages_change, receiver, tmp_path, monkeypatch
):
    run(tmp_path, two_pages_change, 1)
    monkeypatch.setenv("SELVHJELP_NOTIFY", receiver.url)
    outcome = run(tmp_path, two_pages_change, EDITED)
    assert len(receiver.messages) == 1 and outcome.notifications.sent == ["target 1 (json://…)"]
    message = receiver.messages[0]
    assert message["title"] == "selvhjelp.no: 2 sider endret (1 bare ny dato, 1 endret, med ny dato)"
    assert all(url in message["message"] for url in TWO_PAGES)
    assert "at det {+er+} gjort undersøkelser" in message["message"]  # the word-level diff
    run(tmp_path, two_pages_change, EDITED)
    assert len(receiver.messages) == 1  # nothing changed: no message


def test_an_unreachable_target_is_counted_and_the_release_still_published(
    prefect_harness, receiver, tmp_path, monkeypatch
):
    monkeypatch.setenv("SELVHJELP_NOTIFY", f"json://127.0.0.1:9/nobody,{receiver.url}")
    outcome = run(tmp_path, SITE_DIR, 1)
    assert Path(outcome).exists() and (tmp_path / "latest").resolve() == Path(outcome).resolve()
    assert outcome.notifications.failed == ["target 1 (json://…)"] and len(receiver.messages) == 1
    assert "notifications: 1 sent, 1 failed (target 1 (json://…))" in outcome.lines()[1]
