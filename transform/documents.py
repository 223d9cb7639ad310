"""documents and document_mentions: the policy documents the pages name, one row however spelled.

Reading is in three steps:
1. each page is read for the places that name a document (`Reference`): an identifier, a heading
   or teaser that is a document's title, a plan with its period, a stortingsmelding named by subject
   and session; each with what its sentence and section say (title, year, issuer, a stated title);
2. one identity over every spelling on every page (and in the previous release): an identifier, a
   title, an alias, a short title, a defined acronym spelled out - all that is written the same way
   is one document, and a titled heading is the document its section cites by identifier. A
   document has at most one identifier; its id is the identifier's slug, else the id it had before,
   else the slug of its title;
3. the titles then known are found again in running text (also in the definite form a sentence uses:
   "opptrappingsplanen for rusfeltet"), so a document named by title is counted wherever it stands.
Every mention says where it stands: body (running text), heading, link or list.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from selvhjelp_data.reading import Block, PageContent
from selvhjelp_data.text import sha256_hex
from transform import document_names as names
from transform import register
from transform.document_names import Document
from transform.register import RegisteredDocument, Series
from transform.sections import PlacedBlock, placed_blocks, sentence_around

GENERIC_KINDS = ("is_publication", "proposisjon")  # what an identifier alone says; a title says more
TITLE_RANK = {"stated": 0, "with_identifier": 1, "heading": 2, "text": 3}  # which reading of a title wins


@dataclass
class Reference:
    """One place on a page that names a document, and what that place says about it."""

    doc: Document
    page_id: str
    position: int  # in the page's main text
    matched_text: str
    context_kind: str  # body | heading | link | list
    section_heading: str | None
    context: str
    title_rank: int = TITLE_RANK["text"]
    also: list[str] = field(default_factory=list)  # more spellings of the same document


def context_kind(block: Block, start: int, end: int) -> str:
    if block.kind == "heading":
        return "heading"
    if block.in_link(start, end):
        return "link"
    return "list" if block.kind == "list_item" else "body"


# -- 1. reading a page ----------------------------------------------------------------------------


@dataclass
class Section:
    heading: str | None
    blocks: list[PlacedBlock] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(p.block.text for p in self.blocks)


def _placed_with_title(page: PageContent) -> list[PlacedBlock]:
    """The page's blocks, its title first as the heading it is (a title may name a document too)."""
    title = [PlacedBlock(Block("heading", page.title, 1), page.title, 0)] if page.title else []
    return title + list(placed_blocks(page))


def sections_of(page: PageContent) -> list[Section]:
    sections = [Section(None)]
    for placed in _placed_with_title(page):
        if placed.block.kind == "heading":
            sections.append(Section(placed.block.text))
        sections[-1].blocks.append(placed)
    return sections


@dataclass
class PageReading:
    """Step 1 for one page, which needs no other page: so a worker process can do it beside extraction."""

    references: list[Reference]
    same: list[tuple[int, int]]  # pairs of references that are one document (titled heading, identifier)
    acronyms: dict[str, str]  # abbreviations the page defines


def read_references(pid: str, page: PageContent) -> PageReading:
    """The references of one page, which of them are one document, and the acronyms it defines."""
    references, same = [], []
    for section in sections_of(page):
        start = len(references)
        for placed in section.blocks:
            references += _references_in_block(pid, placed, section)
        same += _section_identity(references, start, section)
    return PageReading(references, same, names.acronyms_in(page.main_text))


def _references_in_block(pid: str, placed: PlacedBlock, section: Section) -> list[Reference]:
    block, found = placed.block, []
    if block.kind == "heading" and (kind := names.title_kind(block.text)) and not _has_identifier(block.text):
        doc = names.titled(block.text, kind)
        stated = _facts_from_section(doc, section)
        rank = TITLE_RANK["heading"] if stated is None else stated
        found.append(Reference(doc, pid, placed.offset, block.text, "heading", block.text, block.text, rank))
    for kind, style, m in names.identifier_matches(block.text):
        found.append(_identifier_reference(pid, placed, section, kind, style, m))
    if block.kind != "heading":
        for pattern, make in (
            (names.TITLED_WITH_YEARS, _plan_with_period),
            (names.DESCRIBED_MELDING, names.described_melding),
        ):
            for m in pattern.finditer(block.text):
                found.append(_reference(pid, placed, make(m), m.start(), m.end()))
    return found


