"""The validate stage: run every suite on the release's tables with Great Expectations, write the
results (JSON) and a self-contained HTML report, and say in one line per failure what failed."""

from __future__ import annotations

import html
import json
import logging
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa

from selvhjelp_data.mapped import fits_one_slice, let_go, slices
from selvhjelp_data.schema import TABLES
from validate.suites import WHOLE_TABLE, Expect, missing_references, release_checks, suites

log = logging.getLogger(__name__)


@dataclass
class Failure:
    table: str
    column: str | None
    expectation: str
    examples: list

    def line(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"validation failed: {where}: {self.expectation}: {', '.join(map(repr, self.examples[:5]))}"


@dataclass
class ValidationReport:
    success: bool
    failures: list[Failure] = field(default_factory=list)
    results: dict = field(default_factory=dict)  # table -> GX result as JSON
    evaluated: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        state = "passed" if self.success else f"FAILED ({len(self.failures)} expectations)"
        return (
            f"validation {state}: {self.evaluated} expectations on {len(self.results)} suites in {self.seconds:.2f} s"
        )


class ValidationError(RuntimeError):
    def __init__(self, report: ValidationReport):
        super().__init__("\n".join(f.line() for f in report.failures))
        self.report = report


def as_frame(table: pa.Table) -> pd.DataFrame:
    """pandas for GX: dates stay datetime.date, timestamps become pandas timestamps, lists lists."""
    return table.to_pandas(date_as_object=True)


def references_frame(tables: dict[str, pa.Table]) -> pd.DataFrame:
    """One column per reference between tables, holding the values that point at nothing (padded with nulls)."""
    missing = missing_references(tables)
    rows = max([1] + [len(v) for v in missing.values()])
    return pd.DataFrame({ref: values + [None] * (rows - len(values)) for ref, values in missing.items()}, dtype=object)


def frames(
    tables: dict[str, pa.Table], checks: list[tuple[str, str | None]], declared: dict[str, list[Expect]]
) -> Iterator[tuple[str, str, pd.DataFrame, list[Expect]]]:
    """(table, suite, the frame it validates, its expectations), one at a time: a frame is let go before
    the next is made. A table larger than a slice (selvhjelp_data/mapped.slices: 100,000 rows or 32 MB) is
    validated in parts: what holds of the whole table (its row count, its key unique) on a frame of its key
    columns, everything else a slice of rows at a time; the pages read of a mapped table go after each."""
    for name, table in tables.items():
        if fits_one_slice(table):
            yield name, name, as_frame(table), declared[name]
            continue
        whole = [e for e in declared[name] if e.type in WHOLE_TABLE]
        yield name, f"{name} (its key)", as_frame(table.select(list(TABLES[name].key))), whole
        let_go()
        rows, start = [e for e in declared[name] if e.type not in WHOLE_TABLE], 0
        for part in slices(table):
            yield name, f"{name} (rows {start + 1}-{start + part.num_rows})", as_frame(part), rows
            start += part.num_rows
    yield "references", "references", references_frame(tables), declared["references"]
    let_go()
    checks_frame = pd.DataFrame({"check": [c for c, _ in checks], "failure": [f for _, f in checks]}, dtype=object)
    yield "release_checks", "release_checks", checks_frame, declared["release_checks"]


def run_validation(
    tables: dict[str, pa.Table],
    previous: dict[str, pa.Table] | None,
    out_dir: Path,
    url_pattern: str,
    allow_shrink: bool = False,
    today: date | None = None,
) -> ValidationReport:
    """Validate; write results and report into out_dir; never raises on a failed expectation."""
    import great_expectations as gx  # ~9 s: only the validate step pays for it

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # GX matches with str.contains; our patterns group alternatives, which is all we want of them
    warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
    context = gx.get_context(mode="ephemeral")  # one context per run: nothing registered twice
    context.variables.progress_bars = {"globally": False}
    _remove_temporary_docs_sites(context)
    source = context.data_sources.add_pandas("release")
    report = ValidationReport(success=True)
    started = time.monotonic()  # after the import: the figure is what validation itself costs
    checks = release_checks(tables, previous, allow_shrink)
    let_go()
    for name, suite_name, frame, expectations in frames(tables, checks, suites(today or date.today(), url_pattern)):
        batch_definition = source.add_dataframe_asset(suite_name).add_batch_definition_whole_dataframe("all")
        suite = gx.ExpectationSuite(name=suite_name)
        for expect in expectations:
            suite.add_expectation(getattr(gx.expectations, expect.type)(**expect.kwargs))
        result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format="SUMMARY"
        )
        del frame  # before the next table's is made
        report.results[suite_name] = result.to_json_dict()
        for r in result.results:
            report.evaluated += 1
            if not r.success and name == "release_checks":  # one line per broken rule, named
                report.failures += [
                    Failure(name, check, r.expectation_config.type, [failure]) for check, failure in checks if failure
                ]
            elif not r.success:
                report.failures.append(_failure(name, r))
    report.success = not report.failures
    report.seconds = time.monotonic() - started
    write_results(report, Path(out_dir))
    return report


