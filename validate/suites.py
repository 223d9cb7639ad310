"""Expectation suites, derived from transform/schema.py, plus the cross-table and
previous-release checks. Declared as data (name, kwargs) so they read as a list; validate/run.py
turns them into Great Expectations objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from selvhjelp_data.schema import TABLES, TODAY, Column, Table


@dataclass(frozen=True)
class Expect:
    type: str  # the GX expectation class name
    kwargs: dict

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column") or (
            ",".join(self.kwargs["column_list"]) if "column_list" in self.kwargs else None
        )


def bound(value, today: date):
    """A declared bound as a value GX compares with: ISO dates become dates, TODAY the run's day."""
    if value == TODAY:
        return today
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value


def column_expectations(c: Column, today: date, url_pattern: str) -> list[Expect]:
    """Everything one column's declaration says, as expectations."""
    expectations = []
    if not c.nullable:
        expectations.append(Expect("ExpectColumnValuesToNotBeNull", {"column": c.name}))
    if c.min_length is not None:
        expectations.append(
            Expect("ExpectColumnValueLengthsToBeBetween", {"column": c.name, "min_value": c.min_length})
        )
    if c.allowed:
        expectations.append(Expect("ExpectColumnValuesToBeInSet", {"column": c.name, "value_set": list(c.allowed)}))
    if pattern := c.pattern_for(url_pattern):
        expectations.append(Expect("ExpectColumnValuesToMatchRegex", {"column": c.name, "regex": pattern}))
    if c.min_value is not None or c.max_value is not None:
        bounds = {"min_value": bound(c.min_value, today), "max_value": bound(c.max_value, today)}
        expectations.append(Expect("ExpectColumnValuesToBeBetween", {"column": c.name, **bounds}))
    return expectations


def table_expectations(table: Table, today: date, url_pattern: str) -> list[Expect]:
    """Everything the schema says about one table, as expectations."""
    expectations = [Expect("ExpectTableColumnsToMatchSet", {"column_set": table.column_names, "exact_match": True})]
    if table.min_rows:
        expectations.append(Expect("ExpectTableRowCountToBeBetween", {"min_value": table.min_rows}))
    if len(table.key) == 1:
        expectations.append(Expect("ExpectColumnValuesToBeUnique", {"column": table.key[0]}))
    else:
        expectations.append(Expect("ExpectCompoundColumnsToBeUnique", {"column_list": list(table.key)}))
    for c in table.columns:
        expectations += column_expectations(c, today, url_pattern)
    return expectations


def reference_names() -> list[str]:
    """ "quotes.page_id -> pages.page_id" and the like: one column of the references frame each."""
    return [
        f"{name}.{column} -> {target}" for name, table in TABLES.items() for column, target in table.references.items()
    ]


def missing_references(tables: dict[str, pa.Table]) -> dict[str, list]:
    """For every reference between tables, the referencing values with nothing to point at.

    Checked as a small frame of missing values rather than as an in-set expectation holding every
    key of the target table, which GX re-serialises thousands of times on large releases.
    """
    missing = {}
    for name, table in TABLES.items():
        for column, target in table.references.items():
            target_table, target_column = target.split(".")
            keys = set(tables[target_table].column(target_column).to_pylist())
            values = set(v for v in tables[name].column(column).to_pylist() if v is not None)
            missing[f"{name}.{column} -> {target}"] = sorted(values - keys)
    return missing


def release_checks(
    tables: dict[str, pa.Table], previous: dict[str, pa.Table] | None, allow_shrink: bool
) -> list[tuple[str, str | None]]:
    """(check, failure or None) for rules that span tables or runs."""
    checks: list[tuple[str, str | None]] = []
    offices = tables["offices"].to_pylist()
    heads = sum(1 for o in offices if o["kind"] == "head")
    checks.append(("exactly one head office", None if heads == 1 or not offices else f"{heads} head offices"))
    checks.append(("as many district offices as their pages list", _district_office_mismatch(tables)))
    change_pages = set(tables["changes"].column("page_id").to_pylist())
    missing = change_pages - set(tables["pages"].column("page_id").to_pylist())
    checks.append(("every change row's page exists", f"missing pages {sorted(missing)[:3]}" if missing else None))
    if previous is None or allow_shrink:
        return checks

    def live_pages(t):
        return sum(1 for s in t["pages"].column("status").to_pylist() if s == 200)

    for what, before, after in (
        ("live pages (status 200)", live_pages(previous), live_pages(tables)),
        ("documents", previous["documents"].num_rows, tables["documents"].num_rows),
    ):
        checks.append(
            (
                f"{what} did not drop by more than half",
                f"{what} fell from {before} to {after}" if before and after * 2 < before else None,
            )
        )
    for name, table in tables.items():
        if name == "changes":
            continue  # a run with no changes is the usual case
        checks.append(
            (
                f"{name} is not empty when it was before",
                f"{name} is empty; the previous release had {previous[name].num_rows} rows"
                if previous[name].num_rows and not table.num_rows
                else None,
            )
        )
    return checks


def _district_office_mismatch(tables: dict[str, pa.Table]) -> str | None:
    """Each offices page's "Distriktskontoret for ..." headings against the district rows taken from it."""
    texts = {}
    for v in tables["page_versions"].to_pylist():  # the latest version of each page
        if v["page_id"] not in texts or v["version"] > texts[v["page_id"]][0]:
            texts[v["page_id"]] = (v["version"], v["text"])
    rows: dict[str, int] = {}
    for office in tables["offices"].to_pylist():
        if office["kind"] == "district":
            rows[office["source_page_id"]] = rows.get(office["source_page_id"], 0) + 1
    for page, count in rows.items():
        listed = sum(
            1 for line in texts.get(page, (0, ""))[1].split("\n\n") if line.startswith("Distriktskontoret for ")
        )
        if listed != count:
            return f"page {page} lists {listed} district offices, the table has {count}"
    return None


def suites(today: date, url_pattern: str) -> dict[str, list[Expect]]:
    declared = {name: table_expectations(table, today, url_pattern) for name, table in TABLES.items()}
    declared["references"] = [Expect("ExpectColumnValuesToBeNull", {"column": ref}) for ref in reference_names()]
    declared["release_checks"] = [Expect("ExpectColumnValuesToBeNull", {"column": "failure"})]
    return declared