def _has_identifier(text: str) -> bool:
    return any(True for _ in names.identifier_matches(text))


def _plan_with_period(m) -> Document:
    title = f"{m[1]} {m[2]}-{m[3]}"
    return names.titled(title, names.title_kind(m[1]) or "plan")


def _reference(pid: str, placed: PlacedBlock, doc: Document, start: int, end: int, **kw) -> Reference:
    text = placed.block.text
    return Reference(
        doc,
        pid,
        placed.offset + start,
        text[start:end],
        context_kind(placed.block, start, end),
        placed.heading,
        sentence_around(text, start, end),
        **kw,
    )


def _identifier_reference(pid, placed, section, kind, style, m) -> Reference:
    """An identifier with what its sentence says: the title written with it, year, issuer."""
    text = placed.block.text
    doc = names.identify(kind, style, m)
    doc.add_alias(m[0])
    sentence = sentence_around(text, m.start(), m.end())
    rank = TITLE_RANK["text"]
    composed = doc.title is not None  # a budget's title is made from its year; a heading does not rename it
    if placed.block.kind == "heading" and not composed and (rest := names.heading_rest(text[m.end() :])):
        doc.title, rank = rest, TITLE_RANK["with_identifier"]
    elif title := names.title_before(text[: m.start()]) or (
        names.title_after(text[m.end() :]) if kind == "stortingsmelding" else None
    ):
        doc.title, rank = title, TITLE_RANK["with_identifier"]
    if rank == TITLE_RANK["with_identifier"]:
        doc.add_alias(doc.title)  # written on the page
    if doc.year_from is None and (year := names.year_of(text[m.end() :], sentence)):
        doc.year_from = doc.year_to = year
    doc.issuer = doc.issuer or names.issuer_in(sentence, doc.kind)
    if placed.block.kind == "heading" and (stated := _facts_from_section(doc, section)) is not None:
        rank = stated
    return _reference(pid, placed, doc, m.start(), m.end(), title_rank=rank)


def _facts_from_section(doc: Document, section: Section) -> int | None:
    """What the section under a document's heading says of it: a stated title (its rank, then), a
    name, the year, the issuer."""
    body = [p.block.text for p in section.blocks if p.block.kind != "heading"]
    first = body[0] if body else ""
    text = " ".join(body)
    stated = None
    if m := names.TITLE_STATED.search(text):
        doc.add_alias(m[1])
        doc.title, stated = m[1], TITLE_RANK["stated"]
    for m in names.NAME_GIVEN.finditer(text):
        doc.add_alias(m[1])
    if doc.year_from is None and (year := names.year_of("", first)):
        doc.year_from = doc.year_to = year
    doc.issuer = doc.issuer or names.issuer_in(first, doc.kind)
    return stated


def _section_identity(references: list[Reference], start: int, section: Section) -> list[tuple[int, int]]:
    """A titled heading is the document its section first cites by an identifier of a fitting kind."""
    mine = references[start:]
    heading = next((i for i, r in enumerate(mine) if r.context_kind == "heading" and r.doc.identifier is None), None)
    if heading is None:
        return []
    fits = names.COMPATIBLE.get(mine[heading].doc.kind, ())
    cited = next((i for i, r in enumerate(mine) if r.doc.identifier and r.doc.kind in fits), None)
    return [(start + heading, start + cited)] if cited is not None else []


# -- 2. one identity over every spelling ----------------------------------------------------------


class Identity:
    """Union-find over spelling keys, where a group holds at most one identifier."""

    def __init__(self, acronyms: dict[str, str]):
        self.acronyms = acronyms
        self.parent: dict[str, str] = {}
        self.identifier: dict[str, str] = {}  # root -> its identifier
        self.known_id: dict[str, str] = {}  # root -> its id in the register, else in the previous release
        self.registered: dict[str, RegisteredDocument] = {}  # root -> what the register knows of it
        self._keys: dict[str, str] = {}

    def key(self, spelling: str) -> str:
        # the same few spellings come back on page after page: compute each key once
        if (key := self._keys.get(spelling)) is None:
            key = self._keys[spelling] = names.spelling_key(spelling, self.acronyms)
        return key

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or (ra in self.identifier and rb in self.identifier):
            return  # one spelling of two identified documents says nothing about either
        self.parent[rb] = ra
        for table in (self.identifier, self.known_id, self.registered):
            if rb in table:
                table[ra] = table.pop(rb)

    def add(self, doc: Document, spellings: list[str]) -> str:
        """Join a document's spellings; the key of its group."""
        first = self.key(doc.identifier) if doc.identifier else self.key(spellings[0])
        root = self.find(first)
        if doc.identifier:
            self.identifier.setdefault(root, doc.document_id)
        for spelling in spellings:
            self.union(first, self.key(spelling))
        return first

    def document_id(self, key: str, fallback: str) -> str:
        root = self.find(key)
        return self.identifier.get(root) or self.known_id.get(root) or fallback


