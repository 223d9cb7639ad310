"""index.html: one page a person opens in a release, on a phone or a desktop, with no network: the latest
changes and events with their word-level diffs, a chart of changes per month since the first run, and
the documents the pages cite now. Self-contained (inline CSS and SVG); everything site text is escaped.
"""

from __future__ import annotations

import html
from collections import Counter

import pyarrow as pa

from publish.feed import FEED_FILE
from publish.present import first_run_summary, item_html, item_rows, items_of_run
from selvhjelp_data.settings import Settings

RUNS_SHOWN = 10  # the newest runs with changes, each with its items
STYLE = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --line: #dadce0; --del: #fde2e1; --ins: #ddf4e4; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
header p, .muted { color: var(--muted); }
h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { font-size: 1.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .5rem; color: var(--muted); }
a { color: #0b57d0; overflow-wrap: anywhere; }
.item { border: 1px solid var(--line); border-radius: .5rem; padding: .25rem .9rem; margin: .6rem 0; }
.item p { margin: .4rem 0; }
del { background: var(--del); text-decoration: line-through; } ins { background: var(--ins); text-decoration: none; }
blockquote { margin: .4rem 0; padding-left: .8rem; border-left: 3px solid var(--line); color: var(--muted); }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem .4rem;
  border-bottom: 1px solid var(--line); vertical-align: top; }
svg { width: 100%; height: auto; } .bar { fill: #0b57d0; } .axis { fill: var(--muted); font-size: 10px; }
@media (max-width: 40rem) { body { font-size: 15px; } .wide { display: none; } }
"""


def release_page(tables: dict[str, pa.Table], run_id: str, settings: Settings, source: str) -> str:
    rows = item_rows(tables)
    runs = sorted(rows["runs"], key=lambda r: r["run_id"], reverse=True)
    body = [
        "<header>",
        "<h1>Endringer på selvhjelp.no sine sider om politikk og planer</h1>",
        f"<p>Utgivelse {html.escape(run_id)} · kilde: {html.escape(source)} · "
        f'<a href="{FEED_FILE}">nyhetsstrøm (Atom)</a> · <a href="README.md">om dataene</a> · '
        '<a href="datapackage.json">datapakke</a></p>',
        "</header>",
        "<h2>Siste endringer</h2>",
        *_latest(rows, runs, settings),
        "<h2>Endringer per måned</h2>",
        _chart(rows),
        "<h2>Dokumenter sidene omtaler nå</h2>",
        _documents(
            rows["documents"],
            citations(tables),
            run_id,
        ),
    ]
    return (
        "<!doctype html>\n<html lang='nb'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>selvhjelp.no – endringer, utgivelse {html.escape(run_id)}</title><style>{STYLE}</style></head>"
        "<body><main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


def _latest(rows: dict, runs: list[dict], settings: Settings) -> list[str]:
    parts, shown = [], 0
    for run in runs:
        if summary := first_run_summary(rows, run["run_id"]):
            parts += [f'<h3 id="run-{run["run_id"]}">{_when(run)}</h3>', f"<p>{html.escape(summary)}.</p>"]
            break
        items = items_of_run(rows, run["run_id"])
        if not items:
            continue
        parts.append(f'<h3 id="run-{run["run_id"]}">{_when(run)} · {len(items)} endring{"er" * (len(items) != 1)}</h3>')
        parts += [f'<div class="item">{item_html(item, settings)}</div>' for item in items]
        shown += 1
        if shown == RUNS_SHOWN:
            break
    return parts or ["<p class='muted'>Ingen endringer ennå.</p>"]


def _when(run: dict) -> str:
    at = run["started_at"]
    return html.escape(f"{at.day}.{at.month}.{at.year}")


def _chart(rows: dict) -> str:
    """Changes and events per month since the first run, as an inline SVG bar chart."""
    months = Counter(c["detected_at"].strftime("%Y-%m") for c in rows["changes"] + rows["events"])
    runs = sorted(r["started_at"] for r in rows["runs"])
    if not runs:
        return "<p class='muted'>Ingen kjøringer ennå.</p>"
    span = _months(runs[0].year, runs[0].month, runs[-1].year, runs[-1].month)
    top = max([months[m] for m in span] + [1])
    width, height, gap = 720, 160, 2
    bar = min(48, max(2, (width - 40) // len(span) - gap))  # one month is one bar, not the whole width
    bars = []
    for i, month in enumerate(span):
        h = round((height - 30) * months[month] / top)
        x = 30 + i * (bar + gap)
        bars.append(
            f'<rect class="bar" x="{x}" y="{height - 20 - h}" width="{bar}" height="{h}">'
            f"<title>{month}: {months[month]}</title></rect>"
        )
        if i == 0 or i == len(span) - 1 or month.endswith("-01"):
            bars.append(f'<text class="axis" x="{x}" y="{height - 6}">{month}</text>')
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Endringer per måned, høyeste {top}">'
        f'<text class="axis" x="0" y="12">{top}</text>{"".join(bars)}</svg>'
    )


def _months(y0: int, m0: int, y1: int, m1: int) -> list[str]:
    out = []
    while (y0, m0) <= (y1, m1):
        out.append(f"{y0:04d}-{m0:02d}")
        y0, m0 = (y0 + 1, 1) if m0 == 12 else (y0, m0 + 1)
    return out


def citations(tables) -> list[dict]:
    return tables["document_mentions"].select(["page_id", "document_id", "last_seen_run"]).to_pylist()


def _documents(documents: list[dict], mentions: list[dict], run_id: str) -> str:
    """The documents cited now, most cited first, with the number of pages that cite each."""
    cited = Counter(
        doc for _, doc in {(m["page_id"], m["document_id"]) for m in mentions if m["last_seen_run"] == run_id}
    )
    docs = sorted(
        (d for d in documents if d["document_id"] in cited), key=lambda d: (-cited[d["document_id"]], d["title"] or "")
    )
    if not docs:
        return "<p class='muted'>Ingen dokumenter omtalt.</p>"
    lines = ["<table><thead><tr><th>Dokument</th><th class='wide'>Nummer</th><th>Sider</th></tr></thead><tbody>"]
    for d in docs:
        years = f" ({d['year_from']})" if d["year_from"] else ""
        lines.append(
            f"<tr><td>{html.escape(d['title'] or d['document_id'])}{years}</td>"
            f"<td class='wide'>{html.escape(d['identifier'] or '')}</td><td>{cited[d['document_id']]}</td></tr>"
        )
    return "\n".join([*lines, "</tbody></table>"])
