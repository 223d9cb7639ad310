"""Precision and recall of the content tables on the corpus, per half, with every miss.

    python -m corpus.fidelity             (make fidelity)  the figures, then every miss
    python -m corpus.fidelity --write     also rewrites the figures in docs/fidelity.md

Each half (dev, eval) is read as one site, the way a run reads the live pages: every capture's
rendered page goes through the transform (`read_page`, then `content_rows`); a second capture of a
URL is read as its own site. The rows are compared with the goldens (corpus/golden), page by page:

- pages: the title, the date line and its date, one unit each;
- documents: the set of documents each page names (by id), and the attributes of each document the
  half names (kind, identifier, title, years, issuer), one unit per stated value;
- mentions: one unit each; a mention found is the same document, context kind and section heading,
  at a place whose text overlaps the golden one's;
- quotes: one unit per quoted text with its attributed document (a quote found with the wrong
  document counts as a miss and as a wrong row);
- offices: one unit per office and one per stated field (kind, name, city, areas, address, postal
  code, phone, e-mail, organisation number), read from each page;
- tasks: one unit per (office kind, task text).

Precision is the share of what the pipeline produced that the golden holds; recall the share of the
golden that the pipeline produced.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from corpus.build import PAGES, Entry, load_manifest
from selvhjelp_data.reading import read_page
from selvhjelp_data.schema import OFFICES
from selvhjelp_data.urls import page_id
from transform.build import content_rows
from transform.offices import offices_of_page

CORPUS = Path(__file__).resolve().parent
GOLDEN = CORPUS / "golden"
DOC = CORPUS.parent / "docs" / "fidelity.md"
TABLES = ("pages", "documents", "document attributes", "mentions", "quotes", "offices", "tasks")
OFFICE_FIELDS = ("kind", *OFFICES.versioned)  # the facts a page states of an office
DOCUMENT_FIELDS = ("kind", "identifier", "title", "year_from", "year_to", "issuer")


def squeeze(text) -> str:
    return " ".join(str(text).split()) if text is not None else ""


@dataclass
class Score:
    produced: int = 0
    golden: int = 0
    found: int = 0  # golden units produced
    right: int = 0  # produced units the golden holds
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.produced if self.produced else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.golden if self.golden else 1.0

    def add(self, name: str, expected: list, actual: list, same=lambda a, b: a == b, show=repr) -> None:
        """Match expected and actual units one to one, in order; the rest are misses."""
        unmatched = list(actual)
        self.golden += len(expected)
        self.produced += len(actual)
        for unit in expected:
            hit = next((a for a in unmatched if same(unit, a)), None)
            if hit is None:
                self.misses.append(f"{name}: missing  {show(unit)}")
            else:
                unmatched.remove(hit)
                self.found += 1
                self.right += 1
        self.misses += [f"{name}: wrong    {show(a)}" for a in unmatched]


# -- reading the corpus the way a run reads pages ---------------------------------------------------------


def read_entry(entry: Entry):
    body = (PAGES / f"{entry.name}.html").read_bytes()
    page = read_page(body, entry.url, "text/html; charset=utf-8")
    if page is None:
        raise SystemExit(f"{entry.name}: no readable text")
    return page


def site_runs(entries: list[Entry]) -> list[list[Entry]]:
    """The half as one site, and each second capture of a URL as a site of its own."""
    first = [e for e in entries if not e.version_of]
    return [first] + [[e] for e in entries if e.version_of]


def read_half(entries: list[Entry]) -> dict[str, dict]:
    """name -> {"page", "rows": rows of this page per table, "documents": the documents of its run}."""
    out = {}
    for run in site_runs(entries):
        pages = {page_id(e.url): (read_entry(e), 1) for e in run}
        rows = content_rows(pages)
        documents = {d["document_id"]: d for d in rows["documents"]}
        for e in run:
            pid = page_id(e.url)
            out[e.name] = {
                "page": pages[pid][0],
                "mentions": [m for m in rows["document_mentions"] if m["page_id"] == pid],
                "quotes": [q for q in rows["quotes"] if q["page_id"] == pid],
                "tasks": [t for t in rows["office_tasks"] if t["page_id"] == pid],
                "offices": offices_of_page(pid, pages[pid][0], 1),
                "documents": documents,
            }
    return out


# -- comparing ------------------------------------------------------------------------------------------------


def _overlaps(a: str, b: str) -> bool:
    a, b = squeeze(a).casefold(), squeeze(b).casefold()
    return bool(a) and bool(b) and (a in b or b in a)


def score_page(name: str, golden: dict, got: dict, scores: dict[str, Score]) -> None:
    page, want = got["page"], golden["page"]
    have = {"title": page.title, "last_modified_label": page.date_label, "last_modified": page.last_modified}
    scores["pages"].add(
        name,
        [(k, squeeze(v)) for k, v in want.items() if v is not None],
        [(k, squeeze(v)) for k, v in have.items() if v is not None],
    )
    mentions_expected = [tuple(m) for m in golden.get("document_mentions") or []]
    mentions_actual = [
        (m["document_id"], m["context_kind"], m["matched_text"], m["section_heading"]) for m in got["mentions"]
    ]
    scores["mentions"].add(
        name,
        mentions_expected,
        mentions_actual,
        lambda e, a: e[0] == a[0] and e[1] == a[1] and squeeze(e[3]) == squeeze(a[3]) and _overlaps(e[2], a[2]),
    )
    scores["documents"].add(name, sorted({m[0] for m in mentions_expected}), sorted({m[0] for m in mentions_actual}))
    scores["quotes"].add(
        name,
        [(squeeze(q[3]), q[2]) for q in golden.get("quotes") or []],
        [(squeeze(q["text"]), q["document_id"]) for q in got["quotes"]],
    )
    scores["tasks"].add(
        name,
        [(t[0], squeeze(t[2])) for t in golden.get("office_tasks") or []],
        [(t["office_kind"], squeeze(t["task"])) for t in got["tasks"]],
    )
    scores["offices"].add(name, _office_units(golden.get("offices") or []), _office_units(got["offices"]))


def _office_units(offices: list[dict]) -> list[tuple]:
    units = []
    for office in offices:
        units.append((office["office_id"], "office", None))
        for f in OFFICE_FIELDS:
            value = office.get(f)
            if value not in (None, [], ""):
                units.append((office["office_id"], f, tuple(value) if isinstance(value, list) else str(value)))
    return units


def score_documents(named: set[str], golden_documents: dict, documents: dict, scores: dict[str, Score]) -> None:
    """The attributes of each document the half names, as the half's run records them."""
    expected, actual = [], []
    for doc_id in sorted(named):
        want, have = golden_documents.get(doc_id, {}), documents.get(doc_id, {})
        for f in DOCUMENT_FIELDS:
            if want.get(f) is not None:
                expected.append((doc_id, f, str(want[f])))
            if have.get(f) is not None:
                actual.append((doc_id, f, str(have[f])))
    scores["document attributes"].add("documents", expected, actual)


