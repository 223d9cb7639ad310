"""Render the corpus's captured text into HTML pages of the site's two generations.

    python -m corpus.build            (writes corpus/pages/<name>.html; `--check` compares instead)

Each page in corpus/manifest.yaml has its text in corpus/captured/<name>.txt, exactly as a text
extractor saw the real page (blocks apart by blank lines, bullets as "•"). The text goes into the
template its manifest entry names; the text is never edited, only marked up. Several templates per
generation, so the content rules meet more than one markup:

- legacy_cms:   the legacy CMS's article page (breadcrumb, h1, "Sist endret:" line, article body),
                a footer with the head office's address and phone;
- legacy_print: the legacy CMS's print view, a table layout with the footer cell inside the same
                table as the article, and no address at all;
- wp_theme:     the WordPress theme (entry header, entry content, share widget), a footer with the
                head office's address;
- wp_builder:   a WordPress page-builder layout (nested sections and columns, the date after the
                text), a "Kontakt oss" widget in the sidebar and an <address> in the footer;
- wp_archive:   a WordPress category archive: one excerpt per post, no page heading.

Templates carry only what a template carries (navigation, footers, widgets); the addresses in the
footers are the head office's as the site published them in each generation (the legacy era's
Kirkeveien 61, 0364 Oslo, phone 23 33 19 00; the WordPress era's Lilletorget 1, 0184 Oslo).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

import yaml

CORPUS = Path(__file__).resolve().parent
CAPTURED = CORPUS / "captured"
PAGES = CORPUS / "pages"
MANIFEST = CORPUS / "manifest.yaml"

_BULLET = re.compile(r"^\s*•\s?")
_NUMBERED = re.compile(r"^\s*\d{1,2}\.\s+")
_DATE_LINE = re.compile(r"^(Sist endret|Sist oppdatert)\s*:", re.I)
_SENTENCE_INSIDE = re.compile(r"[.!?]\s+\S")


@dataclass
class Entry:
    name: str
    url: str
    source: str
    generation: str
    kind: str
    template: str
    split: str
    version_of: str | None = None
    notes: str | None = None
    headings: list[str] = field(default_factory=list)  # blocks (or first lines) marked up as headings
    not_headings: list[str] = field(default_factory=list)  # short blocks that are not headings
    blockquotes: list[str] = field(default_factory=list)  # blocks (by their first words) in <blockquote>
    links: list[str] = field(default_factory=list)  # phrases that are links in the page
    posts: list[str] = field(default_factory=list)  # archives: blocks (by their first words) that start a post
    untitled: bool = False  # the capture starts with the body (the page's own heading was not captured)


def load_manifest() -> list[Entry]:
    return [Entry(**row) for row in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["pages"]]


def captured_text(name: str) -> str:
    return (CAPTURED / f"{name}.txt").read_text(encoding="utf-8")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


# -- the page's parts -----------------------------------------------------------------------------------------


@dataclass
class Parts:
    title: str | None
    title_twice: bool
    date_line: str | None
    blocks: list[str]


def split_parts(text: str, entry: Entry) -> Parts:
    """Title, a repeated title, the date line and the body blocks of a captured page."""
    blocks = [b for b in text.rstrip("\n").split("\n\n")]
    if entry.untitled or entry.kind == "archive":
        return Parts(None, False, None, blocks)
    title, rest = blocks[0], blocks[1:]
    twice = bool(rest) and rest[0] == title
    if twice:
        rest = rest[1:]
    date = None
    if rest and _DATE_LINE.match(rest[0]):
        date, rest = rest[0], rest[1:]
    return Parts(title, twice, date, rest)


def is_heading(block: str, following: str | None, entry: Entry) -> bool:
    """A short line of its own, not a sentence, with text after it: how the pages set their subheadings."""
    text = block.strip()
    if any(text == h.strip() for h in entry.headings):
        return True
    if not text or "\n" in text or any(text == n.strip() for n in entry.not_headings) or following is None:
        return False
    if _BULLET.match(text) or text.startswith(("«", '"', "“", "”", "-", "–", "(")):
        return False
    if text.endswith((".", ",", ";", "!", ":")) or _SENTENCE_INSIDE.search(text):
        return False
    return len(text.split()) <= 12


def _linked(text: str, entry: Entry) -> str:
    """Escaped text with the page's links (phrases named in the manifest, "Les mer ..." and a closing "her")."""
    out = esc(text)
    phrases = list(entry.links)
    if m := re.search(r"(Les mer(?: om)?[^.\n]*?)\s*$", text):
        phrases.append(m[1])
    for phrase in phrases:
        escaped = esc(phrase)
        if escaped in out:
            out = out.replace(escaped, f'<a href="{html.escape(_link_target(phrase, entry))}">{escaped}</a>', 1)
    if re.search(r"\bher\.?\s*$", text) and "<a " not in out:
        out = re.sub(r"\bher(\.?)(\s*)$", r'<a href="#">her</a>\1\2', out)
    return out


