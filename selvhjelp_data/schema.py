"""The tables, declared once: names, Arrow types, nullability, descriptions and every rule a value
must keep (allowed values, patterns, bounds, lengths, keys, references, minimum rows).

The transform casts its rows with `Table.to_arrow` (which refuses a missing or unexpected column),
the Great Expectations suites, the datapackage constraints, the Parquet and DuckDB metadata, the
CSV writer and the data card are all derived from these declarations. No rule is stated twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from selvhjelp_data.runs import RUN_ID_PATTERN

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

CHANGE_KINDS = ("new", "modified", "modified_silently", "date_only", "removed", "restored", "moved", "reparsed")
SITE_GENERATIONS = ("legacy", "wordpress", "unknown")
OFFICE_KINDS = ("head", "district")
QUOTE_KINDS = ("quotation", "title", "term")
QUOTE_MARKS = ("«»", "“”", "””", '""', "blockquote")
DOCUMENT_KINDS = (
    "stortingsmelding",
    "nou",
    "proposisjon",
    "is_publication",
    "plan",
    "strategy",
    "guide",
    "guideline",
    "interpellation",
    "state_budget",
    "other",
)
EARLIEST_PAGE_DATE = "1990-01-01"  # the site, and the self-help policy it documents, are younger than this
TODAY = "today"  # as a date bound: the day the run validates (no page is dated in the future)


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

    @property
    def field(self) -> pa.Field:
        return pa.field(
            self.name,
            self.type,
            nullable=self.nullable,
            metadata={
                "description": self.description,
                **({"example": str(self.example)} if self.example is not None else {}),
            },
        )


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    references: dict[str, str] = field(default_factory=dict)  # column -> "table.column"
    min_rows: int = 0  # a release with fewer rows is not published (the site always feeds this table)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [c.field for c in self.columns],
            metadata={"description": self.description, "primary_key": ",".join(self.key)},
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
                raise SchemaMismatch(
                    f"table {self.name}: rows lack {missing} and carry undeclared {unexpected}"
                    if missing and unexpected
                    else f"table {self.name}: rows lack the columns {missing}"
                    if missing
                    else f"table {self.name}: rows carry undeclared columns {unexpected}"
                )
        rows = sorted(rows, key=lambda r: tuple("" if r[k] is None else r[k] for k in self.key))
        return pa.Table.from_pylist(rows, schema=self.schema)

    def empty(self) -> pa.Table:
        return self.schema.empty_table()


def _c(name, type_, description, nullable=True, example=None, **kw) -> Column:
    return Column(name, type_, description, nullable, example, **kw)


PAGE_ID = _c(
    "page_id",
    pa.string(),
    "First 16 hex digits of SHA-256 of the page's canonical public URL; stable across runs.",
    False,
    "3f2a9c0d4b1e7a65",
    pattern=r"^[0-9a-f]{16}$",
)
SHA = dict(pattern=r"^[0-9a-f]{64}$")
RUN = _c(
    "run_id",
    pa.string(),
    "The pipeline run (UTC timestamp, also the release id).",
    False,
    "20261123T060000Z",
    pattern=RUN_ID_PATTERN,
)
TEXT_DATE = dict(min_value=EARLIEST_PAGE_DATE, max_value=TODAY)

PAGES = Table(
    "pages",
    "Pages",
    "One row per page URL ever seen, in its latest state.",
    ("page_id",),
    (
        PAGE_ID,
        _c(
            "url",
            pa.string(),
            "Canonical public URL of the page.",
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
            "The server's Last-Modified header at the last fetch.",
            example="2021-11-15T10:12:31Z",
        ),
        _c(
            "http_etag",
            pa.string(),
            "The server's ETag at the last fetch (for conditional requests).",
            example='"a1b2c3"',
        ),
        _c(
            "status",
            pa.int16(),
            "HTTP status of the last answer: 200, 301 (moved), 404/410 (removed or never there); null if every fetch failed.",
            example=200,
        ),
        _c(
            "redirect_to",
            pa.string(),
            "Where a redirecting page points (public URL).",
            example="https://selvhjelp.no/politisk-forankring/",
        ),
        _c(
            "fetch_error",
            pa.string(),
            "Why the last fetch failed (timeout, 5xx, too large ...); the rest of the row is from the last good fetch.",
            example="timeout after 2 retries",
        ),
        _c(
            "content_sha256",
            pa.string(),
            "SHA-256 of the normalised main text (title and body, no navigation, footer or share block).",
            **SHA,
        ),
        _c("raw_sha256", pa.string(), "SHA-256 of the raw bytes the row was extracted from (the raw capture).", **SHA),
        _c("word_count", pa.int32(), "Words in the main text.", example=812, min_value=0),
        _c("first_seen_at", UTC_TIMESTAMP, "When a run first recorded the URL.", False),
        _c("last_fetched_at", UTC_TIMESTAMP, "When the page was last asked for (a 304 counts).", False),
        _c("last_changed_at", UTC_TIMESTAMP, "When a run last recorded a change of the page."),
    ),
)

PAGE_VERSIONS = Table(
    "page_versions",
    "Page versions",
    "One row per distinct content of a page; a page that returns to an earlier text gets a new version.",
    ("page_id", "version"),
    (
        PAGE_ID,
        _c("version", pa.int32(), "1 for the first content seen, then 2, 3 ...", False, 1, min_value=1),
        _c("content_sha256", pa.string(), "SHA-256 of the normalised main text of this version.", False, **SHA),
        _c("raw_sha256", pa.string(), "SHA-256 of the raw bytes this version was first extracted from.", **SHA),
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
        _c("first_seen_run", pa.string(), "Run in which this content was first seen.", False),
        _c("last_seen_run", pa.string(), "Latest run in which this content was seen.", False),
    ),
    references={"page_id": "pages.page_id"},
)

CHANGES = Table(
    "changes",
    "Changes",
    "One row per change detected on the site, by comparing each run with the previous release.",
    ("change_id",),
    (
        _c("change_id", pa.string(), "Hash of run, page and kind.", False, pattern=r"^[0-9a-f]{16}$"),
        RUN,
        _c("detected_at", UTC_TIMESTAMP, "When the run detected the change.", False),
        PAGE_ID,
        _c("url", pa.string(), "Public URL of the page.", False, site_url=True),
        _c("title", pa.string(), "Title of the page (after the change, or before it for removals)."),
        _c(
            "kind",
            pa.string(),
            "new, modified (text and date changed), modified_silently (text changed, date did not), date_only, removed (404/410), restored, moved (301/308), reparsed (same bytes, new extraction).",
            False,
            "modified",
            allowed=CHANGE_KINDS,
        ),
        _c("last_modified_before", pa.date32(), "The page's own date before the change.", **TEXT_DATE),
        _c("last_modified_after", pa.date32(), "The page's own date after the change.", **TEXT_DATE),
        _c("content_sha256_before", pa.string(), "Content hash before.", **SHA),
        _c("content_sha256_after", pa.string(), "Content hash after.", **SHA),
        _c("redirect_to", pa.string(), "For moved pages: where the page now redirects."),
        _c("lines_added", pa.int32(), "Lines added in the normalised text.", min_value=0),
        _c("lines_removed", pa.int32(), "Lines removed from the normalised text.", min_value=0),
        _c("diff", pa.string(), "Unified diff of the normalised text (modified kinds only)."),
    ),
    references={"page_id": "pages.page_id"},
)

DOCUMENTS = Table(
    "documents",
    "Policy documents",
    "One row per policy document the pages name, however it is spelled.",
    ("document_id",),
    (
        _c(
            "document_id",
            pa.string(),
            "Slug of the canonical identifier (meld-st-19-2014-2015, st-meld-16-2002-2003, is-2076) or of the title.",
            False,
            "meld-st-19-2014-2015",
            pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        ),
        _c("kind", pa.string(), "What the document is.", False, "stortingsmelding", allowed=DOCUMENT_KINDS),
        _c(
            "identifier",
            pa.string(),
            "The canonical identifier, session years with an en dash.",
            example="Meld. St. 19 (2014–2015)",
            pattern=r"^(Meld\. St\. \d+ \(\d{4}–\d{4}\)|St\.meld\. nr\. \d+ \(\d{4}–\d{4}\)|IS-\d{3,5}|NOU \d{4}: ?\d+|Prop\. \d+ [LS]+ \(\d{4}–\d{4}\))$",
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
            "The document's title as the pages give it.",
            example="Folkehelsemeldingen - Mestring og muligheter",
        ),
        _c("aliases", pa.list_(pa.string()), "Every spelling of the document seen on the pages."),
        _c(
            "year_from",
            pa.int16(),
            "First year (of the session, plan period or publication).",
            example=2014,
            min_value=1990,
        ),
        _c("year_to", pa.int16(), "Last year of the session or plan period.", example=2015, min_value=1990),
        _c("issuer", pa.string(), "Who issued it, where the text says.", example="Helsedirektoratet"),
        _c("mention_count", pa.int32(), "How many mentions the pages make.", False, 3, min_value=1),
    ),
)

DOCUMENT_MENTIONS = Table(
    "document_mentions",
    "Document mentions",
    "One row per mention of a document on a page.",
    ("document_id", "page_id", "position"),
    (
        _c("document_id", pa.string(), "The document mentioned.", False),
        PAGE_ID,
        _c(
            "position",
            pa.int32(),
            "Character offset of the mention in the page's normalised text (page_versions.text).",
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
        _c("section_heading", pa.string(), "The heading of the section the mention stands in."),
        _c("context", pa.string(), "The sentence around the mention.", False, min_length=1),
    ),
    references={"document_id": "documents.document_id", "page_id": "pages.page_id"},
)

QUOTES = Table(
    "quotes",
    "Quotations",
    "One row per quoted span on a page: quotations from documents, quoted titles and quoted terms.",
    ("quote_id",),
    (
        _c("quote_id", pa.string(), "Hash of page, position and text.", False, pattern=r"^[0-9a-f]{16}$"),
        PAGE_ID,
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
            "Character offset of the quote's text in the page's normalised text.",
            False,
            min_value=0,
        ),
        _c("parent_quote_id", pa.string(), "The quote this one is nested in."),
    ),
    references={
        "page_id": "pages.page_id",
        "document_id": "documents.document_id",
        "parent_quote_id": "quotes.quote_id",
    },
)

OFFICES = Table(
    "offices",
    "Offices",
    "Selvhjelp Norge's head office and district offices as the offices page lists them.",
    ("office_id",),
    (
        _c(
            "office_id",
            pa.string(),
            "Slug of the office's name.",
            False,
            "distriktskontoret-for-hedmark-og-oppland",
            pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
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
        _c("postal_code", pa.string(), "Postal code, where given.", pattern=r"^\d{4}$"),
        _c("phone", pa.string(), "Phone number, where given."),
        _c("email", pa.string(), "E-mail address, where given."),
        _c("source_page_id", pa.string(), "The page the office is listed on.", False),
    ),
    references={"source_page_id": "pages.page_id"},
)

OFFICE_TASKS = Table(
    "office_tasks",
    "Office tasks",
    "One row per task a page lists for an office kind.",
    ("page_id", "office_kind", "position"),
    (
        _c("office_kind", pa.string(), "head or district.", False, allowed=OFFICE_KINDS),
        _c("task", pa.string(), "The task as written.", False, min_length=1),
        _c("position", pa.int32(), "1 for the first task of the list on that page.", False, min_value=1),
        PAGE_ID,
    ),
    references={"page_id": "pages.page_id"},
)

TABLES: dict[str, Table] = {
    t.name: t for t in (PAGES, PAGE_VERSIONS, CHANGES, DOCUMENTS, DOCUMENT_MENTIONS, QUOTES, OFFICES, OFFICE_TASKS)
}
