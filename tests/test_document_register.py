"""Documents beyond the pages first read: the register, the series a name without a period stands
for, the ways pages write identifiers, and a record no later reading erases (issue 21)."""

import pytest

from selvhjelp_data.reading import extract_page
from transform import document_names as names
from transform.build import content_rows, merge_documents
from transform.register import documents, series


def page(body: str, title: str = "Side") -> str:
    return f"<html><body><h1>{title}</h1>{body}</body></html>"


def rows_of(*bodies: str, host: str = "https://selvhjelp.no", previous=()) -> dict:
    contents = {f"{i:016x}": (extract_page(page(b), f"{host}/side-{i}/"), 1) for i, b in enumerate(bodies)}
    return content_rows(contents, previous_documents=list(previous))


def mentions(rows: dict) -> list[tuple[str, str]]:
    return [(m["document_id"], m["matched_text"]) for m in rows["document_mentions"]]


# -- identifiers as pages write them -----------------------------------------------------------------


@pytest.mark.parametrize(
    "written, document_id, identifier",
    [
        ("St. meld.nr. 16, 2002-2003", "st-meld-16-2002-2003", "St.meld. nr. 16 (2002–2003)"),
        ("St .meld.nr. 16 (2002-2003)", "st-meld-16-2002-2003", "St.meld. nr. 16 (2002–2003)"),
        ("Report No. 16 to the Parliament, 2002/2003", "st-meld-16-2002-2003", "St.meld. nr. 16 (2002–2003)"),
        ("Report No. 34 to the Storting (2012-2013)", "meld-st-34-2012-2013", "Meld. St. 34 (2012–2013)"),
        # a white paper of a session from 2009-2010 on is a Meld. St., however the page names it
        ("St.meld. nr. 19 (2014-2015)", "meld-st-19-2014-2015", "Meld. St. 19 (2014–2015)"),
        ("Meld. St. 16 (2002-2003)", "st-meld-16-2002-2003", "St.meld. nr. 16 (2002–2003)"),
        ("Meld. St. 19 (2014-2105)", "meld-st-19-2014-2015", "Meld. St. 19 (2014–2015)"),  # a session is two years
        ("NOU 1998:1814", "nou-1998-18", "NOU 1998: 18"),  # a footnote number run on
        ("IS -1896", "is-1896", "IS-1896"),
        ("IS-rapport 1212", "is-1212", "IS-1212"),
        ("St.prp. nr. 63 (2002-2003)", "st-prp-nr-63-2002-2003", "St.prp. nr. 63 (2002–2003)"),
        ("Innst. 11 S (2014-2015)", "innst-11-s-2014-2015", "Innst. 11 S (2014–2015)"),
        ("Ot.prp. nr. 1 (2005-2006)", "ot-prp-nr-1-2005-2006", "Ot.prp. nr. 1 (2005–2006)"),
    ],
)
def test_an_identifier_as_pages_write_it_is_the_canonical_one(written, document_id, identifier):
    ((kind, style, m),) = list(names.identifier_matches(f"Dette står i {written} om selvhjelp."))
    doc = names.identify(kind, style, m)
    assert (doc.document_id, doc.identifier) == (document_id, identifier)


def test_a_law_is_named_by_its_short_name_in_any_case():
    rows = rows_of("<p>Folkehelseloven gjelder alle. Etter spesialisthelsetjenesteloven har alle rett.</p>")
    assert mentions(rows) == [
        ("folkehelseloven", "Folkehelseloven"),
        ("spesialisthelsetjenesteloven", "spesialisthelsetjenesteloven"),
    ]
    kinds = {d["document_id"]: d["kind"] for d in rows["documents"]}
    assert kinds == {"folkehelseloven": "law", "spesialisthelsetjenesteloven": "law"}


# -- the register -------------------------------------------------------------------------------------


def test_every_registered_document_is_valid_and_its_id_is_its_identifiers_slug():
    for entry in documents():
        if entry.identifier and not entry.identifier.startswith("LOV-"):
            (hit,) = list(names.identifier_matches(entry.identifier))
            assert names.identify(*hit).document_id == entry.document_id
        assert entry.year_from is None or entry.year_from <= (entry.year_to or entry.year_from)


def test_a_registered_document_named_by_title_alone_is_found_and_completed():
    rows = rows_of("<p>Se Veileder for kommunale frisklivssentraler fra direktoratet.</p>")
    (doc,) = rows["documents"]
    assert (doc["document_id"], doc["identifier"], doc["year_from"]) == ("is-1896", "IS-1896", 2011)
    assert doc["inferred_columns"] == ["identifier", "is_number", "year_from", "year_to", "issuer"]


def test_a_stated_fact_wins_over_the_register():
    rows = rows_of("<p>Veileder for kommunale frisklivssentraler (IS-1896) kom i 2016.</p>")
    (doc,) = rows["documents"]
    assert doc["year_from"] == 2016 and "year_from" not in doc["inferred_columns"]
    assert doc["identifier"] == "IS-1896" and "identifier" not in doc["inferred_columns"]


