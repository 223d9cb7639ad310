"""The rules a careful reader follows, one small test each (each failed on the rules before issue 15)."""

import csv
import io
from datetime import UTC, datetime

import pandas as pd
import pytest

from publish.data_card import csv_dtypes, data_card
from publish.datapackage import datapackage
from publish.files import write_csv
from publish.previous import empty_tables
from publish.release import write_data_files
from selvhjelp_data.reading import extract_page
from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import load_settings
from selvhjelp_data.urls import UrlMap
from transform import document_names as names
from transform.build import build_tables, content_rows

from .saved import snapshot_records

RUN = RunInfo("20261123T060000Z", datetime(2026, 11, 23, 6, tzinfo=UTC))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    tables = build_tables(
        snapshot_records(1, raw), raw, empty_tables(), RUN, UrlMap.from_settings(load_settings()), "test"
    )
    return {name: table.to_pylist() for name, table in tables.items()}


def rows_of(html: str, url="https://selvhjelp.no/x/") -> dict:
    return content_rows({"0123456789abcdef": (extract_page(html, url), 1)})


def test_the_national_plan_is_one_document_with_its_spellings(snapshot):
    plans = [d for d in snapshot["documents"] if "Nasjonal plan for selvhjelp" in (d["aliases"] or [])]
    assert [(d["document_id"], d["year_from"]) for d in plans] == [("is-1212", 2004)]
    assert {"IS-1212", "Nasjonal plan for selvhjelp"} <= set(plans[0]["aliases"])


@pytest.mark.parametrize(
    "text, title",
    [
        ("- Mestring og muligheter setter også fokus på noe", "Mestring og muligheter"),
        (
            " Folkehelsemeldingen - Mestring og muligheter setter også fokus",
            "Folkehelsemeldingen - Mestring og muligheter",
        ),
        (
            " Resept for et sunnere Norge - Folkehelsepolitikken, og kom som",
            "Resept for et sunnere Norge - Folkehelsepolitikken",
        ),
        (" om noe, og mer", None),
    ],
)
def test_a_title_runs_to_the_end_of_its_clause_not_to_the_first_dash(text, title):
    assert names.title_after(text) == title


def test_the_issuer_named_in_the_section_is_recorded():
    rows = rows_of(
        "<html><body><h1>Side</h1><h2>Retningslinjer for arbeid med noe nytt</h2><p>Helsedirektoratets faglige "
        "veileder for arbeid med noe nytt kom i 2019.</p></body></html>"
    )
    (doc,) = rows["documents"]
    assert (doc["issuer"], doc["year_from"], doc["inferred_columns"]) == ("Helsedirektoratet", 2019, [])


def test_a_page_title_about_budgets_is_not_a_document_and_a_budget_year_is(snapshot):
    assert not [d for d in snapshot["documents"] if "statsbudsjett" in d["document_id"]]
    rows = rows_of(
        "<html><body><h1>Selvhjelp på de årlige statsbudsjett</h1><p>Statsbudsjettet for 2019 gir "
        "midler. Over statsbudsjettet finansieres arbeidet.</p></body></html>"
    )
    assert [(d["document_id"], d["kind"], d["identifier"]) for d in rows["documents"]] == [
        ("prop-1-s-2018-2019", "state_budget", "Prop. 1 S (2018–2019)")
    ]


def test_a_stortingsmelding_named_by_subject_and_session_is_recorded():
    rows = rows_of(
        "<html><body><h1>Side</h1><p>Stortingsmeldinga om arbeidet med noe nytt i 1995/96 ga retning.</p></body></html>"
    )
    (melding,) = rows["documents"]
    assert (melding["kind"], melding["year_from"], melding["year_to"]) == ("stortingsmelding", 1995, 1996)
    assert melding["identifier"] is None  # its number is not in the text, and no register knows it


def test_the_register_names_a_stortingsmelding_given_by_subject_and_fills_what_the_page_leaves_out(snapshot):
    melding = next(d for d in snapshot["documents"] if d["document_id"] == "st-meld-16-1993-1994")
    assert melding["identifier"] == "St.meld. nr. 16 (1993–1994)"
    assert melding["title"] == "Lat ikkje graset gro att mellom grannar"
    assert set(melding["inferred_columns"]) == {"identifier", "issuer", "title"}


