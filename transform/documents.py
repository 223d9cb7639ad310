"""documents and document_mentions: the policy documents the pages name, one row however spelled.

Two ways a page names a document: by identifier (Meld. St. 19 (2014-2015), St.meld. nr. 16,
IS-2076, NOU 2005: 3, Prop. 1 S) and by title (headings such as "Opptrappingsplan for rusfeltet
2008 – 2010"). A titled document is joined to an identified one when its section gives the
identifier (the heading "Veileder i lokalt psykisk helsearbeid ..." over a text citing IS-2076),
when a quoted title is followed by one, or by a reviewed alias in document_aliases.py.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from crawl.extract import PageContent
from selvhjelp_data.text import normalise, sha256_hex, slugify
from transform.document_aliases import SAME_DOCUMENT
from transform.sections import placed_blocks, sentence_around

_YEARS = r"\(?\s*(\d{4})\s*[-–/]\s*(\d{2,4})\s*\)?"
IDENTIFIER_PATTERNS = [
    ("stortingsmelding", "meld", re.compile(r"\bMeld\.\s?St\.?\s*(?:nr\.?\s*)?(\d+)\s*" + _YEARS)),
    ("stortingsmelding", "stmeld", re.compile(r"\bSt\.\s?meld\.?\s*(?:nr\.?\s*)?(\d+)\s*" + _YEARS)),
    ("stortingsmelding", "stmeld", re.compile(r"\bStortingsmelding(?:en|a)?\s+nr\.?\s*(\d+)\s*" + _YEARS)),
    ("is_publication", "is", re.compile(r"\bIS[-\s]?(\d{3,5})\b")),
    ("nou", "nou", re.compile(r"\bNOU\s+(\d{4})\s*:\s*(\d+)")),
    ("proposisjon", "prop", re.compile(r"\bProp\.\s*(\d+)\s*(LS|L|S)\s*" + _YEARS)),
]
# What a heading or teaser title starts with when it names a document, and the kind that makes it.
TITLE_KINDS = [
    (re.compile(r"^(Nasjonal )?strategi(plan)?\b", re.I), "strategy"),
    (re.compile(r"^(Nasjonal )?(faglig )?retningslinje", re.I), "guideline"),
    (re.compile(r"^(Ny )?veileder\b", re.I), "guide"),
    (re.compile(r"^(Nasjonal |Nasjonal helse- og omsorgs)?plan\b|^Opptrappingsplan\b|^Nasjonal plan\b", re.I), "plan"),
    (re.compile(r"^Interpellasjon\b", re.I), "interpellation"),
    (re.compile(r"statsbudsjett", re.I), "state_budget"),
    (re.compile(r"^\w+meldingen$", re.I), "stortingsmelding"),
]
# A titled document may take the identity of an identifier of a compatible kind in its section.
COMPATIBLE = {
    "guide": {"is_publication"},
    "guideline": {"is_publication"},
    "plan": {"is_publication"},
    "stortingsmelding": {"stortingsmelding"},
    "strategy": {"is_publication"},
}
_TEXT_TITLE = re.compile(r"^[\s,–-]*([A-ZÆØÅ][^,.;:()«»\"“”]{3,58}?)\s*[,.]")
_TITLE_BEFORE = re.compile(r"\b([A-ZÆØÅ][\w -]{8,60}?)\s*\($")
_YEAR_AFTER = re.compile(r"^\)?\s*(?:kom i|fra)\s+(\d{4})\b")
_YEAR_IN_SENTENCE = re.compile(r"\bi (\d{4}) kom\b|\bkom i (\d{4})\b", re.I)  # "Tidlig i 2016 kom ... (IS-2428)"
# A plan or strategy with its period, in running text: "Nasjonal plan for selvhjelp 2014 -2018"
_TITLED_WITH_YEARS = re.compile(
    r"\b((?:Nasjonal (?:strategi)?plan|Opptrappingsplan|Strategiplan) for [\wæøåÆØÅ ,-]{3,60}?)\s+(\d{4})\s*[-–]\s*(\d{4})\b"
)
# A document's name given in its own section: "Tittelen på veilederen er «...»", "med navnet «...»"
_NAMED_IN_SECTION = re.compile(r"(?:[Tt]ittelen på \w+ er|med navnet)\s*[«\"“”]([^»\"“”]{3,100})[»\"“”]")


@dataclass
class Document:
    document_id: str
    kind: str
    identifier: str | None = None
    is_number: str | None = None
    title: str | None = None
    aliases: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    issuer: str | None = None
    _seen: set[str] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self):
        self._seen.update(self.aliases)

    def add_alias(self, spelling: str) -> None:
        spelling = normalise(spelling)
        if spelling and spelling not in self._seen:
            self._seen.add(spelling)
            self.aliases.append(spelling)


@dataclass(frozen=True)
class Mention:
    document_id: str
    page_id: str
    position: int
    matched_text: str
    section_heading: str | None
    context: str
    context_kind: str = "body"  # body | heading | link | list


def context_kind_of(block) -> str:
    return {"heading": "heading", "list_item": "list"}.get(block.kind, "body")


def _full_year(start: str, end: str) -> tuple[int, int]:
    y0 = int(start)
    y1 = int(end) if len(end) == 4 else (y0 // 100) * 100 + int(end[-2:])
    return y0, y1


def identify(kind: str, style: str, m: re.Match) -> Document:
    """A Document for an identifier match, with its canonical identifier and slug."""
    if style in ("meld", "stmeld"):
        number, (y0, y1) = int(m[1]), _full_year(m[2], m[3])
        identifier = f"Meld. St. {number} ({y0}–{y1})" if style == "meld" else f"St.meld. nr. {number} ({y0}–{y1})"
        slug = f"{'meld-st' if style == 'meld' else 'st-meld'}-{number}-{y0}-{y1}"
        return Document(slug, kind, identifier, year_from=y0, year_to=y1)
    if style == "is":
        identifier = f"IS-{int(m[1])}"
        return Document(slugify(identifier), kind, identifier, is_number=identifier, issuer="Helsedirektoratet")
    if style == "nou":
        identifier = f"NOU {m[1]}: {int(m[2])}"
        return Document(slugify(identifier), kind, identifier, year_from=int(m[1]), year_to=int(m[1]))
    y0, y1 = _full_year(m[3], m[4])
    identifier = f"Prop. {int(m[1])} {m[2]} ({y0}–{y1})"
    return Document(slugify(identifier), kind, identifier, year_from=y0, year_to=y1)


def title_kind(title: str) -> str | None:
    return next((kind for pattern, kind in TITLE_KINDS if pattern.search(title)), None)


def titled(title: str, kind: str) -> Document:
    title = normalise(title).rstrip(":").strip()
    years = re.search(r"(\d{4})\s*[-–]\s*(\d{4})\s*$", title) or re.search(
        r",\s*(?:\d{1,2}\.\s*\w+\s+)?((\d{4}))$", title
    )
    canonical = SAME_DOCUMENT.get(title, title)
    doc = Document(slugify(re.sub(r"\s*[-–]\s*(?=\d{4}$)", "-", canonical)), kind, title=canonical)
    if years:
        doc.year_from, doc.year_to = int(years[1]), int(years[2])
    doc.add_alias(title)
    return doc


def _identifier_matches(text: str):
    taken: list[tuple[int, int]] = []
    for kind, style, pattern in IDENTIFIER_PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # "Stortingsmelding nr." inside a match already made
            taken.append((m.start(), m.end()))
            yield kind, style, m


class DocumentIndex:
    """Documents by id, plus every known spelling -> id, built page by page."""

    def __init__(self):
        self.documents: dict[str, Document] = {}
        self.by_spelling: dict[str, str] = {}
        self.mentions: list[Mention] = []
        self.merged: dict[str, str] = {}  # merged document id -> the id it became

    def canonical(self, doc_id: str) -> str:
        """Where a merged document went (merges are recorded, not rewritten: a merge costs its aliases only)."""
        while doc_id in self.merged:
            doc_id = self.merged[doc_id]
        return doc_id

    def add(self, doc: Document) -> Document:
        known = self.documents.get(self.canonical(doc.document_id))
        if known is None:
            self.documents[doc.document_id] = known = doc
        for spelling in doc.aliases + ([doc.identifier] if doc.identifier else []):
            if spelling != known.identifier:
                known.add_alias(spelling)
            self.by_spelling[normalise(spelling).lower()] = known.document_id
        for attr in ("title", "year_from", "year_to", "issuer", "is_number"):
            if getattr(known, attr) is None and getattr(doc, attr) is not None:
                setattr(known, attr, getattr(doc, attr))
        return known

    def merge(self, titled_id: str, into_id: str) -> None:
        """The titled document is the identified one: its spellings and mentions are the identified one's."""
        titled_id, into_id = self.canonical(titled_id), self.canonical(into_id)
        gone = self.documents.get(titled_id)
        if titled_id == into_id or gone is None or gone.identifier is not None:
            return  # already one, or the title already belongs to another identified document
        del self.documents[titled_id]
        self.merged[titled_id] = into_id
        target = self.documents[into_id]
        for spelling in gone.aliases:
            target.add_alias(spelling)
            self.by_spelling[spelling.lower()] = into_id
        if target.title is None:
            target.title = gone.title

    def resolve(self, spelling: str) -> str | None:
        doc_id = self.by_spelling.get(normalise(spelling).rstrip(":").lower())
        return self.canonical(doc_id) if doc_id else None

    def document_of_heading(self, heading: str) -> str | None:
        """The document a section heading names: by the identifier in it, or by its title."""
        for kind, style, m in _identifier_matches(heading):
            doc_id = identify(kind, style, m).document_id
            return doc_id if doc_id in self.documents else None
        return self.resolve(heading)


