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


@dataclass(frozen=True)
class RegisteredDocument:
    document_id: str
    kind: str
    title: str
    identifier: str | None = None
    spellings: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    issuer: str | None = None
    series: str | None = None


@dataclass(frozen=True)
class Series:
    """The editions of one plan or the white papers of one kind, which pages also name without a period."""

    series_id: str
    names: tuple[str, ...]
    editions: tuple[RegisteredDocument, ...]  # oldest first

    def containing(self, year: int) -> RegisteredDocument | None:
        """The latest edition in force (or published) in this year."""
        return next((e for e in reversed(self.editions) if e.year_from <= year <= (e.year_to or e.year_from)), None)

    def named_as(self, name_key) -> RegisteredDocument | None:
        """The edition whose own title is this name ("Nasjonal plan for selvhjelp" is the 2004 plan's)."""
        return next((e for e in self.editions if name_key(e.title) in {name_key(s) for s in self.names}), None)


_DOCUMENT_FIELDS = ("identifier", "year_from", "year_to", "issuer", "series")


def _document(row: dict) -> RegisteredDocument:
    facts = {field: row.get(field) for field in _DOCUMENT_FIELDS}
    return RegisteredDocument(
        row["document_id"], row["kind"], row["title"], spellings=tuple(row.get("spellings") or ()), **facts
    )


@cache
def _documents_file() -> dict:
    return yaml.safe_load((HERE / "documents.yaml").read_text(encoding="utf-8"))


@cache
def documents() -> tuple[RegisteredDocument, ...]:
    return tuple(_document(row) for row in _documents_file()["documents"])


@cache
def series() -> tuple[Series, ...]:
    def editions(series_id: str) -> tuple[RegisteredDocument, ...]:
        return tuple(sorted((d for d in documents() if d.series == series_id), key=lambda d: d.year_from))

    return tuple(
        Series(s["series_id"], tuple(s["names"]), editions(s["series_id"])) for s in _documents_file()["series"]
    )
