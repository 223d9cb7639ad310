"""Page reading: the bytes of a page in, a `PageContent` out (title, date line, blocks, links). Pure, no I/O.

The crawl reads a page for the links it follows; the transform reads every page in full. Both read it here.

Extraction keys on what a reader sees, not on one theme's class names, so it survives a redesign:
the h1 is the title, the article is the smallest block around the h1 that holds most of the
page's text, the "Sist endret:" / "Sist oppdatert:" line is the page's date, and a block that
reads "Del på sosiale medier" (or the like) is boilerplate however it is marked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from w3lib.encoding import html_to_unicode

from selvhjelp_data.dates import parse_norwegian_date
from selvhjelp_data.text import CONTROL_CHARACTERS, normalise

LEGACY = "legacy"
WORDPRESS = "wordpress"
UNKNOWN = "unknown"

DATE_LABEL = re.compile(r"^(Sist endret|Sist oppdatert|Oppdatert|Publisert)\s*:?\s*(.*)$", re.IGNORECASE)
# Text that starts a boilerplate block inside an article: share widgets, print/tip tools.
BOILERPLATE_STARTS = re.compile(
    r"^(Del på sosiale medier|Del denne|Del artikkelen|Skriv ut\b|Social Share Buttons)", re.IGNORECASE
)
BREADCRUMB_LEAD = re.compile(r"^\s*Du er her\s*:?\s*", re.IGNORECASE)

_DROP_TAGS = ("script", "style", "noscript", "form", "nav", "aside", "footer", "iframe", "svg", "button", "select")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LEAF_BLOCKS = _HEADINGS | {"p", "li", "dt", "dd", "td", "th", "pre", "caption", "figcaption"}
_MAX_BOILERPLATE_CHARS = 300  # a share block is short; never drop a block longer than this
_DATE_LABEL_WITHIN = 4  # the date line stands among the first blocks after the title ...
_DATE_LABEL_CLOSING = 3  # ... or among the last (page builders print it under the text)
_DATE_LABEL_MAX_CHARS = 80  # a date line is a line, not a paragraph that opens with "Publisert"
# Cells and definitions are leaf blocks until they hold blocks of their own (a table laid out as a page)
_CELLS = {"td", "th", "dd", "dt"}
_BLOCK_CHILDREN = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "dl")
# Where a site prints its address: footers, address elements, contact widgets (by tag, id or class)
_CONTACT_TAGS = ("footer", "address", "aside")
_CONTACT_MARKER = re.compile(r"footer|colophon|site-info|kontakt|contact|adresse|address|widget|bunn", re.I)


class Link(NamedTuple):
    url: str  # absolute, fragment dropped
    text: str | None


@dataclass(frozen=True)
class Block:
    """One block of the article as a reader sees it."""

    kind: str  # heading | paragraph | list_item | quote
    text: str
    level: int = 0  # heading level (2 for h2); 0 otherwise
    links: tuple[str, ...] = ()  # the text of each link in the block, as it reads in `text`

    def in_link(self, start: int, end: int) -> bool:
        """Whether text[start:end] lies inside the text of one of the block's links."""
        for link in self.links:
            at = self.text.find(link)
            while at != -1:
                if at <= start and end <= at + len(link):
                    return True
                at = self.text.find(link, at + 1)
        return False

    def render(self) -> str:
        return f"• {self.text}" if self.kind == "list_item" else self.text


@dataclass(frozen=True)
class PageContent:
    title: str | None
    site_generation: str
    section: str | None = None
    date_label: str | None = None  # the whole line, as printed: "Sist oppdatert: 15 november 2021."
    last_modified: date | None = None
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = field(default=(), repr=False)  # http(s) links inside the article
    # Text of the page's contact regions outside the article (footer, address, contact widget), one
    # string each with its lines: where a site prints its address. Not content: never in main_text.
    contacts: tuple[str, ...] = field(default=(), repr=False)

    @property
    def main_text(self) -> str:
        """Title and body, one block a paragraph; the date line is not content (it has its own column)."""
        parts = ([self.title] if self.title else []) + [b.render() for b in self.blocks]
        return "\n\n".join(parts)

    @property
    def article_text(self) -> str:
        """What a reader sees in the article, date line included."""
        head = [p for p in (self.title, self.date_label) if p]
        return "\n\n".join(head + [b.render() for b in self.blocks])

    @property
    def word_count(self) -> int:
        return len(self.main_text.split())


