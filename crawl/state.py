"""What the next crawl needs to know about this one: validators and the URLs known so far."""

from __future__ import annotations

import json
import os
from pathlib import Path


def next_state(previous: dict[str, dict], records: list[dict]) -> dict[str, dict]:
    """Fold one crawl's records into the state of the last published run.

    A failed or skipped fetch keeps what was known before (a timeout is not a removal); a 304
    keeps the validators that earned it.
    """
    state = {url: dict(entry) for url, entry in previous.items()}
    for r in records:
        if r["outcome"] in ("failed", "skipped"):
            continue
        entry = state.setdefault(r["url"], {})
        entry["kind"] = r["kind"]
        if r["outcome"] == "not_modified":
            continue
        entry.update(
            status=r["status"], etag=r["http_etag"], last_modified=r["http_last_modified"], raw_sha256=r["raw_sha256"]
        )
    return state


def read_state(path: Path) -> dict[str, dict]:
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_state(path: Path, state: dict[str, dict]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
