"""What a run of the bundled snapshot costs beyond the framework floor, a first run and a no-change
run alike, measured side by side with the floor (a trivial Prefect flow + importing GX).

    python benchmarks/run_cost.py [REPEATS]
Each repetition runs the floor, a first run into a new output folder and a second run into the same
folder (nothing changed: every page answers 304), each in a fresh process tree; the figures are
medians. Targets: both runs within the floor + 1.5 s; the no-change run downloads no page body.
"""

import sys

from measure import environment, framework_floor, median, run_flow, scratch, stage_line, warm_up

TARGET = 1.5


def main(repeats: int = 5) -> dict:
    tmp = scratch()
    env = environment(tmp / "prefect")
    warm_up(env)
    floors, firsts, seconds, bodies = [], [], [], []
    for i in range(repeats):
        floors.append(framework_floor(env)["seconds"])
        first = run_flow(tmp / f"output-{i}", env)
        second = run_flow(tmp / f"output-{i}", env)
        firsts.append(first["seconds"])
        seconds.append(second["seconds"])
        bodies.append(second["run"]["crawl"]["pages_fetched"])
    floor = median(floors)
    result = {
        "repeats": repeats,
        "floor": floor,
        "first": median(firsts),
        "second": median(seconds),
        "first_beyond": median(firsts) - floor,
        "second_beyond": median(seconds) - floor,
        "bodies": max(bodies),
        "unchanged": second["run"]["crawl"]["unchanged"],
        "stages_first": first["run"]["stage_seconds"],
        "stages_second": second["run"]["stage_seconds"],
    }
    print(f"framework floor: median {floor:.2f} s of {repeats} ({', '.join(f'{s:.1f}' for s in floors)})")
    print(
        f"first run: median {result['first']:.2f} s, {result['first_beyond']:+.2f} s beyond the floor "
        f"(target <= +{TARGET} s); stages of the last: {stage_line(first['run'])}"
    )
    print(
        f"no-change run: median {result['second']:.2f} s, {result['second_beyond']:+.2f} s beyond the floor "
        f"(target <= +{TARGET} s); page bodies downloaded: {result['bodies']} (target 0), "
        f"{result['unchanged']} answered 304; stages of the last: {stage_line(second['run'])}"
    )
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
