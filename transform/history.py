"""History only grows: this run's rows folded into the previous release's.

A table read from page text declares an identity (the columns that name the same thing from run
to run). A row of this run whose identity was on the site in the previous run continues that row:
its values are this run's, its `first_seen_run` stays and its `last_seen_run` becomes this run. A
row whose identity is new, or comes back after an absence, starts a new row. A previous row this
run did not see is kept as it was: its `last_seen_run` stops moving. Rows of a page whose content
could not be read this run (a failed fetch with no readable capture) are seen as they were.
"""

from __future__ import annotations

from selvhjelp_data.schema import Table


def identity_of(table: Table, row: dict) -> tuple:
    return tuple(row[c] for c in table.identity)


def merge_history(
    table: Table,
    previous: list[dict],
    current: list[dict],
    run_id: str,
    previous_run: str | None,
    carried_pages: set[str] = frozenset(),
    page_column: str = "page_id",
) -> list[dict]:
    """Every previous row, continued or kept, and every new row of this run."""
    rows = [dict(r) for r in previous]
    on_site = {
        identity_of(table, r): r for r in rows if previous_run is not None and r["last_seen_run"] == previous_run
    }
    for row in current:
        key = identity_of(table, row)
        if key in on_site:
            on_site.pop(key).update(row, last_seen_run=run_id)
        else:
            rows.append({**row, "first_seen_run": run_id, "last_seen_run": run_id})
    for row in on_site.values():
        if row.get(page_column) in carried_pages:
            row["last_seen_run"] = run_id
    return rows
