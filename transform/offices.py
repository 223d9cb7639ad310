"""offices and office_tasks: Selvhjelp Norge's offices as the pages give them, and the task lists pages
give for the head office, every district office, or the organisation as a whole.

A page gives an office in one of four ways, each read here:
- a heading ("Distriktskontoret for Hedmark og Oppland", "Hovedkontoret") with labelled lines under it
  ("Adresse: Kirkeveien 61, 0364 Oslo", "Telefon: ...");
- a contact block: a street address with postal code and place, with phone, e-mail or organisation
  number, in a footer, an address element, a contact widget or the article itself. The block belongs
  to the organisation named before the address: Selvhjelp Norge (its head office), a district office,
  or another organisation (a foundation, a LINK centre), which is not ours. A site footer that names no
  one is the site's own (the head office);
- running text that names an office: "Selvhjelp Norges distriktskontor for Oslo, Akershus og Østfold",
  "et hovedkontor i Oslo", "the head quarter in Oslo";
- running text that lists where the district offices are: "Distriktskontorene er lokalisert i Alta,
  Trondheim, ... og Brumunddal", or names an office by its counties beside the word.
The office register (transform/register) says which office a city or a set of counties is, and fills
in what the page leaves out; those columns are listed in `inferred_columns`. A value a page states is
never replaced by one the register supplies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selvhjelp_data.reading import PageContent
from selvhjelp_data.text import sha256_hex, slugify
from transform import register
from transform.register import RegisteredOffice
from transform.sections import PlacedBlock, placed_blocks

HEAD_OFFICE_ID = register.head_office().office_id
HEAD_OFFICE_NAME = register.head_office().name
CONTACT_FIELDS = ("street_address", "postal_code", "city", "phone", "email", "organisation_number")
OFFICE_COLUMNS = ("name", "areas", *CONTACT_FIELDS)

# -- how pages write offices ----------------------------------------------------------------------------------
_DISTRICT_HEADING = re.compile(r"^Distriktskontoret for (.+)$")
_HEAD_HEADING = re.compile(r"^Hovedkontor(et)?\b", re.I)
_LABELLED = re.compile(r"^(Adresse|Kontorsted|Telefon|E-post)\s*:\s*(.+)$", re.I)
_LABEL_START = re.compile(r"(?=(?:Adresse|Telefon|E-post|Kontorsted)\s*:)", re.I)
_ADDRESS = re.compile(r"^(.+?),\s*(\d{4})\s+(.+)$")
# "org. nr. 980 495 361", "org.nr 980495361", "organisasjonsnummer: 980 495 361"
_ORGANISATION_NUMBER = re.compile(
    r"\b(?:org\.?\s*nr\.?|organisasjonsnummer)\s*:?\s*(\d{3})\s?(\d{3})\s?(\d{3})\b", re.I
)
_NAME = r"[A-ZÆØÅ][\wæøåÆØÅ'’-]*"
# a list of names: "Oslo, Akershus og Østfold", "Møre og Romsdal, Nord- og Sør-Trøndelag"
_NAMES = rf"{_NAME}(?:(?:\s*,\s*|\s+og\s+){_NAME})*"
_DISTRICT_NAMED = re.compile(rf"\b[Dd]istriktskontor(?:et)?\s+for\s+({_NAMES})")
_HEAD_IN = re.compile(
    rf"\b(?:[Hh]ovedkontor(?:et)?|[Hh]ead\s*(?:quarters?|office))\s*(?:(?:ligger\s+)?i|in|\()\s*({_NAME})"
)
_HEAD_COUNTED = re.compile(r"\b(?:et|ett|ei|sitt|a|one)\s+(?:hovedkontor|head\s*(?:quarters?|office))\b", re.I)
_DISTRICTS_IN = re.compile(
    rf"\b[Dd]istriktskontor\w*\s+(?:er\s+|var\s+)?(?:lokalisert|ligger|plassert|finnes|holder til)?\s*i\s+({_NAMES})"
)
_MENTIONS_DISTRICTS = re.compile(r"\bdistriktskontor", re.I)
# a contact block's parts
_POSTAL = re.compile(r"\b(\d{4})\s+([A-ZÆØÅ][\wæøåÆØÅ]+(?:[ -][A-ZÆØÅ][\wæøåÆØÅ]+)?)")
_STREET = re.compile(r"([A-ZÆØÅ][\wæøåÆØÅ.' -]*?\s\d{1,4}\s?[A-Za-z]?)\s*[,]?\s*$")
_PHONE = re.compile(r"\b(?:Tlf|Tel|Telefon|Phone)\.?\s*:?\s*((?:\+47\s*)?\d{2}(?:\s?\d{2}){3}|\d{3}\s?\d{2}\s?\d{3})")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_OURS = re.compile(r"\bSelvhjelp Norge\b|\bSelf[- ]?[Hh]elp Norway\b|\b[Hh]ovedkontor")
_SEPARATORS = re.compile(r"\s*[|·•]\s*|\s+[-–]\s+")
# Who else prints an address on these pages: a block that names one of them is theirs, not ours
_OTHERS = re.compile(r"\b(?:NSF|Norsk selvhjelpsforum|Stiftelsen|Styret|LINK|Helsedirektoratet|kommune)\b")

# A task list's lead-in: who the tasks are for, and that they are tasks
_TASK_LEAD = re.compile(r"(distriktskontor\w*|hovedkontor\w*)\b.*(oppgave|i oppgave å)", re.I)
_ORGANISATION_TASK_LEAD = re.compile(
    r"(Selvhjelp Norge|Self-?Help Norway|kompetansesenter\w*)\b.*"
    r"(oppgave|hovedoppgave|intend and work to|works? to ensure|tasks?)",
    re.I,
)
# "er organisert i ett hovedkontor og 7 distriktskontorer og har som helhet disse hovedoppgavene": the whole
_AS_A_WHOLE = re.compile(r"\b(som helhet|i sin helhet|as a whole)\b.*(oppgave|tasks?)", re.I)
_YEARS = re.compile(r"\b((?:19|20)\d{2})(?:\s*[-–]\s*((?:19|20)\d{2}))?\b")

# "og" inside a county's own name is not a list separator
_AREA_SEPARATOR = re.compile(r",\s*|\s+og\s+(?!Romsdal\b|Fjordane\b)")

BODY, PROSE, CONTACT = 0, 1, 2  # how directly a page gives an office: a rank, the lower the better


def split_areas(text: str) -> list[str]:
    """ "Rogaland, Aust- og Vest-Agder" -> Rogaland, Aust-Agder, Vest-Agder; "Sogn og Fjordane" stays whole."""
    text = re.sub(r"(\w+)- og (\w+)-(\w+)", r"\1-\3, \2-\3", text)  # a suspended hyphen shares the stem
    return [p.strip() for p in _AREA_SEPARATOR.split(text) if p.strip()]


def organisation_number(text: str) -> str | None:
    """The nine digits of a Norwegian organisation number written in the text, if any."""
    m = _ORGANISATION_NUMBER.search(text)
    return "".join(m.groups()) if m else None


@dataclass
class Reading:
    """One place a page gives an office, and what it states there."""

    office_id: str
    kind: str
    rank: int
    stated: dict = field(default_factory=dict)  # column -> value, as the page states it
    registered: RegisteredOffice | None = None


# -- reading a page -------------------------------------------------------------------------------------------


def readings_of_page(page: PageContent) -> list[Reading]:
    """Every place the page gives an office, in page order, the footer's last."""
    readings: list[Reading] = []
    org_number = organisation_number(page.main_text)
    current: Reading | None = None
    for placed in placed_blocks(page):
        block = placed.block
        if block.kind == "heading":
            current = _office_of_heading(block.text, org_number)
            if current:
                readings.append(current)
            continue
        if current is not None and block.kind == "paragraph" and (fields := _labelled_fields(block.text)):
            current.stated.update(fields)
            continue
        readings += _contact_readings(block.text, in_article=True)
        readings += _prose_readings(block.text)
    for text in page.contacts:
        readings += _contact_readings(text, in_article=False)
    return readings


