"""Hostile content: what a page says may not act anywhere we publish it, and may not break a run."""

import csv
import io
from datetime import UTC, datetime

import pyarrow as pa

from publish.data_card import data_card, md_text, md_url
from publish.feed import changes_feed
from publish.files import read_csv, write_csv
from publish.previous import empty_tables
from selvhjelp_data.reading import extract_page, read_page
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap
from transform.build import build_tables

SCRIPT_TITLE = '<script>alert("x")</script> [klikk](javascript:alert(1)) | # tittel'
RUN = RunInfo("20261123T060000Z", datetime(2026, 11, 23, 6, tzinfo=UTC))


def hostile_release(tmp_path):
    from selvhjelp_data.raw_store import store_raw

    body = (
        f"<html><body><h1>{SCRIPT_TITLE.replace('<', '&lt;')}</h1><p>Sist oppdatert: 15 november 2099.</p>"
        '<p>=HYPERLINK("http://evil.example") og \x07kontroll\x1b-tegn</p></body></html>'
    ).encode()
    record = {
        "kind": "page",
        "url": "https://selvhjelp.no/x/",
        "outcome": "fetched",
        "status": 200,
        "raw_sha256": store_raw(tmp_path, body),
        "content_type": "text/html; charset=utf-8",
        "http_etag": None,
        "http_last_modified": None,
        "discovered_from": "start",
        "link_text": None,
        "reason": None,
        "redirect_to": None,
    }
    return build_tables([record], tmp_path, empty_tables(), RUN, UrlMap.from_settings(load_settings()), "test")


def test_a_script_title_is_text_in_the_data_card(tmp_path):
    card = data_card(hostile_release(tmp_path), RUN.run_id, load_settings(), "test")
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert "](javascript:" not in card and "\\[klikk\\]\\(javascript:alert\\(1\\)\\)" in card


def test_markdown_and_urls_from_the_site_are_inert():
    assert md_text("a | b\nc") == "a \\| b c"
    assert md_url("javascript:alert(1)") == "#" and md_url("https://x/a (b)") == "https://x/a%20%28b%29"


def test_a_date_in_the_future_is_no_date_and_does_not_block_the_release(tmp_path):
    page = hostile_release(tmp_path)["pages"].to_pylist()[0]
    assert page["last_modified"] is None and page["last_modified_label"] == "Sist oppdatert: 15 november 2099."


def test_control_characters_never_reach_the_tables(tmp_path):
    text = hostile_release(tmp_path)["page_versions"].column("text")[0].as_py()
    assert "\x07" not in text and "\x1b" not in text and "kontroll-tegn" in text


def test_a_formula_is_inert_in_csv_and_true_in_parquet_and_the_feed(tmp_path):
    tables = hostile_release(tmp_path)
    write_csv(tables["page_versions"], tmp_path / "v.csv")
    assert "\n\n=HYPERLINK" in tables["page_versions"].column("text")[0].as_py()  # Parquet: the true text
    assert read_csv(tmp_path / "v.csv", TABLES["page_versions"]).equals(tables["page_versions"])  # it reads back
    feed = changes_feed(tables, RUN.started_at, load_settings()).decode()  # a first run: the pages by title
    assert "<script>" not in feed and "&amp;lt;script&amp;gt;" in feed  # escaped as HTML, then as XML


def test_a_cell_that_starts_like_a_formula_is_prefixed_and_read_back(tmp_path):
    table = pa.table({"a": ["=1+1", "+47 23 33 19 00", "-", "@x", "'=x", "ok"]})
    write_csv(table, tmp_path / "t.csv")
    assert [r[0] for r in csv.reader(io.StringIO((tmp_path / "t.csv").read_text()))][1:] == [
        "'=1+1",
        "'+47 23 33 19 00",
        "'-",
        "'@x",
        "'=x",
        "ok",
    ]


def test_deep_nesting_is_no_crash_and_no_page():
    html = "<html><body>" + "<div>" * 5000 + "<h1>T</h1><p>tekst</p>" + "</div>" * 5000 + "</body></html>"
    extract_page(html, "https://selvhjelp.no/x/")  # libxml2 stops at its depth limit; no RecursionError
    assert read_page(html.encode(), "https://selvhjelp.no/x/", "text/html") is None


def test_a_nul_or_huge_attribute_is_no_crash():
    page = extract_page(
        "<html><body><h1 title='" + "x" * 100000 + "'>T\x00itle</h1><p>a\x00b</p></body></html>",
        "https://selvhjelp.no/x/",
    )
    assert page.title == "Title" and "ab" in page.main_text


def test_utf8_with_a_few_broken_bytes_stays_utf8_and_windows_1252_stays_windows_1252():
    from selvhjelp_data.reading import decode_html

    utf8 = "<h1>Ødelagt side</h1><p>Både æ og å</p>".encode() + b"\xff\xfe"
    assert decode_html(utf8, "text/html; charset=utf-8").startswith("<h1>Ødelagt side</h1><p>Både æ og å")
    assert decode_html(utf8, "text/html; charset=iso-8859-1").startswith("<h1>Ødelagt side")
    cp1252 = "<h1>Ødelagt side</h1><p>Både æ og å – «sitat»</p>".encode("cp1252")
    assert decode_html(cp1252, "text/html; charset=utf-8") == cp1252.decode("cp1252")
    assert decode_html(cp1252, None) == cp1252.decode("cp1252")