def _spellings(ref: Reference) -> list[str]:
    doc = ref.doc
    spellings = doc.spellings() + ref.also
    if doc.title and (short := names.short_title(doc.title)):
        spellings.append(short)
    return spellings


def resolve(
    references: list[Reference],
    same: list[tuple[int, int]],
    acronyms: dict[str, str],
    previous: list[dict],
    registered: tuple[RegisteredDocument, ...] = (),
) -> tuple[Identity, list[str]]:
    """Each reference's group key, after joining everything that is written alike. The register's
    documents come first, so their ids win; the previous release's keep theirs."""
    identity = Identity(acronyms)
    for entry in registered:
        known = Document(entry.document_id, entry.kind, entry.identifier, title=entry.title)
        root = identity.find(identity.add(known, [*known.spellings(), *entry.spellings]))
        identity.known_id.setdefault(root, entry.document_id)
        identity.registered.setdefault(root, entry)
    for row in previous:
        known = Document(
            row["document_id"], row["kind"], row["identifier"], title=row["title"], aliases=list(row["aliases"] or [])
        )
        key = identity.add(known, known.spellings())
        identity.known_id.setdefault(identity.find(key), row["document_id"])
    keys = [identity.add(ref.doc, _spellings(ref)) for ref in references]
    for a, b in same:
        identity.union(keys[b], keys[a])
    for a, b in _same_session(references, keys, identity):
        identity.union(keys[b], keys[a])
    return identity, keys


def _same_session(references: list[Reference], keys: list[str], identity: Identity) -> list[tuple[int, int]]:
    """A stortingsmelding named by subject and session is the one numbered stortingsmelding of that
    session the pages cite, when there is exactly one (a session has many, the site cites few)."""
    numbered = defaultdict(set)
    for i, ref in enumerate(references):
        if ref.doc.kind == "stortingsmelding" and ref.doc.identifier:
            numbered[(ref.doc.year_from, ref.doc.year_to)].add(identity.find(keys[i]))
    first_of = {identity.find(k): i for i, k in reversed(list(enumerate(keys)))}
    pairs = []
    for i, ref in enumerate(references):
        session = (ref.doc.year_from, ref.doc.year_to)
        if ref.doc.kind == "stortingsmelding" and not ref.doc.identifier and len(numbered[session]) == 1:
            pairs.append((first_of[next(iter(numbered[session]))], i))
    return pairs


# -- 3. documents and mentions --------------------------------------------------------------------