def _link_target(phrase: str, entry: Entry) -> str:
    base = entry.url.rsplit("/", 1)[0] + "/"
    return base + re.sub(r"[^\w]+", "-", phrase.lower()).strip("-") + "/"


def _list_html(block: str, entry: Entry, numbered: bool) -> str:
    items: list[str] = []
    pattern = _NUMBERED if numbered else _BULLET
    for line in block.split("\n"):
        if pattern.match(line):
            items.append(_linked(pattern.sub("", line, count=1).strip(), entry))
        elif line.strip() and items:
            items[-1] += "<br>\n" + _linked(line.strip(), entry)  # a line that continues the item above
    tag = "ol" if numbered else "ul"
    return f"<{tag}>" + "".join(f"\n<li>{item}</li>" for item in items) + f"\n</{tag}>"


def render_blocks(blocks: list[str], entry: Entry, heading_tag: str = "h2") -> list[str]:
    """Each body block as the site's editors marked it up."""
    out = []
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        lines = [line for line in block.split("\n") if line.strip()]
        stripped = block.strip()
        if not stripped:
            out.append("<p>&nbsp;</p>")
        elif _BULLET.match(lines[0]):
            out.append(_list_html(block, entry, numbered=False))
        elif len(lines) > 1 and all(_NUMBERED.match(line) for line in lines):
            out.append(_list_html(block, entry, numbered=True))
        elif any(stripped.startswith(q.strip()) for q in entry.blockquotes):
            out.append("<blockquote><p>" + _linked(stripped, entry).replace("\n", "<br>\n") + "</p></blockquote>")
        elif is_heading(block, following, entry):
            out.append(f"<{heading_tag}>{esc(stripped)}</{heading_tag}>")
        elif len(lines) > 1 and is_heading(lines[0], "\n".join(lines[1:]), entry):
            # a subheading with its paragraph right under it, one line apart in the capture
            rest = "\n".join(lines[1:])
            out.append(f"<h3>{esc(lines[0].strip())}</h3>\n<p>" + _linked(rest, entry).replace("\n", "<br>\n") + "</p>")
        else:
            out.append("<p>" + _linked(block, entry).replace("\n", "<br>\n") + "</p>")
    return out


def body_html(blocks: list[str], entry: Entry, heading_tag: str = "h2") -> str:
    return "\n".join(render_blocks(blocks, entry, heading_tag))


# -- templates ------------------------------------------------------------------------------------------------

LEGACY_MENU = [
    ("Forside", "/no/"),
    ("Om selvhjelp", "/no/Selvhjelp/"),
    ("Tematisert", "/no/Tematisert/"),
    ("Om oss", "/no/Om_oss/"),
    ("English", "/no/English/"),
]


def legacy_crumbs(url: str) -> list[tuple[str, str]]:
    """The breadcrumb trail the legacy CMS printed: one link per folder of the path."""
    path = urlsplit(url).path
    folders = [f for f in path.split("/")[2:-1] if f]
    crumbs, href = [("Forside", "/no/")], "/no/"
    for folder in folders:
        href += folder + "/"
        crumbs.append((unquote_plus(folder).replace("_", " "), href))
    return crumbs


