"""Word-level diffs, made once in the transform and shown everywhere (feed, notifications, the release
page, Datasette): "det gjort" → "det er gjort" shows as `det {+er+} gjort`, not as two 35-word lines.

Python's difflib over word tokens: a maintained part of the standard library (no new dependency), the
same matcher the unified diff of `changes.diff` comes from, and exact on Norwegian text (tokens are
words, spaces and punctuation, so the two texts are rebuilt from them character for character). The
text form is git's `--word-diff=plain` notation; the HTML form wraps changes in <del> and <ins>. Long
runs of unchanged words are cut to a few words of context on each side.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
CONTEXT_WORDS = 6  # unchanged words kept on each side of a change
ELLIPSIS = "…"


@dataclass(frozen=True)
class WordDiff:
    text: str  # "… det {+er+} gjort …"
    html: str  # "… det <ins>er</ins> gjort …"
    changed: bool


def word_diff(before: str | None, after: str | None, context: int = CONTEXT_WORDS) -> WordDiff:
    """The changes from `before` to `after`, word by word, with `context` unchanged words around each."""
    a, b = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    text, markup = [], []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            kept = _context(a[i1:i2], context, first=n == 0, last=n == len(opcodes) - 1)
            text.append(kept)
            markup.append(html.escape(kept))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        shown_removed, shown_added = " ".join(removed.split()), " ".join(added.split())  # a paragraph break: a space
        if removed[:1].isspace() or added[:1].isspace():  # the space before a word stays outside its marks
            text.append(" ")
            markup.append(" ")
        if shown_removed:
            text.append(f"[-{shown_removed}-]")
            markup.append(f"<del>{html.escape(shown_removed)}</del>")
        if shown_added:
            text.append(f"{{+{shown_added}+}}")
            markup.append(("\u2009" if shown_removed else "") + f"<ins>{html.escape(shown_added)}</ins>")
        if (removed + added).strip() and (removed[-1:].isspace() or added[-1:].isspace()):
            text.append(" ")
            markup.append(" ")
    changed = any(op != "equal" for op, *_ in opcodes)
    return WordDiff(_squeeze("".join(text)), _squeeze("".join(markup)), changed)


def _context(tokens: list[str], words: int, first: bool, last: bool) -> str:
    """An unchanged stretch, cut to `words` words after the change before it and before the next one."""
    flat = [" " if t.isspace() else t for t in tokens]  # a paragraph break reads as a space in a diff line
    word_at = [i for i, t in enumerate(flat) if t != " "]
    head_words, tail_words = (0 if first else words), (0 if last else words)
    if len(word_at) <= head_words + tail_words:
        return "".join(flat)
    head = "".join(flat[: word_at[head_words - 1] + 1]) if head_words else ""
    tail = "".join(flat[word_at[-tail_words] :]) if tail_words else ""
    return f"{head} {ELLIPSIS} {tail}" if head or tail else ""


def _squeeze(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()


def excerpt(text: str | None, words: int = 40) -> str | None:
    """The start of a text, for a page that is new or gone: its first words, then an ellipsis."""
    if not text:
        return None
    parts = text.split()
    return " ".join(parts[:words]) + (f" {ELLIPSIS}" if len(parts) > words else "")
