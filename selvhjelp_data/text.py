"""Text normalisation shared by every stage (DESIGN.md, "Normalising text")."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Non-breaking, narrow, thin, ideographic and other spaces that editors paste in from Word, and line separators.
ODD_SPACES = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000\ufeff\x85\u2028\u2029"
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060"  # soft hyphen, zero-width marks
_CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff"  # as a [...] class
CONTROL_CHARACTERS = re.compile(f"[{_CONTROL_CLASS}]")
_CONTROLS = (
    [c for c in map(chr, range(0x20)) if c not in "\t\n\r"]
    + ["\x7f", "\ufffe", "\uffff"]
    + list(map(chr, range(0xD800, 0xE000)))
)
# One pass: odd spaces become spaces, invisible marks and control characters go (str.translate is
# far cheaper than a regular expression per class, and normalise runs on every block of every page).
_TABLE = str.maketrans({**{c: " " for c in ODD_SPACES}, **{c: None for c in INVISIBLE + "".join(_CONTROLS)}})
# ... and translate still looks up every character, so a text without any of them skips it: one
# regular-expression scan in C is several times cheaper than that.
_ODD = re.compile("[" + re.escape(ODD_SPACES + INVISIBLE) + _CONTROL_CLASS + "]")


def normalise(text: str) -> str:
    """NFC, odd spaces to plain spaces, soft hyphens and controls removed, whitespace collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if _ODD.search(text):
        text = text.translate(_TABLE)
    return " ".join(text.split())


def sha256_hex(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def file_digest(path, algorithm: str = "sha256") -> str:
    """A file's digest, read a block at a time (a large release's CSV files are hundreds of MB)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, algorithm).hexdigest()


def slugify(text: str, max_length: int = 120) -> str:
    """ASCII slug: "Meld. St. 19 (2014–2015)" -> "meld-st-19-2014-2015"; a long one ends at a word."""
    text = normalise(text).lower().replace("–", "-").replace("—", "-")  # dashes separate, like spaces
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0]
    return slug
