import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import priority
from cases.routing import Decision, MentionFacts, RuleSpec, evaluate, explain


def rule(name: str = "r", **fields) -> RuleSpec:
    return RuleSpec(name=name, **fields)


def facts(text: str = "", **fields) -> MentionFacts:
    return MentionFacts(text=text, **fields)


# ------------------------------------------------------------------ order, stop


def test_rules_apply_in_order_whatever_order_they_are_given_in():
    late = rule("late", order=20, keywords=("حريق",), queue="late", category="late")
    early = rule("early", order=10, keywords=("حريق",), queue="early", category="early")
    decision = evaluate([late, early], facts("حريق"))
    assert (decision.queue, decision.category) == ("early", "early")
    assert [m.rule.name for m in decision.matched] == ["early", "late"]


def test_rules_with_the_same_order_keep_the_given_order():
    first = rule("first", keywords=("x",), queue="q1")
    second = rule("second", keywords=("x",), queue="q2")
    assert evaluate([first, second], facts("x")).queue == "q1"
    assert evaluate([second, first], facts("x")).queue == "q2"


def test_a_tuple_of_rules_evaluates_like_a_list_and_a_new_tuple_is_seen():
    # The intake hands over the same cached tuple for every mention; the
    # evaluation keeps its preparation for that tuple, never for another.
    fire = rule("fire", order=1, keywords=("حريق*",), category="emergency", stop=True)
    thanks = rule("thanks", order=2, keywords=("شكرا",), category="praise")
    rules = (thanks, fire)
    for text in ("حريقة في البيت", "شكرا", "حريق شكرا", "nothing"):
        assert evaluate(rules, facts(text)) == evaluate(list(rules), facts(text))
        assert evaluate(rules, facts(text)) == evaluate(rules, facts(text))
    changed = (dataclasses.replace(thanks, order=0, stop=True), fire)
    assert evaluate(changed, facts("حريق شكرا")).category == "praise"
    assert evaluate(rules, facts("حريق شكرا")).category == "emergency"


def test_first_rule_that_sets_an_action_wins_it_and_tags_accumulate():
    rules = [
        rule("tags only", order=1, keywords=("x",), tags=("a", "b")),
        rule("queue", order=2, keywords=("x",), queue="complaints", tags=("b", "c")),
        rule("category", order=3, keywords=("x",), queue="ignored", category="complaint"),
        rule("assignee", order=4, keywords=("x",), assignee="noura", category="ignored"),
        rule("late assignee", order=5, keywords=("x",), assignee="ignored"),
    ]
    decision = evaluate(rules, facts("x"))
    assert decision.queue == "complaints"
    assert decision.category == "complaint"
    assert decision.assignee == "noura"
    assert decision.tags == ("a", "b", "c")
    assert decision.routed_by is not None and decision.routed_by.name == "queue"


def test_stop_ends_the_evaluation():
    rules = [
        rule("stopper", order=1, keywords=("x",), category="emergency", stop=True),
        rule("after", order=2, keywords=("x",), queue="never", tags=("never",)),
    ]
    decision = evaluate(rules, facts("x"))
    assert [m.rule.name for m in decision.matched] == ["stopper"]
    assert decision.queue == "general"
    assert decision.tags == ()


def test_a_rule_that_does_not_match_does_not_stop():
    rules = [
        rule("stopper", order=1, keywords=("y",), stop=True),
        rule("after", order=2, keywords=("x",), queue="reached"),
    ]
    assert evaluate(rules, facts("x")).queue == "reached"


def test_defaults_apply_when_nothing_matches():
    decision = evaluate(
        [rule(keywords=("y",), queue="q")],
        facts("x"),
        default_queue="inbox",
        default_category="unknown",
    )
    assert decision == Decision(
        queue="inbox",
        category="unknown",
        priority="P3",
        priority_reasons=("default",),
        tags=(),
        assignee=None,
        matched=(),
        routed_by=None,
    )


def test_a_rule_without_conditions_matches_everything():
    decision = evaluate([rule("catch-all", queue="general")], facts("anything"))
    assert decision.matched[0].reasons == ()
    assert decision.routed_by.name == "catch-all"


