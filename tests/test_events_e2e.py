"""What changed, told at the level a policy monitor thinks in, over real flow runs of the snapshot's
epochs 1 → 2 → 3 (epoch 3: a quotation reworded, a white paper newly cited, the head office's phone and
tasks changed): the events table, the feed as a reader parses it, the messages of two subscribers with
different filters, the git CHANGELOG, and the release page in Chromium at desktop and phone width."""

from pathlib import Path

import feedparser
import pyarrow.parquet as pq
import pytest

from publish.git_repo import publish_release_to_git
from tools.screenshot_report import CHROMIUM, run_chromium

from .test_git_publish import git
from .test_notify_e2e import Receiver

pytestmark = pytest.mark.e2e
KONTAKT, FORANKRING = "https://selvhjelp.no/kontakt/", "https://selvhjelp.no/politisk-forankring/"
REWORDED = "Det er [-vesentlig-]{+avgjørende+} at det offentlige krisearbeidet ikke overtar …"  # git's word-diff form


@pytest.fixture(scope="module")
def three_runs(prefect_harness, tmp_path_factory):
    """Epochs 1, 2 and 3; the third told to two subscribers, one about a white paper, one about offices."""
    from flows.pipeline import selvhjelp_pipeline

    out = tmp_path_factory.mktemp("events") / "out"
    white_paper, offices = Receiver(), Receiver()
    releases = []
    with pytest.MonkeyPatch.context() as patch:
        for epoch in (1, 2, 3):
            if epoch == 3:
                patch.setenv(
                    "SELVHJELP_NOTIFY",
                    f"{white_paper.url} only document=meld-st-19-2018-2019,{offices.url} only kind=office_*+task_*",
                )
            releases.append(Path(selvhjelp_pipeline(source="snapshot", output_dir=str(out), snapshot_epoch=epoch)))
    white_paper.shutdown()
    offices.shutdown()
    return {"out": out, "releases": releases, "white_paper": white_paper.messages, "offices": offices.messages}


def events_of(release: Path) -> list[dict]:
    rows = pq.read_table(release / "data" / "events.parquet").to_pylist()
    return [e for e in rows if e["run_id"] == release.name]


def test_the_events_of_epoch_3_name_each_thing_with_its_words_before_and_after(three_runs):
    events = {(e["kind"], e["url"]): e for e in events_of(three_runs["releases"][2])}
    assert set(events) == {
        ("document_cited", FORANKRING),
        ("quote_reworded", FORANKRING),
        ("office_changed", KONTAKT),
        ("task_added", KONTAKT),
    }
    assert events[("document_cited", FORANKRING)]["document_id"] == "meld-st-19-2018-2019"
    assert events[("quote_reworded", FORANKRING)]["word_diff"] == REWORDED
    phone = events[("office_changed", KONTAKT)]
    assert (phone["field"], phone["before"], phone["after"]) == ("phone", "23 33 19 00", "23 33 19 10")
    assert phone["word_diff_html"] == "23 33 19 <del>00</del>\u2009<ins>10</ins>"


def test_epoch_2_tells_the_page_edit_word_by_word_and_the_new_page_cites_its_plan(three_runs):
    release = three_runs["releases"][1]
    changes = [
        c for c in pq.read_table(release / "data" / "changes.parquet").to_pylist() if c["run_id"] == release.name
    ]
    edited = next(c for c in changes if c["url"] == FORANKRING)
    assert "at det {+er+} gjort undersøkelser" in edited["word_diff"] and "<ins>er</ins>" in edited["word_diff_html"]
    removed = next(c for c in changes if c["kind"] == "removed")
    assert removed["excerpt"].startswith("Helsedirektoratet informerer")  # what the page said
    assert [e["kind"] for e in events_of(release)] == ["document_cited"]


def test_the_feed_tells_events_in_norwegian_with_their_diff_and_a_first_run_as_one_entry(three_runs):
    feed = feedparser.parse(three_runs["releases"][2] / "changes.atom")
    assert feed.feed.language == "nb" and not feed.bozo
    titles = [e.title for e in feed.entries]
    assert titles[-1] == "Første kjøring: 6 sider registrert"  # not six full texts
    quote = next(e for e in feed.entries if e.title.startswith("sitat endret"))
    assert "<del>vesentlig</del>\u2009<ins>avgjørende</ins>" in quote.content[0].value
    phone = next(e for e in feed.entries if e.title.startswith("kontor endret"))
    assert "telefon: 23 33 19 00 → 23 33 19 10" in phone.content[0].value
    moved = next(e for e in feed.entries if e.title.startswith("flyttet"))
    assert f'ny adresse: <a href="{FORANKRING}">' in moved.content[0].value  # the new address is a link
    undated = next(e for e in feed.entries if e.title.startswith("ny side"))
    assert "sidedato" not in undated.content[0].value  # a page with no date shows no date line
    assert all("index.html#run-" in e.content[0].value for e in feed.entries[:-1])


def test_two_subscribers_with_different_filters_get_different_messages(three_runs):
    (about_white_paper,) = three_runs["white_paper"]
    (about_offices,) = three_runs["offices"]
    assert "dokument omtalt: Meld. St. 19 (2018–2019)" in about_white_paper["message"]
    assert "telefon" not in about_white_paper["message"] and "sitat" not in about_white_paper["message"]
    assert "telefon: 23 33 19 00 → 23 33 19 10" in about_offices["message"]
    assert "oppgave lagt til" in about_offices["message"] and "Meld. St. 19 (2018" not in about_offices["message"]


def test_the_changelog_lists_the_events_with_their_word_diffs(three_runs, tmp_path):
    remote = tmp_path / "data.git"
    git("init", "--quiet", "--bare", str(remote), cwd=tmp_path)
    publish_release_to_git(three_runs["releases"][2], str(remote), None, tmp_path / "work")
    changelog = (tmp_path / "work" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "### sitat endret" in changelog and f"`{REWORDED}`" in changelog
    assert "### kontor endret" in changelog and "telefon: 23 33 19 00 → 23 33 19 10" in changelog
    assert "Første kjøring: 6 sider registrert." in changelog


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_release_page_shows_the_diffs_and_fits_a_phone(three_runs, tmp_path, width):
    page = three_runs["releases"][2] / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "<del>vesentlig</del>" in text and "<svg" in text and "Meld. St. 19 (2018–2019)" in text
    assert "http" not in text.split("<body>")[0]  # nothing fetched: styles and chart are inline
    shot = tmp_path / f"page-{width}.png"
    run_chromium(f"--screenshot={shot}", page.as_uri(), window=f"{width},1600", check=True)
    assert shot.stat().st_size > 20_000
    # laid out at this width, the page is no wider than the window (no sideways scrolling on a phone)
    probe = page.with_name(f"probe-{width}.html")
    probe.write_text(
        text.replace(
            "</body>",
            "<script>document.title = document.documentElement.scrollWidth <= innerWidth ? 'fits' : 'overflows'"
            "</script></body>",
        ),
        encoding="utf-8",
    )
    dom = run_chromium("--dump-dom", probe.as_uri(), window=f"{width},1600")
    probe.unlink()
    assert "<title>fits</title>" in dom
