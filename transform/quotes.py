"""quotes: every quoted span on a page («», “”, ””, "") and every block quotation, nested quotes
linked to their parent, classified and attributed to their source where the page makes it clear:

- a quoted title is the document it names ("Veileder for kommunale frisklivssentraler", or the
  identifier right after it: "The Public Health Report" (Report No. 34 ...));
- a quotation is from the document its lead names, the words before it that end in a colon
  ("Folkehelseloven definerer folkehelsearbeid slik:"), by name or by a word that refers back to the
  last document of its kind ("Anbefalingen i retningslinjen er svært enkel:", "the plan are as follows:");
- else from the document its section's heading names;
- the same words quoted elsewhere on the page with a source have that source.
People, booklets and the site itself are no document: their quotations have none."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from selvhjelp_data.reading import PageContent
from selvhjelp_data.text import sha256_hex
from transform.sections import PlacedBlock, placed_blocks, sentence_starts

OPENERS = {"«": "»", "“": "”"}
_TITLE_CUES = re.compile(
    r"(tittel(en)?|navnet|veilederen|heftet|planen|meldingen|konferansen|programmet|avsnittet)\s*(på \w+\s*)?(er\s*)?$",
    re.I,
)
_MARKS = re.compile(r'[«»“”"\n]')
MAX_QUOTE_CHARS = 3000  # a «» quotation may run over paragraphs; an unclosed mark must not swallow a page


@dataclass
class Span:
    start: int  # offset of the quoted text (after the opening mark) in the page text
    end: int
    marks: str
    parent: int | None = None  # index of the enclosing span


def find_spans(text: str) -> list[Span]:
    """Quoted spans in `text`, nested ones included. Unbalanced marks are left alone."""
    spans: list[Span] = []
    stack: list[tuple[str, int]] = []  # (closing mark expected, start)
    for mark in _MARKS.finditer(text):  # only the marks and paragraph breaks matter
        i, ch = mark.start(), mark[0]
        if ch == "\n" and text[i - 1 : i] == "\n":
            # straight and ”…” quotes close within their paragraph, unless one opens its paragraph: a
            # quotation of several paragraphs opens the first and closes the last
            stack = [
                (c, s) for c, s in stack if c == "»" or c == "”" and text[s - 1] == "“" or _opens_paragraph(text, s)
            ]
        if stack and i - stack[-1][1] > MAX_QUOTE_CHARS:
            stack.pop()
        if stack and ch == stack[-1][0] and _may_close(text, stack[-1][1], i):
            close, start = stack.pop()
            opener = {"»": "«", "”": "“" if text[start - 1] == "“" else "”", '"': '"'}[close]
            if text[start:i].strip():  # a pair of marks with nothing between them quotes nothing
                spans.append(Span(start, i, opener + close))
        elif ch in OPENERS:
            stack.append((OPENERS[ch], i + 1))
        elif ch in ('"', "”") and i + 1 < len(text) and not text[i + 1].isspace():
            stack.append((ch, i + 1))  # straight and ”…” quotes open and close alike: open only before a word
    spans.sort(key=lambda s: (s.start, -s.end))
    for i, span in enumerate(spans):
        enclosing = [j for j, other in enumerate(spans) if j != i and other.start < span.start and span.end < other.end]
        span.parent = max(enclosing, key=lambda j: spans[j].start) if enclosing else None
    return spans


def _opens_paragraph(text: str, start: int) -> bool:
    return start == 1 or text[start - 3 : start - 1] == "\n\n"


def _may_close(text: str, start: int, i: int) -> bool:
    """A mark closes its quote, but one that runs over paragraphs only at the end of a paragraph."""
    if "\n\n" not in text[start:i]:
        return True
    return not text[i + 1 : i + 3].strip(" ") or text[i + 1 : i + 3] == "\n\n"


def quote_kind(quoted: str, before: str, after: str) -> str:
    """title: a quoted name (after "Tittelen på veilederen er", "med navnet", before "(IS-"); quotation:
    a sentence or more; term: a quoted word or phrase ("som enda et pålegg")."""
    words = quoted.split()
    if (quoted[:1].isupper() or quoted[:1].isdigit()) and (
        _TITLE_CUES.search(before.rstrip(' "“«”')) or re.match(r"^\s*\(IS", after)
    ):
        return "title"
    if len(words) >= 9 or (len(words) >= 5 and quoted.rstrip()[-1:] in ".!?"):
        return "quotation"
    if quoted[:1].isupper() and len(words) >= 3 and not quoted.rstrip().endswith("."):
        return "title"  # a capitalised name-like phrase: "Selvhjelp i arbeidslivet - problemet som ressurs"
    return "term"


# Words that refer back to a document the page has named, and the kinds of document each can mean
_REFERS_BACK = [
    (re.compile(r"\b(retningslinjen(e)?|the guidelines?)\b", re.I), ("guideline",)),
    (re.compile(r"\b(veilederen|the guide)\b", re.I), ("guide",)),
    (re.compile(r"\b(planen|the plan)\b", re.I), ("plan", "strategy")),
    (re.compile(r"\b(strategien|the strategy)\b", re.I), ("strategy",)),
    (re.compile(r"\b(\w*meldingen|meldinga|the report|the white paper)\b", re.I), ("stortingsmelding",)),
    (re.compile(r"\b(\w*budsjettet|the budget)\b", re.I), ("state_budget",)),
    (re.compile(r"\b(\w*loven|the act|the law)\b", re.I), ("law",)),
]


@dataclass(frozen=True)
class Named:
    """A place on the page that names a document (a row of document_mentions)."""

    start: int
    end: int
    document_id: str
    kind: str  # the document's


@dataclass
class PageSources:
    """What a page says of the documents it quotes: where it names them, and what its headings name."""

    named: list[Named]  # in page order
    document_of_heading: Callable[[str | None], str | None]

    def in_or_right_after(self, start: int, end: int) -> str | None:
        """The document named inside a quoted title, or right after it ('"The Public Health Report" (Report No.')."""
        return next((n.document_id for n in self.named if start - 1 <= n.start <= end + 3), None)

    def named_by_lead(self, lead: str, start: int, end: int) -> str | None:
        """The document a lead (text[start:end]) names, or refers back to: the last one of its kind before."""
        inside = [n for n in self.named if start <= n.start < end]
        if inside:
            return inside[-1].document_id
        for pattern, kinds in _REFERS_BACK:
            if pattern.search(lead):
                earlier = [n for n in self.named if n.start < end and n.kind in kinds]
                return earlier[-1].document_id if earlier else None
        return None


def quotes_of_page(pid: str, page: PageContent, version: int, sources: PageSources) -> list[dict]:
    """Quotes over the whole page text (a «» quotation may span paragraphs), plus block quotations."""
    text = page.main_text
    placed = list(placed_blocks(page))
    starts = [p.offset for p in placed]

    def block_at(position: int) -> int:
        return bisect.bisect_right(starts, position) - 1

    def source(kind: str, start: int, end: int, heading: str | None) -> str | None:
        if kind == "term":
            return None
        if kind == "title" and (named := sources.in_or_right_after(start, end)):
            return named
        lead_start, lead = _lead(text, placed, block_at(start), start)
        if lead.rstrip().endswith(":") and (named := sources.named_by_lead(lead, lead_start, start)):
            return named
        return sources.document_of_heading(heading)

    rows = [
        _row(
            pid,
            p.block.text,
            "blockquote",
            p.heading,
            p.offset,
            "quotation",
            source("quotation", p.offset, p.offset, p.heading),
        )
        for p in placed
        if p.block.kind == "quote"
    ]
    spans = find_spans(text)
    span_rows: list[dict] = []
    for span in spans:
        quoted = text[span.start : span.end]
        i = block_at(span.start)
        heading = placed[i].heading if i >= 0 else page.title
        kind = quote_kind(quoted, text[max(0, span.start - 60) : span.start - 1], text[span.end + 1 : span.end + 20])
        span_rows.append(
            _row(pid, quoted, span.marks, heading, span.start, kind, source(kind, span.start - 1, span.end, heading))
        )
    rows += span_rows
    _same_words_same_source(rows)
    ids = _stable_ids(pid, rows)  # the same quote in every version of the page, wherever it stands
    for row in rows:
        row["quote_id"], row["page_version"] = ids[row["quote_id"]], version
    for span, row in zip(spans, span_rows, strict=True):
        row["parent_quote_id"] = span_rows[span.parent]["quote_id"] if span.parent is not None else None
    return rows


def _lead(text: str, placed: list[PlacedBlock], i: int, mark: int) -> tuple[int, str]:
    """(where it starts, the text) of the words that lead to a quote opening at `mark`: its sentence so far,
    or, for a quote that opens its block, the last sentence of the block before."""
    if i < 0:
        return 0, ""
    block_start = placed[i].offset
    if not text[block_start:mark].strip() and i > 0:
        before = placed[i - 1]
        block_start, mark = before.offset, before.offset + len(before.block.text)
    starts = sentence_starts(text[block_start:mark])
    start = block_start + (starts[-1] if starts else 0)
    return start, text[start:mark]


def _same_words_same_source(rows: list[dict]) -> None:
    """A quotation given without its source where the page gives the same words with one elsewhere."""
    known = {r["text"]: r["document_id"] for r in rows if r["document_id"] and r["kind"] == "quotation"}
    for row in rows:
        if row["document_id"] is None and row["kind"] == "quotation":
            row["document_id"] = known.get(row["text"])


def _stable_ids(pid: str, rows: list[dict]) -> dict[str, str]:
    """Position-based ids -> ids from page, marks, text and occurrence (the n-th same quote on the page)."""
    seen: Counter = Counter()
    ids = {}
    for row in sorted(rows, key=lambda r: r["position"]):
        marks_and_text = (row["quote_marks"], row["text"])
        seen[marks_and_text] += 1
        ids[row["quote_id"]] = sha256_hex(f"{pid}|{marks_and_text[0]}|{marks_and_text[1]}|{seen[marks_and_text]}")[:16]
    return ids


def _row(pid, text, marks, heading, position, kind, doc_id) -> dict:
    return {
        "quote_id": sha256_hex(f"{pid}|{position}|{text}")[:16],
        "page_id": pid,
        "document_id": doc_id,
        "kind": kind,
        "text": text,
        "quote_marks": marks,
        "section_heading": heading,
        "position": position,
        "parent_quote_id": None,
    }