class DocumentIndex:
    """The documents of a run, and every spelling that names one (for finding them in text): those the
    pages name, and those of the register, which a page may name by title alone."""

    def __init__(self, identity: Identity, references: list[Reference], keys: list[str], series=()):
        self.identity = identity
        groups: dict[str, list[Reference]] = defaultdict(list)
        for ref, key in zip(references, keys, strict=True):
            groups[identity.find(key)].append(ref)
        self.documents: dict[str, Document] = {}
        self.names: dict[str, str | Series] = {}  # spelling -> document id, or the series it names
        self.group_of: dict[str, str] = {}
        for root, refs in groups.items():
            doc_id = identity.document_id(root, _fallback_id(refs, identity.acronyms))
            doc = _with_register(_merged(refs, doc_id, identity.acronyms), identity.registered.get(root))
            self._add(root, doc, _group_spellings(refs))
        for root, entry in identity.registered.items():
            if identity.find(root) == root and root not in self.group_of:
                self._add(root, _with_register(Document(entry.document_id, entry.kind), entry), [])
        for one in series:
            self.names.update((name, one) for name in one.names)  # a series name is resolved where it stands
        self.keys = keys  # each reference's group key, in the order of the references given

    def document_of(self, reference: int) -> str:
        """The document of the reference at this place in the list the index was made of."""
        return self.group_of[self.identity.find(self.keys[reference])]

    def _add(self, root: str, doc: Document, spellings: list[str]) -> None:
        self.documents[doc.document_id] = doc
        self.group_of[root] = doc.document_id
        entry = self.identity.registered.get(root)
        for spelling in [*spellings, *(entry.spellings if entry else ()), *(doc.spellings())]:
            self.names.setdefault(spelling, doc.document_id)
        for form in names.short_forms(doc.title or ""):
            self.names.setdefault(form, doc.document_id)

    def resolve(self, spelling: str) -> str | None:
        root = self.identity.find(self.identity.key(spelling))
        return self.group_of.get(root)

    def document_of_heading(self, heading: str) -> str | None:
        """The document a section heading names: by the identifier in it, or by its title."""
        for kind, style, m in names.identifier_matches(heading):
            doc_id = names.identify(kind, style, m).document_id
            return doc_id if doc_id in self.documents else None
        return self.resolve(heading)


def _title_order(ref: Reference, acronyms: dict[str, str]) -> tuple:
    """Which reading of a title wins: the best rank, then one with no abbreviation, then the first in
    the order of the words (not of the pages: a mirror's page ids differ, its document ids must not)."""
    if not ref.doc.title:
        return (99,)
    abbreviated = any(short in ref.doc.title for short in acronyms)
    return ref.title_rank, abbreviated, ref.doc.title, ref.page_id, ref.position


def _fallback_id(refs: list[Reference], acronyms: dict[str, str]) -> str:
    return min(refs, key=lambda r: _title_order(r, acronyms)).doc.document_id


def _group_spellings(refs: list[Reference]) -> list[str]:
    spellings = []
    for ref in refs:
        for spelling in _spellings(ref):
            if spelling not in spellings:
                spellings.append(spelling)
    return spellings


def _merged(refs: list[Reference], document_id: str, acronyms: dict[str, str]) -> Document:
    """One document from every reading of it: the best title, the first year and issuer stated, and
    every spelling the pages use (the identifier as written, titles, names) as aliases."""
    ordered = sorted(refs, key=lambda r: (r.page_id, r.position))
    kinds = [r.doc.kind for r in ordered]
    doc = Document(document_id, next((k for k in kinds if k not in GENERIC_KINDS), kinds[0]))
    doc.title = min(ordered, key=lambda r: _title_order(r, acronyms)).doc.title
    if doc.kind in GENERIC_KINDS and doc.title and (kind := names.title_kind(doc.title)):
        doc.kind = kind  # "Nasjonal plan for selvhjelp (IS-1212)": a plan, whose identifier is an IS number
    for ref in ordered:
        for attr in ("identifier", "is_number", "year_from", "year_to", "issuer"):
            if getattr(doc, attr) is None:
                setattr(doc, attr, getattr(ref.doc, attr))
    for ref in ordered:  # spellings written on the pages (a title the rules compose is not one)
        for spelling in [ref.matched_text, *ref.doc.aliases]:
            doc.add_alias(spelling)
    return doc


_REGISTER_FILLS = ("identifier", "is_number", "year_from", "year_to", "issuer")


def _with_register(doc: Document, entry: RegisteredDocument | None) -> Document:
    """The register's title and kind (as published); what the pages left out, filled in from it and
    marked so. A page's own statement of the identifier, years or issuer stays."""
    if entry is None:
        return doc
    doc.title, doc.kind = entry.title, entry.kind
    doc.inferred_columns = ["title"]  # until a page is seen to write it (see inferred_title)
    facts = {**entry.__dict__, "is_number": entry.identifier if (entry.identifier or "").startswith("IS-") else None}
    for column in _REGISTER_FILLS:
        if getattr(doc, column) is None and facts[column] is not None:
            setattr(doc, column, facts[column])
            doc.inferred_columns.append(column)
    return doc


def inferred_columns(doc: Document) -> list[str]:
    """The register's title counts as read where a page writes it (in any inflection)."""
    key = names.word_key(doc.title or "")
    written = any(names.word_key(alias) == key for alias in doc.aliases)
    return [c for c in doc.inferred_columns if not (c == "title" and written)]


