"""Identity of pages: canonical URLs, page_id, and the map between the public site and a mirror."""

import hashlib

from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap, canonical_url, page_id


def url_map(**kwargs):
    return UrlMap.from_settings(load_settings(), **kwargs)


def test_canonical_url_drops_the_fragment_keeps_the_query_and_lowercases_the_host():
    assert canonical_url("HTTPS://Selvhjelp.no/kontakt/?side=2#topp") == "https://selvhjelp.no/kontakt/?side=2"


def test_page_id_is_stable_and_sixteen_hex_digits():
    assert page_id("https://selvhjelp.no/kontakt/") == page_id("https://selvhjelp.no/kontakt/#x")
    assert page_id("https://selvhjelp.no/kontakt/") == hashlib.sha256(b"https://selvhjelp.no/kontakt/").hexdigest()[:16]


def test_snapshot_pages_are_named_by_their_public_urls_per_generation():
    m = url_map(mirror="http://127.0.0.1:8765")
    assert m.to_public("http://127.0.0.1:8765/no/Tematisert/x.ips") == "http://www.selvhjelp.no/no/Tematisert/x.ips"
    assert m.to_public("http://127.0.0.1:8765/kontakt/") == "https://selvhjelp.no/kontakt/"
    assert m.to_fetch("https://selvhjelp.no/kontakt/") == "http://127.0.0.1:8765/kontakt/"
    assert m.to_fetch("https://www.regjeringen.no/") == "https://www.regjeringen.no/" and not m.is_own(
        "https://www.regjeringen.no/"
    )


def test_a_mirror_without_public_names_keeps_its_own_urls_even_for_absolute_public_links():
    m = url_map(mirror="https://staging.example.org", public_names=False)
    assert m.to_public("https://staging.example.org/kontakt/") == "https://staging.example.org/kontakt/"
    assert m.to_public("https://selvhjelp.no/kontakt/") == "https://staging.example.org/kontakt/"


def test_the_live_site_is_fetched_as_it_is():
    m = url_map()
    assert (
        m.to_fetch("https://selvhjelp.no/kontakt/")
        == m.to_public("https://selvhjelp.no/kontakt/")
        == "https://selvhjelp.no/kontakt/"
    )