def site_generation_of(url: str, html: str) -> str:
    """WordPress pages load wp-content/wp-includes; the legacy CMS served `.ips` pages under /no/."""
    if "/wp-content/" in html or "/wp-includes/" in html or "wp-json" in html:
        return WORDPRESS
    path = urlsplit(url).path
    if path.endswith(".ips") or path.startswith("/no/"):
        return LEGACY
    return UNKNOWN


def parse_html(html: str | bytes) -> lxml.html.HtmlElement | None:
    """A forgiving parse; None when there is nothing HTML-like to read."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    html = CONTROL_CHARACTERS.sub("", html)  # lxml refuses strings that are not XML-compatible
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _article(html: str | bytes, url: str, with_section: bool = True):
    """(section, title, article root or None, h1) after boilerplate is gone; None when nothing is HTML-like.
    The crawl needs no section: it skips the breadcrumb search."""
    doc = parse_html(html)
    if doc is None:
        return None
    section = _parse_section(doc) if with_section else None  # before the breadcrumb goes with the boilerplate
    contacts = _contact_texts(doc) if with_section else ()  # before footers and widgets go with it too
    _drop_boilerplate_elements(doc)
    h1 = _first_h1(doc)
    return section, _parse_title(doc, h1), _article_root(doc, h1), h1, contacts


def extract_page(html: str | bytes, url: str, site_generation: str | None = None) -> PageContent:
    """Everything page-level the pipeline needs from one HTML page."""
    generation = site_generation or site_generation_of(url, html if isinstance(html, str) else "")
    parts = _article(html, url)
    if parts is None:
        return PageContent(title=None, site_generation=generation)
    section, title, root, h1, contacts = parts
    blocks = _body_blocks(h1, _blocks(root) if root is not None else iter(()))
    blocks, date_label = _take_date_label(blocks, title)
    blocks = _drop_boilerplate_blocks(blocks)
    return PageContent(
        title=title,
        site_generation=generation,
        section=section,
        date_label=date_label,
        last_modified=parse_norwegian_date(DATE_LABEL.match(date_label)[2]) if date_label else None,
        blocks=tuple(blocks),
        links=_parse_links(root, url) if root is not None else (),
        contacts=contacts,
    )


def article_links(html: str | bytes, url: str) -> tuple[Link, ...]:
    """The links inside the article, without reading it into blocks: all the crawl needs of a page
    whose links it follows (reading the page is the transform's work)."""
    parts = _article(html, url, with_section=False)
    if parts is None or parts[2] is None:
        return ()
    return _parse_links(parts[2], url)


def _body_blocks(h1, blocks) -> list[Block]:
    blocks = [b for b in blocks if b.text]
    if h1 is not None and blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        blocks = blocks[1:]  # the title itself
    return blocks


# -- the parts -----------------------------------------------------------------------------
def _first_h1(doc) -> lxml.html.HtmlElement | None:
    return next((h for h in doc.iter("h1") if normalise(h.text_content())), None)


def _parse_title(doc, h1) -> str | None:
    if h1 is not None:
        return normalise(h1.text_content())
    title = doc.find(".//title")
    if title is not None and normalise(title.text_content()):
        # "<page> - Selvhjelp Norge" / "<page> – Selvhjelp Norge": the site name is not the title
        return re.split(r"\s+[-–|]\s+Selvhjelp Norge\s*$", normalise(title.text_content()))[0]
    return None


def _parse_section(doc) -> str | None:
    """The breadcrumb trail between the home page and the page itself: "Tematisert > Samfunnsperspektiv > ..."."""
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        marker = f"{el.get('id', '')} {el.get('class', '')}".lower()
        if "breadcrumb" in marker or (
            el.text and BREADCRUMB_LEAD.match(el.text) and el.find(".//a") is not None and len(el.text_content()) < 400
        ):
            crumbs = [normalise(a.text_content()) for a in el.iter("a")]
            crumbs = [c for c in crumbs if c and c.lower() not in ("forside", "hjem")]
            return " > ".join(crumbs[:-1] if len(crumbs) > 1 else crumbs) or None
    return None


def _drop_boilerplate_elements(doc) -> None:
    for el in list(doc.iter(*_DROP_TAGS)):
        el.drop_tree()
    for el in list(doc.iter("header")):
        if el.find(".//h1") is None:  # a site header; an article's own header holds its h1
            el.drop_tree()
    for el in list(doc.iter(lxml.etree.Comment)):
        el.drop_tree()
    # a marker is an element's own text ("<h4>Del på sosiale medier</h4>"); reading each element's
    # whole text_content here would cost the square of the page's depth
    markers = [
        el
        for el in doc.iter(*_LEAF_BLOCKS, "a", "div", "span")
        if el.text and BOILERPLATE_STARTS.match(el.text.strip())
    ]
    for el in markers:
        if _top(el) is doc:  # not inside a widget already dropped
            _highest_short_ancestor(el).drop_tree()


def _contact_texts(doc) -> tuple[str, ...]:
    """The outermost contact regions that do not hold the page's title, each as text with its lines."""
    regions = []
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        marker = f"{el.get('id', '')} {el.get('class', '')}"
        if el.tag not in _CONTACT_TAGS and not _CONTACT_MARKER.search(marker):
            continue
        if el.find(".//h1") is None and not any(_is_inside(el, region) for region in regions):
            regions.append(el)
    return tuple(text for text in map(_lines_of, regions) if text)


def _is_inside(el, region) -> bool:
    while el is not None:
        if el is region:
            return True
        el = el.getparent()
    return False


def _lines_of(el) -> str:
    """An element's text with one line per line break, paragraph, list item or cell."""
    parts = []
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if node is not el and node.tag in ("br", "p", "li", "div", "td", "tr", "h2", "h3", "h4", "h5", "h6", "address"):
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    lines = [normalise(line) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _top(el):
    while el.getparent() is not None:
        el = el.getparent()
    return el


def _highest_short_ancestor(el):
    """The widget around a boilerplate marker: climb while the text stays short."""
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "article", "main") or _text_length(parent) > _MAX_BOILERPLATE_CHARS:
            return el
        if parent.find(".//h1") is not None:
            return el
        el = parent


def _text_length(el) -> int:
    """Characters of an element's text with whitespace collapsed: a size to compare, cheaper than
    normalising a whole page's text at every level of the climb."""
    return len(" ".join(el.text_content().split()))


def _article_root(doc, h1):
    body = doc.find(".//body")
    if body is None:
        body = doc
    if h1 is None:
        return body
    total = _text_length(body)
    node = h1
    while node is not body and node.getparent() is not None:
        node = node.getparent()
        if _text_length(node) >= 0.5 * total:
            return node
    return body


def _text_with_breaks(el) -> str:
    """Text of an element with <br> as a line break (so a teaser's lines stay apart)."""
    parts = []
    for node in el.iter():
        if node is not el and node.tag == "br":
            parts.append("\n")
        if isinstance(node.tag, str) and node is not el and node.tag in ("ul", "ol"):
            continue
        if node.text and (node is el or _inside_leaf(node, el)):
            parts.append(node.text)
        if node is not el and node.tail and _inside_leaf(node.getparent(), el):
            parts.append(node.tail)
    return normalise("".join(parts))


def _inside_leaf(node, leaf) -> bool:
    """True unless a nested list stands between `node` and `leaf` (its items are blocks of their own)."""
    while node is not None and node is not leaf:
        if node.tag in ("ul", "ol"):
            return False
        node = node.getparent()
    return node is leaf


def _blocks(el, quoted: bool = False, in_link: bool = False):
    """Blocks in document order: leaf blocks become one Block each; containers recurse."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _LEAF_BLOCKS and not (tag in _CELLS and _holds_blocks(el)):
        kind = "heading" if tag in _HEADINGS else "list_item" if tag == "li" else "quote" if quoted else "paragraph"
        text = _text_with_breaks(el)
        links = (text,) if in_link else _link_texts(el)
        yield Block(kind, text, int(tag[1]) if tag in _HEADINGS else 0, links)
        if tag == "li":
            for sub in el.iter("ul", "ol"):
                if sub.getparent() is el:
                    yield from _blocks(sub, quoted, in_link)
        return
    quoted = quoted or tag == "blockquote"
    in_link = in_link or tag == "a"
    kind = "quote" if quoted else "paragraph"
    if el.text and (text := normalise(el.text)):
        yield Block(kind, text, links=(text,) if in_link else ())
    for child in el:
        if isinstance(child.tag, str):
            yield from _blocks(child, quoted, in_link)
        if child.tail and (text := normalise(child.tail)):
            yield Block(kind, text, links=(text,) if in_link else ())


def _holds_blocks(cell) -> bool:
    return any(cell.find(f".//{tag}") is not None for tag in _BLOCK_CHILDREN)


def _link_texts(leaf) -> tuple[str, ...]:
    """The text of each link inside a leaf block, normalised as the block's text is."""
    return tuple(text for a in leaf.iter("a") if (text := normalise(a.text_content())))


def _take_date_label(blocks: list[Block], title: str | None) -> tuple[list[Block], str | None]:
    """Pull the page's own date line out of the first (or the last) blocks; drop a title printed twice
    before it."""
    opening = range(min(_DATE_LABEL_WITHIN, len(blocks)))
    closing = range(max(len(opening), len(blocks) - _DATE_LABEL_CLOSING), len(blocks))
    for i in [*opening, *closing]:
        block = blocks[i]
        if block.kind != "heading" and len(block.text) <= _DATE_LABEL_MAX_CHARS and DATE_LABEL.match(block.text):
            before = [b for b in blocks[:i] if b.text != title] if i in opening else blocks[:i]
            return before + blocks[i + 1 :], block.text
    return blocks, None


def _drop_boilerplate_blocks(blocks: list[Block]) -> list[Block]:
    for i, block in enumerate(blocks):
        if BOILERPLATE_STARTS.match(block.text):
            return blocks[:i]  # share widgets and print tools close an article
    return blocks


def _parse_links(root, base_url: str) -> tuple[Link, ...]:
    """Every http(s) link in the article, once, with the text of its first occurrence."""
    seen: dict[str, Link] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        absolute = urljoin(base_url, href).split("#", 1)[0]
        if absolute.lower().startswith(("http://", "https://")) and absolute not in seen:  # schemes ignore case
            seen[absolute] = Link(absolute, normalise(a.text_content()) or None)
    return tuple(seen.values())


# -- bytes to text -------------------------------------------------------------------------------------
_DECODED_LETTERS = re.compile("[^\x00-\x7f\ufffd]")  # characters only a valid multi-byte sequence gives


def decode_html(body: bytes, content_type: str | None) -> str:
    """The declared charset (iso-8859-1 read as windows-1252, as browsers do), else sniffed; but a body
    that is UTF-8 with non-ASCII letters is UTF-8 whatever its header says (no windows-1252 text forms
    valid multi-byte UTF-8 by chance), also when a few bytes of it are broken (those become U+FFFD),
    and one that the header garbles is read as windows-1252."""
    if not body.isascii():
        text = body.decode("utf-8", errors="replace")
        broken = text.count("\ufffd")
        # a valid multi-byte sequence is strong evidence (windows-1252 text almost never forms one), a
        # broken byte weak (junk turns up in UTF-8 pages too)
        if 2 * len(_DECODED_LETTERS.findall(text)) >= broken:
            return text
    text = html_to_unicode(content_type, body)[1]
    if "\ufffd" in text:  # declared UTF-8 (or nothing) over windows-1252 bytes, as older CMSs sent them
        return body.decode("cp1252", errors="replace")
    return text


def read_page(body: bytes | None, url: str, content_type: str | None) -> PageContent | None:
    """The page in a capture; None when the capture is unreadable or holds no text."""
    if body is None:
        return None
    page = extract_page(decode_html(body, content_type), url)
    return page if page.main_text.strip() else None
