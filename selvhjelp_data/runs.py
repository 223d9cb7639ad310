"""A run's identity: its id (also the release id) and the moment it started, in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"
RUN_ID_PATTERN = r"^\d{8}T\d{6}Z$"


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    started_at: datetime  # UTC, whole seconds

    @classmethod
    def at(cls, moment: datetime) -> RunInfo:
        moment = moment.astimezone(UTC).replace(microsecond=0)
        return cls(moment.strftime(RUN_ID_FORMAT), moment)

    @classmethod
    def starting_now(cls) -> RunInfo:
        return cls.at(datetime.now(UTC))


def run_started_at(run_id: str) -> datetime:
    if not re.match(RUN_ID_PATTERN, run_id):
        raise ValueError(f"not a run id: {run_id!r} (expected like 20261123T060000Z)")
    return datetime.strptime(run_id, RUN_ID_FORMAT).replace(tzinfo=UTC)