def read_page(index: DocumentIndex, pid: str, page: PageContent) -> None:
    """Add one page's documents and mentions to the index."""
    section_docs: dict[str | None, str] = {}  # heading -> titled document of that section
    first_identifier: dict[str | None, Document] = {}
    named_in: dict[str | None, str] = {}  # heading -> a name the section gives its document
    for placed in placed_blocks(page):
        text, heading = placed.block.text, placed.heading
        if placed.block.kind == "heading":
            kind = title_kind(text)
            if kind and not any(True for _ in _identifier_matches(text)):
                doc = index.add(titled(text, kind))
                section_docs[text] = doc.document_id
                index.mentions.append(Mention(doc.document_id, pid, placed.offset, text, text, text, "heading"))
        for kind, style, m in _identifier_matches(text):
            doc = identify(kind, style, m)
            after = text[m.end() :]
            if placed.block.kind == "heading":
                rest = normalise(re.sub(r"^[\s–-]+", "", after))
                if rest:
                    doc.title = rest
                    doc.add_alias(rest)
            elif (title := _TEXT_TITLE.match(after)) and kind == "stortingsmelding":
                doc.title = normalise(title[1])
            if (named := _TITLE_BEFORE.search(text[: m.start()])) and title_kind(named[1]):
                doc.title = normalise(named[1])  # "Nasjonal plan for selvhjelp (IS-1212)": a title, not an alias
            if (year := _YEAR_AFTER.match(after)) and doc.year_from is None:
                doc.year_from = doc.year_to = int(year[1])
            sentence = sentence_around(text, m.start(), m.end())
            if doc.year_from is None and (year := _YEAR_IN_SENTENCE.search(sentence)):
                doc.year_from = doc.year_to = int(year[1] or year[2])
            doc.add_alias(m[0])
            doc = index.add(doc)
            if "Helsedirektorat" in sentence and doc.kind == "is_publication":
                doc.issuer = "Helsedirektoratet"
            index.mentions.append(
                Mention(
                    doc.document_id,
                    pid,
                    placed.offset + m.start(),
                    m[0],
                    heading,
                    sentence,
                    context_kind_of(placed.block),
                )
            )
            first_identifier.setdefault(heading, doc)
            quoted_title = re.search(r"[\"“”«]([^\"“”«»]{4,120})[\"“”»]\s*$", text[: m.start()].rstrip(" ("))
            if quoted_title:
                index.add(_alias_of(doc, quoted_title[1]))
        if placed.block.kind != "heading":
            for m in _TITLED_WITH_YEARS.finditer(text):
                doc = index.add(titled(f"{m[1]} {m[2]}-{m[3]}", title_kind(m[1]) or "plan"))
                index.mentions.append(
                    Mention(
                        doc.document_id,
                        pid,
                        placed.offset + m.start(),
                        m[0],
                        heading,
                        sentence_around(text, m.start(), m.end()),
                        context_kind_of(placed.block),
                    )
                )
            for m in _NAMED_IN_SECTION.finditer(text):
                named_in[heading] = m[1]
    for heading, name in named_in.items():
        if heading and (doc_id := index.document_of_heading(heading)) is not None:
            index.add(_alias_of(index.documents[doc_id], name))
    for heading, titled_id in section_docs.items():
        identified = first_identifier.get(heading)
        titled_doc = index.documents.get(index.canonical(titled_id))
        if identified and titled_doc and identified.kind in COMPATIBLE.get(titled_doc.kind, ()):
            index.merge(titled_id, identified.document_id)


