"""quotes: every quoted span on a page («», “”, ””, "") and every block quotation, nested quotes
linked to their parent, classified and attributed to the document of their section."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from selvhjelp_data.reading import PageContent
from selvhjelp_data.text import sha256_hex
from transform.sections import placed_blocks

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
            # straight and ”…” quotes close within their paragraph; drop any left open
            stack = [(c, s) for c, s in stack if c == "»" or c == "”" and text[s - 1] == "“"]
        if stack and i - stack[-1][1] > MAX_QUOTE_CHARS:
            stack.pop()
        if stack and ch == stack[-1][0]:
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


def quotes_of_page(pid: str, page: PageContent, version: int, document_of_heading) -> list[dict]:
    """Quotes over the whole page text (a «» quotation may span paragraphs), plus block quotations."""
    text = page.main_text
    placed = list(placed_blocks(page))
    starts = [p.offset for p in placed]

    def heading_at(position: int) -> str | None:
        i = bisect.bisect_right(starts, position) - 1
        return placed[i].heading if i >= 0 else page.title

    rows = [
        _row(pid, p.block.text, "blockquote", p.heading, p.offset, "quotation", document_of_heading(p.heading))
        for p in placed
        if p.block.kind == "quote"
    ]
    spans = find_spans(text)
    span_rows: list[dict] = []
    for span in spans:
        quoted = text[span.start : span.end]
        heading = heading_at(span.start)
        kind = quote_kind(quoted, text[max(0, span.start - 60) : span.start - 1], text[span.end + 1 : span.end + 20])
        row = _row(
            pid, quoted, span.marks, heading, span.start, kind, document_of_heading(heading) if kind != "term" else None
        )
        span_rows.append(row)
    rows += span_rows
    ids = _stable_ids(pid, rows)  # the same quote in every version of the page, wherever it stands
    for row in rows:
        row["quote_id"], row["page_version"] = ids[row["quote_id"]], version
    for span, row in zip(spans, span_rows, strict=True):
        row["parent_quote_id"] = span_rows[span.parent]["quote_id"] if span.parent is not None else None
    return rows


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
