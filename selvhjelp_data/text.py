"""Text normalisation shared by every stage (DESIGN.md, "Normalising text")."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Non-breaking, narrow, thin, ideographic and other spaces that editors paste in from Word.
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060]")  # soft hyphen, zero-width marks
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_RUNS = re.compile(r"[ \t\r\n]+")


def normalise(text: str) -> str:
    """NFC, odd spaces to plain spaces, soft hyphens and controls removed, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = CONTROL_CHARACTERS.sub("", text)
    return _RUNS.sub(" ", text).strip()


def sha256_hex(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug: "Meld. St. 19 (2014–2015)" -> "meld-st-19-2014-2015"."""
    text = normalise(text).lower()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:max_length].rstrip("-")
