"""Telling subscribers what changed: one message per run with changes, to every target in the
`notify` setting (Apprise URLs: mailto://, slack://, msteams://, matrix://, ntfy://, json:// ...).

No changes, no message. A target that cannot be reached is logged and counted; it never fails the
release, which is already published when messages go out. Target URLs often hold tokens, so they
are named in logs by their scheme and position only.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from publish.feed import change_line, diff_start

log = logging.getLogger(__name__)
MAX_CHANGES_IN_A_MESSAGE = 20  # a site-wide edit should not become a message nobody reads


class BadNotifyTarget(ValueError):
    """A SELVHJELP_NOTIFY entry Apprise cannot read."""


@dataclass
class NotifyResult:
    sent: list[str] = field(default_factory=list)  # targets, named safely
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.sent and not self.failed:
            return "notifications: none sent (no changes or no targets)"
        failed = f", {len(self.failed)} failed ({'; '.join(self.failed)})" if self.failed else ""
        return f"notifications: {len(self.sent)} sent{failed}"


def target_name(url: str, position: int) -> str:
    """How a target is named in logs: its scheme and position, never its tokens."""
    return f"target {position} ({url.split('://', 1)[0]}://…)"


def check_targets(urls: tuple[str, ...]) -> None:
    """Refuse, before a run starts, a target Apprise does not understand."""
    if not urls:
        return  # nothing to check, and no import of Apprise (a tenth of a second) to pay
    import apprise

    for position, url in enumerate(urls, 1):
        if not apprise.Apprise().add(url):
            raise BadNotifyTarget(
                f"SELVHJELP_NOTIFY: {target_name(url, position)} is not an Apprise URL "
                "(see https://github.com/caronc/apprise/wiki)"
            )


def message(changes: list[dict], site: str) -> tuple[str, str]:
    """(title, body) of the one message about a run's changes: pages, kinds, links, the start of each diff."""
    kinds = Counter(c["kind"] for c in changes)
    pages = len({c["page_id"] for c in changes})
    title = (
        f"{site}: {pages} page{'s' * (pages != 1)} changed ("
        + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        + ")"
    )
    parts = []
    for change in changes[:MAX_CHANGES_IN_A_MESSAGE]:
        part = f"{change_line(change)}\n{change['url']}"
        if change["diff"]:
            part += "\n" + diff_start(change)
        parts.append(part)
    if len(changes) > MAX_CHANGES_IN_A_MESSAGE:
        parts.append(f"… and {len(changes) - MAX_CHANGES_IN_A_MESSAGE} more changes: see changes.atom")
    return title, "\n\n".join(parts)


def notify_changes(targets: tuple[str, ...], changes: list[dict], site: str) -> NotifyResult:
    """Send the run's one message to each target; count what arrived and what did not."""
    import apprise  # only runs with changes and targets pay for the import

    result = NotifyResult()
    if not changes or not targets:
        return result
    title, body = message(changes, site)
    for position, url in enumerate(targets, 1):
        name = target_name(url, position)
        sender = apprise.Apprise()
        try:
            delivered = sender.add(url) and sender.notify(title=title, body=body)
        except Exception as error:  # a plugin's own failure is that target's failure, not the run's
            log.warning("notification to %s failed: %s", name, error)
            delivered = False
        (result.sent if delivered else result.failed).append(name)
        if not delivered:
            log.warning("notification to %s was not delivered", name)
    return result