# ------------------------------------------------------------------ keywords


def test_any_mode_needs_one_keyword_and_reports_every_one_found():
    r = rule(keywords=("fire", "smoke", "flood"))
    decision = evaluate([r], facts("fire and smoke"))
    assert decision.matched[0].reasons == ("keyword:fire", "keyword:smoke")


def test_all_mode_needs_every_keyword():
    r = rule(match_mode="all", keywords=("ولدي|بنتي", "ضاع*|مفقود"))
    assert evaluate([r], facts("ولدي ضاع في المول")).matched
    assert not evaluate([r], facts("ولدي في المول")).matched
    [(_, match, status)] = explain([r], facts("ولدي في المول"))
    assert match is None and status == "no keyword:ضاع*|مفقود"


def test_prefix_keyword_matches_word_forms():
    r = rule(keywords=("حريق*",))
    assert evaluate([r], facts("حريقة في المطبخ")).matched
    assert not evaluate([r], facts("حرق في المطبخ")).matched


def test_keywords_match_through_arabic_proclitics_and_spelling_variants():
    r = rule(keywords=("إسعاف",))
    decision = evaluate([r], facts("@SadaMinistry وين الاسعااااف؟ بالإسعاف"))
    assert decision.matched[0].reasons == ("keyword:إسعاف",)


def test_exclusion_vetoes_the_rule_and_explain_says_which():
    r = rule("emergency", keywords=("حريق",), exclude=("الاسعار", "^عاجل"), category="emergency")
    assert evaluate([r], facts("حريق في العمارة")).category == "emergency"
    assert evaluate([r], facts("حريق الأسعار")).category == "other"
    [(_, match, status)] = explain([r], facts("عاجل: حريق في مستودع"))
    assert match is None and status == "excluded:^عاجل"


def test_organisation_handle_does_not_match_a_keyword():
    r = rule(keywords=("sadaministry",))
    assert not evaluate([r], facts("@SadaMinistry hello")).matched


def test_question_mark_keyword():
    r = rule(keywords=("?",), category="inquiry")
    assert evaluate([r], facts("متوفر في رمضان؟")).category == "inquiry"
    assert evaluate([r], facts("متوفر في رمضان")).category == "other"


# ------------------------------------------------------------------ other conditions


def test_hashtag_condition_matches_the_whole_tag_or_a_part():
    whole = rule("whole", hashtags=("#وزارة_الصحة",))
    part = rule("part", hashtags=("الصحة",))
    decision = evaluate([whole, part], facts("متى؟ #وزارة_الصحة"))
    assert [m.reasons for m in decision.matched] == [
        ("hashtag:وزاره_الصحه",),
        ("hashtag:الصحه",),
    ]
    [(_, match, status)] = explain([whole], facts("الصحة بدون وسم"))
    assert match is None and status == "no hashtag"


@pytest.mark.parametrize(
    ("language", "matches", "status"),
    [
        ("ar", True, "matched"),
        ("mixed", True, "matched"),
        ("en", False, "language:en"),
        ("", False, "language:unknown"),
    ],
)
def test_language_condition(language, matches, status):
    r = rule(languages=("ar", "mixed"))
    [(_, match, got)] = explain([r], facts("x", language=language))
    assert (match is not None, got) == (matches, status)


def test_account_condition_ignores_case_and_at_sign():
    r = rule(accounts=["@SadaMinistry"])
    assert r.accounts == ("sadaministry",)
    assert evaluate([r], facts("x", account_handle="SADAministry")).matched[0].reasons == (
        "account:sadaministry",
    )
    [(_, match, status)] = explain([r], facts("x", account_handle="other_org"))
    assert match is None and status == "account:other_org"


@pytest.mark.parametrize(
    ("followers", "status"),
    [
        (10_000, "matched"),
        (250_000, "matched"),
        (9_999, "followers<10000"),
        (None, "followers<10000"),
    ],
)
def test_min_followers_condition(followers, status):
    r = rule(min_followers=10_000)
    [(_, match, got)] = explain([r], facts("x", followers=followers))
    assert got == status
    if match:
        assert match.reasons == ("followers>=10000",)


