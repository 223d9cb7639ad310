"""README.md of a release (the data card), generated from the table schemas."""

from __future__ import annotations

import pyarrow as pa

from selvhjelp_data import __version__
from selvhjelp_data.schema import TABLES
from selvhjelp_data.settings import PROJECT_URL, Settings


def data_card(tables: dict[str, pa.Table], run_id: str, settings: Settings, source: str) -> str:
    """README.md of the release, generated from the schema definitions."""
    lines = [
        f"# selvhjelp.no policy pages — release {run_id}",
        "",
        "The policy pages of [selvhjelp.no](https://selvhjelp.no/) (Selvhjelp Norge, Norway's national centre for "
        "self-organised self-help), every version of them, the changes between runs, the policy documents they cite, "
        "quotations, and Selvhjelp Norge's offices. Values keep the site's Norwegian text.",
        "",
        f"- Source: {source}",
        f"- Licence: [{settings.licence_title}]({settings.licence_url})",
        f"- Produced by [selvhjelp-data]({PROJECT_URL}) {__version__}",
        "",
        "## Changes in this release",
        "",
    ]
    changes = tables["changes"].to_pylist()
    lines += [
        f"- **{c['kind']}**: [{c['title'] or c['url']}]({c['url']})"
        + (f" (date {c['last_modified_before'] or '–'} → {c['last_modified_after'] or '–'})")
        for c in changes
    ] or ["No changes."]
    lines += ["", "## Tables", "", "| table | rows | one row per | key |", "|---|---|---|---|"]
    lines += [f"| `{n}` | {tables[n].num_rows} | {t.description} | {', '.join(t.key)} |" for n, t in TABLES.items()]
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
        lines += [
            f"| `{c.name}` | {c.type} | {'yes' if not c.nullable else ''} | {c.description}{' Values: ' + ', '.join(map(str, c.allowed)) + '.' if c.allowed else ''} |"
            for c in table.columns
        ]
    lines += [
        "",
        "## How to load",
        "",
        "```python",
        "import pandas as pd",
        'pages = pd.read_parquet("data/pages.parquet")',
        "",
        "import duckdb",
        "duckdb.sql(\"select kind, count(*) from 'data/changes.parquet' group by kind\").show()",
        "```",
        "",
        "CSV files are UTF-8 with a header row; dates are ISO 8601, timestamps UTC; lists are joined with '; '; "
        "a cell beginning with = + - @ is prefixed with ' so spreadsheets do not run it.",
        "",
        "`datapackage.json` describes every table and column (Frictionless Data Package) and lists every file with its "
        "size and SHA-256. `changes.atom` is the changes as an Atom feed. `validation/` holds the validation results.",
        "",
    ]
    return "\n".join(lines)
