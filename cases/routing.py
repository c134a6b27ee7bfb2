"""Routing rules: which queue, category, priority, tags and assignee a mention gets.

Pure: the caller turns ``RoutingRule`` rows into ``RuleSpec`` and a mention
with its customer into ``MentionFacts`` (the ages of the customer's earlier
cases included, so no clock is needed here); ``evaluate`` returns the final
``Decision`` and ``explain`` shows an administrator why each rule did or did
not match.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, fields

from cases.priority import PRIORITIES, WORDING_PHRASES, rank, repeat_count, score
from cases.text import Phrase, PhraseSet, TextIndex, compile_phrase, normalize_hashtag

MATCH_MODES = ("any", "all")
_TUPLE_FIELDS = ("keywords", "exclude", "hashtags", "languages", "accounts", "tags")


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    """One routing rule, as stored in a ``RoutingRule`` row.

    Conditions; every one that is set must hold, and a rule with none
    matches every mention:

    - ``keywords``: with ``match_mode`` "any" one of them, with "all" each of
      them must occur. A keyword is a word or a phrase of words matched on
      normalised tokens (``text.normalize``): ``word*`` matches tokens that
      start with ``word``, a lone ``*`` any one token, ``a|b`` is one keyword
      with alternatives, ``^phrase`` must open the text and ``?`` matches a
      text with a question mark. Arabic proclitics (و ف ب ل ك, the article
      and the Gulf هال) are tolerated, so ``حريق`` also finds والحريق and
      بحريق; write keywords without the article.
    - ``exclude``: phrases in the same syntax; any one vetoes the rule.
    - ``hashtags``: one of them, whole or one ``_``-separated part.
    - ``languages``: codes as ``text.detect_language`` returns them.
    - ``accounts``: organisation handles, lowercase, without ``@``.
    - ``min_followers``, ``verified``.
    - ``repeat_cases``/``repeat_days``: the customer had at least that many
      earlier cases in the last that many days (this mention not counted).

    Actions, applied in rule order by every matching rule: the first rule
    that sets ``queue``, ``category`` or ``assignee`` wins it; ``tags``
    accumulate; ``priority_floor`` only raises the priority; ``stop`` ends
    the evaluation.
    """

    id: int | None = None
    name: str
    order: int = 100
    match_mode: str = "any"
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    min_followers: int | None = None
    verified: bool | None = None
    repeat_cases: int | None = None
    repeat_days: int | None = None
    queue: str | None = None
    category: str | None = None
    priority_floor: str | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    stop: bool = False
    # "No action needed": the mention opens no case; it is kept with this rule as reason.
    not_a_case: bool = False

    def __post_init__(self) -> None:
        # Rows from JSON fields arrive as lists; tuples keep the spec hashable,
        # which the compile cache relies on.
        for name in _TUPLE_FIELDS:
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))
        object.__setattr__(
            self, "accounts", tuple(handle.strip().lstrip("@").lower() for handle in self.accounts)
        )
        object.__setattr__(self, "languages", tuple(code.lower() for code in self.languages))
        if self.match_mode not in MATCH_MODES:
            raise ValueError(f"match_mode must be one of {MATCH_MODES}, not {self.match_mode!r}")
        if self.priority_floor is not None and self.priority_floor not in PRIORITIES:
            raise ValueError(f"priority_floor must be one of {PRIORITIES}")
        if (self.repeat_cases is None) != (self.repeat_days is None):
            raise ValueError("repeat_cases and repeat_days are set together or not at all")

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, kw_only=True)
class MentionFacts:
    """What the rules may look at in one mention and its author."""

    text: str
    language: str = ""
    account_handle: str = ""
    followers: int | None = None
    verified: bool = False
    recent_case_ages_days: tuple[float, ...] = ()


@dataclass(frozen=True)
class RuleMatch:
    rule: RuleSpec
    # Machine codes: "keyword:حريق*", "hashtag:وزاره_الصحه", "language:ar",
    # "account:sadaministry", "followers>=10000", "verified", "repeat:3/7d".
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    queue: str
    category: str
    priority: str
    priority_reasons: tuple[str, ...]
    tags: tuple[str, ...]
    assignee: str | None
    matched: tuple[RuleMatch, ...]
    # The first matching rule that set the queue; None when the default applied.
    routed_by: RuleSpec | None
    # The rule that decided "no action needed", if any: no case is opened.
    not_a_case_by: RuleSpec | None = None


class _CompiledRule:
    """A rule's phrases compiled once; compared and hashed by identity."""

    __slots__ = (
        "keywords", "exclude", "hashtags", "keyword_places", "exclude_places", "keyword_uids",
    )  # fmt: skip

    def __init__(self, rule: RuleSpec) -> None:
        self.keywords: tuple[Phrase, ...] = tuple(compile_phrase(k) for k in rule.keywords)
        self.exclude: tuple[Phrase, ...] = tuple(compile_phrase(e) for e in rule.exclude)
        self.hashtags: tuple[str, ...] = tuple(
            filter(None, (normalize_hashtag(tag) for tag in rule.hashtags))
        )
        # uid of a phrase -> where it stands in the rule, to keep the rule's order
        keyword_places: dict[int, list[int]] = {}
        for place, phrase in enumerate(self.keywords):
            keyword_places.setdefault(phrase.uid, []).append(place)
        self.keyword_places = keyword_places
        self.keyword_uids = frozenset(keyword_places)
        exclude_places: dict[int, int] = {}
        for place, phrase in enumerate(self.exclude):
            exclude_places.setdefault(phrase.uid, place)
        self.exclude_places = exclude_places


