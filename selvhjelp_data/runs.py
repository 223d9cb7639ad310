"""A run's identity: its id (also the release id) and the moment it started, in UTC; and the day it is
then where the site is (a page's own date is a date there, never compared with UTC's or the machine's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from selvhjelp_data.dates import SITE_TIMEZONE

RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"
# A page dated up to this long after the run's own day is believed: the machine's clock a day or two
# slow is likelier than a page dated in the future (a date further ahead is a typo, and no date)
CLOCK_SLACK = timedelta(days=2)
RUN_ID_PATTERN = r"^\d{8}T\d{6}Z$"


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    started_at: datetime  # UTC, whole seconds
    site_timezone: str = SITE_TIMEZONE

    @classmethod
    def at(cls, moment: datetime, site_timezone: str = SITE_TIMEZONE) -> RunInfo:
        moment = moment.astimezone(UTC).replace(microsecond=0)
        return cls(moment.strftime(RUN_ID_FORMAT), moment, site_timezone)

    @classmethod
    def starting_now(cls, site_timezone: str = SITE_TIMEZONE) -> RunInfo:
        return cls.at(datetime.now(UTC), site_timezone)

    @property
    def site_today(self) -> date:
        """The date at the site when the run started: 00:30 in Oslo is already tomorrow in UTC terms."""
        return self.started_at.astimezone(ZoneInfo(self.site_timezone)).date()

    @property
    def latest_page_date(self) -> date:
        """The latest date a page may carry in this run (the site's today, and the slack of a slow clock)."""
        return self.site_today + CLOCK_SLACK


def run_started_at(run_id: str) -> datetime:
    if not re.match(RUN_ID_PATTERN, run_id):
        raise ValueError(f"not a run id: {run_id!r} (expected like 20261123T060000Z)")
    return datetime.strptime(run_id, RUN_ID_FORMAT).replace(tzinfo=UTC)
