"""catalog.ttl and catalog.jsonld: the release as a DCAT-AP-NO catalogue record, which data.norge.no
(Felles datakatalog) harvests. Built with rdflib, property by property, from the settings (publisher,
licence, where releases are published, the schedule) and the release's own files and tables.

One dcat:Catalog with one dcat:Dataset, and a dcat:Distribution per data file (each table as CSV and
as Parquet) and for the changes feed, each with its download URL, format, media type, size,
licence, rights and checksum (SHA-1: the only algorithm the profile's shapes take). Every resource
it links to is typed and labelled, as the official validator's vocabularies would (the SHACL shapes
check classes through the data graph).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, SKOS

from publish.place import public_place
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import PROJECT_URL, Settings
from selvhjelp_data.text import file_digest

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU = "http://publications.europa.eu/resource/authority/"
BRREG = "https://data.brreg.no/enhetsregisteret/api/enheter/"
THEMES = {  # EU data theme and the Norwegian LOS theme (Felles vokabular for offentlige tjenester)
    EU + "data-theme/HEAL": ("Helse", "Health"),
    "https://psi.norge.no/los/tema/helse-og-omsorg": ("Helse og omsorg", "Health and care"),
}
KEYWORDS = {
    "nb": ["selvhjelp", "selvorganisert selvhjelp", "helsepolitikk", "stortingsmeldinger", "veiledere", "endringslogg"],
    "en": ["self-help", "health policy", "white papers", "guidelines", "change log"],
}
FORMATS = {  # file ending -> (EU file type, IANA media type)
    "csv": ("CSV", "text/csv"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet"),
    "atom": ("ATOM", "application/atom+xml"),
}
TITLE = {
    "nb": "Selvhjelp Norge: politiske dokumenter, sider og endringer",
    "en": "Selvhjelp Norge: policy pages, their changes and the policy documents they cite",
}
DESCRIPTION = {
    "nb": "Sidene om politisk forankring på selvhjelp.no (Selvhjelp Norge), hver versjon av dem, hver endring "
    "siden første kjøring, de politiske dokumentene de viser til, sitater, og Selvhjelp Norges kontorer.",
    "en": "The policy pages of selvhjelp.no (Selvhjelp Norge), every version of them, every change since the "
    "first run, the policy documents they cite, quotations, and Selvhjelp Norge's offices.",
}
RIGHTS = (
    "Quoted text (quotes.text, the page texts and diffs) belongs to its authors and is included as "
    "quotation under the Norwegian Copyright Act, åndsverkloven § 29; the licence covers the tables "
    "as a compilation and what the pipeline derived."
)


def frequency(cron: str) -> str:
    """The EU frequency of a cron schedule: "0 6 * * *" is DAILY."""
    fields = cron.split()
    if len(fields) != 5:
        return EU + "frequency/UNKNOWN"
    minute, hour, day, month, weekday = fields
    if day == month == "*" and weekday == "*":
        return EU + ("frequency/HOURLY" if hour == "*" else "frequency/DAILY")
    if day == month == "*":
        return EU + "frequency/WEEKLY"
    if month == "*" and weekday == "*":
        return EU + "frequency/MONTHLY"
    return EU + "frequency/IRREG"


@dataclass(frozen=True)
class Release:
    """What the record says of one release."""

    run_id: str
    root: Path  # the release folder (files are read for their size and checksum)
    first_run: date
    this_run: date
    coverage: tuple[date, date] | None  # earliest and latest page date
    mirror: str | None = None  # a copy of the site the release was crawled from (it says so), else None


def coverage(tables: dict[str, pa.Table]) -> tuple[date, date] | None:
    dates = [d for d in tables["page_versions"].column("last_modified").to_pylist() if d]
    return (min(dates), max(dates)) if dates else None


class Catalogue:
    """The graph of one release's record: one method per resource, one line per property."""

    def __init__(self, release: Release, settings: Settings):
        self.release, self.settings = release, settings
        self.place = public_place(settings)
        self.base = self.place.landing + "#"  # the record's own resources, named under the landing page
        self.graph = Graph()
        for prefix, ns in (
            ("dcat", DCAT),
            ("dct", DCTERMS),
            ("foaf", FOAF),
            ("vcard", VCARD),
            ("spdx", SPDX),
            ("skos", SKOS),
            ("dcatap", DCATAP),
        ):
            self.graph.bind(prefix, ns)

    def add(self, subject, predicate, obj) -> None:
        self.graph.add((subject, predicate, obj))

    def typed(self, uri: str, cls, label: str | None = None, lang: str | None = None) -> URIRef:
        node = URIRef(uri)
        self.add(node, RDF.type, cls)
        if label:
            self.add(node, SKOS.prefLabel if cls == SKOS.Concept else RDFS.label, Literal(label, lang=lang))
        return node

    def texts(self, subject, predicate, values: dict[str, str]) -> None:
        for lang, text in values.items():
            self.add(subject, predicate, Literal(text, lang=lang))

    def build(self, files: list[Path]) -> Graph:
        catalog, dataset = URIRef(self.base + "catalog"), URIRef(self.base + "dataset")
        self.add(catalog, RDF.type, DCAT.Catalog)
        self.texts(catalog, DCTERMS.title, {"nb": "Katalog: " + TITLE["nb"], "en": "Catalogue: " + TITLE["en"]})
        self.texts(catalog, DCTERMS.description, DESCRIPTION)
        self.add(catalog, DCTERMS.identifier, Literal(str(catalog)))
        self.add(catalog, DCTERMS.publisher, self.publisher())
        self.add(catalog, FOAF.homepage, self.typed(PROJECT_URL, FOAF.Document))
        self.add(catalog, DCTERMS.language, self.typed(EU + "language/NOB", DCTERMS.LinguisticSystem, "norsk bokmål"))
        self.add(catalog, DCTERMS.license, self.licence())
        self.add(catalog, DCAT.dataset, dataset)
        self.add(catalog, DCTERMS.modified, Literal(self.release.this_run, datatype=XSD.date))
        self.dataset(dataset, files)
        return self.graph

    def publisher(self) -> URIRef:
        node = self.typed(BRREG + self.settings.publisher_org_number, FOAF.Agent)
        self.add(node, RDF.type, FOAF.Organization)
        self.add(node, FOAF.name, Literal(self.settings.publisher_name, lang="nb"))
        self.add(node, DCTERMS.identifier, Literal(self.settings.publisher_org_number))
        return node

    def licence(self) -> URIRef:
        terms = self.settings.licence_terms
        return self.typed(terms.url, DCTERMS.LicenseDocument, terms.title)

    def rights(self) -> BNode:
        node = BNode("rights")
        self.add(node, RDF.type, DCTERMS.RightsStatement)
        self.add(node, RDFS.label, Literal(RIGHTS, lang="en"))
        return node

    def contact_point(self) -> BNode:
        node = BNode("contact-point")
        self.add(node, RDF.type, VCARD.Organization)
        self.add(node, RDF.type, VCARD.Kind)
        self.add(node, VCARD.fn, Literal(self.settings.publisher_name))
        self.add(node, VCARD.hasURL, URIRef(self.settings.contact_url))
        if self.settings.contact_email:
            self.add(node, VCARD.hasEmail, URIRef("mailto:" + self.settings.contact_email))
        if self.settings.contact_phone:
            self.add(node, VCARD.hasTelephone, URIRef("tel:" + self.settings.contact_phone.replace(" ", "")))
        return node

    def dataset(self, dataset: URIRef, files: list[Path]) -> None:
        self.add(dataset, RDF.type, DCAT.Dataset)
        mirror = self.release.mirror
        self.texts(dataset, DCTERMS.title, {k: v + (f" (kopi: {mirror})" if mirror else "") for k, v in TITLE.items()})
        self.texts(dataset, DCTERMS.description, DESCRIPTION)
        if mirror:  # crawled from a copy of the site: not the record of selvhjelp.no itself
            self.texts(dataset, DCTERMS.description, {"en": f"Crawled from a copy of the site at {mirror}."})
            self.add(dataset, DCTERMS.source, URIRef(mirror))
        self.add(dataset, OWL.versionInfo, Literal(self.release.run_id))
        self.add(dataset, ADMS.versionNotes, Literal(f"Release {self.release.run_id}", lang="en"))
        self.add(dataset, DCTERMS.identifier, Literal(str(dataset)))
        self.add(dataset, DCTERMS.publisher, self.publisher())
        self.add(dataset, DCAT.contactPoint, self.contact_point())
        for uri, (nb, en) in THEMES.items():
            theme = self.typed(uri, SKOS.Concept, nb, "nb")
            self.add(theme, SKOS.prefLabel, Literal(en, lang="en"))
            self.add(dataset, DCAT.theme, theme)
        for lang, words in KEYWORDS.items():
            for word in words:
                self.add(dataset, DCAT.keyword, Literal(word, lang=lang))
        self.add(dataset, DCTERMS.spatial, self.typed(EU + "country/NOR", DCTERMS.Location, "Norge"))
        if self.release.coverage:
            self.add(dataset, DCTERMS.temporal, self.period(*self.release.coverage))
        self.add(dataset, DCTERMS.accrualPeriodicity, self.typed(frequency(self.settings.cron), DCTERMS.Frequency))
        self.add(dataset, DCTERMS.language, self.typed(EU + "language/NOB", DCTERMS.LinguisticSystem))
        self.add(
            dataset, DCTERMS.accessRights, self.typed(EU + "access-right/PUBLIC", DCTERMS.RightsStatement, "public")
        )
        self.add(dataset, DCTERMS.issued, Literal(self.release.first_run, datatype=XSD.date))
        self.add(dataset, DCTERMS.modified, Literal(self.release.this_run, datatype=XSD.date))
        self.add(dataset, DCAT.landingPage, self.typed(self.place.landing, FOAF.Document))
        self.add(dataset, FOAF.page, self.typed(self.settings.wordpress_origin + "/", FOAF.Document))  # the source site
        for path in files:
            self.add(dataset, DCAT.distribution, self.distribution(path))

    def period(self, start: date, end: date) -> BNode:
        node = BNode("period")
        self.add(node, RDF.type, DCTERMS.PeriodOfTime)
        self.add(node, DCAT.startDate, Literal(start, datatype=XSD.date))
        self.add(node, DCAT.endDate, Literal(end, datatype=XSD.date))
        return node

    def distribution(self, path: Path) -> URIRef:
        relative = path.relative_to(self.release.root).as_posix()
        node = URIRef(self.base + "distribution/" + relative)
        file_type, media_type = FORMATS[path.suffix.lstrip(".")]
        self.add(node, RDF.type, DCAT.Distribution)
        self.texts(node, DCTERMS.title, {"en": _distribution_title(path)})
        self.texts(node, DCTERMS.description, {"en": _distribution_description(path)})
        self.add(node, DCAT.accessURL, URIRef(self.place.landing))
        # pinned to the release's tag: the checksum below stays true of what the URL gives
        self.add(node, DCAT.downloadURL, URIRef(self.place.pinned(relative, self.release.run_id)))
        self.add(node, DCTERMS.format, self.typed(EU + "file-type/" + file_type, DCTERMS.MediaType))
        self.add(
            node,
            DCAT.mediaType,
            self.typed("https://www.iana.org/assignments/media-types/" + media_type, DCTERMS.MediaType),
        )
        self.add(
            node, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.decimal)
        )  # DCAT-AP-NO 2.0 wants decimal
        self.add(node, DCTERMS.license, self.licence())
        self.add(node, DCTERMS.rights, self.rights())
        # DCAT-AP-NO 2.0 takes SHA-1 only here; SHA256SUMS and datapackage.json give SHA-256
        checksum = BNode("checksum-" + relative.replace("/", "-"))
        self.add(checksum, RDF.type, SPDX.Checksum)
        self.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha1)
        self.add(checksum, SPDX.checksumValue, Literal(file_digest(path, "sha1"), datatype=XSD.hexBinary))
        self.add(node, SPDX.checksum, checksum)
        return node