def _office_of_heading(heading: str, org_number: str | None) -> Reading | None:
    stated = {"organisation_number": org_number} if org_number else {}
    if m := _DISTRICT_HEADING.match(heading):
        areas = split_areas(m[1])
        known = register.district_by_areas(areas)
        office_id = known.office_id if known else slugify(heading)
        return Reading(office_id, "district", BODY, {"name": heading, "areas": areas, **stated}, known)
    if _HEAD_HEADING.match(heading):
        return Reading(HEAD_OFFICE_ID, "head", BODY, stated, register.head_office())
    return None


def _labelled_fields(text: str) -> dict:
    """ "Adresse: Kirkeveien 61, 0364 Oslo" and the like, one label a line (or run together)."""
    fields = {}
    for line in text.split("\n") if "\n" in text else _LABEL_START.split(text):
        m = _LABELLED.match(line.strip())
        if not m:
            continue
        label, value = m[1].lower(), m[2].strip()
        if label == "kontorsted":
            fields["city"] = value
        elif label == "telefon":
            fields["phone"] = value
        elif label == "e-post":
            fields["email"] = value
        elif label == "adresse" and (a := _ADDRESS.match(value)):
            fields.update(street_address=a[1], postal_code=a[2], city=a[3])
    return fields


def _contact_readings(text: str, in_article: bool) -> list[Reading]:
    """The offices a contact block gives: each postal address with what follows it (phone, e-mail,
    organisation number), for the organisation named before it."""
    readings = []
    matches = list(_POSTAL.finditer(text))
    for i, m in enumerate(matches):
        before = text[matches[i - 1].end() if i else 0 : m.start()]
        after = text[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        street, owner = _street_and_owner(before)
        if street is None:
            continue  # a postal code and a place without a street is a date, a count or a mention
        office = _owner_office(owner, in_article)
        if office is None:
            continue
        stated = {"street_address": street, "postal_code": m[1], "city": m[2]}
        if phone := _PHONE.search(after):
            stated["phone"] = " ".join(phone[1].split())
        if email := _EMAIL.search(after):
            stated["email"] = email[0]
        if number := organisation_number(after):
            stated["organisation_number"] = number
        readings.append(Reading(office.office_id, office.kind, CONTACT if not in_article else BODY, stated, office))
    return readings


def _street_and_owner(before: str) -> tuple[str | None, str]:
    """The street right before a postal code, and the text before the street (who the address is for)."""
    lines = [part for line in before.split("\n") for part in _SEPARATORS.split(line)]
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return None, ""
    last = lines[-1]
    if "," in last and (m := _STREET.search(last.rsplit(",", 1)[0] + " ")):  # "Kirkeveien 61, " on one line
        head = last.rsplit(",", 1)[0]
        return m[1].strip(), "\n".join(lines[:-1] + [head[: m.start()]])
    if m := _STREET.search(last):
        return m[1].strip(), "\n".join(lines[:-1] + [last[: m.start()]])
    return None, ""


def _owner_office(owner: str, in_article: bool) -> RegisteredOffice | None:
    """Whose address this is: the last organisation named before it."""
    owner_lines = [line for line in owner.split("\n") if line.strip()]
    named = owner_lines[-1] if owner_lines else ""
    if m := _DISTRICT_NAMED.search(named):
        return register.district_by_areas(split_areas(m[1]))
    if _OURS.search(named):
        return register.head_office()
    if _OTHERS.search(owner) or named:
        return None  # another organisation's address (or one a block names someone else for)
    return None if in_article else register.head_office()  # a site's footer that names no one: the site's own


def _prose_readings(text: str) -> list[Reading]:
    """Offices running text names: by name, by the head office's city, by the cities of the districts."""
    readings = []
    for m in _DISTRICT_NAMED.finditer(text):
        if office := register.district_by_areas(split_areas(m[1])):
            readings.append(Reading(office.office_id, "district", PROSE, {}, office))
    if m := _HEAD_IN.search(text):
        readings.append(Reading(HEAD_OFFICE_ID, "head", PROSE, {"city": m[1]}, register.head_office()))
    elif _HEAD_COUNTED.search(text):
        readings.append(Reading(HEAD_OFFICE_ID, "head", PROSE, {}, register.head_office()))
    for m in _DISTRICTS_IN.finditer(text):
        for city in split_areas(m[1]):
            office = register.district_by_city(city)
            if office is None:  # a district office the register does not know: named by its city
                readings.append(Reading(slugify(f"Distriktskontoret i {city}"), "district", PROSE, {"city": city}))
            else:
                readings.append(Reading(office.office_id, "district", PROSE, {"city": city}, office))
    if _MENTIONS_DISTRICTS.search(text) and not _DISTRICT_NAMED.search(text):
        readings += _districts_by_counties(text)
    return readings


def _districts_by_counties(text: str) -> list[Reading]:
    """ "Tre distriktskontorer / F.v.: Hedmark og Oppland ved ...": a list of counties that is exactly one
    district office's, in a block about the district offices."""
    readings = []
    for m in re.finditer(_NAMES, text):
        if " og " in m[0] or "," in m[0]:
            office = register.district_by_areas(split_areas(m[0]))
            if office is not None:
                readings.append(Reading(office.office_id, "district", PROSE, {}, office))
    return readings


# -- rows -----------------------------------------------------------------------------------------------------


def offices_of_page(pid: str, page: PageContent, version: int) -> list[dict]:
    """One row per office the page gives, from all it says of it."""
    return [office_row(readings, pid, version) for readings in _by_office(readings_of_page(page)).values()]


def _by_office(readings: list[Reading]) -> dict[str, list[Reading]]:
    grouped: dict[str, list[Reading]] = {}
    for reading in readings:
        grouped.setdefault(reading.office_id, []).append(reading)
    return grouped


def office_row(readings: list[Reading], pid: str, version: int) -> dict:
    """An office from its readings, the most direct first; the register fills the rest, and says so."""
    readings = sorted(readings, key=lambda r: r.rank)
    stated: dict = {}
    for reading in readings:
        for column, value in reading.stated.items():
            stated.setdefault(column, value)
    known = next((r.registered for r in readings if r.registered), None)
    inferred = []
    row = {
        "office_id": readings[0].office_id,
        "kind": readings[0].kind,
        "name": stated.get("name"),
        "city": stated.get("city"),
        "areas": stated.get("areas"),
        **{c: stated.get(c) for c in CONTACT_FIELDS if c != "city"},
    }
    if known is not None:
        if row["name"] != known.name:
            row["name"] = known.name
            inferred.append("name")
        if row["areas"] is not None:
            row["areas"] = [register.canonical_area(a, known) for a in row["areas"]]
        elif known.areas:
            row["areas"], inferred = list(known.areas), [*inferred, "areas"]
        if row["city"] is None and known.city:
            row["city"], inferred = known.city, [*inferred, "city"]
    if row["name"] is None:  # an office the register does not know, named by its city
        row["name"] = f"Distriktskontoret i {row['city']}"
        inferred.append("name")
    row.update(source_page_id=pid, page_version=version, inferred_columns=inferred)
    return row


def merge_offices(rows: list[dict]) -> list[dict]:
    """One row per office across pages: each column from a page that states it (a value the register
    supplied only where no page states one); the page that states the most is the office's source."""
    merged: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: -_stated_count(r)):
        known = merged.get(row["office_id"])
        if known is None:
            merged[row["office_id"]] = dict(row, inferred_columns=list(row["inferred_columns"]))
            continue
        for column in OFFICE_COLUMNS:
            value, inferred_here = row.get(column), column in row["inferred_columns"]
            if value is None or (
                known.get(column) is not None and (inferred_here or column not in known["inferred_columns"])
            ):
                continue
            known[column] = value
            known["inferred_columns"] = [c for c in known["inferred_columns"] if c != column] + (
                [column] if inferred_here else []
            )
    return list(merged.values())


