"""How the bundled snapshot pages were made from the captured seed text (run once; the HTML is the data).

    python tools/build_snapshot.py [SEEDS_DIR] [SITE_DIR]   (defaults: tests/fixtures/seeds, snapshot/site)

The seed texts are what a text extractor saw on five real pages of selvhjelp.no; each page is
rebuilt in the markup of its site generation (legacy CMS or WordPress). The manifest
(snapshot/site/manifest.json) is kept by hand: it documents statuses, dates and scenarios.
"""

import hashlib
import html
import json
import pathlib
import re
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
OUT = ROOT / "snapshot" / "site"


def seed(n):
    return next(SEEDS.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


LEGACY = "http://www.selvhjelp.no"
WP = "https://selvhjelp.no"
SECTION = "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/"


CRUMBS_DOK = [
    ("Forside", "/no/"),
    ("Tematisert", "/no/Tematisert/"),
    ("Samfunnsperspektiv", "/no/Tematisert/Samfunnsperspektiv/"),
    ("Dokumenter og planer", SECTION),
]


def legacy_path(section_path, title, page_id):
    return section_path + urllib.parse.quote_plus(title, safe="").replace("%2B", "+") + "." + page_id + ".ips"


P000 = "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/Politiske+dokumenter+og+faglige+veiledere+%E2%80%93+et+verkt%C3%B8y+i+forankringsarbeidet.b7C_wlvO4v.ips"
P003 = "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/Eldre+politiske+dokumenter+%E2%80%93+litt+historikk.b7C_wtbI07.ips"
P002 = "/no/Tematisert/Samfunnsperspektiv/Nasjonal_plan_for_selvhjelp/Helsedirektoratet+informerer+om+selvorganisert+selvhjelp%2C+satsingen+og+revidering+av+nasjonal+plan+%28.9UFRzIWG.ips"
P004 = SECTION
P001 = "/politisk-forankring/"
PKONTAKT = "/kontakt/"
PNEW = "/nasjonal-plan-for-selvhjelp/"


def esc(s):
    return html.escape(s, quote=False)


def link_text(text, links):
    """Escape text and wrap the first occurrence of each anchor phrase in a link."""
    out = esc(text)
    for phrase, href in links:
        ep = esc(phrase)
        if ep in out:
            out = out.replace(ep, f'<a href="{html.escape(href)}">{ep}</a>', 1)
    return out


def blocks_to_html(blocks, headings, h3=(), strong=(), blockquotes=(), links=()):
    parts = []
    for b in blocks:
        s = b.strip()
        lines = b.split("\n")
        filled = [line.strip() for line in lines if line.strip()]
        if lines and filled and all(line.startswith("•") for line in filled):
            items = "".join(f"\n<li>{link_text(line[1:].strip(), links)}</li>" for line in filled)
            parts.append(f"<ul>{items}\n</ul>")
        elif s == "":
            parts.append("<p>&nbsp;</p>")
        elif s in headings:
            parts.append(f"<h2>{esc(b.rstrip(chr(10)))}</h2>")
        elif s in h3:
            parts.append(f"<h3>{esc(b)}</h3>")
        elif s in strong:
            parts.append(f"<p><strong>{esc(b)}</strong></p>")
        elif s in blockquotes:
            parts.append(f"<blockquote><p>{esc(b)}</p></blockquote>")
        else:
            parts.append("<p>" + link_text(b, links).replace("\n", "<br>\n") + "</p>")
    return "\n".join(parts)


def split_seed(text):
    lines = text.split("\n")
    title = lines[0]
    rest = "\n".join(lines[1:]).strip("\n")
    return title, rest


# ---------------------------------------------------------------- legacy template
LEGACY_MENU = [
    ("Forside", "/no/"),
    ("Om selvhjelp", "/no/Om_selvhjelp/"),
    ("Tematisert", "/no/Tematisert/"),
    ("Aktuelt", "/no/Aktuelt/"),
    ("Kontakt oss", "/no/Kontakt_oss/"),
]


def legacy_page(title, body, crumbs, charset="utf-8", date_label=True):
    menu = "\n".join(f'      <li><a href="{h}">{esc(t)}</a></li>' for t, h in LEGACY_MENU)
    crumb = " &gt; ".join(f'<a href="{h}">{esc(t)}</a>' for t, h in crumbs)
    date = '\n      <p class="lastChanged">Sist endret: <span class="date"></span></p>' if date_label else ""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="no" xml:lang="no">
<head>
  <meta http-equiv="Content-Type" content="text/html; charset={charset}" />
  <title>{esc(title)} - Selvhjelp Norge</title>
  <link rel="stylesheet" type="text/css" href="/css/main.css" />
  <script type="text/javascript" src="/js/ips.js"></script>
</head>
<body>
<div id="wrapper">
  <div id="top">
    <a href="/no/" id="logo"><img src="/gfx/selvhjelp_logo.gif" alt="Selvhjelp Norge - Nasjonalt knutepunkt for selvhjelp" /></a>
    <form id="search" action="/no/Sok/" method="get"><input type="text" name="q" value="Søk" /><input type="submit" value="Søk" /></form>
    <ul id="mainmenu">
{menu}
    </ul>
  </div>
  <div id="breadcrumbs">Du er her: {crumb}</div>
  <div id="leftcol">
    <ul class="submenu">
      <li><a href="/no/Tematisert/Samfunnsperspektiv/">Samfunnsperspektiv</a></li>
      <li><a href="/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/">Dokumenter og planer</a></li>
      <li><a href="/no/Tematisert/Samfunnsperspektiv/Nasjonal_plan_for_selvhjelp/">Nasjonal plan for selvhjelp</a></li>
    </ul>
  </div>
  <div id="maincol">
    <div class="article">
      <h1>{esc(title)}</h1>{date}
      <div class="articleBody">
{body}
      </div>
      <p class="tools"><a href="javascript:window.print()">Skriv ut</a> | <a href="/no/Tips/">Tips en venn</a></p>
    </div>
  </div>
  <div id="footer">
    <p>Selvhjelp Norge - Nasjonalt knutepunkt for selvhjelp | Kirkeveien 61, 0364 Oslo | Tlf: 23 33 19 00</p>
    <p>Drevet av stiftelsen Norsk selvhjelpsforum</p>
  </div>
</div>
</body>
</html>
"""


# ---------------------------------------------------------------- WordPress template
WP_MENU = [("Hjem", WP + "/"), ("Politisk forankring", WP + P001), ("Kontakt", WP + PKONTAKT)]
SHARE = """<div class="sfsi_widget sfsi_shortcode_container">
<div class="sfsi_holders"><h4>Del på sosiale medier</h4>
<div class="sfsi_icons"><a href="https://www.facebook.com/sharer/sharer.php?u={url}" target="_blank" rel="noopener"><img alt="Facebook" src="https://selvhjelp.no/wp-content/plugins/ultimate-social-media-icons/images/icons_theme/default/default_facebook.png" /></a>
<a href="https://twitter.com/intent/tweet?url={url}" target="_blank" rel="noopener"><img alt="Twitter" src="https://selvhjelp.no/wp-content/plugins/ultimate-social-media-icons/images/icons_theme/default/default_twitter.png" /></a></div>
<div class="sfsi_credit"><a href="https://www.ultimatelysocial.com/" target="_blank" rel="noopener">Social Share Buttons and Icons powered by Ultimatelysocial</a></div>
</div></div>"""


def wp_page(title, path, body, date_text, post_id):
    menu = "\n".join(f'<li class="menu-item"><a href="{h}">{esc(t)}</a></li>' for t, h in WP_MENU)
    date = f"\n<p><em>Sist oppdatert: {esc(date_text)}</em></p>" if date_text is not None else ""
    url = WP + path
    return f'''<!doctype html>
<html lang="nb-NO">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} &#8211; Selvhjelp Norge</title>
<link rel="canonical" href="{url}" />
<link rel='stylesheet' id='selvhjelp-style-css' href='https://selvhjelp.no/wp-content/themes/selvhjelp/style.css?ver=5.8.2' type='text/css' media='all' />
<script type='text/javascript' src='https://selvhjelp.no/wp-includes/js/jquery/jquery.min.js?ver=3.6.0'></script>
</head>
<body class="page-template-default page page-id-{post_id}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Hopp til innhold</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="https://selvhjelp.no/" rel="home">Selvhjelp Norge</a></p>
<p class="site-description">Nasjonalt kompetansesenter for selvorganisert selvhjelp</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Meny</button>
<ul id="primary-menu" class="menu">
{menu}
</ul></nav>
</header>
<div id="content" class="site-content">
<main id="main" class="site-main">
<article id="post-{post_id}" class="post-{post_id} page type-page status-publish hentry">
<header class="entry-header"><h1 class="entry-title">{esc(title)}</h1></header>
<div class="entry-content">{date}
{body}
{SHARE.format(url=urllib.parse.quote(url, safe=""))}
</div>
</article>
</main>
</div>
<footer id="colophon" class="site-footer">
<div class="site-info">Selvhjelp Norge &middot; Kirkeveien 61, 0364 Oslo &middot; Telefon 23 33 19 00</div>
</footer>
</div>
</body>
</html>
'''


FILES = {}


def save(name, text, charset="utf-8"):
    data = text.encode(charset)
    (OUT / "files" / name).write_bytes(data)
    return name


def _build_seed_000() -> None:
    """Seed 000."""
    t0, r0 = split_seed(seed(0))
    body0 = r0.split("\n\n", 1)[1]  # drop the "Sist endret:" line (template prints it)
    h0 = legacy_page(
        t0,
        blocks_to_html(
            body0.split("\n\n"),
            headings={
                "Politikk og faglige veiledere",
                "En hverdag med mange faglige krav",
                "Politiske dokumenter og faglige veiledere – et verktøy for deg!",
            },
        ),
        CRUMBS_DOK + [(t0, P000)],
    )
    save("politiske-dokumenter-og-faglige-veiledere.html", h0)


def _build_seed_003() -> None:
    """Seed 003 (windows-1252)."""
    t3, r3 = split_seed(seed(3))
    body3 = r3.split("\n\n", 1)[1]
    heads3 = {
        "Nasjonal strategiplan for arbeid og psykisk helse 2007-2012",
        "Opptrappingsplan for rusfeltet 2008 – 2010",
        "Meld. St. 16 (2010–2011) - Nasjonal helse- og omsorgsplan (2011–2015)",
        "Meld. St. 30 (2011–2012) -Se meg! — alkohol – narkotika – doping",
        "Meld. St. 15 (2012–2013) Forebygging og bekjempelse av vold i nære relasjoner",
    }

    def body3_html(text):
        blocks = text.split("\n\n")
        out = []
        for b in blocks:
            if b.startswith("Les ") and b.rstrip().endswith("her."):
                out.append("<p>" + esc(b[:-4]) + '<a href="https://www.regjeringen.no/">her</a>.</p>')
            else:
                out.append(blocks_to_html([b], headings=heads3))
        return "\n".join(out)

    h3 = legacy_page(t3, body3_html(body3), CRUMBS_DOK + [(t3, P003)], charset="windows-1252")
    save("eldre-politiske-dokumenter.html", h3, "cp1252")
    body3_e2 = body3.replace("Melingen med navnet", "Meldingen med navnet")
    assert body3_e2 != body3
    h3e2 = legacy_page(t3, body3_html(body3_e2), CRUMBS_DOK + [(t3, P003)], charset="windows-1252")
    save("eldre-politiske-dokumenter.epoch2.html", h3e2, "cp1252")


def _build_seed_002() -> None:
    """Seed 002 (iso-8859-1 declared, cp1252 bytes as old CMSs sent)."""
    t2, r2 = split_seed(seed(2))
    body2 = r2.split("\n\n", 1)[1]
    crumbs_np = [
        ("Forside", "/no/"),
        ("Tematisert", "/no/Tematisert/"),
        ("Samfunnsperspektiv", "/no/Tematisert/Samfunnsperspektiv/"),
        ("Nasjonal plan for selvhjelp", "/no/Tematisert/Samfunnsperspektiv/Nasjonal_plan_for_selvhjelp/"),
    ]
    links2 = [
        ("les mer på Helsedirektoratets hjemmesider", "https://www.helsedirektoratet.no/"),
        (
            "Les mer om forskning og endringer i tilskuddsordningen til prosjekter på Helsedirektoratets hjemmesider",
            "https://www.helsedirektoratet.no/",
        ),
        ("finner du her", WP + PKONTAKT),
    ]
    h2_ = legacy_page(
        t2,
        blocks_to_html(
            body2.split("\n\n"),
            headings={"SATSING PÅ SELVHJELP"},
            h3={"Om satsingen", "Knutepunktet", "Selvhjelpsskolen", "Forskning", "Slutt på tilskuddsordning"},
            strong={"Artikkelen i sin helhet:"},
            links=links2,
        ),
        crumbs_np + [(t2, P002)],
        charset="iso-8859-1",
    )
    save("helsedirektoratet-informerer-2010.html", h2_, "cp1252")


def _build_seed_001() -> None:
    """Seed 001 (WordPress)."""
    t1, r1 = split_seed(seed(1))
    body1 = r1.split("\n\n", 1)[1]
    body1 = body1.split("Del på sosiale medier")[0].rstrip("\n")
    heads1 = {
        "Nasjonal plan for selvhjelp",
        "Folkehelsemeldingen",
        "Veileder i lokalt psykisk helsearbeid og rusarbeid for voksne",
        "Retningslinjer for behandling av ruslidelser og psykiske lidelser",
        "Veileder i psykososiale tiltak ved kriser, ulykker og katastrofer",
    }
    links1 = [
        ("Her finner du retningslinjene fra Helsedirektoratet", "https://www.helsedirektoratet.no/"),
        ("Her finner du hele veilederen", "https://www.helsedirektoratet.no/"),
    ]
    bq1 = {
        "Det er vesentlig at det offentlige krisearbeidet ikke overtar oppgaver eller støttefunksjoner som det ordinære sosiale nettverket, selvhjelpsgrupper og støttegrupper bør ha. Det kan føre til at nettverket trekker seg tilbake."
    }

    def body1_html(text):
        return blocks_to_html(
            text.split("\n\n"),
            headings=heads1,
            h3={"Andre dokumenter som trekker frem selvorganisert selvhjelp:"},
            blockquotes=bq1,
            links=links1,
        )

    save("politisk-forankring.html", wp_page(t1, P001, body1_html(body1), "15 november 2021.", 2141))
    body1_e2 = body1.replace("til at det gjort undersøkelser", "til at det er gjort undersøkelser")
    assert body1_e2 != body1
    save("politisk-forankring.epoch2.html", wp_page(t1, P001, body1_html(body1_e2), "9 januar 2023", 2141))
    # Epoch 3 (scenarios for events): the block quotation reworded, a white paper cited in a new paragraph
    quote, reworded = next(iter(bq1)), next(iter(bq1)).replace("Det er vesentlig at", "Det er avgjørende at")
    bq1.add(reworded)
    body1_e3 = body1_e2.replace(quote, reworded).replace(
        "\n\nFolkehelsemeldingen", "\n\nSe også Meld. St. 19 (2018–2019) Folkehelsemeldinga.\n\nFolkehelsemeldingen", 1
    )
    assert body1_e3.count("Meld. St. 19 (2018–2019)") == 1 and reworded in body1_e3
    save("politisk-forankring.epoch3.html", wp_page(t1, P001, body1_html(body1_e3), "4 mars 2024", 2141))


def _build_offices_page() -> None:
    """Offices page (WordPress), facts from site-facts.md only."""
    DISTRICTS = [
        ("Nordland, Troms og Finnmark", "Alta"),
        ("Møre og Romsdal, Nord- og Sør-Trøndelag", "Trondheim"),
        ("Hordaland og Sogn og Fjordane", "Bergen"),
        ("Rogaland, Aust- og Vest-Agder", "Sandnes"),
        ("Buskerud, Vestfold og Telemark", "Tønsberg"),
        ("Oslo, Akershus og Østfold", "Oslo"),
        ("Hedmark og Oppland", "Brumunddal"),
    ]
    HEAD_TASKS = [
        "formidle informasjon og kunnskap om selvorganisert selvhjelp",
        "være koordinator og møteplass for nettverksarbeid",
        "styrke det nasjonale arbeidet gjennom kompetansehevende tiltak",
        "innhente, systematisere, utvikle og videreformidle kunnskap – både erfaringsbasert og forskningsbasert",
        "spre kunnskap, slik at selvorganiserte selvhjelpsgrupper kan komme i gang",
    ]

    def kontakt_body(phone="23 33 19 00", tasks=HEAD_TASKS):
        parts = [
            "<h2>Hovedkontoret</h2>",
            f"<p>Selvhjelp Norge<br>\nAdresse: Kirkeveien 61, 0364 Oslo<br>\nTelefon: {phone}</p>",
            "<p>Selvhjelp Norge drives av stiftelsen Norsk selvhjelpsforum (org. nr. 980 495 361).</p>",
            "<p>Hovedkontorets oppgaver (Nasjonal plan for selvhjelp 2014-2018):</p>",
            "<ul>" + "".join(f"\n<li>{esc(t)}</li>" for t in tasks) + "\n</ul>",
            "<h2>Distriktskontorene</h2>",
        ]
        for areas, city in DISTRICTS:
            parts.append(f"<h3>Distriktskontoret for {esc(areas)}</h3>\n<p>Kontorsted: {esc(city)}</p>")
        return "\n".join(parts)

    save("kontakt.html", wp_page("Kontakt oss", PKONTAKT, kontakt_body(), "15 november 2019.", 57))
    save("kontakt.epoch2.html", wp_page("Kontakt oss", PKONTAKT, kontakt_body(), "24 august 2021.", 57))
    # Epoch 3: the head office's phone number changes and it gains a task
    more_tasks = [*HEAD_TASKS, "gi råd til kommuner som vil starte et lokalt kontaktpunkt"]
    save(
        "kontakt.epoch3.html",
        wp_page("Kontakt oss", PKONTAKT, kontakt_body("23 33 19 10", more_tasks), "4 mars 2024.", 57),
    )


def _build_new_page_in_epoch_2() -> None:
    """New page in epoch 2 (real sentences only)."""
    new_body = "\n".join(
        [
            "<p>Visjonen for den nasjonale planen er at alle i Norge skal vite hva selvorganisert selvhjelp er, og hvordan de kan ta dette verktøyet i bruk når livsproblemer oppstår.</p>",
            "<p>Nasjonal plan for selvhjelp 2014 -2018, ligger til grunn for Selvhjelp Norges arbeid. Helsedirektoratet er Selvhjelp Norges oppdragsgiver.</p>",
        ]
    )
    save(
        "nasjonal-plan-for-selvhjelp.epoch2.html",
        wp_page("Nasjonal plan for selvhjelp 2014-2018", PNEW, new_body, None, 3012),
    )


def _build_seed_004_the_section_index() -> None:
    """Seed 004: the section index."""
    t4 = "Dokumenter og planer"
    text4 = seed(4)
    lines4 = text4.split("\n")
    intro = lines4[2]
    children = []
    for m in re.finditer(r"Les mer om (.+)", text4):
        children.append(m.group(1).strip())

    # the teaser text for each child: the block(s) between the repeated title and "Les mer om"
    def ident(title):
        known = {
            "Politiske dokumenter og faglige veiledere – et verktøy i forankringsarbeidet": P000,
            "Eldre politiske dokumenter – litt historikk": P003,
        }
        if title in known:
            return known[title]
        # child pages whose real address is unknown: same URL scheme, placeholder id derived from the title
        pid = hashlib.sha256(title.encode()).hexdigest()[:8]
        return SECTION + urllib.parse.quote_plus(title) + "." + pid + ".ips"

    def index_html(child_href):
        parts = [f"<p>{esc(intro)}</p>"]
        body = text4.split(intro, 1)[1]
        for title in children:
            before, body = body.split("Les mer om " + title, 1)
            teaser = before.strip("\n").split("\n\n")[-1]
            href = child_href(title)
            teaser_html = esc(teaser).replace("\n", "<br>\n") + ("<br>\n" if before.endswith("\n") else "")
            kicker = (
                f'<p class="teaserTitle"><a href="{href}">{esc(title)}</a></p>\n' if before.count(title) > 1 else ""
            )
            parts.append(
                f'<div class="teaser">\n{kicker}<h2>{esc(title)}</h2>\n'
                f'<p>{teaser_html}<a href="{href}">Les mer om {esc(title)}</a></p>\n</div>'
            )
        return "\n".join(parts)

    crumbs4 = [
        ("Forside", "/no/"),
        ("Tematisert", "/no/Tematisert/"),
        ("Samfunnsperspektiv", "/no/Tematisert/Samfunnsperspektiv/"),
        ("Dokumenter og planer", SECTION),
    ]
    save("dokumenter-og-planer.html", legacy_page(t4, index_html(ident), crumbs4, date_label=False))

    def ident2(title):
        return WP + PNEW if title == "Nasjonal plan for selvhjelp 2014-2018" else ident(title)

    save("dokumenter-og-planer.epoch2.html", legacy_page(t4, index_html(ident2), crumbs4, date_label=False))
    print("children", len(children))
    print(json.dumps({t: ident(t) for t in children}, ensure_ascii=False, indent=1))


def _build_robots_txt_and_sitemaps() -> None:
    """Robots.txt and sitemaps."""
    robots = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: https://selvhjelp.no/wp-sitemap.xml\n"
    save("robots.txt", robots)
    sm_index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
        "<loc>https://selvhjelp.no/wp-sitemap-posts-page-1.xml</loc></sitemap></sitemapindex>\n"
    )
    save("wp-sitemap.xml", sm_index)

    def sitemap(entries):
        urls = "".join(
            f"<url><loc>{loc}</loc>" + (f"<lastmod>{lm}</lastmod>" if lm else "") + "</url>" for loc, lm in entries
        )
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'

    save(
        "wp-sitemap-posts-page-1.xml",
        sitemap(
            [(WP + "/", None), (WP + P001, "2021-11-15T10:12:31+00:00"), (WP + PKONTAKT, "2019-11-15T08:40:02+00:00")]
        ),
    )
    save(
        "wp-sitemap-posts-page-1.epoch3.xml",
        sitemap(
            [
                (WP + "/", None),
                (WP + P001, "2024-03-04T09:00:00+00:00"),
                (WP + PKONTAKT, "2024-03-04T09:30:00+00:00"),
                (WP + PNEW, "2023-01-09T12:30:00+00:00"),
            ]
        ),
    )
    save(
        "wp-sitemap-posts-page-1.epoch2.xml",
        sitemap(
            [
                (WP + "/", None),
                (WP + P001, "2023-01-09T12:03:44+00:00"),
                (WP + PKONTAKT, "2021-08-24T09:15:10+00:00"),
                (WP + PNEW, "2023-01-09T12:30:00+00:00"),
            ]
        ),
    )


def build() -> None:
    _build_seed_000()
    _build_seed_003()
    _build_seed_002()
    _build_seed_001()
    _build_offices_page()
    _build_new_page_in_epoch_2()
    _build_seed_004_the_section_index()
    _build_robots_txt_and_sitemaps()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        SEEDS = pathlib.Path(sys.argv[1])
    if len(sys.argv) > 2:
        OUT = pathlib.Path(sys.argv[2])
    (OUT / "files").mkdir(parents=True, exist_ok=True)
    build()