def _distribution_description(path: Path) -> str:
    if path.suffix == ".atom":
        return "The newest changes and events, each with its word-level diff (Atom 1.0); follows the latest release."
    table = TABLES[path.stem]
    how = "CSV (RFC 4180, UTF-8; see datapackage.json for types)" if path.suffix == ".csv" else "Parquet (typed)"
    return f"{table.description} {how}."


def _distribution_title(path: Path) -> str:
    if path.suffix == ".atom":
        return "Changes feed (Atom): the latest changes with their diffs"
    table = TABLES[path.stem]
    return f"{table.title} ({path.suffix.lstrip('.').upper()})"


def catalogue_files(root: Path) -> list[Path]:
    """The files the record describes: each table as CSV and Parquet, and the feed."""
    data = sorted(p for p in (root / "data").iterdir() if p.suffix in (".csv", ".parquet"))
    return [*data, *sorted(root.glob("*.atom"))]


def write_catalogue(root: Path, release: Release, settings: Settings) -> None:
    graph = Catalogue(release, settings).build(catalogue_files(root))
    graph.serialize(root / "catalog.ttl", format="turtle")
    (root / "catalog.jsonld").write_text(stable_jsonld(graph), encoding="utf-8")


JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "spdx": str(SPDX),
    "skos": str(SKOS),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "adms": str(ADMS),
}


def stable_jsonld(graph: Graph) -> str:
    """JSON-LD, compacted with a context, in a stable order (nodes by id, keys and values sorted): two
    releases of the same data differ only where the run's id, dates and checksums do."""
    document = json.loads(graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True))
    nodes = document.get("@graph", [document])
    document["@graph"] = sorted((_sorted(node) for node in nodes), key=lambda n: n.get("@id", ""))
    return (
        json.dumps(
            {"@context": JSONLD_CONTEXT, "@graph": document["@graph"]}, ensure_ascii=False, indent=1, sort_keys=True
        )
        + "\n"
    )


def _sorted(value):
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_sorted(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value
