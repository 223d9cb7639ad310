"""Page extraction on saved HTML: one small test per field, both site generations (city-scrapers style)."""

from datetime import date

import pytest
from scrapy.http import HtmlResponse

from selvhjelp_data.dates import parse_norwegian_date
from selvhjelp_data.reading import LEGACY, WORDPRESS, extract_page

from .saved import INDEX, SEED_000, SEED_001, SEED_002, snapshot_capture, snapshot_page

legacy = snapshot_page(SEED_000)
iso = snapshot_page(SEED_002)
wordpress = snapshot_page(SEED_001)
index = snapshot_page(INDEX)


def test_legacy_title():
    assert legacy.title == "Politiske dokumenter og faglige veiledere – et verktøy i forankringsarbeidet"


def test_legacy_generation():
    assert legacy.site_generation == LEGACY and wordpress.site_generation == WORDPRESS


def test_legacy_section_from_breadcrumb():
    assert legacy.section == "Tematisert > Samfunnsperspektiv > Dokumenter og planer"


def test_empty_sist_endret_label_is_kept_raw_with_a_null_date():
    assert (legacy.date_label, legacy.last_modified) == ("Sist endret:", None)


def test_wordpress_date_label_raw_and_parsed():
    assert (wordpress.date_label, wordpress.last_modified) == ("Sist oppdatert: 15 november 2021.", date(2021, 11, 15))


def test_wordpress_has_no_breadcrumb_section():
    assert wordpress.section is None


def test_share_block_is_not_main_text():
    assert "Del på sosiale medier" not in wordpress.main_text and "Ultimatelysocial" not in wordpress.main_text
    assert wordpress.main_text.rstrip().endswith("Andre dokumenter som trekker frem selvorganisert selvhjelp:")


def test_navigation_and_footer_are_not_main_text():
    for page in (legacy, wordpress, index):
        assert "Kirkeveien 61" not in page.main_text and "Forside" not in page.main_text
        assert "Skriv ut" not in page.main_text


def test_iso_8859_1_page_keeps_norwegian_letters():
    assert "Selvhjelpsskolen" in iso.main_text and "SATSING PÅ SELVHJELP" in iso.main_text
    assert "mestring og livskvalitet øker" in iso.main_text and "nærområde" not in iso.main_text
    assert "”selvorganisert selvhjelp”" in iso.main_text  # windows-1252 quotes under an iso-8859-1 label


def test_list_items_are_blocks_of_their_own():
    items = [b.text for b in legacy.blocks if b.kind == "list_item"]
    assert len(items) == 7 and items[0] == "være et informasjonspunkt for selvhjelp i sitt dekningsområde"


def test_blockquote_without_quote_marks_is_a_quote_block():
    assert [b.text[:30] for b in wordpress.blocks if b.kind == "quote"] == ["Det er vesentlig at det offent"]


def test_article_links_only_not_menus():
    assert len(index.links) == 13 and all(".ips" in link.url for link in index.links)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15 november 2021.", date(2021, 11, 15)),
        ("Sist oppdatert: 27 juni 2019", date(2019, 6, 27)),
        ("15. nov. 2021", date(2021, 11, 15)),
        ("15.11.2021", date(2021, 11, 15)),
        ("12.03.2010", date(2010, 3, 12)),  # day first: dateparser alone reads 3 December
        ("2021-11-15", date(2021, 11, 15)),
        ("3. mars 2010", date(2010, 3, 3)),
        ("", None),
        ("   ", None),
        (None, None),
        ("32 februar 2021", None),
        ("november", None),  # no year: never the current year by guess
    ],
)
def test_norwegian_dates(text, expected):
    assert parse_norwegian_date(text) == expected


def test_written_dates_read_without_dateparser_as_dateparser_reads_them():
    import dateparser

    from selvhjelp_data.dates import MONTHS

    forms = ("{d} {m} {y}", "{d}. {m} {y}.", "{d}. {s}. {y}", "{d} {S} {y}", "Sist endret: {d}. {M} {y}")
    for year in (2019, 2024):
        for name in MONTHS:
            for day in (1, 9, 28, 29, 30, 31):
                for form in forms:
                    text = form.format(d=day, m=name, s=name[:3], S=name[:3].upper(), M=name.capitalize(), y=year)
                    cleaned = text.rsplit(":", 1)[-1].strip().replace(". ", " ").rstrip(". ")
                    parsed = dateparser.parse(
                        cleaned,
                        languages=["nb"],
                        settings={
                            "DATE_ORDER": "DMY",
                            "STRICT_PARSING": True,
                            "REQUIRE_PARTS": ["day", "month", "year"],
                        },
                    )
                    assert parse_norwegian_date(text) == (parsed.date() if parsed else None), text


def test_title_printed_twice_before_the_label_is_dropped():
    html = (
        "<html><body><div><h1>Tittel</h1><p>Tittel</p><p>Sist endret: 12.03.2010</p><p>Tekst her.</p></div>"
        "</body></html>"
    )
    page = extract_page(html, "http://www.selvhjelp.no/no/x.ips")
    assert page.main_text == "Tittel\n\nTekst her." and page.last_modified == date(2010, 3, 12)


@pytest.mark.parametrize("url", [SEED_000, SEED_002, SEED_001, INDEX])
def test_the_links_the_spider_follows_are_the_links_of_the_full_extraction(url):
    from selvhjelp_data.reading import article_links

    capture = snapshot_capture(url)
    response = HtmlResponse(url, body=capture.body, headers={"Content-Type": capture.content_type})
    assert article_links(response.text, url) == capture.page.links
