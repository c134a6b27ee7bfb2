"""Normalisation of Arabic and English text, and phrase matching on it.

Every comparison of words in Sada (routing keywords and exclusions, priority
wording, hashtag conditions, the admin's "try a text" tool) goes through
``normalize`` so that a rule author's spelling and a citizen's spelling meet
in one form. Pure: no Django, no database, no clock.

Matching is indexed: ``compile_phrase`` picks in each alternative the term
that best tells texts apart (its key), a ``PhraseSet`` indexes many phrases
by those keys, and ``TextIndex.scan`` looks the distinct words of one text
(and their prefixes) up in it once, so that ``find`` only tries the few
alternatives whose key occurs in the text. The result is the same as trying
every alternative: an alternative whose key is absent cannot occur.

Hand-written on purpose rather than taken from a library: pyarabic maps ى to
ا (so على and علا collide, and every ي-final word with it) and has not been
released since 2022; camel-tools is accurate but pulls in torch, far too much
for a few translation tables.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Bidi controls and zero-width characters: X clients insert them around
# mentions and numbers in right-to-left text, where they silently split or
# glue words. U+00AD (soft hyphen) and U+2060 (word joiner) hide the same way.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0xFEFF,
        0x061C,
        0x00AD,
        0x2060,
    ]
)
# Lone surrogates can reach us from badly decoded payloads; they cannot be
# encoded for the database or the screen, so they are dropped like invisibles.
_SURROGATES = re.compile("[\ud800-\udfff]")

# Applied after NFKD, which already splits أ إ آ ؤ ئ into a base letter plus a
# hamza or madda mark (dropped with the other marks); the composed forms are
# listed anyway so the table reads as the rule it is.
_LETTERS = {
    # alef variants
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    # ya / alef maqsura: dialect writers use them interchangeably at word end
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ێ": "ي",
    # ta marbuta and the heh shapes of Persian/Urdu keyboards
    "ة": "ه",
    "ۃ": "ه",
    "ە": "ه",
    "ھ": "ه",
    "ہ": "ه",
    "ۀ": "ه",
    # hamza seats. The bare hamza ء is kept: dropping it would make ماء
    # (water) the negation ما and شيء/سيء two-letter words that collide.
    "ؤ": "و",
    "ٶ": "و",
    "ئ": "ي",
    "ٸ": "ي",
    "ٴ": "",
    # Persian/Urdu letters typed on non-Arabic keyboards. گ is a kaf with an
    # extra stroke; the Gulf /g/ it writes comes from ق in some words and ك
    # in others, so no choice is right everywhere and ك is the visual one.
    "ک": "ك",
    "ڪ": "ك",
    "گ": "ك",
    "ڤ": "ف",
    "پ": "ب",
    "چ": "ج",
    "ژ": "ز",
    # tatweel only stretches a word on screen
    "ـ": "",
    # apostrophes vanish rather than split, so "can't" and "cant" meet
    "'": "",
    "’": "",
    "‘": "",
    "ʼ": "",
    "`": "",
}

_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+", re.IGNORECASE)
# X handles are ASCII; an @ glued to a word (an e-mail address) is no mention.
_MENTION = re.compile(r"(?<![\w@])@([a-z0-9_]{1,50})", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
# Three or more of one letter is elongation ("مرررحبا", "pleeease"); two is
# left alone because English spells with it ("too", "need") and so does
# Arabic ("ممكن", "اللي"). Digits never collapse: 1000 is not 10.
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")

# Values X puts in `lang` when it could not or would not tell: undetermined,
# media-only, hashtags-only, no linguistic content, short text, artificial.
UNKNOWN_PLATFORM_LANGS = frozenset(
    {"", "und", "qme", "qht", "zxx", "qst", "qam", "qct", "qno", "art"}
)
# Codes whose script is not Latin: a Latin-script text labelled with one of
# them is reported as "en" rather than trusted.
_NON_LATIN_LANGS = frozenset(
    {
        "ar", "fa", "ur", "ps", "ckb", "he", "iw", "yi", "ru", "uk", "bg", "sr", "mk",
        "el", "hy", "ka", "am", "hi", "bn", "ta", "te", "ml", "kn", "gu", "pa", "mr",
        "ne", "si", "th", "lo", "km", "my", "bo", "zh", "ja", "ko", "dv",
    }
)  # fmt: skip
# A text is "mixed" when the smaller of the two scripts holds at least this
# share of the letters and at least this many letters, so one brand name or
# hashtag in the other script does not flip the language.
MIXED_MIN_SHARE = 0.25
MIXED_MIN_LETTERS = 4


class _CharTable(dict):
    """A ``str.translate`` table that works out each character once, on first sight.

    Both passes of normalisation map every character on its own, so the answer
    for a code point never changes: memoising it turns a Python loop over the
    text into one C-level ``translate``. At most ``_CharTable.LIMIT`` code
    points are remembered; the rest are worked out each time.
    """

    LIMIT = 100_000

    def __init__(self, rule):
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> str:
        mapped = self._rule(chr(code))
        if len(self) < self.LIMIT:
            self[code] = mapped
        return mapped


def _drop_marks(ch: str) -> str:
    # Tashkeel, Quranic marks and Latin accents are all nonspacing marks.
    return "" if unicodedata.category(ch) in ("Mn", "Me") else ch


_MARKS = _CharTable(_drop_marks)


def _prepare(text: str) -> str:
    """Unescape entities, drop invisibles and marks, fold compatibility forms and case."""
    if "&" in text:
        text = html.unescape(text)
    text = _SURROGATES.sub("", text).translate(_INVISIBLE)
    # NFKD turns presentation forms (ﻻ, fullwidth ＠) into plain letters and
    # splits accents and hamza/madda off their base letter; casefold can
    # produce new decomposable sequences (İ), hence the second NFKD.
    text = unicodedata.normalize("NFKD", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    return text.translate(_MARKS)


def _strip_links(prepared: str) -> str:
    # The substring tests only skip the regular expressions where they could
    # not match (the text is casefolded already).
    if "http" in prepared or "www." in prepared or "pic.twitter.com/" in prepared:
        prepared = _URL.sub(" ", prepared)
    if "@" in prepared:
        prepared = _MENTION.sub(" ", prepared)
    return prepared


# Some character three times in a row (elongation, or digits): a cheap test that
# spares most texts `_ELONGATED`, whose letter class is slow to try at every position.
_TRIPLE = re.compile(r"([^ ])\1\1")


def _fold_char(ch: str) -> str:
    mapped = _LETTERS.get(ch)
    if mapped is not None:
        return mapped
    category = unicodedata.category(ch)
    if category == "Nd":
        # Arabic-Indic, Persian and every other decimal digit become ASCII.
        return str(unicodedata.decimal(ch))
    if category[0] == "L" or category in ("Mc", "Nl", "No"):
        return ch
    if category == "So":
        # Emoji stay as tokens of their own: 🙃 after a "thank you" is
        # what tells sarcasm from praise.
        return f" {ch} "
    # Punctuation (Arabic ، ؛ ؟ included), symbols, separators, the
    # underscore of a hashtag and control characters split words.
    return " "


_FOLDED = _CharTable(_fold_char)


def _fold(prepared: str) -> str:
    folded = prepared.translate(_FOLDED)
    if _TRIPLE.search(folded):
        folded = _ELONGATED.sub(r"\1", folded)
    return " ".join(unicodedata.normalize("NFC", folded).split())


def normalize(text: str) -> str:
    """Return ``text`` in the single form used for all matching.

    Mentions and URLs are removed (the organisation's own handle must never
    match a keyword); hashtags keep their words, split on ``_``.
    """
    return _fold(_strip_links(_prepare(text)))


def tokens(text: str) -> list[str]:
    """Normalised words of ``text``."""
    return normalize(text).split()


def mentions(text: str) -> list[str]:
    """Handles mentioned in ``text``, lowercase and without ``@``, in order."""
    found = _MENTION.findall(_URL.sub(" ", _prepare(text)))
    return list(dict.fromkeys(handle.lower() for handle in found))


def normalize_hashtag(tag: str) -> str:
    """A hashtag as ``hashtags`` reports it whole: normalised words joined by ``_``."""
    return "_".join(normalize(tag.lstrip("#＃")).split())


def hashtags(text: str) -> list[str]:
    """Normalised hashtags of ``text``: each one whole, then its ``_``-separated parts.

    ``#وزارة_الصحة`` gives ``["وزاره_الصحه", "وزاره", "الصحه"]``.
    """
    found: dict[str, None] = {}
    for match in _HASHTAG.finditer(_URL.sub(" ", _prepare(text))):
        words = normalize(match.group(1)).split()
        # X does not link an all-digit tag (#1), so neither do we.
        if not words or all(word.isdigit() for word in words):
            continue
        found.setdefault("_".join(words))
        if len(words) > 1:
            for word in words:
                found.setdefault(word)
    return list(found)


def _is_arabic(ch: str) -> bool:
    code = ord(ch)
    return 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return code < 0x0250 or 0x1E00 <= code <= 0x1EFF


def _script_of(ch: str) -> str:
    """The script of a letter: "a" Arabic, "l" Latin, "o" another; "" for a non-letter."""
    if not ch.isalpha():
        return ""
    if _is_arabic(ch):
        return "a"
    if _is_latin(ch):
        return "l"
    return "o"


_SCRIPTS = _CharTable(_script_of)


def detect_language(text: str, platform_lang: str | None, *, normalized: str | None = None) -> str:
    """Return "ar", "en", "mixed", another platform code, or "" when unknown.

    The script of the letters decides (mentions and URLs do not count); the
    platform's code is used only to name a Latin-script language other than
    English ("es") or a text in neither script. A caller that has normalised
    ``text`` already (``TextIndex.normalized``) passes it as ``normalized``.
    """
    code = (platform_lang or "").strip().lower()
    if code in UNKNOWN_PLATFORM_LANGS:
        code = ""
    # One C-level pass: each letter becomes the initial of its script.
    scripts = (normalize(text) if normalized is None else normalized).translate(_SCRIPTS)
    arabic, latin, other = scripts.count("a"), scripts.count("l"), scripts.count("o")
    letters = arabic + latin
    if letters == 0 or other > letters:
        return code if other else ""
    minority = min(arabic, latin)
    if minority >= MIXED_MIN_LETTERS and minority / letters >= MIXED_MIN_SHARE:
        return "mixed"
    if arabic > latin:
        return "ar"
    if code and code != "en" and code not in _NON_LATIN_LANGS:
        return code
    return "en"


# Arabic writes "and", "so", "with", "for", "like", the article and the Gulf
# "this" (هالتأخير) as prefixes of the next word (والحريق، بالإسعاف،
# للمستشفى). A keyword matches a token with or without them. Each stem keeps
# a minimum length so that a word is not cut into another word: بلد is not
# ب + لد, but وما is و + ما.
_PROCLITICS = (
    ("وبال", 2), ("وكال", 2), ("فبال", 2), ("وال", 2), ("فال", 2), ("بال", 2),
    ("كال", 2), ("ولل", 2), ("فلل", 2), ("لل", 2), ("ال", 2),
    ("وهال", 2), ("هال", 2),
    ("وب", 3), ("ول", 3), ("وك", 3), ("فب", 3), ("فل", 3),
    ("و", 2), ("ف", 2), ("ب", 3), ("ل", 3), ("ك", 3),
)  # fmt: skip


@functools.lru_cache(maxsize=65_536)
def _forms(token: str) -> tuple[str, ...]:
    if not token or not _is_arabic(token[0]):
        return (token,)
    forms = [token]
    for prefix, min_stem in _PROCLITICS:
        if token.startswith(prefix) and len(token) - len(prefix) >= min_stem:
            stem = token[len(prefix) :]
            if stem not in forms:
                forms.append(stem)
    return tuple(forms)


QUESTION_MARKS = frozenset("?؟⸮")

# Words too common to look an alternative up by: "ما يتنفس" is found through
# "يتنفس", not through every text that says "ما".
_COMMON_WORDS = frozenset(
    """ما مو مب لا لم لن في من على عن الى الي مع هو هي انا احنا نحن انت هذا هذي هذه ذا
    اللي الي و او يا كل ولا بس قد كان صار عند لي له لها لنا علي عليه
    a an the is are was were be been i im me my we us our you your he she it they
    his her its their in on at to of for from by with and or not no do does did
    this that these those have has had can will""".split()
)


@dataclass(frozen=True)
class PhraseAlternative:
    source: str
    terms: tuple[tuple[str, bool], ...]  # (normalised word, prefix match?)
    anchored: bool
    # The alternative is a lone "?": it matches a text that asks something.
    # Normalisation turns punctuation into spaces, so this is the only way a
    # rule can see the question mark of "متوفر في رمضان؟".
    question: bool = False
    # The term looked up first (see ``_key_term``): a text where it does not
    # occur cannot contain the alternative, so only the alternatives whose key
    # occurs in a text are ever tried on it.
    key: int = 0
    # One unanchored term: finding its key is finding the alternative.
    simple: bool = False
    # Its whole words, every one of which a text must contain.
    words: tuple[str, ...] = ()


def _key_term(terms: tuple[tuple[str, bool], ...]) -> int:
    """The term that best tells texts apart: a whole word before a prefix,
    an uncommon word before a common one, a longer word before a shorter."""
    best, best_rank = 0, None
    for index, (word, is_prefix) in enumerate(terms):
        if not word:
            continue
        rank = (not is_prefix, word not in _COMMON_WORDS, len(word))
        if best_rank is None or rank > best_rank:
            best, best_rank = index, rank
    return best


_phrase_ids = itertools.count(1)


@dataclass(frozen=True)
class Phrase:
    """A compiled keyword: one or more alternatives separated by ``|``.

    Each alternative is a word or a sequence of words, matched on whole
    normalised tokens; a word ending in ``*`` matches any token that starts
    with it and a lone ``*`` any one token; a leading ``^`` ties the
    alternative to the first word of the text (mentions and links do not
    count as words). An alternative that is only ``?`` matches a text
    containing a question mark (``?`` or ``؟``).
    """

    source: str
    alternatives: tuple[PhraseAlternative, ...]
    # Identity of the compiled phrase, for the candidates of a ``PhraseSet``.
    uid: int = field(default_factory=lambda: next(_phrase_ids), compare=False, repr=False)


@functools.lru_cache(maxsize=16_384)
def compile_phrase(source: str) -> Phrase:
    """Compile a keyword as a rule author writes it (see ``Phrase``).

    Compiled phrases are immutable and shared: the same source gives the
    same ``Phrase``, so a family of words used by several rules is looked up
    once per text.
    """
    alternatives = []
    for raw in source.split("|"):
        raw = raw.strip()
        if raw and all(ch in QUESTION_MARKS for ch in raw):
            alternatives.append(PhraseAlternative(raw, (), False, question=True))
            continue
        anchored = raw.startswith("^")
        terms: list[tuple[str, bool]] = []
        for piece in raw.lstrip("^").split():
            if piece == "*":
                # A lone star stands for any one word: "بعد * شهور".
                terms.append(("", True))
                continue
            words = normalize(piece.rstrip("*")).split()
            if not words:
                continue
            terms.extend((word, False) for word in words[:-1])
            terms.append((words[-1], piece.endswith("*")))
        if terms:
            key = _key_term(tuple(terms))
            alternatives.append(
                PhraseAlternative(
                    raw,
                    tuple(terms),
                    anchored,
                    key=key,
                    simple=len(terms) == 1 and not anchored and bool(terms[0][0]),
                    words=tuple(dict.fromkeys(word for word, is_prefix in terms if not is_prefix)),
                )
            )
    return Phrase(source, tuple(alternatives))


class PhraseSet:
    """Many phrases indexed by the key term of each alternative.

    ``TextIndex.scan`` looks the words of one text up in it once (each
    distinct token form whole, and its prefixes as long as some prefix key),
    which names the few alternatives of all the phrases that can occur in the
    text; ``TextIndex.find`` then tries only those. Without it every
    alternative of every phrase would be tried on every text.
    """

    __slots__ = (
        "phrases", "uids", "exact", "prefixed", "lengths", "always", "questions", "_hits",
    )  # fmt: skip
    # Token forms whose hits are remembered (words recur from text to text).
    HITS_LIMIT = 50_000

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        unique = {phrase.uid: phrase for phrase in phrases}
        self.phrases: dict[int, Phrase] = unique
        self.uids: frozenset[int] = frozenset(unique)
        exact: dict[str, list[tuple[int, int]]] = defaultdict(list)
        prefixed: dict[str, list[tuple[int, int]]] = defaultdict(list)
        always: list[tuple[int, int]] = []
        questions: list[tuple[int, int]] = []
        for uid, phrase in unique.items():
            for number, alternative in enumerate(phrase.alternatives):
                if alternative.question:
                    questions.append((uid, number))
                    continue
                word, is_prefix = alternative.terms[alternative.key]
                if not word:
                    always.append((uid, number))  # only lone stars: any text long enough
                elif is_prefix:
                    prefixed[word].append((uid, number))
                else:
                    exact[word].append((uid, number))
        self.exact = {word: tuple(found) for word, found in exact.items()}
        self.prefixed = {word: tuple(found) for word, found in prefixed.items()}
        self.lengths: tuple[int, ...] = tuple(sorted({len(word) for word in prefixed}))
        self.always = tuple(always)
        self.questions = tuple(questions)
        self._hits: dict[str, tuple[tuple[int, int], ...]] = {}

    def hits(self, form: str) -> tuple[tuple[int, int], ...]:
        """The alternatives keyed by ``form`` whole or by one of its prefixes."""
        found = self._hits.get(form)
        if found is None:
            found = self.exact.get(form, ())
            prefixed = self.prefixed
            size = len(form)
            for length in self.lengths:
                if length > size:
                    break
                more = prefixed.get(form[:length])
                if more:
                    found += more
            if len(self._hits) < self.HITS_LIMIT:
                self._hits[form] = found
        return found


class TextIndex:
    """One text, normalised once, ready for many ``find`` calls."""

    __slots__ = (
        "tokens", "asks", "_visible", "_hashtags", "_forms", "_positions", "_prefixed",
        "_scanned", "_candidates",
    )  # fmt: skip

    def __init__(self, text: str) -> None:
        self._visible = text
        visible = _strip_links(_prepare(text))
        self.tokens: tuple[str, ...] = tuple(_fold(visible).split())
        self._hashtags: frozenset[str] | None = None
        # Question marks inside links ("?utm_source=") were stripped with them.
        self.asks: bool = not QUESTION_MARKS.isdisjoint(visible)
        self._forms = tuple(_forms(token) for token in self.tokens)
        positions: dict[str, list[int]] = defaultdict(list)
        for index, forms in enumerate(self._forms):
            for form in forms:
                positions[form].append(index)
        self._positions = dict(positions)
        self._prefixed: dict[str, list[int]] = {}
        self._scanned: frozenset[int] = frozenset()
        # uid of a phrase -> numbers of its alternatives whose key occurs here
        self._candidates: dict[int, list[int]] = {}

    @property
    def normalized(self) -> str:
        """The text as ``normalize`` returns it (its tokens are its words)."""
        return " ".join(self.tokens)

    @property
    def source(self) -> str:
        """The text as given."""
        return self._visible

    @property
    def hashtags(self) -> frozenset[str]:
        if self._hashtags is None:
            self._hashtags = frozenset(hashtags(self._visible))
        return self._hashtags

    def scan(self, phrases: PhraseSet) -> None:
        """Note which alternatives of ``phrases`` can occur in this text."""
        if phrases.uids <= self._scanned:
            return
        candidates = self._candidates
        hits = phrases.hits
        found = [hits(form) for form in self._positions]
        found.append(phrases.always)
        if self.asks:
            found.append(phrases.questions)
        # An alternative has one key, but two forms of a text can share the
        # prefix it is keyed by; a phrase already scanned through another set
        # keeps its candidates.
        skip = self._scanned
        touched: set[int] = set()
        for entries in found:
            for uid, number in entries:
                if skip and uid in skip:
                    continue
                numbers = candidates.get(uid)
                if numbers is None:
                    candidates[uid] = [number]
                elif number not in numbers:
                    numbers.append(number)
                    touched.add(uid)
        for uid in touched:
            candidates[uid].sort()
        self._scanned = skip | phrases.uids

    def candidates(self) -> dict[int, list[int]]:
        """uid -> alternatives worth trying, for the phrases of the scanned sets."""
        return self._candidates

    def covers(self, phrases: PhraseSet) -> bool:
        return phrases.uids <= self._scanned

    def find(self, phrase: Phrase) -> str | None:
        """Return the source of the first alternative found in the text, else None."""
        alternatives = phrase.alternatives
        if phrase.uid in self._scanned:
            positions = self._positions
            for number in self._candidates.get(phrase.uid, ()):
                alternative = alternatives[number]
                if alternative.simple:
                    return alternative.source
                for word in alternative.words:
                    if word not in positions:
                        break
                else:
                    if self._contains(alternative):
                        return alternative.source
            return None
        for alternative in alternatives:
            if self._contains(alternative):
                return alternative.source
        return None

    def _contains(self, alternative: PhraseAlternative) -> bool:
        if alternative.question:
            return self.asks
        terms = alternative.terms
        last_start = len(self.tokens) - len(terms)
        if last_start < 0:
            return False
        key = alternative.key
        for position in self._occurrences(*terms[key]):
            start = position - key
            if start < 0 or (alternative.anchored and start > 0):
                continue
            if start > last_start:
                break
            if all(
                self._term_at(start + offset, word, is_prefix)
                for offset, (word, is_prefix) in enumerate(terms)
            ):
                return True
        return False

    def _occurrences(self, word: str, is_prefix: bool) -> Sequence[int]:
        """Positions where a term matches, in increasing order."""
        if not is_prefix:
            return self._positions.get(word, ())
        if not word:
            return range(len(self.tokens))
        found = self._prefixed.get(word)
        if found is None:
            found = [
                i for i, forms in enumerate(self._forms) if any(f.startswith(word) for f in forms)
            ]
            self._prefixed[word] = found
        return found

    def _term_at(self, index: int, word: str, is_prefix: bool) -> bool:
        if is_prefix:
            return any(form.startswith(word) for form in self._forms[index])
        return word in self._forms[index]
