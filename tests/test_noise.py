"""Pairs of captures: layout-only edits that must not count as a change, beside edits that must.

Each pair is a saved page of the snapshot and the same page after one edit; the content hash (what
change detection compares) must stay for noise and move for a real edit.
"""

import re

import pytest

from selvhjelp_data.reading import read_page
from selvhjelp_data.text import sha256_hex

from .saved import INDEX, KONTAKT, SEED_001, SEED_003, snapshot_capture

NOISE = {  # (page, edit): the site looks different, says the same
    "a new theme stylesheet and script": (
        SEED_001,
        lambda h: h.replace(
            "</head>", '<link rel="stylesheet" href="/wp-content/themes/ny/style.css"><script>var x=1;</script></head>'
        ),
    ),
    "a changed menu": (
        SEED_001,
        lambda h: h.replace(">Kontakt</a>", ">Kontakt oss</a></li><li><a href='/nytt/'>Nyheter</a>"),
    ),
    "a changed footer": (
        KONTAKT,
        lambda h: h.replace("Telefon 23 33 19 00", "Telefon 23 33 19 00 · Org.nr. 980 495 361"),
    ),
    "another share widget": (SEED_001, lambda h: h.replace("powered by Ultimatelysocial", "powered by ShareThis")),
    "whitespace and line breaks in the markup": (SEED_003, lambda h: re.sub(r">\s*<", ">\n\n  <", h)),
    "non-breaking spaces and soft hyphens": (
        SEED_001,
        lambda h: h.replace("selvhjelp er ikke", "selv&shy;hjelp&nbsp;er ikke"),
    ),
    "new class names and ids": (INDEX, lambda h: h.replace('class="teaser"', 'class="teaser teaser--v2" id="t1"')),
    "a cookie banner in a nav": (
        KONTAKT,
        lambda h: h.replace("<body", "<nav class='cookies'>Vi bruker informasjonskapsler. Godta</nav><body", 1),
    ),
}
CHANGE = {  # (page, edit): the text a reader sees is different
    "a sentence edited": (SEED_001, lambda h: h.replace("det gjort undersøkelser", "det er gjort undersøkelser")),
    "a paragraph added": (
        KONTAKT,
        lambda h: h.replace("<h2>Distriktskontorene</h2>", "<p>Nytt kontor åpnet.</p><h2>Distriktskontorene</h2>"),
    ),
    "a heading renamed": (
        SEED_003,
        lambda h: h.replace("Opptrappingsplan for rusfeltet 2008", "Opptrappingsplanen for rusfeltet 2008"),
    ),
    "a list item removed": (KONTAKT, lambda h: re.sub(r"<li>være koordinator[^<]*</li>", "", h)),
    "a teaser dropped from the index": (
        INDEX,
        lambda h: re.sub(r'<div class="teaser">.*?</div>', "", h, count=1, flags=re.S),
    ),
}


def content_hash(url: str, edit=None) -> str:
    capture = snapshot_capture(url)
    encoding = "cp1252" if "1252" in (capture.content_type or "") else "utf-8"
    html = capture.body.decode(encoding)
    body = (edit(html) if edit else html).encode(encoding)
    assert edit is None or body != capture.body, "the edit changed nothing: the pair would prove nothing"
    return sha256_hex(read_page(body, url, capture.content_type).main_text)


@pytest.mark.parametrize("name", list(NOISE))
def test_layout_noise_is_not_a_change(name):
    url, edit = NOISE[name]
    assert content_hash(url, edit) == content_hash(url)


@pytest.mark.parametrize("name", list(CHANGE))
def test_an_edit_of_the_text_is_a_change(name):
    url, edit = CHANGE[name]
    assert content_hash(url, edit) != content_hash(url)
