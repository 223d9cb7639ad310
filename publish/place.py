"""Where a release is published, for the links a portal harvests and a reader follows.

Derived from the git data repository a release is pushed to (SELVHJELP_PUBLISH_TO on GitHub or GitLab):
its page is the landing page, and a file's download URL is pinned to the release's tag (`release-<id>`),
so an older record's checksums keep matching; the feed's own address follows the branch (the latest).
Elsewhere, SELVHJELP_PUBLISH_BASE_URL says where a file of a ref is ("https://host/data/raw/{ref}/"). With
neither set, the links point at a placeholder repository, and the run says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selvhjelp_data.settings import DEFAULT_PUBLISH_BASE_URL, Settings

TAG_PREFIX = "release-"
DEFAULT_BRANCH = "main"
_HOSTED = re.compile(
    r"^(?:https://(?P<host>github\.com|gitlab\.com)/|git@(?P<ssh>github\.com|gitlab\.com):)(?P<path>[\w.-]+/[\w./-]+?)(?:\.git)?/?$"
)
_RAW = {"github.com": "/raw/{ref}/", "gitlab.com": "/-/raw/{ref}/"}


@dataclass(frozen=True)
class PublicPlace:
    landing: str  # the repository's page: what a person opens
    raw: str  # a file of a ref: raw.format(ref=...) + path
    branch: str
    placeholder: bool  # nobody set where releases go

    def latest(self, path: str) -> str:
        """The file as the branch has it now (the feed's own address)."""
        return self.raw.format(ref=self.branch) + path

    def pinned(self, path: str, run_id: str) -> str:
        """The file as the release of `run_id` has it, for good."""
        return self.raw.format(ref=TAG_PREFIX + run_id) + path

    @property
    def warning(self) -> str | None:
        if self.placeholder:
            return (
                f"the release's links point at the placeholder {self.landing}: set SELVHJELP_PUBLISH_TO (the data "
                "repository) or SELVHJELP_PUBLISH_BASE_URL before publishing for a portal"
            )
        return None


def public_place(settings: Settings) -> PublicPlace:
    branch = settings.publish_branch or DEFAULT_BRANCH
    if m := _HOSTED.match(settings.publish_to):
        host = m["host"] or m["ssh"]
        landing = f"https://{host}/{m['path']}"
        return PublicPlace(landing, landing + _RAW[host], branch, placeholder=False)
    base = settings.publish_base_url
    raw = base if "{ref}" in base else base.rstrip("/") + "/"
    landing = re.sub(r"/(?:-/)?raw/\{ref\}/?$", "", base) if "{ref}" in base else base
    return PublicPlace(landing, raw, branch, placeholder=base == DEFAULT_PUBLISH_BASE_URL and not settings.publish_to)