def _alias_of(doc: Document, spelling: str) -> Document:
    alias = Document(doc.document_id, doc.kind)
    alias.add_alias(spelling)
    return alias


_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = '«»"“”()[],.;:!?'


class TitleFinder:
    """Known titles (12 characters or more) found in running text by word-aligned dictionary look-ups:
    the cost grows with the words of a page, not with the number of titles known."""

    def __init__(self, by_spelling: dict[str, str]):
        self.titles = {s: doc_id for s, doc_id in by_spelling.items() if len(s) >= 12}
        self.max_words = max((len(s.split()) for s in self.titles), default=0)
        self.first_words = {s.split()[0].strip(_EDGE_PUNCTUATION) for s in self.titles}

    def find(self, text: str):
        """(start, end, document_id) of each longest title match, left to right."""
        if not self.titles:
            return
        low = text.lower()
        words = [(m.start(), m.end()) for m in _WORD.finditer(low)]
        i = 0
        while i < len(words):
            if low[words[i][0] : words[i][1]].strip(_EDGE_PUNCTUATION) not in self.first_words:
                i += 1
                continue
            for j in range(min(len(words), i + self.max_words) - 1, i - 1, -1):
                start, end = words[i][0], words[j][1]
                candidate = low[start:end]
                stripped = candidate.strip(_EDGE_PUNCTUATION)
                doc_id = self.titles.get(candidate) or self.titles.get(stripped)
                if doc_id:
                    if candidate != stripped and candidate not in self.titles:
                        start += candidate.index(stripped)
                        end = start + len(stripped)
                    yield start, end, doc_id
                    i = j
                    break
            i += 1


