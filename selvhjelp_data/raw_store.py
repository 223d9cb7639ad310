"""The raw store: every body the crawl received, kept under the SHA-256 of its bytes.

The name of a capture is its checksum, so a capture is trusted only when its bytes still hash to
its name: a truncated or altered file is reported as damaged and never read as the page, and the
crawl fetches such a page again without a conditional header.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


def raw_path(raw_dir: Path, sha256: str) -> Path:
    return Path(raw_dir) / sha256[:2] / sha256


def store_raw(raw_dir: Path, body: bytes) -> str:
    """Content-addressed: the same bytes are stored once, whichever run or page brought them."""
    digest = hashlib.sha256(body).hexdigest()
    path = raw_path(raw_dir, digest)
    if _read_intact(path, digest) is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(body)
        os.replace(tmp, path)  # a crash leaves a .tmp file, never a half-written capture under the real name
    return digest


def read_raw(raw_dir: Path, sha256: str | None) -> bytes | None:
    """The bytes stored under a SHA-256; None when they are missing or no longer match their name."""
    return _read_intact(raw_path(raw_dir, sha256), sha256) if sha256 else None


def _read_intact(path: Path, sha256: str) -> bytes | None:
    try:
        body = path.read_bytes()
    except OSError:
        return None
    return body if hashlib.sha256(body).hexdigest() == sha256 else None


@dataclass(frozen=True)
class RawStore:
    """The raw store of one output folder, as a callable for the transform: sha -> bytes or None."""

    root: Path

    def __call__(self, sha256: str | None) -> bytes | None:
        return read_raw(self.root, sha256)

    def has_intact(self, sha256: str | None) -> bool:
        return read_raw(self.root, sha256) is not None

    def store(self, body: bytes) -> str:
        return store_raw(self.root, body)
