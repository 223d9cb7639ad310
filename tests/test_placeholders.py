"""Answers that are not the page (transform/placeholders.py): believed only if they look like a page."""

from selvhjelp_data.reading import extract_page
from transform.placeholders import placeholders, says_it_is_not_the_page


def page(title: str, *paragraphs: str):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return extract_page(
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>",
        "https://selvhjelp.no/x/",
    )


ARTICLE = "Selvorganisert selvhjelp er en metode der mennesker møtes i grupper for å dele erfaringer. " * 30


def test_a_not_found_template_or_a_maintenance_page_says_so_itself():
    assert "soft 404" in says_it_is_not_the_page(page("Oi! Denne siden finnes ikke", "Prøv et søk."))
    assert "maintenance" in says_it_is_not_the_page(page("Vi oppgraderer nettstedet", "Snart tilbake."))
    assert says_it_is_not_the_page(page("Feil 404 og hva det betyr for selvhjelp", ARTICLE)) is None  # an article


def test_a_page_that_reads_like_the_sites_answer_for_a_missing_path_is_none():
    probe = page("Selvhjelp Norge", "Vi fant ingenting på denne adressen.", "Gå til forsiden.")
    same = page("Selvhjelp Norge", "Vi fant ingenting på denne adressen.", "Gå til forsiden.")
    found = placeholders({"a": same, "b": page("Kontakt", ARTICLE)}, {}, probe)
    assert list(found) == ["a"]


def test_one_text_in_the_place_of_pages_that_differed_is_a_stand_in_and_true_twins_are_not():
    stand_in = page("Velkommen", "Nettstedet er under arbeid, kom igjen i morgen.")
    previous = {"a": "teksten til a", "b": "teksten til b"}
    assert set(placeholders({"a": stand_in, "b": stand_in}, previous, None)) == {"a", "b"}
    twins = {"a": "samme tekst", "b": "samme tekst"}  # two spellings of one page, alike before as now
    assert placeholders({"a": stand_in, "b": stand_in}, twins, None) == {}
    assert set(placeholders({k: stand_in for k in "abc"}, {}, None)) == set("abc")  # three new pages, one text
