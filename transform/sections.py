"""A page as sections: each block with the heading it stands under and its offset in the page text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selvhjelp_data.reading import Block, PageContent

BLOCK_SEPARATOR = "\n\n"  # as PageContent.main_text joins blocks
_SENTENCE_END = re.compile(r"(?<=[.!?»”\"])\s+(?=[A-ZÆØÅ«“”\"])")
# a period after these ends no sentence: "Meld. St. 19", "jf. St.meld.", "Report No. 34", "bl.a. Helsedirektoratet"
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Meld|St|nr|Nr|Prop|Innst|Ot|prp|jf|Jf|bl\.a|f\.eks|ca|dvs|mv|m\.m|No|no|pkt|kap|ref|evt|vs)|\b[A-ZÆØÅ])\.$"
)


@dataclass(frozen=True)
class PlacedBlock:
    block: Block
    heading: str | None  # nearest heading above (the page title before the first heading)
    offset: int  # where block.text starts in page.main_text


def placed_blocks(page: PageContent) -> Iterator[PlacedBlock]:
    offset = len(page.title) + len(BLOCK_SEPARATOR) if page.title else 0
    heading = page.title
    for block in page.blocks:
        rendered = block.render()
        text_offset = offset + (len(rendered) - len(block.text))
        if block.kind == "heading":
            heading = block.text
        yield PlacedBlock(block, heading, text_offset)
        offset += len(rendered) + len(BLOCK_SEPARATOR)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` that holds text[start:end] (whole block if it has one sentence)."""
    bounds = [0, *sentence_starts(text), len(text)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a <= start < b or (a <= start and end <= b):
            return text[a : max(b, end)].strip()
    return text.strip()


def sentence_starts(text: str) -> list[int]:
    """Where each sentence after the first starts: after . ! ? or a closing quote and a space, before a
    capital, unless the period closes an abbreviation or an initial."""
    return [
        m.end()
        for m in _SENTENCE_END.finditer(text)
        if not _ABBREVIATIONS.search(text[max(0, m.start() - 8) : m.start()])
    ]