@functools.lru_cache(maxsize=4096)
def _compile_spec(rule: RuleSpec) -> _CompiledRule:
    return _CompiledRule(rule)


def _compile(rule: RuleSpec) -> _CompiledRule:
    # Rules change rarely and are evaluated for every mention: normalising
    # their phrases once per distinct rule keeps evaluation to lookups. The
    # compiled form is kept on the (frozen) spec too, so that evaluating a
    # rule does not hash its thousands of keywords again for the cache.
    compiled = rule.__dict__.get("_compiled")
    if compiled is None:
        compiled = _compile_spec(rule)
        object.__setattr__(rule, "_compiled", compiled)
    return compiled


class _RuleSet:
    """Rules in evaluation order, with one index over all their phrases."""

    __slots__ = ("order", "phrases")

    def __init__(self, compiled: tuple[_CompiledRule, ...], orders: tuple[int, ...]) -> None:
        # sorted() is stable: rules with the same order keep the caller's order.
        self.order = tuple(sorted(range(len(orders)), key=orders.__getitem__))
        self.phrases = PhraseSet(
            [
                *(phrase for rule in compiled for phrase in (*rule.keywords, *rule.exclude)),
                *WORDING_PHRASES,
            ]
        )


@functools.lru_cache(maxsize=64)
def _rule_set(compiled: tuple[_CompiledRule, ...], orders: tuple[int, ...]) -> _RuleSet:
    return _RuleSet(compiled, orders)


# The last tuple of rules prepared: the intake passes the same cached tuple
# (``triage.rule_cache``) for every mention until the rules change. A tuple
# of frozen specs cannot change, and holding it keeps its id from being reused.
_last_prepared: tuple[tuple[RuleSpec, ...], list[RuleSpec], _RuleSet] | None = None


def _prepare(rules: Sequence[RuleSpec]) -> tuple[list[RuleSpec], _RuleSet]:
    """The rules in evaluation order and their index (both cached)."""
    global _last_prepared
    last = _last_prepared
    if last is not None and last[0] is rules:
        return last[1], last[2]
    given = list(rules)
    rule_set = _rule_set(tuple(_compile(r) for r in given), tuple(r.order for r in given))
    ordered = [given[i] for i in rule_set.order]
    if type(rules) is tuple:
        _last_prepared = (rules, ordered, rule_set)
    return ordered, rule_set


