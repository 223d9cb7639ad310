"""Telling subscribers what changed: one message per run, to every target in the `notify` setting
(Apprise URLs: mailto://, slack://, msteams://, matrix://, ntfy://, json:// ...), each told only what it
asked for.

A target may follow its URL with ` only ` and filters, all of which an item must pass (values of one
filter joined with `+`, `*` a wildcard in kinds):
    json://hooks.example.org/x only document=meld-st-19-2018-2019
    mailto://u:p@example.org only kind=quote_*+office_changed url=https://selvhjelp.no/kontakt/
A page change or an event (publish/present.py) goes in a message in Norwegian with its word-level diff.
Nothing to tell, no message. A target that cannot be reached is logged and counted; it never fails the
release, which is already published when messages go out. Target URLs often hold tokens, so they are
named in logs by their scheme and position only.
"""

from __future__ import annotations

import fnmatch
import logging
from collections import Counter
from dataclasses import dataclass, field

from publish.present import Item, first_run_summary, item_text, items_of_run

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


@dataclass(frozen=True)
class Subscription:
    """A target, and the filters of what it wants told (none: everything)."""

    url: str
    kinds: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    url_prefixes: tuple[str, ...] = ()

    @property
    def filtered(self) -> bool:
        return bool(self.kinds or self.documents or self.url_prefixes)

    def wants(self, item: Item) -> bool:
        return (
            (not self.kinds or any(fnmatch.fnmatchcase(item.kind, k) for k in self.kinds))
            and (not self.documents or item.document_id in self.documents)
            and (not self.url_prefixes or any((item.url or "").startswith(p) for p in self.url_prefixes))
        )


FILTERS = {"kind": "kinds", "document": "documents", "url": "url_prefixes"}


def subscription(entry: str, position: int) -> Subscription:
    """ "<Apprise URL> [only name=value+value ...]" as a Subscription; a filter it does not know is refused."""
    url, _, filters = entry.partition(" only ")
    found = {}
    for clause in filters.split():
        name, _, values = clause.partition("=")
        if name not in FILTERS or not values:
            raise BadNotifyTarget(
                f"SELVHJELP_NOTIFY: {target_name(url, position)}: {clause!r} is not a filter "
                "(kind=..., document=..., url=..., values joined with +)"
            )
        found[FILTERS[name]] = tuple(v for v in values.split("+") if v)
    return Subscription(url.strip(), **found)


def target_name(url: str, position: int) -> str:
    """How a target is named in logs: its scheme and position, never its tokens."""
    return f"target {position} ({url.split('://', 1)[0]}://…)"


def check_targets(entries: tuple[str, ...]) -> None:
    """Refuse, before a run starts, a target Apprise does not understand or a filter that is none."""
    if not entries:
        return  # nothing to check, and no import of Apprise (a tenth of a second) to pay
    import apprise

    for position, entry in enumerate(entries, 1):
        target = subscription(entry, position)
        if not apprise.Apprise().add(target.url):
            raise BadNotifyTarget(
                f"SELVHJELP_NOTIFY: {target_name(target.url, position)} is not an Apprise URL "
                "(see https://github.com/caronc/apprise/wiki)"
            )


def message(items: list[Item], site: str) -> tuple[str, str]:
    """(title, body) of one message: how many pages changed and what happened, then each item in words."""
    kinds = Counter(item.label for item in items)
    pages = len({item.url for item in items if item.key[0] == "changes"})
    head = f"{pages} side{'r' * (pages != 1)} endret" if pages else "endringer"
    title = f"{site}: {head} (" + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) + ")"
    parts = [item_text(item) for item in items[:MAX_CHANGES_IN_A_MESSAGE]]
    if len(items) > MAX_CHANGES_IN_A_MESSAGE:
        parts.append(f"… og {len(items) - MAX_CHANGES_IN_A_MESSAGE} til: se changes.atom")
    return title, "\n\n".join(parts)


def run_message(rows: dict[str, list[dict]], run_id: str, site: str, target: Subscription) -> tuple[str, str] | None:
    """The message one target gets about a run, or None when nothing in it is for that target."""
    if summary := first_run_summary(rows, run_id):  # a first run: one line, not every page
        recorded = any(c["run_id"] == run_id for c in rows["changes"])
        return None if target.filtered or not recorded else (f"{site}: {summary}", "")
    items = [item for item in items_of_run(rows, run_id) if target.wants(item)]
    return message(items, site) if items else None


def notify_changes(entries: tuple[str, ...], rows: dict[str, list[dict]], run_id: str, site: str) -> NotifyResult:
    """Send each target the run's message as it filters it; count what arrived and what did not."""
    result = NotifyResult()
    if not entries:
        return result
    targets = [subscription(entry, position) for position, entry in enumerate(entries, 1)]
    messages = [run_message(rows, run_id, site, target) for target in targets]
    if not any(messages):
        return result
    import apprise  # only runs with something to tell pay for the import

    for position, (target, told) in enumerate(zip(targets, messages, strict=True), 1):
        if told is None:
            continue
        name = target_name(target.url, position)
        sender = apprise.Apprise()
        try:
            delivered = sender.add(target.url) and sender.notify(title=told[0], body=told[1] or told[0])
        except Exception as error:  # a plugin's own failure is that target's failure, not the run's
            log.warning("notification to %s failed: %s", name, error)
            delivered = False
        (result.sent if delivered else result.failed).append(name)
        if not delivered:
            log.warning("notification to %s was not delivered", name)
    return result
