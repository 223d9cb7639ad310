"""Expectation suites, derived from transform/schema.py, plus the cross-table and
previous-release checks. Declared as data (name, kwargs) so they read as a list; validate/run.py
turns them into Great Expectations objects."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from selvhjelp_data.schema import TABLES, Column, Table, as_bound


@dataclass(frozen=True)
class Expect:
    type: str  # the GX expectation class name
    kwargs: dict

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column") or (
            ",".join(self.kwargs["column_list"]) if "column_list" in self.kwargs else None
        )


# what holds of a whole table, not of each row: a table validated in batches checks these on its key columns
WHOLE_TABLE = ("ExpectTableRowCountToBeBetween", "ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique")


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
        bounds = {"min_value": as_bound(c.min_value, today), "max_value": as_bound(c.max_value, today)}
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
            keys, values = tables[target_table][target_column], pc.drop_null(tables[name][column])
            # in Arrow: the values of a large release as Python sets would take hundreds of MB
            pointing_at_nothing = pc.unique(values.filter(pc.invert(pc.is_in(values, value_set=keys))))
            missing[f"{name}.{column} -> {target}"] = sorted(pointing_at_nothing.to_pylist())
    return missing


def release_checks(
    tables: dict[str, pa.Table], previous: dict[str, pa.Table] | None, allow_shrink: bool
) -> list[tuple[str, str | None]]:
    """(check, failure or None) for rules that span tables or runs."""
    run_id = max(tables["runs"].column("run_id").to_pylist(), default=None)
    offices = [o for o in tables["offices"].to_pylist() if o["last_seen_run"] == run_id]
    heads = sum(1 for o in offices if o["kind"] == "head")
    checks = [
        ("exactly one head office on the site", None if heads == 1 or not offices else f"{heads} head offices"),
        ("as many district offices as their pages list", _district_office_mismatch(tables, offices)),
    ]
    if previous is None:
        return checks
    checks += [
        (f"{name} keeps every row of the previous release", _lost_rows(name, tables[name], previous[name]))
        for name in TABLES
    ]
    if not allow_shrink:
        before, after = _live_pages(previous), _live_pages(tables)
        checks.append(
            (
                "live pages (status 200) did not drop by more than half",
                f"live pages (status 200) fell from {before} to {after}" if before and after * 2 < before else None,
            )
        )
    return checks


def _lost_rows(name: str, table: pa.Table, before: pa.Table) -> str | None:
    """History only grows: every key of the previous release is still there."""
    key = TABLES[name].key
    # an anti-join in Arrow: two sets of a large release's keys as Python tuples would take GBs
    lost_rows = before.select(list(key)).join(table.select(list(key)), keys=list(key), join_type="left anti")
    lost = set(zip(*(lost_rows.column(k).to_pylist() for k in key), strict=True))
    return f"{len(lost)} rows of the previous release are gone, e.g. {sorted(lost, key=str)[:2]}" if lost else None


def _live_pages(tables: dict[str, pa.Table]) -> int:
    return pc.sum(pc.equal(tables["pages"]["status"], 200)).as_py() or 0


def _district_office_mismatch(tables: dict[str, pa.Table], offices: list[dict]) -> str | None:
    """Each offices page's "Distriktskontoret for ..." headings against the district rows on the site now."""
    sources = pa.array(sorted({o["source_page_id"] for o in offices if o["kind"] == "district"}), pa.string())
    versions = tables["page_versions"]
    texts = {}
    for v in versions.filter(pc.is_in(versions["page_id"], value_set=sources)).to_pylist():  # the latest of each
        if v["page_id"] not in texts or v["version"] > texts[v["page_id"]][0]:
            texts[v["page_id"]] = (v["version"], v["text"])
    rows: Counter = Counter(o["source_page_id"] for o in offices if o["kind"] == "district")
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
