"""Word-level diffs and subscriptions (unit): what every surface shows, and who is told what."""

import pytest

from publish.notify import BadNotifyTarget, Subscription, subscription
from publish.present import Item
from transform.diffs import excerpt, word_diff

SENTENCE = (
    "I veilederen vises det også til at det gjort undersøkelser blant personer med rusmiddelproblemer som viser at "
    "brukerne ser på selvhjelpsgrupper som en mulig ressurs i behandlingen."
)


@pytest.mark.parametrize(
    "before, after, text, markup",
    [
        (
            SENTENCE,
            SENTENCE.replace("det gjort", "det er gjort"),
            "… vises det også til at det {+er+} gjort undersøkelser blant personer med rusmiddelproblemer …",
            "… vises det også til at det <ins>er</ins> gjort undersøkelser blant personer med rusmiddelproblemer …",
        ),
        ("Telefon: 23 33 19 00", "Telefon: 23 33 19 10", "Telefon: 23 33 19 [-00-]{+10+}", None),
        (
            "«A <b> & c»",
            "«A <i> & c»",
            "«A <[-b-]{+i+}> & c»",
            "«A &lt;<del>b</del>\u2009<ins>i</ins>&gt; &amp; c»",
        ),
        ("Første avsnitt.\n\nAndre avsnitt.", "Første avsnitt.\n\nNytt.\n\nAndre avsnitt.", None, None),
    ],
)
def test_a_word_diff_shows_the_changed_words_with_a_little_context(before, after, text, markup):
    diff = word_diff(before, after)
    assert diff.changed
    if text:
        assert diff.text == text
    if markup:
        assert diff.html == markup  # site text escaped, only <del>/<ins> are markup
    assert "\n" not in diff.text  # a paragraph break reads as a space


def test_no_change_is_no_diff_and_an_excerpt_is_the_start_of_a_text():
    assert not word_diff(SENTENCE, SENTENCE).changed
    assert excerpt(SENTENCE, 5) == "I veilederen vises det også …" and excerpt(None) is None


def item(kind: str, url: str = "https://selvhjelp.no/kontakt/", document_id: str | None = None) -> Item:
    return Item(kind, "r", kind, url, [], None, None, None, document_id, ("events", "x"))


def test_a_subscription_takes_only_what_its_filters_let_through():
    target = subscription("json://h/x only kind=office_*+task_added url=https://selvhjelp.no/kontakt", 1)
    assert target == Subscription(
        "json://h/x", kinds=("office_*", "task_added"), url_prefixes=("https://selvhjelp.no/kontakt",)
    )
    assert target.wants(item("office_changed")) and target.wants(item("task_added"))
    assert not target.wants(item("quote_added")) and not target.wants(item("office_changed", "https://selvhjelp.no/x/"))
    about = subscription("json://h/x only document=meld-st-19-2018-2019", 1)
    assert about.wants(item("document_cited", document_id="meld-st-19-2018-2019")) and not about.wants(item("modified"))
    assert subscription("json://h/x", 1).wants(item("modified"))  # no filter: everything


def test_a_filter_that_is_none_is_one_line_naming_the_target():
    with pytest.raises(BadNotifyTarget, match=r"SELVHJELP_NOTIFY: target 2 \(json://…\): 'page=x' is not a filter"):
        subscription("json://token@h/x only page=x", 2)
