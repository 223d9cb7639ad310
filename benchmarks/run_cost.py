"""What a snapshot run costs beyond the framework floor (a trivial Prefect flow + importing GX).

    python benchmarks/run_cost.py
Target: at most 5 s beyond the floor.
"""

from measure import environment, framework_floor, run_flow, scratch, stage_line


def main() -> dict:
    tmp = scratch()
    env = environment(tmp / "prefect")
    floor = framework_floor(env)
    full = run_flow(tmp / "output", env)
    beyond = full["seconds"] - floor["seconds"]
    print(f"framework floor (trivial Prefect flow + import great_expectations): {floor['seconds']:.1f} s")
    print(f"full run --source snapshot: {full['seconds']:.1f} s  (stages: {stage_line(full['run'])})")
    print(f"beyond the floor: {beyond:.1f} s  (target <= 5 s)  peak memory {full['peak_rss_mb']:.0f} MB")
    return {
        "floor": floor["seconds"],
        "full": full["seconds"],
        "beyond": beyond,
        "stages": full["run"]["stage_seconds"],
        "peak_rss_mb": full["peak_rss_mb"],
    }


if __name__ == "__main__":
    main()