@pytest.mark.parametrize(
    ("wanted", "actual", "status", "reasons"),
    [
        (True, True, "matched", ("verified",)),
        (True, False, "not_verified", None),
        (False, False, "matched", ("not_verified",)),
        (False, True, "verified", None),
    ],
)
def test_verified_condition(wanted, actual, status, reasons):
    [(_, match, got)] = explain([rule(verified=wanted)], facts("x", verified=actual))
    assert got == status
    assert (match.reasons if match else None) == reasons


def test_repeat_condition_counts_earlier_cases_inside_the_window():
    r = rule(repeat_cases=3, repeat_days=7)
    three_recent = facts("x", recent_case_ages_days=(0.5, 3, 6.9, 30))
    assert evaluate([r], three_recent).matched[0].reasons == ("repeat:3/7d",)
    [(_, match, status)] = explain([r], facts("x", recent_case_ages_days=(1, 8, 40)))
    assert match is None and status == "repeat:1/7d<3"


def test_every_failed_condition_is_explained():
    r = rule(keywords=("حريق",), languages=("en",), min_followers=100, verified=True)
    [(_, match, status)] = explain([r], facts("hello", language="ar", followers=5))
    assert match is None
    assert status == "no keyword, language:ar, followers<100, not_verified"


def test_explain_marks_rules_after_a_stopping_rule():
    rules = [
        rule("miss", order=1, keywords=("y",)),
        rule("stopper", order=2, keywords=("x",), stop=True),
        rule("would match", order=3, keywords=("x",)),
        rule("would not", order=4, keywords=("y",)),
    ]
    rows = explain(rules, facts("x"))
    assert [(r.name, m is not None, status) for r, m, status in rows] == [
        ("miss", False, "no keyword"),
        ("stopper", True, "matched"),
        ("would match", True, "skipped:stopped_by:stopper"),
        ("would not", False, "skipped:stopped_by:stopper"),
    ]


# ------------------------------------------------------------------ priority


def test_priority_floor_raises_and_names_the_rule():
    r = rule("VIP", keywords=("x",), priority_floor="P2")
    decision = evaluate([r], facts("x"))
    assert (decision.priority, decision.priority_reasons) == ("P2", ("rule:VIP",))


def test_the_highest_floor_of_the_applied_rules_counts():
    rules = [
        rule("low", order=1, keywords=("x",), priority_floor="P3"),
        rule("high", order=2, keywords=("x",), priority_floor="P1"),
        rule("lower", order=3, keywords=("x",), priority_floor="P4"),
    ]
    decision = evaluate(rules, facts("x"))
    assert (decision.priority, decision.priority_reasons) == ("P1", ("rule:high",))


def test_a_low_floor_never_lowers_the_priority():
    r = rule("low", keywords=("x",), category="complaint", priority_floor="P4")
    assert evaluate([r], facts("x")).priority == "P3"
    emergency = rule("fire", keywords=("x",), category="emergency", priority_floor="P4")
    assert evaluate([emergency], facts("x")).priority == "P1"


def test_praise_is_low_unless_a_rule_raises_it():
    praise = rule("praise", keywords=("شكرا",), category="praise")
    assert evaluate([praise], facts("شكرا")).priority == "P4"
    raised = dataclasses.replace(praise, priority_floor="P2")
    assert evaluate([raised], facts("شكرا")).priority == "P2"


