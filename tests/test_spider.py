"""The spider's callbacks on saved responses (no network, no reactor): what each answer becomes."""

import pytest
import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawl.spiders.selvhjelp import SelvhjelpSpider
from selvhjelp_data.records import CrawlRecord

from .saved import INDEX, SEED_001, snapshot_capture

MIRROR = "http://127.0.0.1:8765"
KNOWN = {
    SEED_001: {
        "kind": "page",
        "status": 200,
        "etag": '"abc"',
        "last_modified": "Mon, 15 Nov 2021 10:12:31 GMT",
        "raw_sha256": "0" * 64,
    },
    "https://selvhjelp.no/borte/": {"kind": "page", "status": 404},
}


def spider(tmp_path=None, **kwargs) -> SelvhjelpSpider:
    crawler = get_crawler(SelvhjelpSpider, {"SELVHJELP_RAW_DIR": str(tmp_path or "."), "DOWNLOAD_MAXSIZE": 1000})
    return SelvhjelpSpider.from_crawler(crawler, mirror=MIRROR, known=KNOWN, **kwargs)


def answer(spider, url, status=200, body=b"", headers=None, method="GET", **meta) -> list:
    request = spider._request(url, spider.parse_page, "start", method=method, **meta)
    response_class = HtmlResponse if body else Response
    response = response_class(request.url, status=status, body=body, headers=headers or {}, request=request)
    return list(spider.parse_page(response))


def saved_answer(spider, url):
    capture = snapshot_capture(url)
    return answer(spider, url, body=capture.body, headers={"Content-Type": capture.content_type, "ETag": '"e1"'})


def records(items):
    return [i for i in items if isinstance(i, CrawlRecord)]


def requests(items):
    return [i for i in items if isinstance(i, scrapy.Request)]


def test_a_page_answered_200_is_one_fetched_record_under_its_public_url():
    (record,) = records(saved_answer(spider(), SEED_001))
    assert (record.url, record.outcome, record.status) == (SEED_001, "fetched", 200)
    assert record.fetched_url == MIRROR + "/politisk-forankring/" and record.http_etag == '"e1"'


def test_the_record_carries_the_site_generation():
    (record,) = records(saved_answer(spider(), SEED_001))
    assert record.site_generation == "wordpress"
    (record, *_links) = saved_answer(spider(), INDEX)
    assert record.site_generation == "legacy"


def test_the_body_goes_to_the_raw_store_not_the_record():
    (record,) = records(saved_answer(spider(), SEED_001))
    assert record.body == snapshot_capture(SEED_001).body and "body" not in record.to_json_dict()


def test_article_links_are_followed_through_the_mirror_with_their_link_text():
    follow = requests(saved_answer(spider(), INDEX))
    assert len(follow) == 13 and all(r.url.startswith(MIRROR + "/no/") for r in follow)
    assert all(r.meta["via"] == INDEX and r.meta["link_depth"] == 1 and r.meta["link_text"] for r in follow)


def test_links_are_not_followed_past_the_depth_bound_nor_the_page_parsed(monkeypatch):
    import crawl.spiders.selvhjelp as module

    parsed = []
    monkeypatch.setattr(module, "article_links", lambda *args: parsed.append(args) or ())
    s = spider()
    request = s._request(INDEX, s.parse_page, "start", depth=s.depth_limit)
    capture = snapshot_capture(INDEX)
    response = HtmlResponse(
        request.url, body=capture.body, headers={"Content-Type": capture.content_type}, request=request
    )
    items = list(s.parse_page(response))
    assert requests(items) == [] and parsed == [] and records(items)[0].outcome == "fetched"


def test_a_known_page_is_asked_conditionally_and_a_304_points_at_its_last_capture():
    s = spider()
    request = s._request(SEED_001, s.parse_page, "known")
    assert request.headers[b"If-None-Match"] == b'"abc"' and request.headers[b"If-Modified-Since"]
    (record,) = records(answer(s, SEED_001, status=304))
    assert (record.outcome, record.raw_sha256) == ("not_modified", "0" * 64)


