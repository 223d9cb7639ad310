"""How Norwegian policy texts name a document: pure functions from text to names, no state.

- identifiers: Meld. St. 19 (2014–2015), St.meld. nr. 16 (2002–2003), Stortingsmelding nr. 16 (1993-94),
  IS-2076 (also IS 2076, IS2076), NOU 2005: 3, Prop. 1 S (2018–2019); the state budget for a year
  ("statsbudsjettet for 2019") is Prop. 1 S of its session;
- titles: a heading or a phrase that starts like a document ("Nasjonal plan for ...", "Veileder ...",
  "Opptrappingsplan ...", "... meldingen"), a title after an identifier (up to the end of its clause),
  a quoted title before one;
- spellings: one key per way of writing a name (case, dashes, acronyms defined in the text, a
  news adjective like "Ny" do not make another document);
- what a careful reader takes from the sentence that names a document: its year and its issuer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selvhjelp_data.text import normalise, slugify

_YEARS = r"\(?\s*(\d{4})\s*[-–/]\s*(\d{2,4})(?:\s*\))?"  # "(2014-2015)", and "(2014-2015" as written


@dataclass(frozen=True)
class Scan:
    """A pattern and a literal every match of it contains. These patterns open with \\b, which keeps
    the regular-expression engine from skipping ahead to a literal: on a block without the literal,
    a substring test (one pass in C) answers first, several times faster, and most blocks have none."""

    needle: str
    pattern: re.Pattern

    def finditer(self, text: str):
        return self.pattern.finditer(text) if self.needle in text else iter(())

    def search(self, text: str):
        return self.pattern.search(text) if self.needle in text else None


def _scan(needle: str, pattern: str) -> Scan:
    return Scan(needle, re.compile(pattern))


_SESSION = r"[,\s]*" + _YEARS  # "16 (2002-2003)", "16, 2002-2003", "34 to the Parliament, 2012/2013"
_NUMBER = r"\s*(?:nr\.?\s*)?(\d+)"
IDENTIFIER_PATTERNS = [
    ("stortingsmelding", "meld", _scan("Meld", r"\bMeld\.\s?St\.?" + _NUMBER + _SESSION)),
    ("stortingsmelding", "stmeld", _scan("meld", r"\bSt\s?\.\s?meld\.?" + _NUMBER + _SESSION)),
    (
        "stortingsmelding",
        "stmeld",
        _scan("Stortingsmelding", r"\bStortingsmelding(?:en|a)?\s+nr\.?\s*(\d+)" + _SESSION),
    ),
    (
        "stortingsmelding",
        "report",  # the English name of a white paper: "Report No. 16 to the Parliament, 2002/2003"
        _scan("Report", r"\bReport\s+No\.?\s*(\d+)\s+to\s+the\s+(?:Parliament|Storting(?:et)?)" + _SESSION),
    ),
    # "IS-2076", "IS 2076", "IS2076", "IS -1896", "IS-rapport 1212"
    ("is_publication", "is", _scan("IS", r"\bIS(?:-rapport|-nr\.?)?\s*-?\s*(\d{3,5})\b")),
    # a NOU's number has one or two digits: a footnote number run on after it ("NOU 1998:1814") is not part of it
    ("nou", "nou", _scan("NOU", r"\bNOU\s+(\d{4})\s*:\s*(\d{1,2})")),
    ("proposisjon", "prop", _scan("Prop.", r"\bProp\.\s*(\d+)\s*(LS|L|S)" + _SESSION)),
    ("proposisjon", "stprp", _scan("prp", r"\b(St|Ot)\s?\.\s?prp\.?" + _NUMBER + _SESSION)),
    ("innstilling", "innst", _scan("Innst", r"\bInnst\.\s*(\d+)\s*(S|L|O)?" + _SESSION)),
    ("state_budget", "budget", _scan("tatsbudsjett", r"\b[Ss]tatsbudsjett(?:et)?\s+(?:for\s+)?((?:19|20)\d{2})\b")),
    # a law by its short name, as texts write it: "Folkehelseloven", "spesialisthelsetjenesteloven"
    ("law", "law", _scan("loven", r"\b([A-ZÆØÅa-zæøå][a-zæøå]{3,}loven)\b")),
]
FIRST_MELD_ST_SESSION = 2009  # white papers are "Meld. St." from the 2009–2010 session, "St.meld. nr." before
# What a title starts (or ends) with when it names a document, and the kind that makes it.
TITLE_KINDS = [
    (re.compile(r"^(Nasjonal )?strategi(plan)?\b", re.I), "strategy"),
    (re.compile(r"^(Nasjonal )?(faglig )?retningslinje", re.I), "guideline"),
    (re.compile(r"^(Nye? )?veileder\b", re.I), "guide"),
    (re.compile(r"^(Nasjonal |Nasjonal helse- og omsorgs)?plan\b|^Opptrappingsplan\b|^Nasjonal plan\b", re.I), "plan"),
    (re.compile(r"^Interpellasjon\b", re.I), "interpellation"),
    (re.compile(r"^\w+meldingen$", re.I), "stortingsmelding"),
]
# A titled document takes the identity of the first identifier in its section when the kinds agree.
COMPATIBLE = {
    "guide": {"is_publication"},
    "guideline": {"is_publication"},
    "plan": {"is_publication"},
    "strategy": {"is_publication"},
    "stortingsmelding": {"stortingsmelding"},
}
# The finite verbs that end a title written in running text: "Meld. St. 19 (2014-2015) Folkehelsemeldingen -
# Mestring og muligheter setter også fokus på ..." (a title is a noun phrase; its sentence goes on with a verb)
_CLAUSE_VERBS = (
    "setter",
    "gir",
    "er",
    "var",
    "har",
    "hadde",
    "kom",
    "kommer",
    "viser",
    "omtaler",
    "trekker",
    "peker",
    "sier",
    "beskriver",
    "legger",
    "fremhever",
    "handler",
    "ble",
    "blir",
    "skal",
    "vil",
    "kan",
    "bør",
    "må",
    "understreker",
    "nevner",
    "løfter",
    "tar",
    "går",
    "ligger",
    "inneholder",
)
_TITLE_END = re.compile(r"[,.;:()«»\"“”]|\s(?:" + "|".join(_CLAUSE_VERBS) + r")\b|$")
_TITLE_BEFORE = re.compile(r"\b([A-ZÆØÅ][\w -]{8,60}?)\s*\($")
_QUOTED_BEFORE = re.compile(r"[\"“”«]([^\"“”«»]{4,120})[\"“”»]\s*$")
_NEWS_ADJECTIVE = re.compile(r"^(?:Ny|Nye)\s+(?=[A-ZÆØÅa-zæøå])")
_DASHES = re.compile(r"\s*[-–—]\s*")
_TRAILING_YEARS = re.compile(r"\s*[-–]?\s*\(?\d{4}\s*[-–]\s*\d{2,4}\)?\s*$")
# "Tittelen på veilederen er «...»" states the title; "med navnet «...»" gives a name
TITLE_STATED = re.compile(r"[Tt]ittelen på \w+ er\s*[«\"“”]([^»\"“”]{3,100})[»\"“”]")
NAME_GIVEN = re.compile(r"med navnet\s*[«\"“”]([^»\"“”]{3,100})[»\"“”]")
# A plan or strategy with its period, in running text: "Nasjonal plan for selvhjelp 2014 -2018"
TITLED_WITH_YEARS = _scan(
    "plan",
    r"\b((?:Nasjonal (?:strategi)?plan|Opptrappingsplan|Strategiplan) for [\wæøåÆØÅ ,-]{3,60}?)"
    r"\s+(\d{4})\s*[-–]\s*(\d{4})\b",
)
# A stortingsmelding named by its subject and session, without a number:
# "Stortingsmeldinga om videreføring av arbeidet med frivilligsentralene i 1993/94"
DESCRIBED_MELDING = _scan(
    "tortingsmelding",
    r"\b[Ss]tortingsmelding(?:a|en)?\s+(om\s+[^.,;:()]{5,120}?)\s+(?:i|fra)\s+(\d{4})\s*[-–/]\s*(\d{2,4})\b",
)
# An abbreviation defined in the text: "samtidige ruslidelser og psykiske lidelser (ROP-lidelser)"
_ACRONYM = re.compile(r"\(([A-ZÆØÅ]{2,6})(-\w+)?\)")
# Years a sentence gives a document: "(IS-1212) fra 2004", "kom i 2014", "Tidlig i 2016 kom", "Den nye (2016) ..."
_YEAR_AFTER = re.compile(r"^\)?\s*(?:kom i|fra)\s+((?:19|20)\d{2})\b")
_YEAR_IN_SENTENCE = re.compile(
    r"\bi ((?:19|20)\d{2}) kom\b|\bkom\b[^.]{0,40}?\bi ((?:19|20)\d{2})\b|\(((?:19|20)\d{2})\)"
)
# Who issued it, as the naming sentence says: "Helsedirektoratets veileder", "fra Helsedirektoratet",
# the frequent typo "Helsediretoratet"; for an interpellation, the member who raises it.
_ISSUERS = re.compile(
    r"\b(Helsedire?k?toratet|Sosial- og helsedirektoratet|Helse- og omsorgsdepartementet|"
    r"Arbeids- og velferdsdirektoratet|Folkehelseinstituttet|Regjeringen)s?\b"
)
_INTERPELLANT = re.compile(r"\b(?:reiser|stiller|fremmer)\s+([A-ZÆØÅ][\w.]+(?:\s+[A-ZÆØÅ][\w.]+)+(?:\s+\([^)]+\))?)")
_KINDS_OF_PLAN = ("strategiplan", "opptrappingsplan", "handlingsplan")  # a noun that alone names the plan


@dataclass
class Document:
    document_id: str
    kind: str
    identifier: str | None = None
    is_number: str | None = None
    title: str | None = None
    aliases: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    issuer: str | None = None
    inferred_columns: list[str] = field(default_factory=list)  # filled in from the register, not read

    def add_alias(self, spelling: str) -> None:
        spelling = normalise(spelling)
        if spelling and spelling not in self.aliases:
            self.aliases.append(spelling)

    def spellings(self) -> list[str]:
        return [s for s in (self.identifier, self.title, *self.aliases) if s]


def full_year(start: str, end: str) -> tuple[int, int]:
    y0 = int(start)
    y1 = int(end) if len(end) == 4 else (y0 // 100) * 100 + int(end[-2:])
    return y0, y1


def identify(kind: str, style: str, m: re.Match) -> Document:
    """A Document for an identifier match, with its canonical identifier and slug."""
    if style in ("meld", "stmeld", "report"):
        return white_paper(int(m[1]), session(m[2]))
    if style == "is":
        identifier = f"IS-{int(m[1])}"  # Helsedirektoratet's series of publications
        return Document(slugify(identifier), kind, identifier, is_number=identifier, issuer="Helsedirektoratet")
    if style == "nou":
        identifier = f"NOU {m[1]}: {int(m[2])}"
        return Document(slugify(identifier), kind, identifier, year_from=int(m[1]), year_to=int(m[1]))
    if style == "budget":  # the budget for year Y is Prop. 1 S of the session that ends in Y
        y1 = int(m[1])
        return budget(y1 - 1, y1)
    if style == "law":
        name = m[1].lower()
        return Document(slugify(name), kind, title=name[:1].upper() + name[1:])
    if style == "stprp":
        y0, y1 = session(m[3])
        if (m[1], int(m[2])) == ("St", 1):
            return budget(y0, y1)
        identifier = f"{m[1]}.prp. nr. {int(m[2])} ({y0}–{y1})"
        return Document(slugify(identifier), kind, identifier, year_from=y0, year_to=y1)
    if style == "innst":
        y0, y1 = session(m[3])
        identifier = f"Innst. {int(m[1])}{' ' + m[2] if m[2] else ''} ({y0}–{y1})"
        return Document(slugify(identifier), kind, identifier, year_from=y0, year_to=y1)
    y0, y1 = session(m[3])
    if (int(m[1]), m[2]) == (1, "S"):
        return budget(y0, y1)
    identifier = f"Prop. {int(m[1])} {m[2]} ({y0}–{y1})"
    return Document(slugify(identifier), kind, identifier, year_from=y0, year_to=y1)


def session(start: str) -> tuple[int, int]:
    """A parliamentary session runs from autumn to summer: its second year follows its first, whatever
    a typo makes of it ("(2014-2105)")."""
    y0 = int(start)
    return y0, y0 + 1


def white_paper(number: int, years: tuple[int, int]) -> Document:
    """A stortingsmelding, named as its session names them, however the page wrote it."""
    y0, y1 = years
    if y0 >= FIRST_MELD_ST_SESSION:
        identifier, slug = f"Meld. St. {number} ({y0}–{y1})", f"meld-st-{number}-{y0}-{y1}"
    else:
        identifier, slug = f"St.meld. nr. {number} ({y0}–{y1})", f"st-meld-{number}-{y0}-{y1}"
    return Document(slug, "stortingsmelding", identifier, year_from=y0, year_to=y1)


def budget(y0: int, y1: int) -> Document:
    identifier = f"Prop. 1 S ({y0}–{y1})"
    return Document(
        slugify(identifier), "state_budget", identifier, year_from=y0, year_to=y1, title=f"Statsbudsjettet {y1}"
    )


def identifier_matches(text: str):
    """(kind, style, match) of every identifier in the text, the longest reading of each place."""
    taken: list[tuple[int, int]] = []
    for kind, style, pattern in IDENTIFIER_PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # "Stortingsmelding nr." inside a match already made
            taken.append((m.start(), m.end()))
            yield kind, style, m


def title_kind(title: str) -> str | None:
    return next((kind for pattern, kind in TITLE_KINDS if pattern.search(strip_news_adjective(title))), None)


def strip_news_adjective(title: str) -> str:
    """ "Ny veileder om pårørende ..." -> "Veileder om pårørende ...": "new" is news, not the title."""
    rest = _NEWS_ADJECTIVE.sub("", title)
    return rest[:1].upper() + rest[1:] if rest != title else title


def titled(title: str, kind: str) -> Document:
    """A Document named by its title (a heading, a teaser, a plan with its period)."""
    written = normalise(title).rstrip(":").strip()
    title = strip_news_adjective(written)
    years = re.search(r"(\d{4})\s*[-–]\s*(\d{4})\s*$", title) or re.search(
        r",\s*(?:\d{1,2}\.\s*\w+\s+)?((\d{4}))$", title
    )
    doc = Document(slugify(re.sub(r"\s*[-–]\s*(?=\d{4}$)", "-", title)), kind, title=title)
    if years:
        doc.year_from, doc.year_to = int(years[1]), int(years[2])
    doc.add_alias(written)
    return doc


def described_melding(m: re.Match) -> Document:
    """A stortingsmelding named by subject and session: its number is not in the text, so it has none."""
    y0, y1 = full_year(m[2], m[3])
    title = normalise(f"Stortingsmelding {m[1]}")
    return Document(
        slugify(f"stortingsmelding-{y0}-{y1}-{m[1]}"), "stortingsmelding", title=title, year_from=y0, year_to=y1
    )


def title_after(text: str) -> str | None:
    """The title written right after an identifier, to the end of its clause: "- Mestring og muligheter"."""
    rest = re.sub(r"^[\s)–—-]+", "", text)
    if not rest[:1].isupper():
        return None
    end = _TITLE_END.search(rest)
    title = rest[: end.start()].strip(" -–—") if end else rest
    return title if len(title) >= 4 and len(title.split()) <= 14 else None


def heading_rest(text: str) -> str | None:
    """The title a heading gives after its identifier: all of the rest ("- Nasjonal helse- og
    omsorgsplan (2011–2015)" gives "Nasjonal helse- og omsorgsplan (2011–2015)"). After a colon comes
    what the page says of it ("Statsbudsjettet for 2017: Bevilgningen ... foreslås videreført"), no title."""
    if re.match(r"^\)?\s*:", text):
        return None
    rest = normalise(re.sub(r"^[\s)–—-]+", "", text))
    return rest or None


def title_before(text: str) -> str | None:
    """A title right before "(ID)": a quoted one, or one that starts like a document's name."""
    before = text.rstrip(" (")
    if m := _QUOTED_BEFORE.search(before):
        return normalise(m[1])
    if (m := _TITLE_BEFORE.search(text)) and title_kind(m[1]):
        return normalise(m[1])
    return None


def year_of(after: str, sentence: str) -> int | None:
    m = _YEAR_AFTER.match(after) or _YEAR_IN_SENTENCE.search(sentence)
    return int(next(g for g in m.groups() if g)) if m else None


def issuer_in(text: str, kind: str) -> str | None:
    """Who issued the document, where the sentence (or section) that names it says."""
    if kind == "interpellation" and (m := _INTERPELLANT.search(text)):
        return m[1]
    m = _ISSUERS.search(text)
    if not m:
        return None
    name = m[1]
    return "Helsedirektoratet" if name.lower().startswith("helsedir") else name


def acronyms_in(text: str) -> dict[str, str]:
    """Abbreviations the text defines: "ruslidelser og psykiske lidelser (ROP-lidelser)" gives
    {"ROP-lidelser": "ruslidelser og psykiske lidelser", "ROP": "ruslidelser og psykiske"}."""
    found = {}
    for m in _ACRONYM.finditer(text):
        letters, suffix = m[1].lower(), (m[2] or "")
        # the expansion stands just before the parenthesis: a window of words, not the whole text before it
        start = max(0, m.start() - _EXPANSION_WINDOW)
        words = text[start : m.start()].split()[1 if start else 0 :]  # a word cut by the window is not one
        expansion = _words_spelling(words, letters, suffix.lstrip("-").lower())
        if expansion:
            found[m[1] + suffix] = expansion
    return found


_EXPANSION_WINDOW = 400  # characters: far more than an expansion of six initials and its trailing words


def _words_spelling(words: list[str], letters: str, suffix: str) -> str | None:
    """The last run of words whose initials spell `letters` (then any words up to the parenthesis)."""
    if not words or (suffix and not words[-1].lower().endswith(suffix)):
        return None
    # one initial a word (a letter whose lower case is two characters cannot be one of ours)
    initials = "".join(c if len(c := w[0].lower()) == 1 else "\0" for w in words)
    start = initials.rfind(letters)
    return " ".join(words[start:]).strip(",.;:") if start >= 0 else None


def spelling_key(spelling: str, acronyms: dict[str, str] | None = None) -> str:
    """What two ways of writing one name share: case, inflection, punctuation, a news adjective and
    defined acronyms do not make another document."""
    text = strip_news_adjective(normalise(spelling))
    for short, long in (acronyms or {}).items():
        text = re.sub(rf"\b{re.escape(short)}\b", long, text)
    return " ".join(word_key(text))


def short_title(title: str) -> str | None:
    """The main title before a dash, which texts use alone: "Sammen om mestring" of
    "Sammen om mestring – Veileder i ..."; a single word only when it is a -meldingen name."""
    parts = _DASHES.split(title, maxsplit=1)
    if len(parts) < 2:
        return None
    head = parts[0].strip()
    if len(head.split()) >= 2 or re.fullmatch(r"\w+meldingen", head):
        return head
    return None


def short_forms(title: str) -> list[str]:
    """How running text names a titled plan without all of its title (the definite form is matched as
    the title: see stem): "Opptrappingsplan for rusfeltet 2008 – 2010" -> "Opptrappingsplan for
    rusfeltet" (the period left out); "Nasjonal strategiplan for arbeid og psykisk helse 2007-2012" ->
    also "strategiplan for arbeid og psykisk helse" (a compound noun names the plan alone; "plan for
    selvhjelp" does not)."""
    words = _TRAILING_YEARS.sub("", title).split()
    forms = [" ".join(words)] if len(words) < len(title.split()) else []
    if "for" in words and (at := words.index("for")) > 1 and words[at - 1].lower() in _KINDS_OF_PLAN:
        forms.append(" ".join(words[at - 1 :]))
    return forms


# -- names in running text, however inflected ----------------------------------------------------------

WORD = re.compile(r"\d+|[^\W\d_]+(?:-[^\W\d_]+)*")  # "ROP-lidelser" and "self-help" are one word, "2014-2018" two
_ENDINGS = ("ene", "ane", "en", "et", "er", "a", "e", "t")  # longest first; -t: a neuter adjective


def stem(word: str) -> str:
    """A lower-case word without the ending inflection adds: "planen", "nasjonale", "nasjonalt",
    "retningslinjen", "meldinga" meet "plan", "nasjonal", "retningslinje", "melding" (a stem keeps four
    letters or more)."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def word_key(text: str) -> tuple[str, ...]:
    """A name as its words without inflection, case, punctuation or spacing: what running text and a
    title share when the text writes it in the definite form or with its period in brackets."""
    return tuple(stem(w.lower()) for w in WORD.findall(text))


# A series named without a period means its first edition where the sentence says so
FIRST_EDITION = re.compile(r"\b(første|first|lansert|launched|opprinnelige|original)\b", re.I)
# ... and an edition not yet named where the words before it say so: "med revidert Nasjonal plan for selvhjelp"
NEXT_EDITION = re.compile(r"\b(revidert|reviderte|ny|nye|neste|kommende|revised|new|next)\s+(?:\w+\s+)?$", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def years_in(sentence: str) -> list[int]:
    """The years a sentence gives, without those inside an identifier ("St.meld nr. 16 (2002-2003)")."""
    for _, _, m in sorted(identifier_matches(sentence), key=lambda hit: -hit[2].start()):
        sentence = sentence[: m.start()] + sentence[m.end() :]
    return [int(y) for y in _YEAR.findall(sentence)]