@dataclass
class Hit:
    """A known name found in running text, before it is known whether a reference stands there."""

    placed: PlacedBlock
    start: int  # in the block's text
    end: int
    target: str | Series  # the document, or the series a name without a period stands for

    @property
    def span(self) -> tuple[int, int]:
        return self.placed.offset + self.start, self.placed.offset + self.end


def find_titles(finder: TitleFinder, index: DocumentIndex, pid: str, page: PageContent, spans: list) -> list[Reference]:
    """Known names in the page's text and headings (its title included), where no reference stands
    already (spans: [document_id, start, end] of the page's references; a name beside its own identifier
    is that reference)."""
    hits = [
        Hit(placed, a, b, target)
        for placed in _placed_with_title(page)
        for a, b, target in finder.find(placed.block.text)
    ]
    named = sorted(
        [(a, doc_id) for doc_id, a, _ in spans] + [(h.span[0], h.target) for h in hits if isinstance(h.target, str)]
    )
    found = []
    for hit in hits:
        doc_id = hit.target if isinstance(hit.target, str) else _edition(hit, spans, named)
        if doc_id is None or _taken(hit, doc_id, spans):
            continue
        found.append(_reference(pid, hit.placed, index.documents[doc_id], hit.start, hit.end))
        spans.append([doc_id, *hit.span])
    return found


def _beside(hit: Hit, span: list) -> bool:
    """Right before or after the span, in the same block ("Folkehelsemeldingen, Meld. St. 19 (2014–2015)",
    "Nasjonal plan for selvhjelp (IS-1212)")."""
    (start, end), (a, b) = hit.span, span[1:]
    block = (hit.placed.offset, hit.placed.offset + len(hit.placed.block.text))
    return (0 <= start - b <= 3 or 0 <= a - end <= 3) and block[0] <= a < block[1]


def _taken(hit: Hit, doc_id: str, spans: list) -> bool:
    """A place is taken by a reference there, or by its own document's name or identifier right beside
    it: the name and identifier side by side are one mention, which then reaches over both."""
    start, end = hit.span
    for span in spans:
        if span[1] < end and start < span[2]:
            return True
        if span[0] == doc_id and _beside(hit, span):
            span[1:] = [min(span[1], start), max(span[2], end)]
            return True
    return False


def _edition(hit: Hit, spans: list, named: list[tuple[int, str]]) -> str | None:
    """The edition a series name without a period stands for: the one beside it ("folkehelsemeldingen
    (Meld. St. 19 (2018-2019))"), the first where the sentence says so ("den første Nasjonale planen"),
    none where a revision to come is meant ("med revidert Nasjonal plan for selvhjelp"), the one its
    sentence dates ("I 2014 ble Nasjonal plan for selvhjelp revidert"), the one the page names with its
    period (nearest before, else after; after, for a heading), else the edition whose title the name is."""
    series: Series = hit.target
    editions = {e.document_id for e in series.editions}
    if beside := next((span[0] for span in spans if span[0] in editions and _beside(hit, span)), None):
        return beside
    sentence = sentence_around(hit.placed.block.text, hit.start, hit.end)
    if names.FIRST_EDITION.search(sentence):
        return series.editions[0].document_id
    years = names.years_in(sentence)
    if not years and names.NEXT_EDITION.search(hit.placed.block.text[: hit.start]):
        return None  # a revision to come is no document yet
    for year in years:
        if edition := series.containing(year):
            return edition.document_id
    on_page = [(at, doc_id) for at, doc_id in named if doc_id in editions]
    before = [doc_id for at, doc_id in on_page if at < hit.span[0]]
    after = [doc_id for at, doc_id in on_page if at > hit.span[0]]
    if hit.placed.block.kind == "heading" and after:
        return after[0]  # a heading names what its section goes on to cite
    if before or after:
        return (before or after[:1])[-1]
    first = series.named_as(names.word_key)
    return first.document_id if first else None