def score_half(entries: list[Entry]) -> dict[str, Score]:
    scores = {t: Score() for t in TABLES}
    got = read_half(entries)
    golden_documents = {d["document_id"]: d for d in yaml.safe_load((GOLDEN / "documents.yaml").read_text())}
    named, documents = set(), {}
    for entry in entries:
        golden = yaml.safe_load((GOLDEN / f"{entry.name}.yaml").read_text(encoding="utf-8"))
        score_page(entry.name, golden, got[entry.name], scores)
        named |= {m[0] for m in golden.get("document_mentions") or []}
        for m in got[entry.name]["mentions"]:
            documents.setdefault(m["document_id"], got[entry.name]["documents"].get(m["document_id"], {}))
    score_documents(named, golden_documents, documents, scores)
    return scores


# -- reporting ------------------------------------------------------------------------------------------------


def figures(results: dict[str, dict[str, Score]]) -> str:
    lines = ["| table | half | precision | recall | produced | golden |", "|---|---|---|---|---|---|"]
    for table in TABLES:
        for half, scores in results.items():
            s = scores[table]
            lines.append(f"| {table} | {half} | {s.precision:.2f} | {s.recall:.2f} | {s.produced} | {s.golden} |")
    return "\n".join(lines)


def write_figures(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- figures -->", "<!-- /figures -->"
    head, rest = doc.split(start, 1)
    DOC.write_text(head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Precision and recall of the content tables on the corpus.")
    parser.add_argument("--write", action="store_true", help="rewrite the figures in docs/fidelity.md")
    parser.add_argument("--half", choices=("dev", "eval"), help="only this half")
    args = parser.parse_args(argv)
    entries = load_manifest()
    halves = [args.half] if args.half else ["dev", "eval"]
    results = {half: score_half([e for e in entries if e.split == half]) for half in halves}
    text = figures(results)
    print(text)
    for half, scores in results.items():
        misses = [f"{half} {table:20} {m}" for table, s in scores.items() for m in s.misses]
        print(f"\n{len(misses)} misses in {half}:" if misses else f"\nno misses in {half}")
        print("\n".join(misses))
    if args.write:
        write_figures(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