def read_titles_in_text(
    index: DocumentIndex, finder: TitleFinder, pid: str, page: PageContent, known: list[Mention]
) -> None:
    """Mentions by title in running text ("... Nasjonal plan for selvhjelp ..."), once every page's
    headings have made the titles known."""
    # spans already taken on this page; a title right next to its own identifier is the same mention
    taken = [(m.document_id, m.position, m.position + len(m.matched_text)) for m in known]
    for placed in placed_blocks(page):
        if placed.block.kind == "heading":
            continue
        text = placed.block.text
        for a_, b_, doc_id in finder.find(text):
            start, end = placed.offset + a_, placed.offset + b_
            if any(
                a < end and start < b or (d == doc_id and (0 <= start - b <= 3 or 0 <= a - end <= 3))
                for d, a, b in taken
            ):
                continue
            index.mentions.append(
                Mention(
                    doc_id,
                    pid,
                    start,
                    text[a_:b_],
                    placed.heading,
                    sentence_around(text, a_, b_),
                    context_kind_of(placed.block),
                )
            )
            taken.append((doc_id, start, end))


def build_document_tables(contents: dict[str, tuple[PageContent, int]]) -> tuple[list[dict], list[dict], DocumentIndex]:
    """This run's documents and mentions from the pages live now (page_id -> (content, version))."""
    index = DocumentIndex()
    for pid in sorted(contents):
        read_page(index, pid, contents[pid][0])
    finder = TitleFinder({s: index.canonical(d) for s, d in index.by_spelling.items()})
    by_page: dict[str, list[Mention]] = {}
    for m in index.mentions:
        by_page.setdefault(m.page_id, []).append(m)
    for pid in sorted(contents):
        read_titles_in_text(index, finder, pid, contents[pid][0], by_page.get(pid, []))
    mentions = mention_rows(index, {pid: version for pid, (_, version) in contents.items()})
    return document_rows(index, mentions), mentions, index


def mention_rows(index: DocumentIndex, versions: dict[str, int]) -> list[dict]:
    rows, occurrences = [], Counter()
    for m in sorted(index.mentions, key=lambda m: (m.page_id, m.position)):
        doc_id = index.canonical(m.document_id)
        occurrence = occurrences[(m.page_id, doc_id, m.matched_text)] = (
            occurrences[(m.page_id, doc_id, m.matched_text)] + 1
        )
        rows.append(
            {
                "mention_id": sha256_hex(f"{m.page_id}|{doc_id}|{m.matched_text}|{occurrence}")[:16],
                "document_id": doc_id,
                "page_id": m.page_id,
                "page_version": versions[m.page_id],
                "position": m.position,
                "matched_text": m.matched_text,
                "context_kind": m.context_kind,
                "section_heading": m.section_heading,
                "context": m.context,
            }
        )
    return rows


def document_rows(index: DocumentIndex, mentions: list[dict]) -> list[dict]:
    """Documents mentioned now, with their body-mention counts and the page version first read."""
    body = Counter(m["document_id"] for m in mentions if m["context_kind"] == "body")
    first = {}
    for m in mentions:
        first.setdefault(m["document_id"], m)
    return [
        {
            **{k: v for k, v in d.__dict__.items() if not k.startswith("_")},
            "mention_count": body[d.document_id],
            "source_page_id": first[d.document_id]["page_id"],
            "source_page_version": first[d.document_id]["page_version"],
        }
        for d in index.documents.values()
        if d.document_id in first
    ]
