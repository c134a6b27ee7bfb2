"""Routing rules: which queue, category, priority, tags and assignee a mention gets.

Pure: the caller turns ``RoutingRule`` rows into ``RuleSpec`` and a mention
with its customer into ``MentionFacts`` (the ages of the customer's earlier
cases included, so no clock is needed here); ``evaluate`` returns the final
``Decision`` and ``explain`` shows an administrator why each rule did or did
not match.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from cases.priority import PRIORITIES, rank, repeat_count, score
from cases.text import Phrase, TextIndex, compile_phrase, normalize_hashtag

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


@dataclass(frozen=True)
class _CompiledRule:
    keywords: tuple[Phrase, ...]
    exclude: tuple[Phrase, ...]
    hashtags: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _compile(rule: RuleSpec) -> _CompiledRule:
    # Rules change rarely and are evaluated for every mention: normalising
    # their phrases once per distinct rule keeps evaluation to lookups.
    return _CompiledRule(
        keywords=tuple(compile_phrase(keyword) for keyword in rule.keywords),
        exclude=tuple(compile_phrase(phrase) for phrase in rule.exclude),
        hashtags=tuple(filter(None, (normalize_hashtag(tag) for tag in rule.hashtags))),
    )


class _Mention:
    __slots__ = ("facts", "index", "account")

    def __init__(self, facts: MentionFacts) -> None:
        self.facts = facts
        self.index = TextIndex(facts.text)
        self.account = facts.account_handle.strip().lstrip("@").lower()


def _check(rule: RuleSpec, mention: _Mention) -> tuple[RuleMatch | None, tuple[str, ...]]:
    """Return the match (or None) and the codes of every condition that failed."""
    compiled = _compile(rule)
    facts, index = mention.facts, mention.index
    reasons: list[str] = []
    failures: list[str] = []

    for phrase in compiled.exclude:
        found = index.find(phrase)
        if found is not None:
            failures.append(f"excluded:{found}")
            break

    if compiled.keywords:
        found_keywords = [(phrase, index.find(phrase)) for phrase in compiled.keywords]
        hits = [found for _, found in found_keywords if found is not None]
        reasons.extend(f"keyword:{found}" for found in hits)
        if rule.match_mode == "all":
            missing = [phrase.source for phrase, found in found_keywords if found is None]
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


def _in_order(rules: Iterable[RuleSpec]) -> list[RuleSpec]:
    # sorted() is stable: rules with the same order keep the caller's order.
    return sorted(rules, key=lambda rule: rule.order)


def evaluate(
    rules: Sequence[RuleSpec],
    facts: MentionFacts,
    *,
    default_queue: str = "general",
    default_category: str = "other",
) -> Decision:
    """Apply ``rules`` in order to one mention and return the final decision.

    - Each matching rule applies its actions; the first to set the queue,
      the category or the assignee wins it; tags accumulate in order.
    - The highest ``priority_floor`` of the applied rules goes to
      ``priority.score`` with the category, which can only raise it.
    - A matching rule with ``stop`` ends the evaluation.
    """
    mention = _Mention(facts)
    queue: str | None = None
    category: str | None = None
    assignee: str | None = None
    routed_by: RuleSpec | None = None
    floor: str | None = None
    floor_rule: str | None = None
    tags: dict[str, None] = {}
    matched: list[RuleMatch] = []
    not_a_case_by: RuleSpec | None = None

    for rule in _in_order(rules):
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
    mention = _Mention(facts)
    stopped_by: str | None = None
    rows: list[tuple[RuleSpec, RuleMatch | None, str]] = []
    for rule in _in_order(rules):
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