def _remove_temporary_docs_sites(context) -> None:
    """An ephemeral context makes a Data Docs folder in /tmp that nothing removes; our report is our own."""
    for name, site in dict(context.variables.data_docs_sites or {}).items():
        folder = (site.get("store_backend") or {}).get("base_directory")
        context.delete_data_docs_site(name)
        if folder and Path(folder).is_dir() and Path(folder).parent == Path(tempfile.gettempdir()):
            shutil.rmtree(folder, ignore_errors=True)


def _failure(table: str, r) -> Failure:
    """One failed expectation, with a few offending values (GX reorders results: read its own config)."""
    kwargs = r.expectation_config.kwargs
    column = kwargs.get("column") or (",".join(kwargs["column_list"]) if "column_list" in kwargs else None)
    result = r.result or {}
    examples = result.get("partial_unexpected_list") or []
    if r.expectation_config.type == "expect_table_columns_to_match_set":
        examples = sorted(set(result.get("observed_value") or []) ^ set(kwargs["column_set"]))
    elif r.exception_info and r.exception_info.get("exception_message"):
        examples = [r.exception_info["exception_message"]]
    elif not examples and "observed_value" in result:  # a whole-table expectation: what it saw, what it wanted
        examples = [_observed(result["observed_value"], kwargs)]
    return Failure(table, column, r.expectation_config.type, examples)


def _observed(value, kwargs: dict) -> str:
    bounds = [
        f"{word} {kwargs[key]}"
        for word, key in (("at least", "min_value"), ("at most", "max_value"))
        if kwargs.get(key) is not None
    ]
    return f"{value} observed" + (f", {' and '.join(bounds)} expected" if bounds else "")


def write_results(report: ValidationReport, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(
        json.dumps(
            {
                "success": report.success,
                "evaluated": report.evaluated,
                "failures": [f.__dict__ for f in report.failures],
                "suites": report.results,
            },
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    (out_dir / "report.html").write_text(render_html(report), encoding="utf-8")


REPORT_STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
    "td,th{border:1px solid #ccc;padding:4px;font-size:13px;vertical-align:top}"
    "tr.ok td:nth-child(4){color:#060}tr.fail{background:#fdd}h1 span{font-size:60%;color:#555}"
)


def _report_row(suite: str, r: dict) -> str:
    cfg = r.get("expectation_config", {})
    kw = {k: v for k, v in cfg.get("kwargs", {}).items() if k != "batch_id"}
    if isinstance(kw.get("value_set"), list) and len(kw["value_set"]) > 8:
        kw["value_set"] = kw["value_set"][:8] + ["…"]
    unexpected = (r.get("result") or {}).get("partial_unexpected_list") or ""
    cells = [
        suite,
        cfg.get("type", ""),
        json.dumps(kw, ensure_ascii=False, default=str),
        "passed" if r.get("success") else "FAILED",
        str(unexpected)[:300],
    ]
    tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
    return f"<tr class={'ok' if r.get('success') else 'fail'}>{tds}</tr>"


def render_html(report: ValidationReport) -> str:
    """A report that opens offline: no scripts, no fonts or styles from a CDN."""
    rows = "".join(_report_row(suite, r) for suite, result in report.results.items() for r in result.get("results", []))
    status = "All expectations passed" if report.success else f"{len(report.failures)} expectations failed"
    suites = ", ".join(map(html.escape, report.results))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Validation report</title>'
        f"<style>{REPORT_STYLE}</style></head><body>"
        f"<h1>Validation report <span>{html.escape(report.summary())}</span></h1>"
        f"<p><strong>{status}.</strong> Suites: {suites}.</p><table><tr><th>suite</th><th>expectation</th>"
        f"<th>arguments</th><th>result</th><th>unexpected values (sample)</th></tr>{rows}</table></body></html>"
    )
