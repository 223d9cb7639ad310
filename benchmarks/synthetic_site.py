"""A synthetic selvhjelp.no of N pages for the snapshot server: for benchmarks and tests of large runs.

    python benchmarks/synthetic_site.py 10000 /tmp/site-10000

Half the pages are legacy-CMS articles reached from the section index through sub-index pages,
half are WordPress pages listed in the sitemap. They are made from the real snapshot pages (the
markup is the real markup) with the article body replaced by seed paragraphs carrying varied
titles, dates, document identifiers and quotes, so every stage has real work to do. Epoch 2
edits every tenth page (text and date), so a second run has changes to find.
"""

from __future__ import annotations

import html
import json
import random
import sys
from pathlib import Path
from urllib.parse import quote_plus

from selvhjelp_data.dates import MONTHS

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "snapshot" / "site" / "files"
SECTION = "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/"
LEGACY, WP = "http://www.selvhjelp.no", "https://selvhjelp.no"
PER_INDEX = 100


def _paragraphs() -> list[str]:
    seeds = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
    blocks = [b.strip() for s in seeds for b in s.read_text(encoding="utf-8").split("\n\n")]
    return [b for b in blocks if len(b) > 120 and "•" not in b]


def _body(rng: random.Random, i: int, paragraphs: list[str], edited: bool) -> str:
    k = i % 40 + 1
    year = 2002 + i % 18
    parts = [
        f"<h2>Meld. St. {k} ({year}–{year + 1}) Om selvhjelp {i}</h2>",
        f"<p>Meldingen med navnet «Selvhjelp i hverdagen {i}» viser til IS-{2000 + i % 500} "
        f"og Meld. St. {k} ({year}-{year + 1}).</p>",
        f"<p>«{html.escape(rng.choice(paragraphs))}»</p>",
        "<h2>Veileder i lokalt arbeid</h2>",
        f'<p>Veilederen "Sammen om mestring {i % 50}" (IS-{3000 + i % 50}) kom i {2010 + i % 10}.</p>',
    ]
    parts += [f"<p>{html.escape(p)}</p>" for p in rng.sample(paragraphs, 8)]
    parts.append("<ul>" + "".join(f"<li>{html.escape(rng.choice(paragraphs)[:90])}</li>" for _ in range(5)) + "</ul>")
    if edited:
        parts.append("<p>Denne siden ble oppdatert med nytt innhold.</p>")
    return "\n".join(parts)


def _legacy_page(template: str, title: str, body: str) -> str:
    head, rest = template.split("<h1>", 1)
    _, rest = rest.split("</h1>", 1)
    before_body, rest = rest.split('<div class="articleBody">', 1)
    _, tail = rest.split('<p class="tools">', 1)
    head = head.replace(
        head[head.index("<title>") : head.index("</title>")], f"<title>{html.escape(title)} - Selvhjelp Norge"
    )
    return (
        f'{head}<h1>{html.escape(title)}</h1>{before_body}<div class="articleBody">\n{body}\n      </div>\n'
        f'      <p class="tools">{tail}'
    )


def _wp_page(template: str, title: str, date_text: str, body: str) -> str:
    head, rest = template.split('<h1 class="entry-title">', 1)
    _, rest = rest.split("</h1>", 1)
    before_date, rest = rest.split("<p><em>Sist oppdatert:", 1)
    _, tail = rest.split('<div class="sfsi_widget', 1)
    return (
        f'{head}<h1 class="entry-title">{html.escape(title)}</h1>{before_date}'
        f"<p><em>Sist oppdatert: {date_text}</em></p>\n"
        f'{body}\n<div class="sfsi_widget{tail}'
    )


def _index_page(template: str, title: str, links: list[tuple[str, str]]) -> str:
    teasers = "\n".join(
        f'<div class="teaser">\n<h2>{html.escape(t)}</h2>\n'
        f'<p>Les om {html.escape(t)}. <a href="{href}">Les mer om {html.escape(t)}</a></p>\n</div>'
        for t, href in links
    )
    return _legacy_page(template, title, teasers)


