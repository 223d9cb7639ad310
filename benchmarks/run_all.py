"""Run every benchmark and write benchmarks/results.md: each target, the figure measured, met or missed.

python benchmarks/run_all.py          (or: make benchmarks)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import peer
import run_cost
import scale
import warm
from measure import machine, now


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def row(what: str, measured: str, target: str, ok: bool) -> str:
    return f"| {what} | {measured} | {target} | {verdict(ok)} |"


def peaks(stage_peak_mb: dict) -> str:
    return ", ".join(f"{stage} {p['flow']:.0f} / {p['children']:.0f}" for stage, p in stage_peak_mb.items())


def main() -> None:
    cost = run_cost.main()
    sizes = scale.main((1000, 10000))
    fetch = peer.main(10000)
    scheduled = warm.main()
    big, small = sizes[10000], sizes[1000]
    wget = f"{fetch['wget']:.1f} s" if fetch["wget"] is not None else "not installed"
    lines = [
        "# Benchmark results",
        "",
        f"- Machine: {machine()}",
        f"- Date: {now()}",
        "- Command: `make benchmarks` (or `python benchmarks/run_all.py`); each script also runs alone",
        "",
        "The framework floor is a trivial Prefect flow run (with its temporary API server) plus",
        "`import great_expectations`, in the same kind of fresh process tree as a run of ours; the warm",
        "floor is the same trivial flow fired by a schedule on a running `prefect server start`.",
        "",
        "| what | measured | target | |",
        "|---|---|---|---|",
        row(
            f"snapshot run, first, beyond the floor (median of {cost['repeats']})",
            f"{cost['first_beyond']:+.2f} s (run {cost['first']:.1f} s, floor {cost['floor']:.1f} s)",
            "≤ +1.5 s",
            cost["first_beyond"] <= 1.5,
        ),
        row(
            f"snapshot run, no change, beyond the floor (median of {cost['repeats']})",
            f"{cost['second_beyond']:+.2f} s (run {cost['second']:.1f} s)",
            "≤ +1.5 s",
            cost["second_beyond"] <= 1.5,
        ),
        row(
            "no-change run: page bodies downloaded",
            f"{cost['bodies']} ({cost['unchanged']} answered 304)",
            "0",
            cost["bodies"] == 0,
        ),
        row(
            "scheduled run on a warm Prefect server, beyond the warm floor",
            f"{scheduled['beyond']:+.1f} s (run {scheduled['ours']:.1f} s, warm floor {scheduled['floor']:.1f} s)",
            "≤ +1.5 s",
            scheduled["beyond"] <= 1.5,
        ),
        row(
            "10,000 pages, whole flow beyond the floor",
            f"{big['beyond']:.1f} s (run {big['seconds']:.1f} s)",
            "≤ 60 s",
            big["beyond"] <= 60,
        ),
        row(
            "10,000 pages, transform", f"{big['stages']['transform']:.1f} s", "≤ 15 s", big["stages"]["transform"] <= 15
        ),
        row(
            "time per page beyond the floor, 10,000 / 1,000",
            f"{sizes['ratio']:.2f} ({big['per_page_ms']:.2f} / {small['per_page_ms']:.2f} ms)",
            "≤ 1.2",
            sizes["ratio"] <= 1.2,
        ),
        row("10,000 pages, peak memory of any stage", f"{big['peak_mb']:.0f} MB", "< 1024 MB", big["peak_mb"] < 1024),
        row(
            "our crawl / a bare Scrapy spider, same 10,053 URLs and concurrency",
            f"{fetch['ratio']:.2f} (ours {fetch['ours']:.1f} s, bare Scrapy {fetch['bare']:.1f} s, wget {wget})",
            "≤ 1.2",
            fetch["ratio"] <= 1.2,
        ),
        "",
        "## Stage split (seconds) and peak memory (MB, flow process / children, after each stage)",
        "",
        "| run | crawl | transform | validate | peak memory |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {s['crawl']:.1f} | {s['transform']:.1f} | {s['validate']:.1f} | {mem} |"
            for name, s, mem in (
                ("snapshot, first", cost["stages_first"], ""),
                ("snapshot, no change", cost["stages_second"], ""),
                ("1,000 pages", small["stages"], peaks(small["stage_peak_mb"])),
                ("10,000 pages", big["stages"], peaks(big["stage_peak_mb"])),
            )
        ),
        "",
        "The validate stage waits for the rest of the Great Expectations import, started in the",
        "background when the crawl starts. Children are the crawl process and the transform's two",
        "extraction workers; memory read after a stage is the peak so far, so it bounds that stage.",
        f"Pages per second beyond the floor: {small['pages_per_second']:.0f} at 1,000 pages,"
        f" {big['pages_per_second']:.0f} at 10,000.",
        "",
    ]
    out = Path(__file__).parent / "results.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