def test_every_mention_says_where_it_stands_and_only_running_text_counts(snapshot):
    kinds = {m["context_kind"] for m in snapshot["document_mentions"]}
    assert kinds == {"body", "heading", "link", "list"}
    for doc in snapshot["documents"]:
        body = [
            m
            for m in snapshot["document_mentions"]
            if m["document_id"] == doc["document_id"] and m["context_kind"] == "body"
        ]
        assert doc["mention_count"] == len(body), doc["document_id"]


def test_les_mer_om_is_a_link_mention():
    rows = rows_of(
        "<html><body><h1>Side</h1><h2>Opptrappingsplan for rusfeltet 2008 – 2010</h2><p>Tekst. "
        '<a href="/x/">Les mer om Opptrappingsplan for rusfeltet 2008 – 2010</a></p></body></html>'
    )
    assert [m["context_kind"] for m in rows["document_mentions"]] == ["heading", "link"]


@pytest.mark.parametrize(
    "title, forms",
    [
        ("Nasjonal plan for selvhjelp", []),
        ("Opptrappingsplan for rusfeltet 2008 – 2010", ["Opptrappingsplan for rusfeltet"]),
        (
            "Nasjonal strategiplan for arbeid og psykisk helse 2007-2012",
            ["Nasjonal strategiplan for arbeid og psykisk helse", "strategiplan for arbeid og psykisk helse"],
        ),
        ("Meld. St. 19", []),
    ],
)
def test_short_forms_of_a_title(title, forms):
    assert names.short_forms(title) == forms


@pytest.mark.parametrize(
    "written, title",
    [
        ("den nasjonale planen for selvhjelp", "Nasjonal plan for selvhjelp"),
        ("opptrappingsplanen for rusfeltet", "Opptrappingsplan for rusfeltet"),
        ("faglige retningslinjen", "faglig retningslinje"),
        ("Folkehelsemeldinga", "Folkehelsemeldingen"),
        ("Nasjonal plan for selvhjelp (2014-2018)", "Nasjonal plan for selvhjelp 2014–2018"),
    ],
)
def test_a_name_is_found_in_its_definite_form_and_with_its_period_in_brackets(written, title):
    assert names.word_key(written)[-len(names.word_key(title)) :] == names.word_key(title)


def test_an_acronym_the_text_defines_is_spelled_out():
    text = "Veilederen for behandling av samtidige ruslidelser og psykiske lidelser (ROP-lidelser) omtaler"
    assert names.acronyms_in(text) == {"ROP-lidelser": "ruslidelser og psykiske lidelser"}
    acronyms = names.acronyms_in(text)
    assert names.spelling_key("Retningslinjer for behandling av ROP-lidelser", acronyms) == names.spelling_key(
        "Retningslinjer for behandling av ruslidelser og psykiske lidelser", acronyms
    )


def test_the_offices_carry_the_organisation_number_and_each_task_its_page_version(snapshot):
    assert {o["organisation_number"] for o in snapshot["offices"]} == {"980495361"}
    assert all(t["page_version"] == 1 and t["list_lead"] for t in snapshot["office_tasks"])
    years = {(t["office_kind"], t["year_from"]) for t in snapshot["office_tasks"]}
    assert years == {("district", None), ("district", 2010), ("head", 2014)}


def test_read_csv_as_the_data_card_says_keeps_the_postal_code_a_string(snapshot, tmp_path):
    offices = TABLES["offices"].to_arrow(snapshot["offices"])
    write_csv(offices, tmp_path / "offices.csv")
    card = data_card({**{n: TABLES[n].empty() for n in TABLES}, "offices": offices}, RUN.run_id, load_settings(), "x")
    assert f"dtype={csv_dtypes(TABLES['offices'])!r}" in card
    frame = pd.read_csv(
        tmp_path / "offices.csv", dtype=csv_dtypes(TABLES["offices"]), keep_default_na=False, na_values=[""]
    )
    assert "0364" in set(frame.postal_code) and "980495361" in set(frame.organisation_number)
    assert pd.read_csv(tmp_path / "offices.csv").postal_code.dropna().iloc[0] == 364  # why the card says so
    write_data_files(tmp_path / "data", {**{n: TABLES[n].empty() for n in TABLES}, "offices": offices})
    fields = {
        f["name"]: f
        for f in datapackage(tmp_path, RUN.run_id, load_settings(), "x", "^https://")["resources"][
            list(TABLES).index("offices")
        ]["schema"]["fields"]
    }
    assert fields["postal_code"]["type"] == "string" and fields["postal_code"]["constraints"]["pattern"] == r"\d{4}"
    assert next(csv.reader(io.StringIO((tmp_path / "offices.csv").read_text())))[6] == "postal_code"
