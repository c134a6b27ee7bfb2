import threading

import pytest
from django.db import connection

from cases import services
from cases.exceptions import InvalidInput, InvalidTransition, NothingToTake, NotPermitted, StaleCase
from cases.models import Case, CaseEvent, Message, Queue
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet


def open_case(tweet_id="9001", **kw) -> Case:
    pages_ingest(parse_document(page(tweet(tweet_id, **kw))), account=None, source="replay")
    return Case.objects.get(messages__platform_id=tweet_id)


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


def test_agent_assigns_to_self_and_new_case_becomes_open(agent):
    case = open_case()
    case = services.case_assign(case=case, assignee=agent, actor=agent)
    assert case.assignee == agent and case.status == "open"
    event = case.events.get(kind="assigned")
    assert event.actor == agent and event.data == {"old": None, "new": agent.pk, "how": "manual"}


def test_agent_cannot_assign_to_someone_else(agent, agent2):
    with pytest.raises(NotPermitted):
        services.case_assign(case=open_case(), assignee=agent2, actor=agent)


def test_assignee_must_be_in_the_queue(supervisor, other_agent):
    with pytest.raises(InvalidInput):
        services.case_assign(case=open_case(), assignee=other_agent, actor=supervisor)


def test_stale_version_is_refused_and_nothing_changes(agent):
    case = open_case()
    stale = case.version
    services.case_add_tags(case=case, tags=["billing"], actor=agent)
    with pytest.raises(StaleCase):
        services.case_resolve(case=case, actor=agent, expected_version=stale)
    case.refresh_from_db()
    assert case.status == "new" and "status_changed" not in kinds(case)


def test_forbidden_transition_is_refused(agent):
    case = open_case()
    services.case_resolve(case=case, actor=agent)
    with pytest.raises(InvalidTransition):
        services.case_set_status(case=case, status="pending", actor=agent)


def test_only_a_supervisor_reopens_a_closed_case(agent, supervisor):
    case = services.case_set_status(case=open_case(), status="closed", actor=agent)
    with pytest.raises(NotPermitted):
        services.case_reopen(case=case, actor=agent)
    case = services.case_reopen(case=case, actor=supervisor)
    assert case.status == "open" and case.closed_at is None
    assert "reopened" in kinds(case)


def test_mark_not_a_case_needs_a_reason_and_keeps_the_case(agent):
    case = open_case()
    with pytest.raises(InvalidInput):
        services.case_mark_not_a_case(case=case, actor=agent, reason=" ")
    case = services.case_mark_not_a_case(case=case, actor=agent, reason="spam")
    assert case.status == "closed" and case.resolution == "not_a_case"
    assert case.events.get(kind="status_changed").data["reason"] == "spam"


def test_rules_only_raise_priority_and_p1_is_lowered_by_a_person(supervisor):
    case = open_case()
    case = services.case_set_priority(case=case, priority="P1", actor=None, reason="rule:fire")
    with pytest.raises(NotPermitted):
        services.case_set_priority(case=case, priority="P3", actor=None, reason="rule")
    case = services.case_set_priority(
        case=case, priority="P3", actor=supervisor, reason="a news headline"
    )
    event = case.events.filter(kind="priority_changed").last()
    assert (
        event.data == {"old": "P1", "new": "P3", "reason": "a news headline"}
        and event.actor == supervisor
    )


def test_reply_is_queued_with_its_task_and_delivery_sets_first_response(agent):
    from django_q.models import OrmQ

    case = open_case()
    message = services.case_reply(case=case, author=agent, text="نعتذر، تم رفع طلبك")
    assert message.delivery == "queued" and message.in_reply_to_id == "9001"
    assert OrmQ.objects.count() == 1
    case.refresh_from_db()
    assert case.first_responded_at is None
    services.reply_delivered(message_id=message.pk, platform_id="9999")
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert Message.objects.get(pk=message.pk).platform_id == "9999"


def test_reply_over_x_weighted_length_is_refused_before_queueing(agent):
    case = open_case()
    with pytest.raises(InvalidInput) as err:
        services.case_reply(case=case, author=agent, text="مرحبا " * 60)
    assert err.value.context["weighted_length"] > 280
    assert not case.messages.filter(direction="out").exists()


def test_failed_reply_shows_the_reason(agent):
    case = open_case()
    message = services.case_reply(case=case, author=agent, text="hello")
    services.reply_failed(message_id=message.pk, error="duplicate content")
    assert case.events.filter(kind="reply_failed", data__error="duplicate content").exists()


def test_merge_moves_messages_and_later_posts_follow(agent):
    first = open_case("9101")
    second = open_case("9102")
    target = services.case_merge(case=second, into=first, actor=agent)
    assert target == first and first.messages.count() == 2
    second.refresh_from_db()
    assert second.status == "closed" and second.merged_into == first
    pages_ingest(
        parse_document(page(tweet("9103", conversation_id="9102", replied_to="9102"))),
        account=None,
        source="replay",
    )
    assert first.messages.count() == 3


def test_take_next_takes_highest_priority_then_earliest(agent):
    low = open_case("9201")
    high = open_case("9202")
    Case.objects.filter(pk=high.pk).update(priority="P1")
    assert services.case_take_next(agent=agent) == high
    assert services.case_take_next(agent=agent) == low
    with pytest.raises(NothingToTake):
        services.case_take_next(agent=agent)


def test_take_next_ignores_other_queues(other_agent):
    open_case()
    with pytest.raises(NothingToTake):
        services.case_take_next(agent=other_agent)


@pytest.mark.django_db(transaction=True)
def test_agents_taking_at_once_never_get_the_same_case(postgres_only):
    from django.contrib.auth.models import Group

    from cases.models import User

    general = Queue.objects.get(slug="general")
    agents = []
    for i in range(6):
        user = User.objects.create_user(f"taker{i}")
        user.groups.add(Group.objects.get(name="Agents"))
        general.members.add(user)
        agents.append(user)
    for i in range(40):
        open_case(str(9300 + i), author_id=str(600 + i))
    taken: list[int] = []
    barrier = threading.Barrier(len(agents))

    def take(user):
        try:
            barrier.wait()
            while True:
                try:
                    taken.append(services.case_take_next(agent=user).pk)
                except NothingToTake:
                    return
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(taken) == sorted(Case.objects.values_list("pk", flat=True))
    assert CaseEvent.objects.filter(kind="assigned").count() == 40