def legacy_cms(entry: Entry, parts: Parts) -> str:
    menu = "\n".join(f'      <li><a href="{h}">{esc(t)}</a></li>' for t, h in LEGACY_MENU)
    crumbs = " &gt; ".join(f'<a href="{h}">{esc(t)}</a>' for t, h in legacy_crumbs(entry.url))
    twice = f'\n      <p class="ingress-title"><strong>{esc(parts.title)}</strong></p>' if parts.title_twice else ""
    date = (
        f'\n      <p class="lastChanged">{esc(parts.date_line)} <span class="date"></span></p>'
        if parts.date_line
        else ""
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="no" xml:lang="no">
<head>
  <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
  <title>{esc(parts.title or _folder_title(entry.url))} - Selvhjelp Norge</title>
  <link rel="stylesheet" type="text/css" href="/css/main.css" />
</head>
<body>
<div id="wrapper">
  <div id="top">
    <a href="/no/" id="logo"><img src="/gfx/selvhjelp_logo.gif" alt="Selvhjelp Norge" /></a>
    <ul id="mainmenu">
{menu}
    </ul>
  </div>
  <div id="breadcrumbs">Du er her: {crumbs}</div>
  <div id="maincol">
    <div class="article">
      {f"<h1>{esc(parts.title)}</h1>" if parts.title else ""}{twice}{date}
      <div class="articleBody">
{body_html(parts.blocks, entry)}
      </div>
      <p class="tools"><a href="javascript:window.print()">Skriv ut</a> | <a href="/no/Tips/">Tips en venn</a></p>
    </div>
  </div>
  <div id="footer">
    <p>Selvhjelp Norge | Kirkeveien 61, 0364 Oslo | Tlf. 23 33 19 00</p>
    <p>Nasjonalt kompetansesenter for selvorganisert selvhjelp</p>
  </div>
</div>
</body>
</html>
"""


def legacy_print(entry: Entry, parts: Parts) -> str:
    crumbs = " / ".join(esc(t) for t, _ in legacy_crumbs(entry.url))
    twice = f'\n<div class="undertittel">{esc(parts.title)}</div>' if parts.title_twice else ""
    date = f'\n<div class="endret">{esc(parts.date_line)}</div>' if parts.date_line else ""
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(parts.title or _folder_title(entry.url))}</title>
</head>
<body onload="window.print()">
<table class="utskrift" width="600" cellpadding="4">
<tr><td class="sti">{crumbs}</td></tr>
<tr><td class="innhold">
{f'<h1 class="tittel">{esc(parts.title)}</h1>' if parts.title else ""}{twice}{date}
{body_html(parts.blocks, entry, heading_tag="h3")}
</td></tr>
<tr><td class="bunn">Skrevet ut fra www.selvhjelp.no</td></tr>
</table>
</body>
</html>
"""


WP_MENU = [
    ("Hjem", "/"),
    ("Om selvhjelp", "/om-selvhjelp/"),
    ("Aktuelt", "/category/aktuelt/"),
    ("Om oss", "/om-selvhjelp-norge/"),
]
SHARE = """<div class="sfsi_widget sfsi_shortcode_container"><div class="sfsi_holders"><h4>Del på sosiale medier</h4>
<div class="sfsi_icons"><a href="https://www.facebook.com/sharer/sharer.php" target="_blank"><img alt="Facebook" src="https://selvhjelp.no/wp-content/plugins/ultimate-social-media-icons/images/icons_theme/default/default_facebook.png" /></a></div>
<div class="sfsi_credit"><a href="https://www.ultimatelysocial.com/">Wordpress Social Share Plugin powered by Ultimatelysocial</a></div></div></div>"""


def _wp_blocks(parts: Parts) -> list[str]:
    """The share block the capture ends with is the share widget the template prints."""
    blocks = list(parts.blocks)
    while blocks and blocks[-1].startswith("Del på sosiale medier"):
        blocks.pop()
    return blocks


def _wp_head(title: str, entry: Entry) -> str:
    return f"""<!doctype html>
<html lang="{"en-GB" if entry.kind == "english" else "nb-NO"}">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} &#8211; Selvhjelp Norge</title>
<link rel="canonical" href="{html.escape(entry.url)}" />
<link rel='stylesheet' href='https://selvhjelp.no/wp-content/themes/selvhjelp/style.css?ver=5.8.2' type='text/css' media='all' />
<script type='text/javascript' src='https://selvhjelp.no/wp-includes/js/jquery/jquery.min.js?ver=3.6.0'></script>
</head>"""


def _wp_menu() -> str:
    return "\n".join(f'<li class="menu-item"><a href="https://selvhjelp.no{h}">{esc(t)}</a></li>' for t, h in WP_MENU)


def wp_theme(entry: Entry, parts: Parts) -> str:
    date = f"\n<p><em>{esc(parts.date_line)}</em></p>" if parts.date_line else ""
    return f"""{_wp_head(parts.title or "", entry)}
<body class="page-template-default page">
<div id="page" class="site">
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="https://selvhjelp.no/" rel="home">Selvhjelp Norge</a></p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
{_wp_menu()}
</ul></nav>
</header>
<div id="content" class="site-content">
<main id="main" class="site-main">
<article class="page type-page status-publish hentry">
<header class="entry-header"><h1 class="entry-title">{esc(parts.title or "")}</h1></header>
<div class="entry-content">{date}
{body_html(_wp_blocks(parts), entry)}
{SHARE}
</div>
</article>
</main>
</div>
<footer id="colophon" class="site-footer">
<div class="site-info">Selvhjelp Norge &middot; Lilletorget 1, 0184 Oslo</div>
</footer>
</div>
</body>
</html>
"""


def wp_builder(entry: Entry, parts: Parts) -> str:
    sections = "\n".join(
        f'<div class="et_pb_row"><div class="et_pb_column"><div class="et_pb_text_inner">{block}</div></div></div>'
        for block in render_blocks(_wp_blocks(parts), entry)
    )
    date = (
        f'\n<div class="et_pb_row"><span class="sist-oppdatert">{esc(parts.date_line)}</span></div>'
        if parts.date_line
        else ""
    )
    return f"""{_wp_head(parts.title or "", entry)}
<body class="page et_pb_pagebuilder_layout">
<div id="page-container">
<div id="et-main-area">
<div class="top-bar"><a href="https://selvhjelp.no/">Selvhjelp Norge</a> <ul class="menu">{_wp_menu()}</ul></div>
<div id="main-content"><div class="container"><div id="content-area" class="clearfix">
<div id="left-area">
<div class="et_pb_section et_pb_title_container"><h1 class="entry-title">{esc(parts.title or "")}</h1></div>
<div class="et_pb_section">
{sections}{date}
</div>
</div>
<div id="sidebar"><div class="et_pb_widget widget_text"><h4 class="widgettitle">Kontakt oss</h4>
<div class="textwidget"><p>Selvhjelp Norge<br>Lilletorget 1<br>0184 Oslo</p>
<p>Org.nr. 980 495 361</p></div></div></div>
</div></div></div>
<footer id="main-footer"><div id="footer-bottom"><address>Selvhjelp Norge, Lilletorget 1, 0184 Oslo</address></div></footer>
</div>
</div>
</body>
</html>
"""


def wp_archive(entry: Entry, parts: Parts) -> str:
    title = _archive_title(entry.url)
    posts = "\n".join(
        f'<article class="post type-post status-publish format-standard hentry">\n<div class="entry-summary">\n'
        f"{body_html(post, entry)}\n</div>\n</article>"
        for post in _archive_posts(parts.blocks, entry)
    )
    return f"""{_wp_head(title, entry)}
<body class="archive category">
<div id="page" class="site">
<header id="masthead" class="site-header"><p class="site-title"><a href="https://selvhjelp.no/">Selvhjelp Norge</a></p>
<nav class="main-navigation"><ul class="menu">{_wp_menu()}</ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">
{posts}
<nav class="navigation pagination"><a class="page-numbers" href="#">Neste</a></nav>
</main></div>
<footer id="colophon" class="site-footer"><div class="site-info">Selvhjelp Norge &middot; Lilletorget 1, 0184 Oslo</div></footer>
</div>
</body>
</html>
"""


def _folder_title(url: str) -> str:
    """A legacy section's name, from its folder (an untitled capture's <title>)."""
    return unquote_plus([f for f in urlsplit(url).path.split("/") if f][-1]).replace("_", " ")


def _archive_title(url: str) -> str:
    """The category's name, from its address (an archive's <title>; its text has no heading)."""
    folders = [f for f in urlsplit(url).path.split("/") if f and f not in ("category", "page") and not f.isdigit()]
    return folders[-1].replace("-", " ").capitalize()


def _archive_posts(blocks: list[str], entry: Entry) -> list[list[str]]:
    """The archive's blocks, one list per post excerpt (the manifest names the block each post starts with)."""
    posts: list[list[str]] = [[]]
    for block in blocks:
        if posts[-1] and any(block.startswith(start) for start in entry.posts):
            posts.append([])
        posts[-1].append(block)
    return posts


TEMPLATES = {
    "legacy_cms": legacy_cms,
    "legacy_print": legacy_print,
    "wp_theme": wp_theme,
    "wp_builder": wp_builder,
    "wp_archive": wp_archive,
}


def render(entry: Entry) -> str:
    return TEMPLATES[entry.template](entry, split_parts(captured_text(entry.name), entry))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the corpus pages from their captured text.")
    parser.add_argument("--check", action="store_true", help="compare with corpus/pages instead of writing")
    args = parser.parse_args(argv)
    PAGES.mkdir(exist_ok=True)
    stale = []
    for entry in load_manifest():
        page = render(entry)
        path = PAGES / f"{entry.name}.html"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != page:
                stale.append(path.name)
        else:
            path.write_text(page, encoding="utf-8")
    if stale:
        print("not as the builder makes them: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