def _cannot_match(compiled: _CompiledRule, rule: RuleSpec, mention: _Mention) -> bool:
    """A shortcut of ``_check`` for evaluation: no keyword of the rule can occur."""
    if not (mention.scanned and compiled.keywords):
        return False
    candidates = mention.index.candidates()
    if rule.match_mode == "all":
        return not compiled.keyword_uids <= candidates.keys()
    return compiled.keyword_uids.isdisjoint(candidates)


class _Mention:
    __slots__ = ("facts", "index", "account", "scanned")

    def __init__(
        self, facts: MentionFacts, rule_set: _RuleSet | None = None, index: TextIndex | None = None
    ) -> None:
        self.facts = facts
        # A caller's index of the same text is reused (its scans are kept).
        self.index = (
            index if index is not None and index.source == facts.text else TextIndex(facts.text)
        )
        # Every phrase of the rule set is looked up in the text at once: then
        # only the phrases with a candidate alternative need trying.
        self.scanned = rule_set is not None
        if rule_set is not None:
            self.index.scan(rule_set.phrases)
        self.account = facts.account_handle.strip().lstrip("@").lower()


def _first_exclusion(compiled: _CompiledRule, index: TextIndex, scanned: bool) -> str | None:
    if not scanned:
        for phrase in compiled.exclude:
            found = index.find(phrase)
            if found is not None:
                return found
        return None
    places = compiled.exclude_places
    possible = places.keys() & index.candidates().keys()
    if not possible:
        return None
    exclude = compiled.exclude
    for place in sorted(places[uid] for uid in possible):
        found = index.find(exclude[place])
        if found is not None:
            return found
    return None


def _keywords_found(compiled: _CompiledRule, index: TextIndex, scanned: bool) -> list[str | None]:
    """What each keyword found, in the rule's order (None: not found)."""
    if not scanned:
        return [index.find(phrase) for phrase in compiled.keywords]
    found: list[str | None] = [None] * len(compiled.keywords)
    places = compiled.keyword_places
    for uid in places.keys() & index.candidates().keys():
        where = places[uid]
        source = index.find(compiled.keywords[where[0]])
        if source is not None:
            for place in where:
                found[place] = source
    return found


def _check(rule: RuleSpec, mention: _Mention) -> tuple[RuleMatch | None, tuple[str, ...]]:
    """Return the match (or None) and the codes of every condition that failed."""
    compiled = _compile(rule)
    facts, index, scanned = mention.facts, mention.index, mention.scanned
    reasons: list[str] = []
    failures: list[str] = []

    if compiled.exclude:
        found = _first_exclusion(compiled, index, scanned)
        if found is not None:
            failures.append(f"excluded:{found}")

    if compiled.keywords:
        found_keywords = _keywords_found(compiled, index, scanned)
        hits = [found for found in found_keywords if found is not None]
        reasons.extend(f"keyword:{found}" for found in hits)
        if rule.match_mode == "all":
            missing = [
                phrase.source
                for phrase, found in zip(compiled.keywords, found_keywords, strict=True)
                if found is None
            ]
            if missing:
                failures.append(f"no keyword:{missing[0]}")
        elif not hits:
            failures.append("no keyword")

    if compiled.hashtags:
        tag = next((tag for tag in compiled.hashtags if tag in index.hashtags), None)
        if tag is None:
            failures.append("no hashtag")
        else:
            reasons.append(f"hashtag:{tag}")

    if rule.languages:
        language = facts.language or "unknown"
        if facts.language in rule.languages:
            reasons.append(f"language:{language}")
        else:
            failures.append(f"language:{language}")

    if rule.accounts:
        account = mention.account or "unknown"
        if mention.account in rule.accounts:
            reasons.append(f"account:{account}")
        else:
            failures.append(f"account:{account}")

    if rule.min_followers is not None:
        if facts.followers is not None and facts.followers >= rule.min_followers:
            reasons.append(f"followers>={rule.min_followers}")
        else:
            failures.append(f"followers<{rule.min_followers}")

    if rule.verified is not None:
        code = "verified" if facts.verified else "not_verified"
        (reasons if facts.verified == rule.verified else failures).append(code)

    if rule.repeat_cases is not None and rule.repeat_days is not None:
        count = repeat_count(facts.recent_case_ages_days, rule.repeat_days)
        code = f"repeat:{count}/{rule.repeat_days}d"
        if count >= rule.repeat_cases:
            reasons.append(code)
        else:
            failures.append(f"{code}<{rule.repeat_cases}")

    if failures:
        return None, tuple(failures)
    return RuleMatch(rule=rule, reasons=tuple(reasons)), ()