@pytest.mark.parametrize(
    ("category", "fields", "expected"),
    [
        ("complaint", {}, ("P3", ("default",))),
        ("inquiry", {"followers": 100_000}, ("P2", ("followers",))),
        ("complaint", {"followers": 99_999}, ("P3", ("default",))),
        ("praise", {"followers": 5_000_000}, ("P4", ("praise",))),
        ("other", {"followers": 5_000_000}, ("P3", ("default",))),
        ("complaint", {"verified": True}, ("P2", ("verified",))),
        ("inquiry", {"verified": True}, ("P3", ("default",))),
        ("inquiry", {"recent_case_ages_days": (1, 2, 6.5)}, ("P2", ("repeat_contact",))),
        ("inquiry", {"recent_case_ages_days": (1, 2, 8)}, ("P3", ("default",))),
        ("emergency", {"followers": 1_000_000}, ("P1", ("emergency",))),
        (
            "complaint",
            {"followers": 200_000, "verified": True},
            ("P2", ("followers", "verified")),
        ),
    ],
)
def test_score(category, fields, expected):
    assert priority.score(None, facts("x", **fields), category) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("موعدي تأخر للأسف", ("P3", ("default",))),
        ("مهزلة، موعدي انلغى للمرة الثالثة", ("P2", ("negative_wording", "repeated_failure"))),
        ("this is ridiculous", ("P2", ("negative_wording",))),
        ("الصيدلي صرف لي دواء غلط", ("P2", ("patient_safety",))),
        ("سلك كهرباء مكشوف عند المدخل من أسبوع", ("P2", ("safety_risk",))),
        ("my appointment got cancelled, third time now", ("P2", ("repeated_failure",))),
    ],
)
def test_complaint_wording_raises_to_p2(text, expected):
    assert priority.score(None, facts(text), "complaint") == expected


def test_negative_wording_outside_a_complaint_does_not_count():
    assert priority.score(None, facts("this is ridiculous"), "inquiry") == ("P3", ("default",))


def test_score_rejects_an_unknown_floor():
    with pytest.raises(ValueError):
        priority.score("P0", facts("x"), "complaint")


priorities = st.sampled_from(priority.PRIORITIES)
categories = st.sampled_from(["emergency", "complaint", "inquiry", "praise", "other"])
mention_facts = st.builds(
    MentionFacts,
    text=st.sampled_from(["", "مهزلة", "دواء غلط", "ok"]),
    followers=st.none() | st.integers(0, 10**7),
    verified=st.booleans(),
    recent_case_ages_days=st.lists(st.floats(0, 60), max_size=5).map(tuple),
)


@given(priorities, mention_facts, categories)
def test_a_floor_never_lowers_the_priority(floor, mention, category):
    without, _ = priority.score(None, mention, category)
    with_floor, _ = priority.score(floor, mention, category)
    assert priority.rank(with_floor) <= priority.rank(without)
    assert priority.rank(with_floor) <= priority.rank(floor)


@given(priorities, priorities, mention_facts, categories)
def test_score_is_monotonic_in_the_floor(low, high, mention, category):
    if priority.rank(high) > priority.rank(low):
        low, high = high, low
    assert priority.rank(priority.score(high, mention, category)[0]) <= priority.rank(
        priority.score(low, mention, category)[0]
    )


@given(mention_facts, categories, st.integers(0, 10**7))
def test_more_followers_never_lower_the_priority(mention, category, extra):
    fewer = dataclasses.replace(mention, followers=mention.followers or 0)
    more = dataclasses.replace(fewer, followers=fewer.followers + extra)
    assert priority.rank(priority.score(None, more, category)[0]) <= priority.rank(
        priority.score(None, fewer, category)[0]
    )


# ------------------------------------------------------------------ RuleSpec


def test_rule_spec_takes_lists_from_json_fields_and_stays_hashable():
    r = RuleSpec(name="r", keywords=["a", "b"], tags=["t"], languages=["AR"])
    assert r.keywords == ("a", "b") and r.tags == ("t",) and r.languages == ("ar",)
    assert hash(r) == hash(RuleSpec(name="r", keywords=("a", "b"), tags=("t",), languages=("ar",)))


@pytest.mark.parametrize(
    "fields",
    [
        {"match_mode": "some"},
        {"priority_floor": "P5"},
        {"repeat_cases": 3},
        {"repeat_days": 7},
    ],
)
def test_rule_spec_rejects_invalid_values(fields):
    with pytest.raises(ValueError):
        RuleSpec(name="bad", **fields)


def test_changing_a_rule_changes_its_compiled_keywords():
    first = rule(keywords=("حريق",))
    changed = dataclasses.replace(first, keywords=("غرق",))
    assert evaluate([first], facts("حريق")).matched
    assert not evaluate([changed], facts("حريق")).matched