class TitleFinder:
    """Known names (12 characters or more) found in running text by word-aligned dictionary look-ups,
    over words without their inflection ("den nasjonale planen for selvhjelp" is "Nasjonal plan for
    selvhjelp"): the cost grows with the words of a page, not with the number of names known."""

    MIN_CHARS = 12

    def __init__(self, spellings: dict[str, str | Series]):
        self.names: dict[tuple[str, ...], str | Series] = {}
        lengths = defaultdict(set)
        for spelling, target in spellings.items():
            key = names.word_key(spelling)
            if len(spelling) < self.MIN_CHARS or not key or isinstance(self.names.get(key), Series):
                continue  # a series name is resolved where it stands, even where it is an edition's title
            self.names[key] = target
            lengths[key[0]].add(len(key))
        # first word -> the word counts of the names it starts, longest first: only those are tried
        self.lengths = {word: sorted(counts, reverse=True) for word, counts in lengths.items()}
        self._stems: dict[str, str] = {}  # the same words come back on every page: stem each once

    def _stem(self, word: str) -> str:
        if (stem := self._stems.get(word)) is None:
            stem = self._stems[word] = names.stem(word.lower())
        return stem

    def find(self, text: str):
        """(start, end, target) of each longest name, left to right."""
        words = [self._stem(w) for w in names.WORD.findall(text)]
        starts = [i for i, word in enumerate(words) if word in self.lengths]
        if not starts:
            return
        bounds = [m.span() for m in names.WORD.finditer(text)]  # worked out for a block with a candidate only
        free = 0  # the first word not inside a name found already
        for i in starts:
            if i < free:
                continue
            for n in self.lengths[words[i]]:
                if i + n <= len(words) and (target := self.names.get(tuple(words[i : i + n]))) is not None:
                    yield bounds[i][0], bounds[i + n - 1][1], target
                    free = i + n
                    break


def build_document_tables(
    contents: dict[str, tuple[PageContent, int]],
    previous: list[dict] = (),
    readings: dict[str, PageReading] | None = None,
    registered: tuple[RegisteredDocument, ...] | None = None,
    series: tuple[Series, ...] | None = None,
) -> tuple[list[dict], list[dict], DocumentIndex]:
    """This run's documents and mentions from the pages live now (page_id -> (content, version)), all
    pages at once (a large run's transform takes the same steps a chunk of pages at a time);
    `readings` holds step 1 of pages already read; the register (by default
    transform/register/documents.yaml) names the documents and the series the pages cite."""
    said = References()
    page_readings = {
        pid: (readings or {}).get(pid) or read_references(pid, contents[pid][0]) for pid in sorted(contents)
    }
    for reading in page_readings.values():
        said.add(reading)
    index = document_index(said, previous, registered, series)
    finder = TitleFinder(index.names)
    mentions = []
    for pid, reading in page_readings.items():
        mentions += page_mentions(index, finder, said, pid, contents[pid][0], reading)
    rows = mention_rows(mentions, {pid: version for pid, (_, version) in contents.items()})
    return document_rows(index, rows), rows, index


class References:
    """Step 1 of every page, each thing said kept once: the identity of documents (step 2) depends on
    what the references say (their spellings and facts) and on which came first in page order, never on
    how often they are said. A large site repeats the same few citations on thousands of pages: this is
    what of its references a run holds at once. Add the readings in page order."""

    def __init__(self):
        self.references: list[Reference] = []  # the first reference that says each thing
        self.same: list[tuple[int, int]] = []  # pairs of them that are one document, first occurrence kept
        self.acronyms: dict[str, str] = {}
        self._index: dict[tuple, int] = {}
        self._pairs: set[tuple[int, int]] = set()

    def add(self, reading: PageReading) -> None:
        self.acronyms.update(reading.acronyms)
        local = [self.index_of(ref) for ref in reading.references]
        for a, b in reading.same:
            if (pair := (local[a], local[b])) not in self._pairs:
                self._pairs.add(pair)
                self.same.append(pair)

    def index_of(self, ref: Reference) -> int:
        said = _what_it_says(ref)
        if (i := self._index.get(said)) is None:
            i = self._index[said] = len(self.references)
            self.references.append(replace(ref, context="", section_heading=None))  # step 2 reads neither
        return i


def _what_it_says(ref: Reference) -> tuple:
    """All of a reference that step 2 reads (not where it stands: page, position, context)."""
    doc = ref.doc
    facts = (doc.document_id, doc.kind, doc.identifier, doc.is_number, doc.title, doc.year_from, doc.year_to)
    return (*facts, doc.issuer, tuple(doc.aliases), tuple(doc.inferred_columns), ref.matched_text,
            ref.title_rank, tuple(ref.also))  # fmt: skip


