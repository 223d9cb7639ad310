"""The registers: what is published about the offices and documents the site names, as data files.

A page names an office by its city or its counties, and a document by one of many spellings; the
registers say which office or document that is, so the same thing has one id on every crawl, and fill
in what the page leaves out (marked as inferred in the tables: a page's own statement always wins).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from selvhjelp_data.text import normalise

HERE = Path(__file__).resolve().parent
_SIMILAR = 0.85  # "Akserhus" is Akershus; "Oppland" is not Rogaland


@dataclass(frozen=True)
class RegisteredOffice:
    office_id: str
    kind: str  # head | district
    name: str
    cities: tuple[str, ...]  # the current one first
    areas: tuple[str, ...]

    @property
    def city(self) -> str | None:
        return self.cities[0] if self.cities else None


@cache
def offices() -> tuple[RegisteredOffice, ...]:
    rows = yaml.safe_load((HERE / "offices.yaml").read_text(encoding="utf-8"))
    return tuple(
        RegisteredOffice(
            r["office_id"], r["kind"], r["name"], tuple(r.get("cities") or ()), tuple(r.get("areas") or ())
        )
        for r in rows
    )


def head_office() -> RegisteredOffice:
    return next(o for o in offices() if o.kind == "head")


def _same_name(a: str, b: str) -> bool:
    a, b = normalise(a).casefold(), normalise(b).casefold()
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= _SIMILAR


def district_by_areas(areas: list[str]) -> RegisteredOffice | None:
    """The district office covering exactly these counties (however a page spells them)."""
    for office in offices():
        same_size = office.kind == "district" and len(office.areas) == len(areas)
        if same_size and all(any(_same_name(a, b) for b in office.areas) for a in areas):
            return office
    return None


def district_by_city(city: str) -> RegisteredOffice | None:
    """The district office that is (or was) in this city."""
    return next((o for o in offices() if o.kind == "district" and any(_same_name(city, c) for c in o.cities)), None)


def canonical_area(area: str, office: RegisteredOffice) -> str:
    """A county as the register spells it, for a spelling a page uses."""
    return next((a for a in office.areas if _same_name(area, a)), area)