def test_a_page_that_was_gone_is_asked_with_head_and_fetched_when_it_is_back():
    s = spider()
    request = s._page_request("https://selvhjelp.no/borte/", 0, "known")
    assert request.method == "HEAD"
    (again,) = requests(
        answer(
            s,
            "https://selvhjelp.no/borte/",
            method="HEAD",
            body=b"<html></html>",
            headers={"Content-Type": "text/html"},
        )
    )
    assert again.method == "GET" and b"If-None-Match" not in again.headers


@pytest.mark.parametrize(
    "status, outcome, reason",
    [
        (404, "not_found", None),
        (410, "not_found", None),
        (503, "failed", "http 503"),
        (500, "failed", "http 500"),
    ],
)
def test_status_answers(status, outcome, reason):
    (record,) = records(answer(spider(), SEED_001, status=status))
    assert (record.outcome, record.reason) == (outcome, reason)


def test_a_permanent_redirect_on_the_site_is_recorded_and_followed():
    items = answer(spider(), SEED_001, status=301, headers={"Location": MIRROR + "/ny-side/"})
    (record,), (follow,) = records(items), requests(items)
    assert (record.outcome, record.redirect_to) == ("redirect", "https://selvhjelp.no/ny-side/")
    assert follow.url == MIRROR + "/ny-side/" and follow.meta["redirect_chain"] == [SEED_001]


@pytest.mark.parametrize("location", ["http://example.org/x", "//evil.example/", "javascript:alert(1)"])
def test_a_redirect_off_the_site_is_not_followed(location):
    items = answer(spider(), SEED_001, status=302, headers={"Location": location})
    assert requests(items) == [] and records(items)[0].outcome in ("skipped", "failed")


@pytest.mark.parametrize(
    "body, headers, reason",
    [
        (b"%PDF-1.4 binary", {"Content-Type": "application/pdf"}, "not HTML (application/pdf)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00" + b"\x00" * 200, {"Content-Type": "text/html"}, "binary body labelled as HTML"),
    ],
)
def test_what_is_not_a_page_is_skipped_with_its_reason(body, headers, reason):
    (record,) = records(answer(spider(), SEED_001, body=body, headers=headers))
    assert (record.outcome, record.reason) == ("skipped", reason)


def test_hostile_links_never_leave_the_site_or_its_schemes():
    html = (
        b'<html><body><div><h1>T</h1><p><a href="../../../etc/passwd">a</a> <a href="/no/%2F..%2Fx">b</a> '
        b'<a href="javascript:alert(1)">c</a> <a href="data:text/html,x">d</a> <a href="//evil.example/x">e</a> '
        b'<a href="file:///etc/passwd">f</a> <a href="HTTPS://SELVHJELP.NO/Kontakt/">g</a></p></div></body></html>'
    )
    follow = requests(answer(spider(), SEED_001, body=html, headers={"Content-Type": "text/html"}))
    # "HTTPS://SELVHJELP.NO/Kontakt/" is the start page /kontakt/, asked for under the spelling known first
    assert sorted(r.url for r in follow) == [MIRROR + "/etc/passwd", MIRROR + "/kontakt/", MIRROR + "/no/%2F..%2Fx"]


def test_a_progress_line_reads_back_and_anything_else_is_not_one():
    from crawl.progress import CrawlProgress

    progress = CrawlProgress(fetched=30, queued=10, failed=1, seconds=4.0, rate=7.5)
    assert CrawlProgress.from_line(progress.to_line() + "\n") == progress and progress.share_done() == 0.75
    assert progress.line() == "crawl: 30 answered, 10 queued, 1 failed, 8 pages/s, 4 s"
    for other in ("2026-11-25 [scrapy] INFO: Spider opened", "PROGRESS {not json", 'PROGRESS {"fetched": 1}'):
        assert CrawlProgress.from_line(other) is None