def document_index(
    said: References,
    previous: list[dict] = (),
    registered: tuple[RegisteredDocument, ...] | None = None,
    series: tuple[Series, ...] | None = None,
) -> DocumentIndex:
    """Step 2: one identity over everything the pages said, the register's and the previous release's."""
    registered = register.documents() if registered is None else registered
    series = register.series() if series is None else series
    identity, keys = resolve(said.references, said.same, said.acronyms, list(previous), registered)
    return DocumentIndex(identity, said.references, keys, series)


def page_mentions(
    index: DocumentIndex, finder: TitleFinder, said: References, pid: str, page: PageContent, reading: PageReading
) -> list[tuple[Reference, str]]:
    """Step 3 for one page: its references with their documents, and the known names in its running text
    (each a spelling its document is then known by: pages are to be taken in page order)."""
    refs = [(ref, index.document_of(said.index_of(ref))) for ref in reading.references]
    mentions = _editions_of_series_names(finder, page, refs)
    spans = [[doc_id, r.position, r.position + len(r.matched_text)] for r, doc_id in mentions]
    for ref in find_titles(finder, index, pid, page, spans):
        ref.doc.add_alias(ref.matched_text)  # a spelling seen on the pages
        mentions.append((ref, ref.doc.document_id))
    return mentions


def _editions_of_series_names(finder: TitleFinder, page: PageContent, refs: list) -> list[tuple[Reference, str]]:
    """A page's references, where one that is a series name alone (a heading "Nasjonal plan for selvhjelp")
    stands for the edition its page names (see _edition)."""
    mentions = []
    named = sorted((r.position, doc_id) for r, doc_id in refs)
    for ref, doc_id in refs:
        series = finder.names.get(names.word_key(ref.matched_text))
        if isinstance(series, Series):
            placed = _placed_at(page, ref.position)
            hit = Hit(
                placed, ref.position - placed.offset, ref.position - placed.offset + len(ref.matched_text), series
            )
            others = [[d, r.position, r.position + len(r.matched_text)] for r, d in refs if r is not ref]
            doc_id = _edition(hit, others, named) or doc_id
        mentions.append((ref, doc_id))
    return mentions


def _placed_at(page: PageContent, position: int) -> PlacedBlock:
    return next(p for p in reversed(_placed_with_title(page)) if p.offset <= position)


def mention_rows(mentions: list[tuple[Reference, str]], versions: dict[str, int]) -> list[dict]:
    rows, occurrences = [], Counter()
    for ref, doc_id in sorted(mentions, key=lambda m: (m[0].page_id, m[0].position)):
        key = (ref.page_id, doc_id, ref.matched_text)
        occurrences[key] += 1
        rows.append(
            {
                "mention_id": sha256_hex(f"{ref.page_id}|{doc_id}|{ref.matched_text}|{occurrences[key]}")[:16],
                "document_id": doc_id,
                "page_id": ref.page_id,
                "page_version": versions[ref.page_id],
                "position": ref.position,
                "matched_text": ref.matched_text,
                "context_kind": ref.context_kind,
                "section_heading": ref.section_heading,
                "context": ref.context,
            }
        )
    return rows


def document_rows(index: DocumentIndex, mentions: list[dict]) -> list[dict]:
    """Documents mentioned now, with their body-mention counts and the page version first read."""
    body, first = Counter(), {}
    for m in mentions:
        first.setdefault(m["document_id"], (m["page_id"], m["page_version"]))
        body[m["document_id"]] += m["context_kind"] == "body"
    return documents_read(index, body, first)


def documents_read(index: DocumentIndex, body: Counter, first: dict[str, tuple[str, int]]) -> list[dict]:
    """The documents of the index this run's mentions name (`first`: document_id -> (page_id, page_version)
    of its first mention), with their body-mention counts."""
    return [
        {
            **doc.__dict__,
            "inferred_columns": inferred_columns(doc),
            "mention_count": body[doc.document_id],
            "source_page_id": first[doc.document_id][0],
            "source_page_version": first[doc.document_id][1],
        }
        for doc in index.documents.values()
        if doc.document_id in first
    ]