def generate(n: int, out: Path, seed: int = 1) -> Path:
    paragraphs = _paragraphs()
    legacy_t = (SNAPSHOT / "politiske-dokumenter-og-faglige-veiledere.html").read_text(encoding="utf-8")
    wp_t = (SNAPSHOT / "politisk-forankring.html").read_text(encoding="utf-8")
    files = out / "files"
    files.mkdir(parents=True, exist_ok=True)
    resources = []

    def add(url, epochs, name, text, content_type="text/html; charset=utf-8", last_modified="2021-01-01T00:00:00Z"):
        (files / name).write_text(text, encoding="utf-8")
        resources.append(
            {
                "url": url,
                "epochs": epochs,
                "status": 200,
                "file": name,
                "content_type": content_type,
                "last_modified": last_modified,
            }
        )

    legacy_links, sitemap = [], []

    def page(i: int, title: str, legacy: bool, edited: bool) -> str:
        body = _body(random.Random(seed * 100000 + i), i, paragraphs, edited)
        if legacy:
            return _legacy_page(legacy_t, title, body)
        day, month, year = 1 + i % 28, MONTHS[i % 12], 2015 + i % 6 + (1 if edited else 0)
        return _wp_page(wp_t, title, f"{day} {month} {year}.", body)

    for i in range(n):
        title = f"Politisk dokument {i} – selvhjelp i praksis"
        legacy = i % 2 == 0
        path = f"{SECTION}{quote_plus(title)}.s{i:07d}.ips" if legacy else f"/politisk-forankring/side-{i}/"
        url = (LEGACY if legacy else WP) + path
        if i % 10 == 0:  # edited in epoch 2
            for epoch in (1, 2):
                add(
                    url,
                    [epoch],
                    f"p{i}.e{epoch}.html",
                    page(i, title, legacy, epoch == 2),
                    last_modified=f"{2020 + epoch}-01-01T00:00:00Z",
                )
        else:
            add(url, [1, 2], f"p{i}.html", page(i, title, legacy, False))
        (legacy_links.append((title, path)) if legacy else sitemap.append(url))
    # section index -> sub-indexes of PER_INDEX articles (two links deep: within the depth bound)
    subs = []
    for j in range(0, len(legacy_links), PER_INDEX):
        path = f"{SECTION}Del+{j // PER_INDEX}.i{j // PER_INDEX:07d}.ips"
        add(
            LEGACY + path,
            [1, 2],
            f"index{j}.html",
            _index_page(legacy_t, f"Dokumenter, del {j // PER_INDEX}", legacy_links[j : j + PER_INDEX]),
        )
        subs.append((f"Dokumenter, del {j // PER_INDEX}", path))
    add(LEGACY + SECTION, [1, 2], "index.html", _index_page(legacy_t, "Dokumenter og planer", subs))
    urls = "".join(f"<url><loc>{u}</loc><lastmod>2021-01-01T00:00:00+00:00</lastmod></url>" for u in sitemap)
    (files / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )
    resources.append(
        {
            "url": WP + "/wp-sitemap.xml",
            "epochs": [1, 2],
            "status": 200,
            "file": "sitemap.xml",
            "content_type": "application/xml; charset=utf-8",
            "last_modified": "2021-01-01T00:00:00Z",
        }
    )
    (files / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n")
    resources.append(
        {
            "url": WP + "/robots.txt",
            "epochs": [1, 2],
            "status": 200,
            "file": "robots.txt",
            "content_type": "text/plain; charset=utf-8",
            "last_modified": "2021-01-01T00:00:00Z",
        }
    )
    manifest = {
        "description": f"Synthetic site of {n} pages for benchmarks (benchmarks/synthetic_site.py)",
        "epochs": {"1": "generated", "2": "every tenth page edited, text and date"},
        "resources": resources,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/synthetic_site.py PAGES FOLDER")
    print(generate(int(sys.argv[1]), Path(sys.argv[2])))
