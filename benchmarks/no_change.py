"""A second run against the unchanged snapshot: page bodies downloaded (must be 0), time beyond the floor.

    python benchmarks/no_change.py
Page bodies are counted by the crawler's records (responses with status 200 and a body); the
end-to-end test test_second_crawl_of_an_unchanged_site_downloads_no_page_body counts them from
the snapshot server's own request log.
"""

from measure import environment, framework_floor, run_flow, scratch, stage_line


def main() -> dict:
    tmp = scratch()
    env = environment(tmp / "prefect")
    floor = framework_floor(env)
    run_flow(tmp / "output", env)
    second = run_flow(tmp / "output", env)
    crawl = second["run"]["crawl"]
    beyond = second["seconds"] - floor["seconds"]
    print(
        f"second run: {second['seconds']:.1f} s, {beyond:.1f} s beyond the floor of {floor['seconds']:.1f} s (target <= 3 s)"
    )
    print(
        f"page bodies downloaded: {crawl['pages_fetched']} (target 0); {crawl['unchanged']} answered 304; "
        f"{crawl['bytes_downloaded']} bytes in {crawl['requests']} requests; stages: {stage_line(second['run'])}"
    )
    return {
        "floor": floor["seconds"],
        "second": second["seconds"],
        "beyond": beyond,
        "bodies": crawl["pages_fetched"],
        "unchanged": crawl["unchanged"],
        "bytes": crawl["bytes_downloaded"],
        "stages": second["run"]["stage_seconds"],
    }


if __name__ == "__main__":
    main()
