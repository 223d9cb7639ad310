"""History only grows: this run's rows folded into the previous release's.

A table read from page text declares an identity (the columns that name the same thing from run
to run). A row of this run whose identity was on the site in the previous run continues that row:
its values are this run's, its `first_seen_run` stays and its `last_seen_run` becomes this run. A
row whose identity is new, or comes back after an absence, starts a new row. A previous row this
run did not see is kept as it was: its `last_seen_run` stops moving. Rows of a page whose content
could not be read this run (a failed fetch with no readable capture) are seen as they were.

A table may declare versioned facts (an office's address): one no page states this run keeps its last
value, and one that changes starts a new row beside the old, whose `last_seen_run` then says until when
the old value held. "The value now" is the row seen in the latest run; "the value at run T" is the row
with first_seen_run <= T <= last_seen_run.
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
        if key in on_site and not _changed(table, on_site[key], row := _kept_facts(table, on_site[key], row)):
            on_site.pop(key).update(row, last_seen_run=run_id)
        else:
            on_site.pop(key, None)  # a fact changed: the old row stays as it was, up to the previous run
            rows.append({**row, "first_seen_run": run_id, "last_seen_run": run_id})
    for row in on_site.values():
        if row.get(page_column) in carried_pages:
            row["last_seen_run"] = run_id
    return rows


def _kept_facts(table: Table, old: dict, row: dict) -> dict:
    """This run's row, with each versioned fact no page states now kept from the old row (and whether it
    was inferred)."""
    kept = [c for c in table.versioned if row[c] is None and old.get(c) is not None]
    if not kept:
        return row
    row = {**row, **{c: old[c] for c in kept}}
    if "inferred_columns" in row:
        inferred = set(row["inferred_columns"] or []) - set(kept) | (set(kept) & set(old.get("inferred_columns") or []))
        row["inferred_columns"] = [c for c in table.column_names if c in inferred]
    return row


def _changed(table: Table, old: dict, row: dict) -> bool:
    return any(old.get(c) != row[c] for c in table.versioned)
