"""offices and office_tasks: the offices page's head and district offices, and the task lists
pages give for each kind of office."""

from __future__ import annotations

import re

from crawl.extract import PageContent
from selvhjelp_data.text import slugify
from transform.sections import placed_blocks

_DISTRICT = re.compile(r"^Distriktskontoret for (.+)$")
_HEAD = re.compile(r"^Hovedkontor(et)?\b", re.I)
_LABELLED = re.compile(r"^(Adresse|Kontorsted|Telefon|E-post)\s*:\s*(.+)$", re.I)
_ADDRESS = re.compile(r"^(.+?),\s*(\d{4})\s+(.+)$")
_TASK_LEAD = re.compile(r"(distriktskontor\w*|hovedkontor\w*)\b.*(oppgave|i oppgave å)", re.I)


# "og" inside a county's own name is not a list separator
_AREA_SEPARATOR = re.compile(r",\s*|\s+og\s+(?!Romsdal\b|Fjordane\b)")


def split_areas(text: str) -> list[str]:
    """ "Rogaland, Aust- og Vest-Agder" -> Rogaland, Aust-Agder, Vest-Agder; "Sogn og Fjordane" stays whole."""
    text = re.sub(r"(\w+)- og (\w+)-(\w+)", r"\1-\3, \2-\3", text)  # a suspended hyphen shares the stem
    return [p.strip() for p in _AREA_SEPARATOR.split(text) if p.strip()]


def offices_of_page(pid: str, page: PageContent) -> list[dict]:
    offices: list[dict] = []
    current: dict | None = None
    for placed in placed_blocks(page):
        block = placed.block
        if block.kind == "heading":
            current = None
            if m := _DISTRICT.match(block.text):
                current = _office("district", block.text, pid, areas=split_areas(m[1]))
            elif _HEAD.match(block.text):
                current = _office("head", "Selvhjelp Norge, hovedkontoret", pid)
            if current:
                offices.append(current)
            continue
        if current is None or block.kind != "paragraph":
            continue
        for line in (
            block.text.split("\n")
            if "\n" in block.text
            else re.split(r"(?=(?:Adresse|Telefon|E-post|Kontorsted)\s*:)", block.text)
        ):
            m = _LABELLED.match(line.strip())
            if not m:
                continue
            label, value = m[1].lower(), m[2].strip()
            if label == "kontorsted":
                current["city"] = value
            elif label == "telefon":
                current["phone"] = value
            elif label == "e-post":
                current["email"] = value
            elif label == "adresse" and (a := _ADDRESS.match(value)):
                current.update(street_address=a[1], postal_code=a[2], city=a[3])
    return offices


def _office(kind, name, pid, areas=None) -> dict:
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
        "source_page_id": pid,
    }


def tasks_of_page(pid: str, page: PageContent) -> list[dict]:
    """Each list that follows a lead-in naming an office kind and its tasks."""
    tasks: list[dict] = []
    kind = None
    for placed in placed_blocks(page):
        block = placed.block
        if block.kind == "list_item" and kind:
            tasks.append(
                {
                    "office_kind": kind,
                    "task": block.text,
                    "position": sum(1 for t in tasks if t["office_kind"] == kind) + 1,
                    "page_id": pid,
                }
            )
            continue
        kind = None
        if block.kind == "paragraph" and block.text.rstrip().endswith(":") and (m := _TASK_LEAD.search(block.text)):
            kind = "head" if m[1].lower().startswith("hovedkontor") else "district"
    return tasks