def test_an_inflected_title_is_found():
    rows = rows_of(
        "<p>Dette sier den faglige retningslinjen innen behandling og rehabilitering av "
        "rusmiddelproblemer og avhengighet.</p>"
    )
    assert [d for d, _ in mentions(rows)] == [
        "nasjonal-faglig-retningslinje-for-behandling-og-rehabilitering-av-rusmiddelproblemer-og-avhengighet"
    ]


# -- a series named without a period -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, edition",
    [
        ("<p>I 2014 ble Nasjonal plan for selvhjelp revidert.</p>", "is-2168"),
        ("<p>En nasjonal plan for selvhjelp ble lagt fram i 2004.</p>", "is-1212"),
        ("<p>Selvhjelp Norge kom av den første Nasjonale planen for selvhjelp.</p>", "is-1212"),
        ("<p>Vi jobber etter Nasjonal plan for selvhjelp.</p>", "is-1212"),  # the edition whose title it is
        (
            "<p>Vi jobber etter Nasjonal plan for selvhjelp.</p><p>Visjonen i Nasjonal plan for selvhjelp "
            "(2014-2018) er klar.</p>",
            "is-2168",  # the edition the page names with its period
        ),
        ("<p>Vi innspill til den nye folkehelsemeldingen (Meld. St. 19 (2018-2019)) er sendt.</p>", None),
    ],
)
def test_a_series_name_is_the_edition_its_sentence_or_page_gives(text, edition):
    found = mentions(rows_of(text))
    if edition is None:  # beside its own identifier: one mention, the identifier's
        assert found == [("meld-st-19-2018-2019", "Meld. St. 19 (2018-2019)")]
    else:
        assert found[0][0] == edition


def test_a_revision_to_come_is_no_mention():
    assert mentions(rows_of("<p>Vi leder arbeidet i neste periode med revidert Nasjonal plan for selvhjelp.</p>")) == []


def test_the_series_editions_are_registered_oldest_first():
    plan = next(s for s in series() if s.series_id == "nasjonal-plan-for-selvhjelp")
    assert [e.document_id for e in plan.editions][:2] == ["is-1212", "is-2168"]
    assert plan.containing(2016).document_id == "is-2168"


def test_a_name_and_its_identifier_side_by_side_are_one_mention_however_long():
    rows = rows_of(
        "<p>I Folkehelsemeldingen, Meld. St. 19 (2014–2015) Folkehelsemeldingen. Mestring og "
        "muligheter, løfter regjeringen frem tre områder.</p>"
    )
    assert mentions(rows) == [("meld-st-19-2014-2015", "Meld. St. 19 (2014–2015)")]


# -- the record ------------------------------------------------------------------------------------------


def test_a_fact_stays_when_the_page_that_stated_it_is_gone():
    first = rows_of(
        "<p>Veileder for arbeid med noe nytt (IS-9999) kom i 2019.</p>", "<p>Les Veileder for arbeid med noe nytt.</p>"
    )
    documents_1 = merge_documents([], first["documents"], mark(first["document_mentions"], "r1"), "r1")
    second = rows_of("", "<p>Les Veileder for arbeid med noe nytt.</p>", previous=documents_1)
    (doc,) = merge_documents(documents_1, second["documents"], mark(second["document_mentions"], "r2"), "r2")
    assert (doc["document_id"], doc["identifier"], doc["year_from"]) == ("is-9999", "IS-9999", 2019)
    assert doc["inferred_columns"] == []  # stated once, by a page of the record


def mark(mentions: list[dict], run_id: str) -> list[dict]:
    return [{**m, "first_seen_run": run_id, "last_seen_run": run_id} for m in mentions]


def test_a_mirror_gives_the_same_document_ids():
    """Two spellings of one title, on pages whose ids (made from their URLs) sort the other way round
    on a mirror: the document's id comes from the words, not from which page was read first."""
    bodies = (
        "<h2>Veileder for arbeidet med noe</h2><p>Tekst.</p>",
        "<h2>Veileder for arbeide med noe</h2><p>Tekst.</p>",
    )
    here, mirror = rows_of(*bodies), rows_of(*reversed(bodies), host="http://127.0.0.1:8123")
    assert len(here["documents"]) == 1
    assert [d["document_id"] for d in here["documents"]] == [d["document_id"] for d in mirror["documents"]]


# -- the source of a quotation -------------------------------------------------------------------------


def sources(*bodies: str) -> list[tuple[str, str | None]]:
    return [(q["text"][:30], q["document_id"]) for q in rows_of(*bodies)["quotes"] if q["kind"] != "term"]


