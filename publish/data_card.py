"""README.md of a release (the data card), generated from the table schemas and the release's rows.

Text from the site (page titles above all) is escaped before it goes into the Markdown: a page
titled `<script>` or `[x](javascript:…)` shows as text in every Markdown renderer.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from publish.present import md_text, md_url
from selvhjelp_data import __version__
from selvhjelp_data.schema import KIND_LABELS, TABLES, Table
from selvhjelp_data.settings import PROJECT_URL, Settings

QUOTATION_NOTICE = (
    "Quoted text (the `text` of `quotes`, and the page text in `page_versions` and `changes.diff`) belongs to its "
    "authors and is included as quotation under the Norwegian Copyright Act, åndsverkloven § 29; the licence "
    "covers the tables as a compilation and everything the pipeline derived."
)


def csv_dtypes(table: Table) -> dict[str, str]:
    """The dtype= a pandas reader of the CSV needs so that text columns stay text ("0364" keeps its zero)."""
    return {c.name: "str" for c in table.columns if pa.types.is_string(c.type)}


def data_card(tables: dict[str, pa.Table], run_id: str, settings: Settings, source: str) -> str:
    licence = settings.licence_terms
    return "\n".join(
        [
            f"# selvhjelp.no policy pages — release {run_id}",
            "",
            "The policy pages of [selvhjelp.no](https://selvhjelp.no/) (Selvhjelp Norge, Norway's national centre for "
            "self-organised self-help), every version of them, every change since the first run, the policy documents "
            "they cite, quotations, and Selvhjelp Norge's offices. Values keep the site's Norwegian text.",
            "",
            f"- Source: {md_text(source)}",
            f"- Licence: [{licence.title}]({licence.url}) ({licence.name})",
            f"- Produced by [selvhjelp-data]({PROJECT_URL}) {__version__}",
            "",
            QUOTATION_NOTICE,
            "",
            *_this_run(tables, run_id),
            *_kinds(),
            *_history_model(run_id),
            *_table_overview(tables),
            *_how_to_load(),
            *_column_reference(),
        ]
    )


def _this_run(tables: dict[str, pa.Table], run_id: str) -> list[str]:
    lines = ["## This run", ""]
    runs = {r["run_id"]: r for r in tables["runs"].to_pylist()}
    if run := runs.get(run_id):
        lines += [
            f"{run['pages_requested']} pages asked for, {run['pages_answered']} answered, "
            f"{run['pages_failed']} failed (their last good content was kept).",
            "",
        ]
    pages = tables["pages"]
    failing = (
        pages.filter(pc.is_valid(pages["last_fetch_error"])).select(["title", "url", "last_fetch_error"]).to_pylist()
    )
    if failing:
        lines += ["Pages whose latest fetch failed:", ""]
        lines += [
            f"- [{md_text(p['title'] or p['url'])}]({md_url(p['url'])}): {md_text(p['last_fetch_error'])}"
            for p in failing
        ]
        lines.append("")
    columns = ["kind", "title", "url", "last_modified_before", "last_modified_after"]
    changes = tables["changes"].select([*columns, "run_id"])  # the columns first: a large run's diffs stay unread
    changes = changes.filter(pc.equal(changes["run_id"], run_id)).select(columns).to_pylist()
    lines += ["Changes found by this run:", ""]
    lines += [
        f"- **{c['kind']}**: [{md_text(c['title'] or c['url'])}]({md_url(c['url'])})"
        f" (page date {c['last_modified_before'] or '–'} → {c['last_modified_after'] or '–'})"
        for c in changes
    ] or ["- none"]
    counts = Counter(tables["changes"].column("kind").to_pylist())
    lines += [
        "",
        f"All changes since the first run ({tables['changes'].num_rows}): "
        + (", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "none")
        + ".",
        "",
    ]
    return lines


def _kinds() -> list[str]:
    """The kinds of `changes` and `events`, as the feed, the messages and the release page name them."""
    lines = [
        "## What changed: changes and events / Hva som er endret",
        "",
        "`changes` has one row per page that changed in a run; `events` one row per thing the pages give that "
        "changed: a document a page starts or stops citing, a quotation added, removed or reworded, an office "
        "opened, closed or changed (one row per fact: address, phone, e-mail ...), a task added or removed. Both "
        "carry `word_diff` (`[-removed-] {+added+}`, git's word-diff form) and `word_diff_html` (`<del>`/`<ins>`). "
        "The feed, the messages and `index.html` name the kinds in Norwegian:",
        "",
        "`changes` har én rad per side som er endret i en kjøring; `events` én rad per ting sidene oppgir som er "
        "endret: et dokument en side begynner eller slutter å omtale, et sitat lagt til, fjernet eller endret, et "
        "kontor lagt til, borte eller endret, en oppgave lagt til eller fjernet.",
        "",
        "| kind | norsk | English |",
        "|---|---|---|",
    ]
    lines += [f"| `{kind}` | {nb} | {en} |" for kind, (nb, en) in KIND_LABELS.items()]
    return [*lines, ""]


def _history_model(run_id: str) -> list[str]:
    return [
        "## History: every release holds the whole record",
        "",
        "Nothing is deleted. `changes` holds every change since the first run (any two releases agree on the "
        "changes they share, by `change_id`); `page_versions` every text a page has had; `runs` every run. "
        "`documents`, `document_mentions`, `quotes`, `offices`, `office_tasks` and `broken_links` keep every row "
        "ever read from a page, with the page version it was read from (`page_version`) and the runs in which it "
        "was first and last seen (`first_seen_run`, `last_seen_run`; run ids sort as time). A row that left the "
        "site keeps its `last_seen_run`; one that comes back later starts a new row. A page whose fetch failed "
        "counts as unchanged: its rows stay on the site.",
        "",
        f"- on the site now: `last_seen_run = '{run_id}'` (this release's run)",
        f"- gone from the site: `last_seen_run < '{run_id}'`",
        "- on the site at a time T (a run id): `first_seen_run <= T and last_seen_run >= T`",
        "",
        "```sql",
        "-- DuckDB: quotations as the site showed them on 1 January 2026, and quotations that are gone",
        "select q.text, p.url from 'data/quotes.parquet' q join 'data/pages.parquet' p using (page_id)",
        "where q.first_seen_run <= '20260101T000000Z' and q.last_seen_run >= '20260101T000000Z';",
        f"select text, last_seen_run from 'data/quotes.parquet' where last_seen_run < '{run_id}';",
        "```",
        "",
        "```python",
        "import pandas as pd",
        'quotes = pd.read_parquet("data/quotes.parquet")',
        f'now = quotes[quotes.last_seen_run == "{run_id}"]',
        'T = "20260101T000000Z"',
        "on_new_year = quotes[(quotes.first_seen_run <= T) & (quotes.last_seen_run >= T)]",
        "```",
        "",
        "### The value of an attribute now, and at a time T",
        "",
        "A value once read from a page is never erased by a later run. An office's facts (name, city, areas, "
        "address, postal code, phone, e-mail, organisation number) are versioned: when a page gives another value, "
        "a new row starts and the old row keeps its `last_seen_run`, the last run its value held; when no page "
        "states a fact any more, the row keeps the last value read. So the value now is the row with "
        f"`last_seen_run = '{run_id}'`, and the value at T the row with `first_seen_run <= T and last_seen_run >= T`. "
        "A document is one row: a fact no page states now (its identifier, once the page printing it is gone) "
        "keeps its last value. `inferred_columns` names the values the pipeline filled from its register rather "
        "than read as a page states them; a stated value is never replaced by an inferred one.",
        "",
        "```sql",
        "-- DuckDB: each office's street address now, and as it was on 1 January 2026",
        f"select office_id, street_address from 'data/offices.parquet' where last_seen_run = '{run_id}';",
        "select office_id, street_address from 'data/offices.parquet'",
        "where first_seen_run <= '20260101T000000Z' and last_seen_run >= '20260101T000000Z';",
        "```",
        "",
    ]


def _table_overview(tables: dict[str, pa.Table]) -> list[str]:
    lines = ["## Tables", "", "| table | rows | one row per | key |", "|---|---|---|---|"]
    lines += [f"| `{n}` | {tables[n].num_rows} | {t.description} | {', '.join(t.key)} |" for n, t in TABLES.items()]
    return [*lines, ""]


def _how_to_load() -> list[str]:
    dtypes = csv_dtypes(TABLES["offices"])
    return [
        "## How to load",
        "",
        "```python",
        "import pandas as pd",
        'pages = pd.read_parquet("data/pages.parquet")  # typed: dates, UTC timestamps, lists',
        "# CSV: keep text columns text, or postal codes lose their leading zero (0364 -> 364)",
        f'offices = pd.read_csv("data/offices.csv", dtype={dtypes!r}, keep_default_na=False, na_values=[""])',
        "",
        "import duckdb  # DuckDB 1.1 or later",
        "duckdb.sql(\"select kind, count(*) from 'data/changes.parquet' group by kind\").show()",
        "con = duckdb.connect('selvhjelp.duckdb', read_only=True)  # a release folder's: every table, column comments",
        "```",
        "",
        "CSV files are UTF-8 (RFC 4180) with a header row; dates are ISO 8601, timestamps UTC; lists are joined "
        "with '; '; an empty cell is null; a cell beginning with = + - @ is prefixed with ' so spreadsheets do not "
        "run it (Parquet, DuckDB and the feed keep the true text).",
        "",
        "`datapackage.json` describes every table and column (Frictionless Data Package); `SHA256SUMS` lists every "
        "file's checksum (`sha256sum -c SHA256SUMS`); `catalog.ttl` is the DCAT-AP-NO catalogue record; "
        "`changes.atom` is a feed of the latest changes with their diffs; `index.html` the release's page; "
        "`status.json` the last run's heartbeat; `LICENSE` the terms. A release folder the pipeline writes also "
        "holds `selvhjelp.duckdb`, `selvhjelp.db` (SQLite, for Datasette) and `validation/` (the validation "
        "results); a data repository holds the rest, and its `datapackage.json` lists what it holds.",
        "",
    ]


def _column_reference() -> list[str]:
    lines = ["## Columns"]
    for name, table in TABLES.items():
        lines += [
            "",
            f"### `{name}`",
            "",
            table.description,
            "",
            "| column | type | required | description |",
            "|---|---|---|---|",
        ]
        for c in table.columns:
            values = f" Values: {', '.join(map(str, c.allowed))}." if c.allowed else ""
            lines.append(f"| `{c.name}` | {c.type} | {'yes' if not c.nullable else ''} | {c.description}{values} |")
    return [*lines, ""]
