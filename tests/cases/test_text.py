import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.text import (
    PhraseSet,
    TextIndex,
    compile_phrase,
    detect_language,
    hashtags,
    mentions,
    normalize,
    normalize_hashtag,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # alef variants, alef maqsura, ta marbuta
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),
        ("على مستشفى", "علي مستشفي"),
        ("مدرسة", "مدرسه"),
        # hamza seats fold to their letter; the bare hamza is kept
        ("مسؤول طوارئ", "مسوول طواري"),
        ("ماء شيء", "ماء شيء"),
        # tashkeel and tatweel
        ("حَرِيقٌ هَائِلٌ", "حريق هايل"),
        ("مـــــرحبا", "مرحبا"),
        ("الرحمٰن", "الرحمن"),
        # Arabic-Indic and Persian digits
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٩٣٧", "937"),
        # Persian letters
        ("کیف گ", "كيف ك"),
        ("ی ې", "ي ي"),
        # elongation: three or more of a letter become one, two stay
        ("مررررحبا", "مرحبا"),
        ("pleeease", "please"),
        ("Nooooo", "no"),
        ("too need", "too need"),
        ("ممكن اللي", "ممكن اللي"),
        ("1000 ٣٠٠٠", "1000 3000"),
        # hashtags keep their words, split on _
        ("#وزارة_الصحة", "وزاره الصحه"),
        ("#Health_Matters", "health matters"),
        # mentions and URLs do not take part in matching
        ("@SadaMinistry @moh_ksa حريق", "حريق"),
        ("شوف https://t.co/AbC123 و www.moh.gov.sa الحين", "شوف و الحين"),
        # an e-mail address is no mention
        ("a@b.com", "a b com"),
        # HTML entities
        ("&amp; &lt;3 &quot;ok&quot; &#1605;", "3 ok م"),
        # invisible bidi and zero-width characters
        ("حر\u200bيق \u202bعاجل\u202c \u2067x\u2069 \ufeffy \u061cz", "حريق عاجل x y z"),
        # Latin case and accents
        ("HELLO Café ß", "hello cafe ss"),
        # punctuation, Arabic included, becomes space; whitespace collapses
        ("متى،   كيف؛ وين؟!\n\tهل", "متي كيف وين هل"),
        # apostrophes vanish so "can't" and "cant" meet
        ("can't I’m", "cant im"),
        # presentation forms and fullwidth letters
        ("ﻻ ﷲ ＡＢＣ", "لا الله abc"),
        # emoji stay, one token each; skin tones and variation selectors go
        ("شكرا🙃🙃👏🏻❤️", "شكرا 🙃 🙃 👏 ❤"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_tokens_are_the_words_of_the_normalised_text():
    assert tokens("@SadaMinistry أبي أعرف، متى موعدي؟") == ["ابي", "اعرف", "متي", "موعدي"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#وزارة_الصحة متى", ["وزاره_الصحه", "وزاره", "الصحه"]),
        ("#صحتك_تهمنا #عاجل", ["صحتك_تهمنا", "صحتك", "تهمنا", "عاجل"]),
        ("#Covid_19 #covid", ["covid_19", "covid", "19"]),
        ("#1 #٢٠٢٤", []),
        ("https://example.com/page#section", []),
        ("&#1605; no tag", []),
        ("#عاجل #عاجل", ["عاجل"]),
    ],
)
def test_hashtags(raw, expected):
    assert hashtags(raw) == expected


def test_normalize_hashtag_matches_what_hashtags_reports():
    assert normalize_hashtag("#وزارة_الصحة") == hashtags("#وزارة_الصحة")[0]


def test_mentions_are_kept_available_lowercase():
    text = "@SadaMinistry ping @Moh_KSA and mail a@b.com https://x.com/@nobody"
    assert mentions(text) == ["sadaministry", "moh_ksa"]


@pytest.mark.parametrize(
    ("text", "platform_lang", "expected"),
    [
        ("@SadaMinistry متى يفتح المركز؟", "ar", "ar"),
        ("@SadaMinistry متى يفتح المركز؟", "und", "ar"),
        ("@SadaMinistry when does the clinic open?", "en", "en"),
        ("@SadaMinistry when does the clinic open?", None, "en"),
        # X's codes for "could not tell" fall back to the script
        ("when does the clinic open", "qme", "en"),
        ("متى يفتح المركز", "zxx", "ar"),
        # a real Latin-script code other than English is kept
        ("hola necesito ayuda con mi cita", "es", "es"),
        # a code of another script on a Latin text is not trusted
        ("hello there", "ar", "en"),
        # both scripts substantial
        ("موعدي في Sehhaty app ما يطلع how can I check", "ar", "mixed"),
        # one Latin word in an Arabic text does not make it mixed
        ("التطبيق ما يفتح ابدا من امس error", "ar", "ar"),
        # mentions and links do not count
        ("@SadaMinistry @moh_ksa https://t.co/xyz حريق", "en", "ar"),
        # no letters
        ("@SadaMinistry 🌹🌹 123", "qme", ""),
        ("https://t.co/abc", "zxx", ""),
        ("", None, ""),
    ],
)
def test_detect_language(text, platform_lang, expected):
    assert detect_language(text, platform_lang) == expected