def test_a_quotation_is_from_the_document_its_lead_names():
    assert sources(
        "<p>Folkehelseloven definerer folkehelsearbeid slik:</p><blockquote>Samfunnets innsats for å påvirke "
        "faktorer som fremmer helse og trivsel.</blockquote>"
    ) == [("Samfunnets innsats for å påvir", "folkehelseloven")]


def test_a_lead_that_refers_back_means_the_last_document_of_its_kind():
    assert sources(
        "<p>Nasjonal faglig retningslinje for behandling og rehabilitering av rusmiddelproblemer og avhengighet "
        "kom i 2016.</p><p>Anbefalingen i retningslinjen er enkel: «Helsepersonell bør informere pasienter om "
        "selvhjelpsgrupper.»</p>"
    ) == [
        (
            "Helsepersonell bør informere p",
            "nasjonal-faglig-retningslinje-for-behandling-og-rehabilitering-av-rusmiddelproblemer-og-avhengighet",
        )
    ]


def test_the_same_words_quoted_again_have_the_same_source():
    quote = "«Helsepersonell bør informere pasienter om selvhjelpsgrupper.»"
    found = sources(f"<p>{quote}</p><p>Folkehelseloven sier dette om saken og mer til:</p><p>Loven sier: {quote}</p>")
    assert found == [("Helsepersonell bør informere p", "folkehelseloven")] * 2


def test_a_quoted_title_is_the_document_it_names_and_a_person_is_no_document():
    assert sources(
        '<p>Se "Veileder for kommunale frisklivssentraler" fra 2011. Lederen sa: «Vi gleder oss veldig til å '
        "starte arbeidet sammen med alle dere.»</p>"
    ) == [("Veileder for kommunale friskli", "is-1896"), ("Vi gleder oss veldig til å sta", None)]


def test_an_abbreviation_ends_no_sentence_of_a_lead():
    assert sources(
        "<p>Gjeldende folkehelsemelding, Meld. St. 19 (2014-2015) - Mestring og muligheter setter fokus på "
        "selvhjelp:</p><p>«Videre bevilges det midler til Selvhjelp Norges arbeid med selvhjelp.»</p>"
    ) == [("Videre bevilges det midler til", "meld-st-19-2014-2015")]


def test_a_quotation_of_several_paragraphs_in_straight_quotes_is_one_quote_from_its_budget():
    (quote,) = [
        q
        for q in rows_of(
            "<p>Regjeringen foreslår midler i statsbudsjettet for 2017.</p><p>I budsjettet skrives følgende:</p>"
            '<p>"Selvhjelp</p><p>Målet med bevilgningen er å gjøre metoden kjent.</p><p>Det foreslås å videreføre '
            'bevilgningen i 2017."</p><p>Dette er "gode" signaler.</p>'
        )["quotes"]
        if q["kind"] == "quotation"
    ]
    assert quote["text"].startswith("Selvhjelp\n\nMålet") and quote["text"].endswith("i 2017.")
    assert quote["document_id"] == "prop-1-s-2016-2017"


def test_a_known_name_in_a_heading_is_a_heading_mention_and_names_the_edition_of_its_page():
    rows = rows_of(
        "<h2>National plan for self-help (2014-2018)</h2><p>The National Plan for Self-Help has four goals.</p>"
    )
    assert [(m["document_id"], m["context_kind"]) for m in rows["document_mentions"]] == [
        ("is-2168", "heading"),
        ("is-2168", "body"),
    ]


def test_a_neuter_adjective_is_the_same_name():
    rows = rows_of("<p>Nasjonalt plan for selvhjelp ble revidert i 2014.</p>")
    assert mentions(rows) == [("is-2168", "Nasjonalt plan for selvhjelp")]


def test_a_headline_after_a_budget_is_not_its_title():
    (doc,) = rows_of("<h2>Statsbudsjettet for 2017: Bevilgningen foreslås videreført</h2><p>Tekst.</p>")["documents"]
    assert (doc["document_id"], doc["title"]) == ("prop-1-s-2016-2017", "Statsbudsjettet 2017")


def test_the_tasks_of_the_organisation_as_a_whole():
    rows = rows_of(
        "<p>Selvhjelp Norge er organisert i ett hovedkontor og 7 distriktskontorer og har som helhet disse "
        "hovedoppgavene:</p><ul><li>formidle kunnskap</li><li>være møteplass</li></ul>"
    )
    assert [(t["office_kind"], t["task"]) for t in rows["office_tasks"]] == [
        ("organisation", "formidle kunnskap"),
        ("organisation", "være møteplass"),
    ]


def test_a_registered_law_named_by_the_last_word_of_its_short_name():
    (doc,) = rows_of("<p>Etter pasientrettighetsloven har du rett til informasjon.</p>")["documents"]
    assert (doc["document_id"], doc["identifier"]) == ("pasient-og-brukerrettighetsloven", "LOV-1999-07-02-63")
