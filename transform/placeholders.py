"""Answers that are not the page: a maintenance page, or the site's "not found" template, sent with 200.

A page is believed only if it looks like a page of this site. An answer is taken for a placeholder
(and the fetch for a failed one, so the page keeps its last good text and nothing of it is removed) when
- it reads like the site's answer for a path it does not have: the crawl asks for one each run
  (crawl/spiders/selvhjelp.py, the probe), and a page whose text is that answer's is none;
- its title or opening says so ("404", "Siden finnes ikke", "Vi oppgraderer nettstedet", "maintenance")
  and it is short, as such pages are;
- it is word for word the text several other pages now have, pages whose texts differed before (or,
  seen for the first time, three or more of them): one page put in the place of many.
Pure: pages in, reasons out.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

from selvhjelp_data.reading import PageContent

SHORT_WORDS = 150  # a placeholder says little; an article that mentions "404" says much more
SAME_AS_PROBE = 0.9  # text similarity at which a page reads as the site's answer for a missing path
NOT_FOUND = re.compile(
    r"\b(404|ikke funnet|finnes ikke|fant ikke|eksisterer ikke|not found|can.t be found|cannot be found|"
    r"does not exist|no longer exists)\b",
    re.I,
)
MAINTENANCE = re.compile(
    r"\b(vedlikehold\w*|oppgraderer|oppgradering\w*|midlertidig utilgjengelig|snart tilbake|maintenance|"
    r"temporarily unavailable|under construction|be back soon|coming soon)\b",
    re.I,
)


def _opening(page: PageContent) -> str:
    return " ".join([page.title or "", *(b.text for b in page.blocks[:2])])


def _body(page: PageContent) -> str:
    return "\n".join(b.text for b in page.blocks)[:3000]


def says_it_is_not_the_page(page: PageContent) -> str | None:
    """Why a short page reads as a stand-in by its own words, if it does."""
    if page.word_count > SHORT_WORDS:
        return None
    opening = _opening(page)
    if NOT_FOUND.search(opening):
        return "a 'not found' page answered 200 (soft 404)"
    if MAINTENANCE.search(opening):
        return "a maintenance page answered in its place"
    return None


def placeholders(
    pages: dict[str, PageContent], previous_texts: dict[str, str], probe: PageContent | None
) -> dict[str, str]:
    """{page_id: why} of this run's answered pages that are no page of the site. `previous_texts`: each
    page's last good text (or anything that is equal where the texts are: their hashes); `probe`: what the
    site answered for a path it cannot have (None: a 404)."""
    probe_body = probe_text(probe)
    found = {pid: reason for pid, page in pages.items() if (reason := reason_of_its_own(page, probe_body))}
    texts = {pid: page.main_text for pid, page in pages.items() if pid not in found}
    return found | one_text_in_many_places(texts, previous_texts)


def probe_text(probe: PageContent | None) -> str | None:
    """What of the probe's answer a page is compared with (None: the site answered the probe with a 404)."""
    return _body(probe) if probe is not None else None


def reason_of_its_own(page: PageContent, probe: str | None) -> str | None:
    """Why one page is a stand-in by what it holds (the probe's answer's text, or its own words): needs no
    other page, so it is known as each page is read."""
    if probe is not None and _similar(_body(page), probe):
        return "answers as the site does for a page it does not have (soft 404)"
    return says_it_is_not_the_page(page)


def one_text_in_many_places(texts: dict[str, str], previous_texts: dict[str, str]) -> dict[str, str]:
    """{page_id: why} of pages whose text (or its hash: only equality counts) is word for word that of others
    now, pages whose texts differed before (or, seen for the first time, three or more of them)."""
    by_text = defaultdict(list)
    for pid, text in texts.items():
        by_text[text].append(pid)
    found = {}
    for same in by_text.values():
        before = {previous_texts[pid] for pid in same if pid in previous_texts}
        if len(same) >= 2 and (len(before) >= 2 or (not before and len(same) >= 3)):
            found.update(dict.fromkeys(same, f"the same text as {len(same) - 1} other pages: one page in their place"))
    return found


def _similar(a: str, b: str) -> bool:
    return (
        a == b
        or difflib.SequenceMatcher(None, a, b, autojunk=False).quick_ratio() >= SAME_AS_PROBE
        and (difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SAME_AS_PROBE)
    )
