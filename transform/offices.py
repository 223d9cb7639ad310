"""offices and office_tasks: the head and district offices a page lists, and the task lists pages
give for the head office or for every district office."""

from __future__ import annotations

import re
from collections.abc import Iterator

from selvhjelp_data.reading import PageContent
from selvhjelp_data.text import sha256_hex, slugify
from transform.sections import PlacedBlock, placed_blocks

HEAD_OFFICE_NAME = "Selvhjelp Norge, hovedkontoret"
HEAD_OFFICE_ID = slugify(HEAD_OFFICE_NAME)
_DISTRICT = re.compile(r"^Distriktskontoret for (.+)$")
_HEAD = re.compile(r"^Hovedkontor(et)?\b", re.I)
_LABELLED = re.compile(r"^(Adresse|Kontorsted|Telefon|E-post)\s*:\s*(.+)$", re.I)
_LABEL_START = re.compile(r"(?=(?:Adresse|Telefon|E-post|Kontorsted)\s*:)", re.I)
_ADDRESS = re.compile(r"^(.+?),\s*(\d{4})\s+(.+)$")
# "org. nr. 980 495 361", "org.nr 980495361", "organisasjonsnummer: 980 495 361"
_ORGANISATION_NUMBER = re.compile(
    r"\b(?:org\.?\s*nr\.?|organisasjonsnummer)\s*:?\s*(\d{3})\s?(\d{3})\s?(\d{3})\b", re.I
)
_TASK_LEAD = re.compile(r"(distriktskontor\w*|hovedkontor\w*)\b.*(oppgave|i oppgave å)", re.I)
_YEARS = re.compile(r"\b((?:19|20)\d{2})(?:\s*[-–]\s*((?:19|20)\d{2}))?\b")

# "og" inside a county's own name is not a list separator
_AREA_SEPARATOR = re.compile(r",\s*|\s+og\s+(?!Romsdal\b|Fjordane\b)")


def split_areas(text: str) -> list[str]:
    """ "Rogaland, Aust- og Vest-Agder" -> Rogaland, Aust-Agder, Vest-Agder; "Sogn og Fjordane" stays whole."""
    text = re.sub(r"(\w+)- og (\w+)-(\w+)", r"\1-\3, \2-\3", text)  # a suspended hyphen shares the stem
    return [p.strip() for p in _AREA_SEPARATOR.split(text) if p.strip()]


def organisation_number(text: str) -> str | None:
    """The nine digits of a Norwegian organisation number written in the text, if any."""
    m = _ORGANISATION_NUMBER.search(text)
    return "".join(m.groups()) if m else None


def offices_of_page(pid: str, page: PageContent, version: int) -> list[dict]:
    """Each office heading with the labelled lines under it (address, city, phone, e-mail)."""
    offices: dict[str, dict] = {}  # one office however often the page lists it
    current: dict | None = None
    org_number = organisation_number(page.main_text)  # the organisation that runs every office listed
    for placed in placed_blocks(page):
        block = placed.block
        if block.kind == "heading":
            current = _office_of_heading(block.text, pid, version, org_number)
            if current:
                current = offices.setdefault(current["office_id"], current)
        elif current is not None and block.kind == "paragraph":
            current.update(_labelled_fields(block.text))
    return list(offices.values())


def _office_of_heading(heading: str, pid: str, version: int, org_number: str | None) -> dict | None:
    if m := _DISTRICT.match(heading):
        return _office("district", heading, pid, version, org_number, areas=split_areas(m[1]))
    if _HEAD.match(heading):
        return _office("head", HEAD_OFFICE_NAME, pid, version, org_number)
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


def _office(kind, name, pid, version, org_number, areas=None) -> dict:
    return {
        "office_id": slugify(name),
        "kind": kind,
        "name": name,
        "city": None,
        "areas": areas,
        "street_address": None,
        "postal_code": None,
        "phone": None,
        "email": None,
        "organisation_number": org_number,
        "source_page_id": pid,
        "page_version": version,
    }


def tasks_of_page(pid: str, page: PageContent, version: int, head_office_id: str | None) -> list[dict]:
    """Each list that follows a lead-in naming an office kind and its tasks."""
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
        if block.kind == "paragraph" and block.text.rstrip().endswith(":") and (m := _TASK_LEAD.search(block.text)):
            lead, kind = block.text, "head" if m[1].lower().startswith("hovedkontor") else "district"
    if kind and items:
        yield lead, kind, items
