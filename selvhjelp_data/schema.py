"""The tables, declared once: names, Arrow types, nullability, descriptions and every rule a value
must keep (allowed values, patterns, bounds, lengths, keys, references, minimum rows).

The transform casts its rows with `Table.to_arrow` (which refuses a missing or unexpected column),
the Great Expectations suites, the datapackage constraints, the Parquet and DuckDB metadata, the
CSV writer and the data card are all derived from these declarations. No rule is stated twice.

History only grows. `pages` holds every page's latest state, `page_versions` every distinct text,
`changes` every change ever detected, `runs` every run. The tables read from the pages' text
(documents, mentions, quotes, offices, tasks, broken links) keep every row ever seen, each with the
page version it was read from and the runs in which it was first and last seen: a row that is no
longer on the site keeps its `last_seen_run`, and one that comes back later starts a new row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from selvhjelp_data.runs import RUN_ID_PATTERN

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

CHANGE_KINDS = ("new", "modified", "modified_silently", "date_only", "removed", "restored", "moved", "reparsed")
SITE_GENERATIONS = ("legacy", "wordpress", "unknown")
OFFICE_KINDS = ("head", "district")
TASK_HOLDERS = (*OFFICE_KINDS, "organisation")  # a task list is for an office kind or for Selvhjelp Norge as a whole
QUOTE_KINDS = ("quotation", "title", "term")
QUOTE_MARKS = ("«»", "“”", "””", '""', "blockquote")
MENTION_CONTEXTS = ("body", "heading", "link", "list")
DOCUMENT_KINDS = (
    "stortingsmelding",
    "nou",
    "proposisjon",
    "innstilling",
    "is_publication",
    "plan",
    "strategy",
    "guide",
    "guideline",
    "interpellation",
    "state_budget",
    "law",
    "other",
)
EVENT_KINDS = (
    "document_cited",
    "document_no_longer_cited",
    "quote_added",
    "quote_removed",
    "quote_reworded",
    "office_opened",
    "office_closed",
    "office_changed",
    "task_added",
    "task_removed",
)
EVENT_ENTITIES = ("document", "quote", "office", "task")
# What people read for each kind: (Norwegian bokmål, English). The feed, the messages, the release page
# and Datasette show the Norwegian; the data card explains both.
KIND_LABELS = {
    "new": ("ny side", "new page"),
    "modified": ("endret, med ny dato", "changed, page date moved"),
    "modified_silently": ("endret uten ny dato", "changed, page date not moved"),
    "date_only": ("bare ny dato", "date changed only"),
    "removed": ("fjernet", "removed"),
    "restored": ("tilbake", "back again"),
    "moved": ("flyttet", "moved"),
    "reparsed": ("lest på nytt", "read again"),
    "document_cited": ("dokument omtalt", "document now cited"),
    "document_no_longer_cited": ("dokument ikke lenger omtalt", "document no longer cited"),
    "quote_added": ("sitat lagt til", "quotation added"),
    "quote_removed": ("sitat fjernet", "quotation removed"),
    "quote_reworded": ("sitat endret", "quotation reworded"),
    "office_opened": ("kontor lagt til", "office added"),
    "office_closed": ("kontor borte", "office gone"),
    "office_changed": ("kontor endret", "office changed"),
    "task_added": ("oppgave lagt til", "task added"),
    "task_removed": ("oppgave fjernet", "task removed"),
}
EARLIEST_PAGE_DATE = "1990-01-01"  # the site, and the self-help policy it documents, are younger than this
EARLIEST_DOCUMENT_YEAR = 1945  # policy documents cited as history reach back further than the site
TODAY = "today"  # as a date bound: the day the run validates (no page is dated in the future)
HEX16 = r"^[0-9a-f]{16}$"
SHA256 = r"^[0-9a-f]{64}$"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class SchemaMismatch(ValueError):
    """Rows that do not have exactly the columns their table declares."""


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    example: object = None
    allowed: tuple | None = None  # the only values a column may take
    pattern: str | None = None  # a regex every non-null value matches
    min_value: object = None  # numbers and dates (ISO strings for dates)
    max_value: object = None  # numbers and dates; TODAY for "not in the future"
    min_length: int | None = None  # strings: an empty value is as bad as a missing one
    site_url: bool = False  # holds a URL of the crawled site: the run's URL pattern applies

    def pattern_for(self, url_pattern: str) -> str | None:
        """The pattern values must match in a run whose recorded URLs match `url_pattern`."""
        return url_pattern if self.site_url else self.pattern

    def violation(self, value, today: date, url_pattern: str) -> str | None:
        """What is wrong with one value by this column's rules (the rules GX checks), or None."""
        if value is None:
            return None if self.nullable else "null in a required column"
        if self.allowed is not None and value not in self.allowed:
            return f"{value!r} is not one of {self.allowed}"
        if (pattern := self.pattern_for(url_pattern)) and not re.search(pattern, value):
            return f"{value!r} does not match {pattern}"
        if self.min_length is not None and len(value) < self.min_length:
            return f"{value!r} is shorter than {self.min_length}"
        low, high = (as_bound(b, today) for b in (self.min_value, self.max_value))
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{value!r} is outside {low} .. {high}"
        return None

    @property
    def field(self) -> pa.Field:
        metadata = {"description": self.description}
        if self.example is not None:
            metadata["example"] = str(self.example)
        return pa.field(self.name, self.type, nullable=self.nullable, metadata=metadata)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    key: tuple[str, ...]  # unique in the table
    columns: tuple[Column, ...]
    references: dict[str, str] = field(default_factory=dict)  # column -> "table.column"
    min_rows: int = 0  # a release with fewer rows is not published (the site always feeds this table)
    # For tables read from page text: the columns that name the same thing from run to run. Its rows
    # carry first_seen_run / last_seen_run, and `key` is the identity plus first_seen_run.
    identity: tuple[str, ...] = ()
    # Facts a page states of the thing: a fact no page states this run keeps its last value (a value read
    # is never erased), and one that changes to another value starts a new row (the old one stays, its
    # last_seen_run saying until when it held), so the table answers "what was it at time T".
    versioned: tuple[str, ...] = ()
    # What a person looks at first (Datasette shows these columns first, in this order); the rest follow.
    display_first: tuple[str, ...] = ()
    label: str | None = None  # the column that names a row where another table links to it

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema; its metadata (Parquet key-value metadata too, which every engine reads) holds
        the table's description, key and each column's description ("description.<column>")."""
        columns = {f"description.{c.name}": c.description for c in self.columns}
        return pa.schema(
            [c.field for c in self.columns],
            metadata={"description": self.description, "primary_key": ",".join(self.key), **columns},
        )

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def to_arrow(self, rows: list[dict]) -> pa.Table:
        """Rows cast to the declared schema, sorted by the key (stable output for diffs).

        Every row must carry exactly the declared columns: a missing one is a transform bug that
        would otherwise publish as nulls, an unexpected one a column nobody documented.
        """
        expected = set(self.column_names)
        for row in rows:
            if row.keys() != expected:
                missing, unexpected = sorted(expected - row.keys()), sorted(row.keys() - expected)
                problems = [f"lack {missing}"] * bool(missing) + [f"carry undeclared {unexpected}"] * bool(unexpected)
                raise SchemaMismatch(f"table {self.name}: rows {' and '.join(problems)}")
        table = pa.Table.from_pylist(rows, schema=self.schema)
        return self.sorted(table) if rows else table

    def sorted(self, table: pa.Table) -> pa.Table:
        """Rows in the order of the key (stable output for diffs)."""
        return table.sort_by([(k, "ascending", "at_start") for k in self.key])

    def empty(self) -> pa.Table:
        return self.schema.empty_table()

    def violations(self, rows: list[dict], today: date, url_pattern: str) -> list[str]:
        """Every broken rule in the rows, "table.column: what" (the key's uniqueness included)."""
        found = [
            f"{self.name}.{c.name}: {problem}"
            for row in rows
            for c in self.columns
            if (problem := c.violation(row[c.name], today, url_pattern))
        ]
        keys = [tuple(row[k] for k in self.key) for row in rows]
        if len(set(keys)) != len(keys):
            found.append(f"{self.name}: key {self.key} not unique")
        return found


def as_bound(bound, today: date):
    if bound == TODAY:
        return today
    return date.fromisoformat(bound) if isinstance(bound, str) else bound


def _c(name, type_, description, nullable=True, example=None, **rules) -> Column:
    return Column(name, type_, description, nullable, example, **rules)


def _run(name: str, description: str) -> Column:
    return _c(name, pa.string(), description, False, "20261123T060000Z", pattern=RUN_ID_PATTERN)


TEXT_DATE = dict(min_value=EARLIEST_PAGE_DATE, max_value=TODAY)
PAGE_ID = _c(
    "page_id",
    pa.string(),
    "First 16 hex digits of SHA-256 of the page's canonical URL; stable across runs.",
    False,
    "3f2a9c0d4b1e7a65",
    pattern=HEX16,
)
PAGE_VERSION = _c(
    "page_version",
    pa.int32(),
    "The version of the page (page_versions.version) this row was last read from.",
    False,
    1,
    min_value=1,
)
WORD_DIFF = _c(
    "word_diff",
    pa.string(),
    "What changed, word by word, with a few words of context: [-removed-] {+added+} (git's word-diff form).",
    example="… at det {+er+} gjort undersøkelser …",
)
WORD_DIFF_HTML = _c(
    "word_diff_html",
    pa.string(),
    "The same as HTML: <del>removed</del> <ins>added</ins>, the rest escaped.",
    example="… at det <ins>er</ins> gjort undersøkelser …",
)
FIRST_SEEN = _run("first_seen_run", "The first run in which this row was on the site (runs.run_id).")
LAST_SEEN = _run("last_seen_run", "The latest run in which it was there; it stops moving when the row leaves the site.")
SEEN = (FIRST_SEEN, LAST_SEEN)
INFERRED = _c(
    "inferred_columns",
    pa.list_(pa.string()),
    "The columns of this row whose value the pipeline supplied from its register (transform/register) rather "
    "than read as a page states it; empty (an empty cell in CSV) when every value is stated. A stated value is "
    "never replaced by an inferred one.",
    True,  # an empty list is an empty CSV cell, which CSV readers take for a missing value
    example="name; areas",
)

PAGES = Table(
    "pages",
    "Pages",
    "One row per URL of the site that answered 200 at least once, in its latest state. A page that later "
    "answers 404/410 stays, with that status; a failed fetch keeps the last good content.",
    ("page_id",),
    (
        PAGE_ID,
        _c(
            "url",
            pa.string(),
            "Canonical URL of the page.",
            False,
            "https://selvhjelp.no/politisk-forankring/",
            site_url=True,
        ),
        _c(
            "title",
            pa.string(),
            "The page's h1 as a reader sees it.",
            example="Forankring av selvhjelp i politiske dokumenter og faglige veiledere",
            min_length=1,
        ),
        _c(
            "section",
            pa.string(),
            "Breadcrumb trail of the page (legacy site), parts joined with ' > '.",
            example="Tematisert > Samfunnsperspektiv > Dokumenter og planer",
        ),
        _c(
            "site_generation",
            pa.string(),
            "Which generation of the site served the page.",
            example="wordpress",
            allowed=SITE_GENERATIONS,
        ),
        _c(
            "last_modified_label",
            pa.string(),
            "The page's own date line as printed, even with no date after the label.",
            example="Sist oppdatert: 15 november 2021.",
        ),
        _c(
            "last_modified",
            pa.date32(),
            "The date in the page's own date line; null when the line has no date or there is no line.",
            example="2021-11-15",
            **TEXT_DATE,
        ),
        _c(
            "http_last_modified",
            UTC_TIMESTAMP,
            "The server's Last-Modified header at the last good fetch.",
            example="2021-11-15T10:12:31Z",
        ),
        _c(
            "http_etag",
            pa.string(),
            "The server's ETag at the last good fetch (for conditional requests).",
            example='"a1b2c3"',
        ),
        _c(
            "status",
            pa.int16(),
            "The page's state by the last answer that decided it: 200 (live), 301/308 (moved), "
            "404/410 (removed). A failed fetch does not change it.",
            False,
            200,
            allowed=(200, 301, 308, 404, 410),
        ),
        _c(
            "redirect_to",
            pa.string(),
            "Where a moved page now points.",
            example="https://selvhjelp.no/politisk-forankring/",
        ),
        _c(
            "content_sha256",
            pa.string(),
            "SHA-256 of the normalised main text (title and body, no navigation, "
            "footer or share block) of the current version.",
            False,
            pattern=SHA256,
        ),
        _c(
            "raw_sha256",
            pa.string(),
            "SHA-256 of the raw capture the current content was read from.",
            False,
            pattern=SHA256,
        ),
        _c(
            "content_type",
            pa.string(),
            "The Content-Type the capture was served with (its charset decodes it).",
            example="text/html; charset=utf-8",
        ),
        _c(
            "current_version",
            pa.int32(),
            "The page version (page_versions.version) the page shows now, or showed "
            "last before it moved or was removed.",
            False,
            1,
            min_value=1,
        ),
        _c("word_count", pa.int32(), "Words in the main text.", False, 812, min_value=0),
        _c("first_seen_at", UTC_TIMESTAMP, "When a run first recorded the page.", False),
        _c("last_fetched_at", UTC_TIMESTAMP, "When the page was last asked for, whatever the answer.", False),
        _c(
            "last_ok_at",
            UTC_TIMESTAMP,
            "When the site last answered for the page (200, 304, or the 301/404/410 that set its status).",
            False,
        ),
        _c("last_changed_at", UTC_TIMESTAMP, "When a run last recorded a change of the page."),
        _c(
            "last_fetch_status",
            pa.int16(),
            "HTTP status of the latest request (304: unchanged); null when no "
            "answer came (timeout, connection refused).",
            example=304,
        ),
        _c(
            "last_fetch_error",
            pa.string(),
            "Why the latest request failed (5xx, timeout, refused, truncated, "
            "robots.txt ...); null when it succeeded. The rest of the row is from the last good fetch.",
            example="http 503 after 2 retries",
        ),
    ),
    references={"page_id": "page_versions.page_id"},
    min_rows=1,
    label="title",
)

PAGE_VERSIONS = Table(
    "page_versions",
    "Page versions",
    "One row per distinct content of a page; a page that returns to an earlier text gets a new version.",
    ("page_id", "version"),
    (
        PAGE_ID,
        _c("version", pa.int32(), "1 for the first content seen, then 2, 3 ...", False, 1, min_value=1),
        _c(
            "content_sha256", pa.string(), "SHA-256 of the normalised main text of this version.", False, pattern=SHA256
        ),
        _c("raw_sha256", pa.string(), "SHA-256 of the raw capture this version was first read from.", pattern=SHA256),
        _c("title", pa.string(), "The page's title in this version."),
        _c("last_modified_label", pa.string(), "The page's own date line in this version."),
        _c("last_modified", pa.date32(), "The page's own date in this version.", **TEXT_DATE),
        _c(
            "text",
            pa.string(),
            "Normalised main text: blocks separated by blank lines, list items as '• item'.",
            False,
            min_length=1,
        ),
        _run("first_seen_run", "Run in which this content was first seen."),
        _run("last_seen_run", "Latest run in which this content was seen."),
    ),
    references={"page_id": "pages.page_id"},
    min_rows=1,
)

CHANGES = Table(
    "changes",
    "Changes",
    "One row per change detected on the site since the first run; the table only grows.",
    ("change_id",),
    (
        _c(
            "change_id",
            pa.string(),
            "Hash of run, page and kind: stable, the same in every later release.",
            False,
            pattern=HEX16,
        ),
        _run("run_id", "The run that detected the change (also its release id)."),
        _c("detected_at", UTC_TIMESTAMP, "When the run detected the change.", False),
        PAGE_ID,
        _c("url", pa.string(), "URL of the page.", False, site_url=True),
        _c("title", pa.string(), "Title of the page (after the change, or before it for removals)."),
        _c(
            "kind",
            pa.string(),
            "new, modified (text and date changed), modified_silently (text changed, date did "
            "not), date_only, removed (404/410), restored, moved (301/308), reparsed (same bytes, new extraction).",
            False,
            "modified",
            allowed=CHANGE_KINDS,
        ),
        _c("version_before", pa.int32(), "The page version before the change.", min_value=1),
        _c("version_after", pa.int32(), "The page version after the change.", min_value=1),
        _c("last_modified_before", pa.date32(), "The page's own date before the change.", **TEXT_DATE),
        _c("last_modified_after", pa.date32(), "The page's own date after the change.", **TEXT_DATE),
        _c("content_sha256_before", pa.string(), "Content hash before.", pattern=SHA256),
        _c("content_sha256_after", pa.string(), "Content hash after.", pattern=SHA256),
        _c("redirect_to", pa.string(), "For moved pages: where the page now redirects."),
        _c("lines_added", pa.int32(), "Lines added in the normalised text.", min_value=0),
        _c("lines_removed", pa.int32(), "Lines removed from the normalised text.", min_value=0),
        _c("diff", pa.string(), "Unified diff of the normalised text (for every kind whose text changed)."),
        WORD_DIFF,
        WORD_DIFF_HTML,
        _c(
            "excerpt",
            pa.string(),
            "The start of the page's text: after the change, or, for a removed or moved page, its last text.",
        ),
    ),
    references={"page_id": "pages.page_id", "run_id": "runs.run_id"},
    display_first=("kind", "title", "word_diff_html", "url", "detected_at", "excerpt"),
)

EVENTS = Table(
    "events",
    "Events",
    "One row per change of a thing the pages give, as a policy monitor asks about it: a document a page "
    "starts or stops citing, a quotation added, cut or reworded, an office opened, closed or changed (its "
    "address, phone, e-mail ...), a task added or removed. Derived from the history tables, run by run.",
    ("event_id",),
    (
        _c("event_id", pa.string(), "Hash of run, kind, page, thing and field: stable.", False, pattern=HEX16),
        _run("run_id", "The run that detected the event (also its release id)."),
        _c("detected_at", UTC_TIMESTAMP, "When the run detected it.", False),
        _c(
            "kind",
            pa.string(),
            "What happened (labels in Norwegian and English: the data card).",
            False,
            "quote_reworded",
            allowed=EVENT_KINDS,
        ),
        _c(
            "page_id",
            pa.string(),
            "The page it happened on (null for an office no page gives any more).",
            pattern=HEX16,
        ),
        _c("url", pa.string(), "URL of that page.", site_url=True),
        _c("entity", pa.string(), "What kind of thing changed.", False, "quote", allowed=EVENT_ENTITIES),
        _c("entity_id", pa.string(), "Its id: document_id, quote_id, office_id or task_id.", False),
        _c("document_id", pa.string(), "The document it concerns, where there is one.", pattern=SLUG),
        _c(
            "field", pa.string(), "For an office that changed: which fact (street_address, phone ...).", example="phone"
        ),
        _c("before", pa.string(), "The value or text before (null when there was none)."),
        _c("after", pa.string(), "The value or text after (null when there is none)."),
        WORD_DIFF,
        WORD_DIFF_HTML,
    ),
    references={"page_id": "pages.page_id", "run_id": "runs.run_id", "document_id": "documents.document_id"},
    display_first=("kind", "entity", "word_diff_html", "before", "after", "field", "page_id", "document_id"),
)

RUNS = Table(
    "runs",
    "Runs",
    "One row per published run: when it ran, what it crawled and what it found.",
    ("run_id",),
    (
        _run("run_id", "The run (UTC timestamp of its start, also its release id)."),
        _c("started_at", UTC_TIMESTAMP, "When the run started.", False),
        _c("pipeline_version", pa.string(), "Version of selvhjelp-data that made the run.", False, "0.2.0"),
        _c("source", pa.string(), "What was crawled: the live site, the bundled snapshot or a mirror.", False),
        _c("pages_requested", pa.int32(), "Page URLs asked for.", False, min_value=0),
        _c("pages_answered", pa.int32(), "Page URLs the site answered (200, 304, 301, 404 ...).", False, min_value=0),
        _c(
            "pages_failed",
            pa.int32(),
            "Page URLs whose fetch failed (5xx, timeout, refused ...); their last good content was kept.",
            False,
            min_value=0,
        ),
        _c("changes", pa.int32(), "Changes the run detected.", False, min_value=0),
    ),
    min_rows=1,
)

DOCUMENTS = Table(
    "documents",
    "Policy documents",
    "One row per policy document the pages ever named, however it is spelled.",
    ("document_id",),
    (
        _c(
            "document_id",
            pa.string(),
            "Slug of the canonical identifier (meld-st-19-2014-2015, st-meld-16-2002-2003, "
            "is-2076) or of the title; stable across runs.",
            False,
            "meld-st-19-2014-2015",
            pattern=SLUG,
        ),
        _c("kind", pa.string(), "What the document is.", False, "stortingsmelding", allowed=DOCUMENT_KINDS),
        _c(
            "identifier",
            pa.string(),
            "The canonical identifier, session years with an en dash: a white paper of a session from 2009–2010 on "
            "is Meld. St., one before St.meld. nr., however a page wrote it; a law's is its Lovdata id.",
            example="Meld. St. 19 (2014–2015)",
            pattern=r"^(Meld\. St\. \d+ \(\d{4}–\d{4}\)|St\.meld\. nr\. \d+ \(\d{4}–\d{4}\)|IS-\d{3,5}|"
            r"NOU \d{4}: ?\d+|Prop\. \d+ [LS]+ \(\d{4}–\d{4}\)|(St|Ot)\.prp\. nr\. \d+ \(\d{4}–\d{4}\)|"
            r"Innst\. \d+( [SLO])? \(\d{4}–\d{4}\)|LOV-\d{4}-\d{2}-\d{2}-\d+)$",
        ),
        _c(
            "is_number",
            pa.string(),
            "Helsedirektoratet's IS number, where the pages give one.",
            example="IS-2076",
            pattern=r"^IS-\d{3,5}$",
        ),
        _c(
            "title",
            pa.string(),
            "The document's title as published (the register's, transform/register/documents.yaml), else as the "
            "pages give it; the spellings pages use are in aliases.",
            example="Folkehelsemeldingen – Mestring og muligheter",
        ),
        _c("aliases", pa.list_(pa.string()), "Every other spelling of the document seen on the pages."),
        _c(
            "year_from",
            pa.int16(),
            "First year (of the session, plan period or publication).",
            example=2014,
            min_value=EARLIEST_DOCUMENT_YEAR,
        ),
        _c(
            "year_to",
            pa.int16(),
            "Last year of the session or plan period.",
            example=2015,
            min_value=EARLIEST_DOCUMENT_YEAR,
        ),
        _c("issuer", pa.string(), "Who issued it, where the text says.", example="Helsedirektoratet"),
        INFERRED,
        _c(
            "mention_count",
            pa.int32(),
            "Mentions in the running text of the pages as they are now (headings, "
            "links and list items not counted; 0 once no page names it).",
            False,
            3,
            min_value=0,
        ),
        FIRST_SEEN,
        _run("last_seen_run", "The latest run in which a page named the document."),
        _c(
            "source_page_id",
            pa.string(),
            "The page the document was first read from (every mention is in document_mentions).",
            False,
            pattern=HEX16,
        ),
        _c("source_page_version", pa.int32(), "The version of that page.", False, 1, min_value=1),
    ),
    references={"source_page_id": "pages.page_id"},
    min_rows=1,
    label="title",
)

DOCUMENT_MENTIONS = Table(
    "document_mentions",
    "Document mentions",
    "One row per mention of a document on a page, with where it stands (running text, heading, link, list).",
    ("mention_id", "first_seen_run"),
    (
        _c(
            "mention_id",
            pa.string(),
            "Hash of page, document, spelling and its occurrence on the page: the same "
            "mention in every version of the page.",
            False,
            pattern=HEX16,
        ),
        _c("document_id", pa.string(), "The document mentioned.", False, pattern=SLUG),
        PAGE_ID,
        PAGE_VERSION,
        _c(
            "position",
            pa.int32(),
            "Character offset of the mention in the text of that version (page_versions.text).",
            False,
            min_value=0,
        ),
        _c(
            "matched_text",
            pa.string(),
            "The spelling used at this place.",
            False,
            "St.meld. nr. 16 (2002-2003)",
            min_length=1,
        ),
        _c(
            "context_kind",
            pa.string(),
            "Where the mention stands: body (running text), heading, link (a 'Les mer "
            "om ...' link) or list (a list item).",
            False,
            "body",
            allowed=MENTION_CONTEXTS,
        ),
        _c("section_heading", pa.string(), "The heading of the section the mention stands in."),
        _c("context", pa.string(), "The sentence around the mention.", False, min_length=1),
        *SEEN,
    ),
    references={"document_id": "documents.document_id", "page_id": "pages.page_id"},
    min_rows=1,
    identity=("mention_id",),
)

QUOTES = Table(
    "quotes",
    "Quotations",
    "One row per quoted span on a page: quotations from documents, quoted titles and quoted terms.",
    ("quote_id", "first_seen_run"),
    (
        _c(
            "quote_id",
            pa.string(),
            "Hash of page, text and its occurrence on the page: the same quote in every version of the page.",
            False,
            pattern=HEX16,
        ),
        PAGE_ID,
        PAGE_VERSION,
        _c(
            "document_id",
            pa.string(),
            "The document the quotation is attributed to by its section, where the page makes that clear.",
        ),
        _c(
            "kind",
            pa.string(),
            "quotation (from a document), title (a quoted name) or term (a quoted word or phrase).",
            False,
            allowed=QUOTE_KINDS,
        ),
        _c(
            "text",
            pa.string(),
            "The quoted text without its quote marks, typographic characters kept.",
            False,
            min_length=1,
        ),
        _c("quote_marks", pa.string(), 'The marks used: «», “”, ””, "" or blockquote.', False, allowed=QUOTE_MARKS),
        _c("section_heading", pa.string(), "The heading of the section the quote stands in."),
        _c(
            "position",
            pa.int32(),
            "Character offset of the quote's text in the text of that page version.",
            False,
            min_value=0,
        ),
        _c("parent_quote_id", pa.string(), "The quote this one is nested in.", pattern=HEX16),
        *SEEN,
    ),
    references={
        "page_id": "pages.page_id",
        "document_id": "documents.document_id",
        "parent_quote_id": "quotes.quote_id",
    },
    identity=("quote_id",),
)

OFFICES = Table(
    "offices",
    "Offices",
    "Selvhjelp Norge's head office and district offices as the pages give them: in headings, contact "
    "blocks, footers and running text.",
    ("office_id", "first_seen_run"),
    (
        _c(
            "office_id",
            pa.string(),
            "Slug of the office's name.",
            False,
            "distriktskontoret-for-hedmark-og-oppland",
            pattern=SLUG,
        ),
        _c("kind", pa.string(), "head or district.", False, "district", allowed=OFFICE_KINDS),
        _c("name", pa.string(), "The office's name as written.", False, min_length=1),
        _c("city", pa.string(), "Where the office is.", example="Brumunddal"),
        _c(
            "areas",
            pa.list_(pa.string()),
            "Counties the office covers (county names of the time).",
            example="Hedmark; Oppland",
        ),
        _c("street_address", pa.string(), "Street address, where given."),
        _c(
            "postal_code",
            pa.string(),
            "Postal code, where given: four digits, a string (leading zeros matter).",
            example="0364",
            pattern=r"^\d{4}$",
        ),
        _c("phone", pa.string(), "Phone number, where given."),
        _c("email", pa.string(), "E-mail address, where given."),
        _c(
            "organisation_number",
            pa.string(),
            "Norwegian organisation number (Enhetsregisteret, nine digits) of "
            "the organisation that runs the office, where the page gives it.",
            example="980495361",
            pattern=r"^\d{9}$",
        ),
        _c(
            "source_page_id",
            pa.string(),
            "The page that states the most about the office (a page, its footer or a contact block).",
            False,
            pattern=HEX16,
        ),
        PAGE_VERSION,
        INFERRED,
        *SEEN,
    ),
    references={"source_page_id": "pages.page_id"},
    identity=("office_id",),
    versioned=("name", "city", "areas", "street_address", "postal_code", "phone", "email", "organisation_number"),
)

OFFICE_TASKS = Table(
    "office_tasks",
    "Office tasks",
    "One row per task a page lists for an office, or for every office of a kind.",
    ("task_id", "first_seen_run"),
    (
        _c("task_id", pa.string(), "Hash of page, office kind and task text.", False, pattern=HEX16),
        _c(
            "office_kind",
            pa.string(),
            "Who the list is for: head (the head office), district (every district office) or organisation "
            "(Selvhjelp Norge as a whole).",
            False,
            allowed=TASK_HOLDERS,
        ),
        _c(
            "office_id",
            pa.string(),
            "The office the list is for, when the page names one; null when it is for every office of the kind.",
            pattern=SLUG,
        ),
        _c("task", pa.string(), "The task as written.", False, min_length=1),
        _c("position", pa.int32(), "1 for the first task of its list.", False, min_value=1),
        _c(
            "list_lead",
            pa.string(),
            "The paragraph that introduces the list, as written.",
            False,
            min_length=1,
            example="Selvhjelp Norges distriktskontorer har følgende oppgaver:",
        ),
        _c(
            "year_from",
            pa.int16(),
            "First year of the period the list speaks of, where the lead-in (or else the page's title) states one.",
            example=2010,
            min_value=EARLIEST_DOCUMENT_YEAR,
        ),
        _c(
            "year_to",
            pa.int16(),
            "Last year of that period (the same year when one is stated).",
            example=2010,
            min_value=EARLIEST_DOCUMENT_YEAR,
        ),
        PAGE_ID,
        PAGE_VERSION,
        *SEEN,
    ),
    references={"page_id": "pages.page_id", "office_id": "offices.office_id"},
    identity=("task_id",),
)

BROKEN_LINKS = Table(
    "broken_links",
    "Broken links",
    "One row per link to a URL of the site that has never answered 200 (it is not a page).",
    ("target_url", "first_seen_run"),
    (
        _c("target_url", pa.string(), "The URL linked to.", False, site_url=True),
        _c(
            "source_page_id",
            pa.string(),
            "The page that links to it (null when it was found elsewhere: a start URL or the sitemap).",
            pattern=HEX16,
        ),
        _c("link_text", pa.string(), "The text of the link.", example="Les mer om Fra frivillighet til folkehelse"),
        _c("status", pa.int16(), "HTTP status of the latest answer; null when none came.", example=404),
        _c("fetch_error", pa.string(), "Why the latest request failed, when no status explains it."),
        *SEEN,
    ),
    references={"source_page_id": "pages.page_id"},
    identity=("target_url",),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        PAGES,
        PAGE_VERSIONS,
        CHANGES,
        EVENTS,
        RUNS,
        DOCUMENTS,
        DOCUMENT_MENTIONS,
        QUOTES,
        OFFICES,
        OFFICE_TASKS,
        BROKEN_LINKS,
    )
}
HISTORY_TABLES = tuple(name for name, t in TABLES.items() if t.identity)
