"""Fuzzing with hypothesis: random and malformed HTML, bytes and text into every parser (page
extraction, the content tables, dates, identifiers, quotes, areas). No exception escapes, and every
row that comes out fits its table's schema: types, required columns, allowed values, patterns,
lengths and bounds, checked by the same declarations the Great Expectations suites are made from."""

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selvhjelp_data.dates import parse_norwegian_date
from selvhjelp_data.reading import PageContent, extract_page, read_page
from selvhjelp_data.schema import CHANGE_KINDS, HISTORY_TABLES, SLUG, TABLES
from selvhjelp_data.urls import page_id
from transform.build import content_rows, merge_documents
from transform.document_names import DESCRIBED_MELDING, IDENTIFIER_PATTERNS, TITLED_WITH_YEARS, identify
from transform.history import merge_history
from transform.offices import split_areas
from transform.pages import change_kind
from transform.quotes import find_spans

from .conftest import PUBLIC_URL_PATTERN

RUN = "20261123T060000Z"
TODAY = dt.date(2026, 11, 23)

WORDS = [
    "Meld. St. 19 (2014-2015)",
    "St.meld. nr. 16 (2002–2003",
    "IS-2076",
    "IS 1212",
    "NOU 2005: 3",
    "Prop. 1 S (2019–2020)",
    "Sist endret:",
    "Sist oppdatert: 15 november 2021.",
    "Sist oppdatert: 32.13.2021",
    "Veileder",
    "Nasjonal plan for selvhjelp 2014 -2018",
    "Distriktskontoret for Rogaland, Aust- og Vest-Agder",
    "Hovedkontoret",
    "Adresse: Kirkeveien 61, 0364 Oslo",
    "Telefon:",
    "«",
    "»",
    "“",
    "”",
    '"',
    "Del på sosiale medier",
    "\u00a0",
    "\u00ad",
    "æøå ÆØÅ",
    "Tittelen på veilederen er",
    "distriktskontorene skal ha i oppgave å:",
]
TAGS = ["p", "h1", "h2", "h3", "li", "ul", "div", "blockquote", "span", "a", "table", "td", "nav", "footer", "br", "b"]

text = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)), max_size=12).map(" ".join)


@st.composite
def html(draw):
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(st.sampled_from(TAGS))
        choice = draw(st.integers(0, 3))
        body = draw(text)
        parts.append(
            f"<{tag}>{body}" if choice == 0 else f"{body}</{tag}>" if choice == 1 else f"<{tag}>{body}</{tag}>"
        )
    return draw(
        st.sampled_from(
            ["", "<html><body>", "<!doctype html><html><head><title>T - Selvhjelp Norge</title></head><body>"]
        )
    ) + "".join(parts)


# a few thousand cases in all: the HTML cases cost ~2 ms each, the text ones far less
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(PROPERTY_SETTINGS, max_examples=1000)


def published_rows(page: PageContent, url: str) -> dict[str, list[dict]]:
    """The rows a first run would publish for one page, history columns included."""
    rows = content_rows({page_id(url): (page, 1)})
    merged = {
        name: merge_history(TABLES[name], [], rows[name], RUN, None)
        for name in HISTORY_TABLES
        if name != "broken_links"
    }
    merged["documents"] = merge_documents([], rows["documents"], merged["document_mentions"], RUN)
    return merged


@pytest.mark.slow  # a thousand random pages through every content table: ~7 s, in the whole suite only
@MANY
@given(html(), st.sampled_from(["http://www.selvhjelp.no/no/a.ips", "https://selvhjelp.no/x/"]))
def test_html_into_rows_never_raises_and_every_row_fits_its_schema(markup, url):
    page = extract_page(markup, url)
    assert isinstance(page.main_text, str) and page.word_count == len(page.main_text.split())
    assert page.last_modified is None or isinstance(page.last_modified, dt.date)
    for name, rows in published_rows(page, url).items():
        assert TABLES[name].violations(rows, TODAY, PUBLIC_URL_PATTERN) == []
        assert TABLES[name].to_arrow(rows).num_rows == len(rows)  # casts to the declared Arrow types


@PROPERTY_SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]))
def test_arbitrary_bytes_are_a_page_with_text_or_nothing(body, content_type):
    page = read_page(body, "https://selvhjelp.no/x/", content_type)
    assert page is None or page.main_text.strip()


@MANY
@given(text)
def test_a_needle_never_hides_a_match(value):
    """The substring test before each pattern skips only text the pattern cannot match."""
    scans = [scan for _, _, scan in IDENTIFIER_PATTERNS] + [TITLED_WITH_YEARS, DESCRIBED_MELDING]
    for scan in scans:
        assert [m.span() for m in scan.finditer(value)] == [m.span() for m in scan.pattern.finditer(value)]


@MANY
@given(text)
def test_identifiers_found_in_any_text_become_valid_documents(value):
    documents = TABLES["documents"]
    for kind, style, pattern in IDENTIFIER_PATTERNS:
        for m in pattern.finditer(value):
            doc = identify(kind, style, m)
            assert documents.column("identifier").violation(doc.identifier, TODAY, "") is None
            assert documents.column("document_id").violation(doc.document_id, TODAY, "") is None
            assert re.match(SLUG, doc.document_id)


@MANY
@given(text)
def test_dates_are_a_date_or_none(value):
    result = parse_norwegian_date(value)
    assert result is None or isinstance(result, dt.date)


@PROPERTY_SETTINGS
@given(text)
def test_quote_spans_lie_inside_the_text_and_parents_enclose_children(value):
    spans = find_spans(value)
    for span in spans:
        assert 0 < span.start <= span.end < len(value)
        if span.parent is not None:
            parent = spans[span.parent]
            assert parent.start < span.start and span.end < parent.end


@PROPERTY_SETTINGS
@given(text)
def test_areas_are_non_empty_names(value):
    assert all(area and area == area.strip() for area in split_areas(value))


@PROPERTY_SETTINGS
@given(
    st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {
                "status": st.sampled_from([200, 301, 404, None]),
                "content_sha256": st.sampled_from([None, "a", "b"]),
                "last_modified": st.sampled_from([None, dt.date(2020, 1, 1)]),
                "raw_sha256": st.sampled_from([None, "r"]),
            }
        ),
    ),
    st.sampled_from([200, 301, 302, 404, 410, 500, None]),
    st.sampled_from([None, "a", "b"]),
    st.sampled_from([None, dt.date(2019, 1, 1), dt.date(2021, 1, 1)]),
    st.sampled_from([None, "r", "s"]),
)
def test_change_kind_is_a_documented_kind_and_5xx_is_never_a_removal(prev, status, sha, date, raw):
    kind = change_kind(prev, status, sha, date, raw)
    assert kind is None or kind in CHANGE_KINDS
    if status is None or status >= 500:
        assert kind is None


def _reference_normalise(value: str) -> str:
    """The rule of DESIGN.md spelled out with regular expressions, to check the fast version against."""
    import re
    import unicodedata

    value = unicodedata.normalize("NFC", value)
    value = re.sub(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff\x85\u2028\u2029]", " ", value)
    value = re.sub(r"[\u00ad\u200b\u200c\u200d\u2060]", "", value)
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]", "", value)
    return re.sub(r"[ \t\r\n]+", " ", value).strip()


@PROPERTY_SETTINGS
@given(st.text(alphabet=st.characters(codec=None), max_size=60) | text)
def test_normalise_matches_the_rule(value):
    from selvhjelp_data.text import normalise

    assert normalise(value) == _reference_normalise(value)
