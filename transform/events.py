"""events: what changed, at the level a policy monitor asks about, derived from the history tables.

A run's events compare what was on the site in the release it builds on with what is on the site now,
table by table (no second reading of any page):
- document_mentions, per page and document: a document cited for the first time, or no longer cited;
- quotes, per page: a quotation added or removed; a removed and an added one alike in most of their
  words are one quotation reworded (with its word-level diff);
- offices, per office: opened, closed, or a fact changed (each changed fact its own event: the address,
  the phone, the e-mail ...), from the office's versioned rows;
- office_tasks: a task added or removed.
A first run has no events (everything would be "added"); a page removed or moved this run has its own
change, not one event per row it held; a page whose fetch failed keeps its rows, so it has none either.
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from selvhjelp_data.runs import RunInfo
from selvhjelp_data.schema import OFFICES
from selvhjelp_data.text import sha256_hex
from transform.diffs import word_diff

REWORDED = 0.6  # word similarity at which a removed and an added quotation are one quotation reworded


def run_events(
    old: dict[str, list[dict]],
    now: dict[str, list[dict]],
    run: RunInfo,
    before: str | None,
    pages: list[dict],
    changes: list[dict],
) -> list[dict]:
    """This run's events: `old` the previous release's rows, `now` the merged rows, `before` its run."""
    gone = gone_pages(changes, run.run_id)
    found = [e for table in EVENT_TABLES for e in events_of(table, old[table], now[table], run.run_id, before, gone)]
    return event_rows(found, run, {p["page_id"]: p["url"] for p in pages})


EVENT_TABLES = ("document_mentions", "quotes", "offices", "office_tasks")  # the order a run's events come in


def gone_pages(changes: list[dict], run_id: str) -> set[str]:
    """Pages removed or moved this run: their change says so, not one event per row they held."""
    return {c["page_id"] for c in changes if c["run_id"] == run_id and c["kind"] in ("removed", "moved")}


def events_of(table: str, old: list[dict], now: list[dict], run_id: str, before: str | None, gone: set) -> list:
    """The events of one table, from its rows of the previous release and its merged rows (of all pages, or
    of some pages and all their rows: each event but an office's concerns one page)."""
    if before is None:
        return []

    def on_site(rows: list[dict], seen: str) -> list[dict]:
        return [r for r in rows if r["last_seen_run"] == seen and r.get("page_id") not in gone]

    return _FINDERS[table](on_site(old, before), on_site(now, run_id))


def event_rows(found: list[dict], run: RunInfo, url: dict[str, str]) -> list[dict]:
    return [_row(event, run, url) for event in found]


def _event(kind, page_id, entity, entity_id, *, document_id=None, field=None, before=None, after=None) -> dict:
    return {
        "kind": kind,
        "page_id": page_id,
        "entity": entity,
        "entity_id": entity_id,
        "document_id": document_id,
        "field": field,
        "before": before,
        "after": after,
    }


def _row(event: dict, run: RunInfo, url: dict[str, str]) -> dict:
    words = word_diff(event["before"], event["after"]) if event["before"] and event["after"] else None
    key = f"{run.run_id}|{event['kind']}|{event['page_id']}|{event['entity_id']}|{event['field']}"
    return {
        "event_id": sha256_hex(key)[:16],
        "run_id": run.run_id,
        "detected_at": run.started_at,
        **event,
        "url": url.get(event["page_id"]),
        "word_diff": words.text if words else None,
        "word_diff_html": words.html if words else None,
    }


def _citations(before: list[dict], after: list[dict]) -> list[dict]:
    def cited(rows):
        first = {}
        for m in sorted(rows, key=lambda m: m["position"]):
            first.setdefault((m["page_id"], m["document_id"]), m["matched_text"])
        return first

    was, now = cited(before), cited(after)
    return [
        _event("document_cited", pid, "document", doc, document_id=doc, after=now[(pid, doc)])
        for pid, doc in sorted(now.keys() - was.keys())
    ] + [
        _event("document_no_longer_cited", pid, "document", doc, document_id=doc, before=was[(pid, doc)])
        for pid, doc in sorted(was.keys() - now.keys())
    ]


def _quotes(before: list[dict], after: list[dict]) -> list[dict]:
    was = {q["quote_id"]: q for q in before}
    now = {q["quote_id"]: q for q in after}
    removed = defaultdict(list)
    for quote_id in sorted(was.keys() - now.keys()):
        removed[was[quote_id]["page_id"]].append(was[quote_id])
    events = []
    for quote_id in sorted(now.keys() - was.keys()):
        quote = now[quote_id]
        if twin := _most_alike(quote, removed[quote["page_id"]]):
            removed[quote["page_id"]].remove(twin)
            events.append(_quote_event("quote_reworded", quote, before=twin["text"], after=quote["text"]))
        else:
            events.append(_quote_event("quote_added", quote, after=quote["text"]))
    for quotes in removed.values():
        events += [_quote_event("quote_removed", q, before=q["text"]) for q in quotes]
    return events


def _quote_event(kind: str, quote: dict, **texts) -> dict:
    return _event(kind, quote["page_id"], "quote", quote["quote_id"], document_id=quote["document_id"], **texts)


def _most_alike(quote: dict, candidates: list[dict]) -> dict | None:
    words = quote["text"].split()
    scored = [(difflib.SequenceMatcher(None, words, c["text"].split(), autojunk=False).ratio(), c) for c in candidates]
    best = max(scored, key=lambda s: s[0], default=(0, None))
    return best[1] if best[0] >= REWORDED else None


def _offices(before: list[dict], after: list[dict]) -> list[dict]:
    was = {o["office_id"]: o for o in before}
    now = {o["office_id"]: o for o in after}
    events = [
        _event("office_opened", now[o]["source_page_id"], "office", o, after=now[o]["name"])
        for o in sorted(now.keys() - was.keys())
    ]
    events += [
        _event("office_closed", was[o]["source_page_id"], "office", o, before=was[o]["name"])
        for o in sorted(was.keys() - now.keys())
    ]
    for office_id in sorted(was.keys() & now.keys()):
        old, new = was[office_id], now[office_id]
        for field in OFFICES.versioned:
            if old[field] != new[field]:
                events.append(
                    _event(
                        "office_changed",
                        new["source_page_id"],
                        "office",
                        office_id,
                        field=field,
                        before=_text(old[field]),
                        after=_text(new[field]),
                    )
                )
    return events


def _text(value) -> str | None:
    if value is None:
        return None
    return "; ".join(value) if isinstance(value, list) else str(value)


def _tasks(before: list[dict], after: list[dict]) -> list[dict]:
    was = {t["task_id"]: t for t in before}
    now = {t["task_id"]: t for t in after}
    return [
        _event("task_added", now[t]["page_id"], "task", t, after=now[t]["task"])
        for t in sorted(now.keys() - was.keys())
    ] + [
        _event("task_removed", was[t]["page_id"], "task", t, before=was[t]["task"])
        for t in sorted(was.keys() - now.keys())
    ]


_FINDERS = {"document_mentions": _citations, "quotes": _quotes, "offices": _offices, "office_tasks": _tasks}