def _stated_count(row: dict) -> int:
    return sum(1 for c in OFFICE_COLUMNS if row.get(c) is not None and c not in row["inferred_columns"])


# -- tasks ----------------------------------------------------------------------------------------------------


def tasks_of_page(pid: str, page: PageContent, version: int, head_office_id: str | None) -> list[dict]:
    """Each list that follows a lead-in naming an office kind (or the organisation) and its tasks."""
    tasks: list[dict] = []
    for lead, kind, items in _task_lists(placed_blocks(page)):
        years = _YEARS.search(lead) or _YEARS.search(page.title or "")
        for position, item in enumerate(items, 1):
            tasks.append(
                {
                    "task_id": sha256_hex(f"{pid}|{kind}|{item}")[:16],
                    "office_kind": kind,
                    "office_id": head_office_id if kind == "head" else None,
                    "task": item,
                    "position": position,
                    "list_lead": lead,
                    "year_from": int(years[1]) if years else None,
                    "year_to": int(years[2] or years[1]) if years else None,
                    "page_id": pid,
                    "page_version": version,
                }
            )
    return tasks


def _task_lists(blocks: Iterator[PlacedBlock]) -> Iterator[tuple[str, str, list[str]]]:
    """(lead-in, office kind, items) for every list introduced by "... distriktskontorer ... oppgaver:"."""
    lead, kind, items = None, None, []
    for placed in blocks:
        block = placed.block
        if block.kind == "list_item" and kind:
            if block.text not in items:  # the same task twice in one list is one task
                items.append(block.text)
            continue
        if kind and items:
            yield lead, kind, items
        lead, kind, items = None, None, []
        if block.kind == "paragraph" and block.text.rstrip().endswith(":"):
            lead, kind = block.text, _task_kind(block.text)
    if kind and items:
        yield lead, kind, items


def _task_kind(lead: str) -> str | None:
    if _AS_A_WHOLE.search(lead):
        return "organisation"
    if m := _TASK_LEAD.search(lead):
        return "head" if m[1].lower().startswith("hovedkontor") else "district"
    if _ORGANISATION_TASK_LEAD.search(lead):
        return "organisation"
    return None
