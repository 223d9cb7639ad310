"""Run every benchmark and write benchmarks/results.md.

python benchmarks/run_all.py          (or: make benchmarks)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import no_change
import peer
import run_cost
import scale
from measure import machine, now


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def stage_ratio(big: dict, small: dict) -> float:
    """Per-page time from the stages alone: free of the floor subtraction, which favours small runs
    because the run hides the GX import behind the crawl while the floor pays it in full."""
    return (sum(big["stages"].values()) / big["pages"]) / (sum(small["stages"].values()) / small["pages"])


def main() -> None:
    cost = run_cost.main()
    quiet = no_change.main()
    sizes = scale.main((1000, 10000))
    fetch = peer.main(10000)
    big, small = sizes[10000], sizes[1000]
    lines = [
        "# Benchmark results",
        "",
        f"- Machine: {machine()}",
        f"- Date: {now()}",
        "- Command: `make benchmarks` (or `python benchmarks/run_all.py`)",
        "",
        "The framework floor is a trivial Prefect flow run (with its temporary API server) plus `import great_expectations`,",
        "measured warm in the same kind of process tree as a real run. Memory is the peak resident set of the largest process.",
        "",
        "| what | measured | target | |",
        "|---|---|---|---|",
        f"| snapshot run, beyond the floor | {cost['beyond']:.1f} s (run {cost['full']:.1f} s, floor {cost['floor']:.1f} s) | ≤ 5 s | {verdict(cost['beyond'] <= 5)} |",
        f"| no-change run: page bodies downloaded | {quiet['bodies']} ({quiet['unchanged']} answered 304) | 0 | {verdict(quiet['bodies'] == 0)} |",
        f"| no-change run, beyond the floor | {quiet['beyond']:.1f} s | ≤ 3 s | {verdict(quiet['beyond'] <= 3)} |",
        f"| 10,000 pages, whole flow beyond the floor | {big['beyond']:.1f} s | ≤ 90 s | {verdict(big['beyond'] <= 90)} |",
        f"| 10,000 pages, peak memory | {big['peak_rss_mb']:.0f} MB | < 1024 MB | {verdict(big['peak_rss_mb'] < 1024)} |",
        f"| time per page, 10,000 / 1,000 | {sizes['ratio']:.2f} | ≤ 1.3 | {verdict(sizes['ratio'] <= 1.3)} |",
        f"| time per page by stage sums (crawl+transform+validate), 10,000 / 1,000 | {stage_ratio(big, small):.2f} | (≤ 1.3) | {verdict(stage_ratio(big, small) <= 1.3)} |",
        f"| crawl speed / wget's, same 10,000 pages | {fetch['ratio']:.2f} (crawl {fetch['crawl']:.1f} s, wget {fetch['wget']:.1f} s) | ≥ 1 | {verdict(fetch['ratio'] >= 1)} |",
        "",
        "## Stage split (seconds)",
        "",
        "| run | crawl | transform | validate |",
        "|---|---|---|---|",
        f"| snapshot | {cost['stages']['crawl']:.1f} | {cost['stages']['transform']:.1f} | {cost['stages']['validate']:.1f} |",
        f"| snapshot, no change | {quiet['stages']['crawl']:.1f} | {quiet['stages']['transform']:.1f} | {quiet['stages']['validate']:.1f} |",
        f"| 1,000 pages | {small['stages']['crawl']:.1f} | {small['stages']['transform']:.1f} | {small['stages']['validate']:.1f} |",
        f"| 10,000 pages | {big['stages']['crawl']:.1f} | {big['stages']['transform']:.1f} | {big['stages']['validate']:.1f} |",
        "",
        "The validate stage includes importing Great Expectations (about 9 s here), which the floor also pays.",
        f"Pages per second beyond the floor: {small['pages_per_second']:.0f} at 1,000 pages, {big['pages_per_second']:.0f} at 10,000.",
        "",
    ]
    out = Path(__file__).parent / "results.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
