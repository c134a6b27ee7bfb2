"""Triage normalises a mention's text once: language detection, the rules, the
priority scorer and the incident key all read the one ``TextIndex``."""

import pytest

from cases import text as text_module
from cases.routing import MentionFacts, RuleSpec, evaluate
from cases.text import TextIndex, detect_language, normalize
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet

SAMPLES = [
    ("الإسعاااف تأخر ساعة!! @SadaMinistry https://t.co/x", "ar"),
    ("Pleeease help, the ambulance is late", "en"),
    ("المستشفى hospital closed مغلق today اليوم", None),
    ("&amp; ﻻ شيء ＠user www.example.com", "und"),
    ("🙃 thanks a lot", "en"),
    ("", None),
    ("١٢٣ ۴۵۶ 789", "qme"),
    ("Hola, el hospital está cerrado", "es"),
]


@pytest.mark.parametrize(("text", "lang"), SAMPLES)
def test_the_index_holds_the_text_as_normalize_returns_it(text, lang):
    index = TextIndex(text)
    assert index.normalized == normalize(text)
    assert index.source == text
    assert detect_language(text, lang, normalized=index.normalized) == detect_language(text, lang)


def test_detect_language_reads_the_normalised_text_it_is_given():
    # The given form is what is counted (a caller's normalisation of the same text).
    assert detect_language("hello there", None, normalized="مرحبا بكم") == "ar"


RULES = (
    RuleSpec(name="fire", order=1, keywords=("حريق*|fire",), queue="urgent", category="emergency"),
    RuleSpec(name="late", order=2, keywords=("late|تاخر",), category="complaint"),
)


def test_evaluate_uses_the_callers_index_of_the_same_text():
    facts = MentionFacts(text="The ambulance is late, fire in the building", language="en")
    index = TextIndex(facts.text)
    assert evaluate(RULES, facts, index=index) == evaluate(RULES, facts)


def test_evaluate_ignores_an_index_of_another_text():
    facts = MentionFacts(text="حريق في المبنى", language="ar")
    other = TextIndex("nothing to see here")
    decision = evaluate(RULES, facts, index=other)
    assert decision == evaluate(RULES, facts)
    assert decision.routed_by is not None and decision.routed_by.name == "fire"


def test_a_new_case_normalises_its_text_once(db, monkeypatch):
    def ingest(tweet_id, body):
        pages_ingest(
            parse_document(page(tweet(tweet_id, body, author_id=tweet_id, lang="ar"))),
            account=None,
            source="replay",
        )

    # Rules compiled and caches filled, as in a running worker.
    ingest("7001", "الإسعاف تأخر كثيرا عن الحي")
    calls = []
    fold = text_module._fold

    def counting_fold(prepared):
        calls.append(prepared)
        return fold(prepared)

    monkeypatch.setattr(text_module, "_fold", counting_fold)
    ingest("7002", "المستشفى مغلق والمرضى ينتظرون منذ الصباح")
    assert len(calls) == 1


def _scripts_counted_one_by_one(normalized):
    arabic = latin = other = 0
    for ch in normalized:
        if not ch.isalpha():
            continue
        code = ord(ch)
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF:
            arabic += 1
        elif code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            latin += 1
        else:
            other += 1
    return arabic, latin, other


def test_the_script_table_counts_letters_as_a_loop_over_them_would():
    text = "".join(chr(code) for code in range(0x20, 0x3000) if not 0xD800 <= code <= 0xDFFF)
    scripts = text.translate(text_module._SCRIPTS)
    assert (
        scripts.count("a"),
        scripts.count("l"),
        scripts.count("o"),
    ) == _scripts_counted_one_by_one(text)
    assert len(scripts) == sum(_scripts_counted_one_by_one(text))