def _found(phrase: str, text: str) -> str | None:
    return TextIndex(text).find(compile_phrase(phrase))


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        # the Arabic article and proclitics are tolerated
        ("حريق", "وبالحريق اندلع", "حريق"),
        ("اسعاف", "للإسعاف", "اسعاف"),
        ("مستشفى", "للمستشفى", "مستشفى"),
        ("تأخير", "وش هالتأخير", "تأخير"),
        ("ما انتظرنا", "وما انتظرنا", "ما انتظرنا"),
        # but a word is not cut into another word
        ("لد", "بلد", None),
        ("دم", "بدم", None),
        # whole tokens only, unless the keyword ends with *
        ("حريق", "حريقة", None),
        ("حريق*", "حريقة", "حريق*"),
        ("injur*", "two people injured", "injur*"),
        # phrases are token sequences
        ("تسرب غاز", "تسرب الغاز في العمارة", "تسرب غاز"),
        ("gas leak", "leak of gas", None),
        # a lone * is any one word
        ("بعد * شهور", "الموعد بعد ٨ شهور", "بعد * شهور"),
        ("بعد * شهور", "بعد شهور", None),
        # ^ ties the phrase to the first word (mentions do not count)
        ("^عاجل", "@SadaMinistry عاجل: حريق", "^عاجل"),
        ("^عاجل", "حريق عاجل", None),
        # alternatives report the one found
        ("fire|حريق", "حريق في المطبخ", "حريق"),
        # keywords are normalised like the text
        ("مُستشفى", "مستشفي", "مُستشفى"),
        ("can't breathe", "I cant breathe", "can't breathe"),
        # the org's handle never matches
        ("sadaministry", "@SadaMinistry hello", None),
        # a lone ? matches a question mark, not one inside a link
        ("?", "متوفر في رمضان؟", "?"),
        ("?", "see https://x.com/?q=1", None),
        ("?", "لا سؤال هنا", None),
    ],
)
def test_phrase_matching(phrase, text, found):
    assert _found(phrase, text) == found


def test_an_empty_keyword_never_matches():
    assert _found("", "anything") is None
    assert _found("   |  ", "anything") is None


# Hypothesis: every code point, lone surrogates included.
any_text = st.text(st.characters(exclude_categories=()), max_size=300)
# Text heavy in what normalize rewrites, so that the rewrites meet each other.
rewritten = st.lists(
    st.sampled_from(
        list("أإآٱؤئءىةۀكکیگپچڤاويهـًٌٍَُِّْٰ٠١٢٣۴۵aAáİßﬁ ‌​‏‫‮⁦\ufeff؟،!#@_&;'’")
        + ["&amp;", "#وزارة_الصحة", "@SadaMinistry", "https://t.co/x", "ﻻ", "🙃", "👏🏻", "❤️"]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=500)
@given(any_text)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=500)
@given(rewritten)
def test_normalize_is_idempotent_on_text_it_rewrites(text):
    once = normalize(text)
    assert normalize(once) == once


@given(any_text)
def test_everything_is_total_on_any_text(text):
    normalize(text)
    tokens(text)
    hashtags(text)
    mentions(text)
    assert detect_language(text, "und") in {"ar", "en", "mixed", ""}
    TextIndex(text).find(compile_phrase("حريق*|fire|بعد * شهور|?"))


@given(any_text)
def test_normalised_text_has_no_invisibles_surrogates_or_marks(text):
    out = normalize(text)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in out)
    assert not any(
        ch in "\u200b\u200c\u200d\u200e\u200f\u202b\u202e\u2067\ufeff\u061c" for ch in out
    )
    assert not any(ch in "@#،؛؟?!." for ch in out)
    assert "  " not in out and out == out.strip()


def test_very_long_input_is_handled_quickly():
    chunk = "@SadaMinistry مرررررحبا https://t.co/x #وزارة_الصحة حريق!! "
    long_text = chunk * 20_000 + "ر" * 200_000
    started = time.perf_counter()
    out = normalize(long_text)
    assert time.perf_counter() - started < 10
    assert out.endswith("حريق ر")


# The indexed lookup (PhraseSet + TextIndex.scan) must find exactly what
# trying every alternative finds, first alternative first.
_PIECES = [
    "حريق*", "حريق", "fire", "ما يتنفس", "بعد * شهور", "^عاجل", "?", "*", "* *", "ال", "in the",
    "my*", "طاح", "طا*", "ولد*", "الحين", "ابي اسعاف", "^my * is", "ما", "م*", "ه", "🙃",
]  # fmt: skip
_WORDS = [
    "حريق", "والحريق", "بحريقه", "fire", "firemen", "ما", "وما", "يتنفس", "بعد", "٣", "شهور",
    "عاجل", "my", "son", "is", "in", "the", "طاح", "طايح", "ولدي", "الحين", "ابي", "اسعاف",
    "للإسعاف", "؟", "?", "🙃", "@SadaMinistry", "https://t.co/x", "مرررحبا", "هههه",
]  # fmt: skip
phrase_sources = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4).map("|".join)
word_texts = st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join)


@settings(max_examples=300)
@given(st.lists(phrase_sources, min_size=1, max_size=6), word_texts)
def test_an_indexed_find_is_the_same_as_trying_every_alternative(sources, text):
    phrases = [compile_phrase(source) for source in sources]
    scanned = TextIndex(text)
    scanned.scan(PhraseSet(phrases))
    plain = TextIndex(text)
    assert [scanned.find(p) for p in phrases] == [plain.find(p) for p in phrases]


def test_a_phrase_outside_the_scanned_set_is_still_found():
    index = TextIndex("ولدي ما يتنفس الحين")
    index.scan(PhraseSet([compile_phrase("حريق*")]))
    assert index.find(compile_phrase("ما يتنفس|fire")) == "ما يتنفس"
    assert index.find(compile_phrase("حريق*")) is None


def test_the_key_of_an_alternative_is_its_least_common_word():
    (alternative,) = compile_phrase("ما يتنفس").alternatives
    assert alternative.terms[alternative.key] == ("يتنفس", False)
    (alternative,) = compile_phrase("بعد * شهور").alternatives
    assert alternative.terms[alternative.key] == ("شهور", False)
    assert compile_phrase("حريق*|fire") is compile_phrase("حريق*|fire")
