"""Which local releases a run keeps (publish/retention.py)."""

from publish.retention import releases_to_remove


def test_the_newest_releases_those_that_found_something_and_one_a_month_are_kept():
    runs = [(f"202601{d:02d}T060000Z", d in (3, 9)) for d in range(1, 21)] + [("20260201T060000Z", False)]
    removed = releases_to_remove(runs, keep=5)
    kept = {r for r, _ in runs} - set(removed)
    assert kept == {
        "20260103T060000Z",  # found a change
        "20260109T060000Z",
        "20260120T060000Z",  # the last of January (also among the newest five)
        *(f"202601{d:02d}T060000Z" for d in (17, 18, 19)),
        "20260201T060000Z",
    }
    assert removed == sorted(removed) and "20260101T060000Z" in removed


def test_a_short_record_keeps_everything():
    runs = [("20260101T060000Z", True), ("20260102T060000Z", False)]
    assert releases_to_remove(runs, keep=30) == []