def evaluate(
    rules: Sequence[RuleSpec],
    facts: MentionFacts,
    *,
    default_queue: str = "general",
    default_category: str = "other",
    index: TextIndex | None = None,
) -> Decision:
    """Apply ``rules`` in order to one mention and return the final decision.

    ``index``: the caller's ``TextIndex`` of ``facts.text``, if it built one
    (the text is then normalised once for language, rules and priority).

    - Each matching rule applies its actions; the first to set the queue,
      the category or the assignee wins it; tags accumulate in order.
    - The highest ``priority_floor`` of the applied rules goes to
      ``priority.score`` with the category, which can only raise it.
    - A matching rule with ``stop`` ends the evaluation.
    """
    ordered, rule_set = _prepare(rules)
    mention = _Mention(facts, rule_set, index)
    queue: str | None = None
    category: str | None = None
    assignee: str | None = None
    routed_by: RuleSpec | None = None
    floor: str | None = None
    floor_rule: str | None = None
    tags: dict[str, None] = {}
    matched: list[RuleMatch] = []
    not_a_case_by: RuleSpec | None = None

    for rule in ordered:
        if _cannot_match(_compile(rule), rule, mention):
            continue
        match, _ = _check(rule, mention)
        if match is None:
            continue
        matched.append(match)
        if rule.not_a_case:
            not_a_case_by = rule
            break
        if queue is None and rule.queue:
            queue, routed_by = rule.queue, rule
        if category is None and rule.category:
            category = rule.category
        if assignee is None and rule.assignee:
            assignee = rule.assignee
        tags.update(dict.fromkeys(rule.tags))
        if rule.priority_floor and (floor is None or rank(rule.priority_floor) < rank(floor)):
            floor, floor_rule = rule.priority_floor, rule.name
        if rule.stop:
            break

    category = category or default_category
    priority, priority_reasons = score(
        floor, facts, category, rule_name=floor_rule, index=mention.index
    )
    return Decision(
        queue=queue or default_queue,
        category=category,
        priority=priority,
        priority_reasons=priority_reasons,
        tags=tuple(tags),
        assignee=assignee,
        matched=tuple(matched),
        routed_by=routed_by,
        not_a_case_by=not_a_case_by,
    )


def explain(
    rules: Sequence[RuleSpec], facts: MentionFacts
) -> list[tuple[RuleSpec, RuleMatch | None, str]]:
    """For the admin's "try a text" tool: every rule, its match, and a status.

    The status is "matched" for a rule ``evaluate`` would apply, the failed
    condition codes ("excluded:عاجل", "no keyword", "language:en") for one
    that does not match, and "skipped:stopped_by:<name>" for rules after a
    stopping rule (their match, if any, is still shown).
    """
    ordered, rule_set = _prepare(rules)
    mention = _Mention(facts, rule_set)
    stopped_by: str | None = None
    rows: list[tuple[RuleSpec, RuleMatch | None, str]] = []
    for rule in ordered:
        match, failures = _check(rule, mention)
        if stopped_by is not None:
            status = f"skipped:stopped_by:{stopped_by}"
        elif match is not None:
            status = "matched"
            if rule.stop:
                stopped_by = rule.name
        else:
            status = ", ".join(failures)
        rows.append((rule, match, status))
    return rows
