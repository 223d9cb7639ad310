"""Norwegian page dates: "Sist oppdatert: 15 november 2021.", "15. nov. 2021", "15.11.2021", "2021-11-15"."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

SITE_TIMEZONE = "Europe/Oslo"  # where the site's pages are dated
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_HAS_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_SHORT_MONTHS = {m[:3]: i for i, m in enumerate(MONTHS, 1)} | {"sept": 9}
_MONTH_NUMBER = {m: i for i, m in enumerate(MONTHS, 1)} | _SHORT_MONTHS
# the form nearly every page prints ("15 november 2021", "15. nov. 2021"), read without dateparser,
# whose first use costs most of a second; anything else still goes to dateparser
_WRITTEN = re.compile(
    r"(\d{1,2})\.?\s+(" + "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True)) + r")\.?\s+(\d{4})", re.I
)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_norwegian_date(text: str | None) -> date | None:
    """The date in `text`, or None when there is none (an empty label is not an error).

    Numeric forms are matched strictly, because dateparser reads "12.03.2010" month-first when no
    language is given; month names go to dateparser with Norwegian Bokmål and day-month-year order.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    if m := _ISO.search(text):
        return _valid(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.search(text):
        return _valid(int(m[3]), int(m[2]), int(m[1]))
    if ":" in text:  # "Sist oppdatert: 27 juni 2019": the label confuses dateparser
        text = text.rsplit(":", 1)[1].strip()
    if not _HAS_YEAR.search(text):
        return None  # dateparser would fill in the current year
    if m := _WRITTEN.fullmatch(text.rstrip(". ")):
        return _valid(int(m[3]), _MONTH_NUMBER[m[2].lower()], int(m[1]))
    import dateparser  # slow to import; only pages with a written-out date need it

    cleaned = re.sub(r"(?<=\d)\.(?=\s)", "", text).rstrip(". ")  # "15. nov. 2021." -> "15 nov. 2021"
    parsed = dateparser.parse(
        cleaned,
        languages=["nb"],
        settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date() if parsed else None
