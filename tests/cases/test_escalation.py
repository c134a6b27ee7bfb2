"""The escalation ladder, the sweep, escalations by hand, acknowledgement, notifications."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django_q.models import OrmQ

from cases import services, tasks
from cases.exceptions import InvalidInput, InvalidTransition, NotPermitted
from cases.models import Case, CaseEvent, Escalation, Notification, Queue
from cases.notifications import render
from cases.selectors_sla import escalations_for_supervisor, notifications_for
from cases.sla_services import case_escalate, escalation_acknowledge, sla_sweep
from tests.cases.test_sla_services import make_policy, open_case_at, riyadh, state

LADDER = [
    {"trigger": "warning", "notify_assignee": True},
    {"trigger": "breach", "notify_assignee": True, "notify_supervisors": True},
    {
        "trigger": "breach_after",
        "minutes_after_breach": 30,
        "notify_supervisors": True,
        "raise_priority": True,
    },
]


def kinds(case: Case) -> list[str]:
    return list(case.events.values_list("kind", flat=True))


def escalations(case: Case) -> list[tuple]:
    return list(
        Escalation.objects.filter(case=case)
        .order_by("level")
        .values_list("target", "round", "level", "trigger")
    )


@pytest.fixture
def ladder_case(db, agent, supervisor):
    """Sunday 08:00, first response in 60 business minutes: warning 08:45, due 09:00."""
    levels = [dict(level) for level in LADDER]
    levels[2]["move_to_queue"] = Queue.objects.get(slug="escalations")
    make_policy(first=60, levels=levels)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    return services.case_assign(
        case=case, assignee=agent, actor=agent, now=riyadh(2025, 11, 16, 8, 1)
    )


def test_warning_then_breach_then_breach_plus_n_each_fire_once(ladder_case, agent, supervisor):
    case = ladder_case
    fired = {}
    for minute in ["8:40", "8:45", "8:46", "9:00", "9:01", "9:10", "9:29", "9:30", "10:00"]:
        hour, minute_ = map(int, minute.split(":"))
        now = riyadh(2025, 11, 16, hour, minute_)
        first = sla_sweep(now=now).as_dict()
        again = sla_sweep(now=now).as_dict()
        assert again["escalations"] == again["warnings"] == again["breaches"] == 0
        fired[minute] = (first["warnings"], first["breaches"], first["escalations"])
    assert fired == {
        "8:40": (0, 0, 0),
        "8:45": (1, 0, 1),
        "8:46": (0, 0, 0),
        "9:00": (0, 0, 0),  # due at 09:00 is not late at 09:00
        "9:01": (0, 1, 1),
        "9:10": (0, 0, 0),
        "9:29": (0, 0, 0),
        "9:30": (0, 0, 1),
        "10:00": (0, 0, 0),
    }
    assert escalations(case) == [
        ("first_response", 0, 1, "warning"),
        ("first_response", 0, 2, "breach"),
        ("first_response", 0, 3, "breach_after"),
    ]
    by_level = {e.level: e for e in Escalation.objects.filter(case=case)}
    assert by_level[1].triggered_at == riyadh(2025, 11, 16, 8, 45)
    assert by_level[2].triggered_at == riyadh(2025, 11, 16, 9, 0)
    assert by_level[3].triggered_at == riyadh(2025, 11, 16, 9, 30)
    assert by_level[1].actions == [f"notified_assignee:{agent.pk}"]
    assert "priority:P3>P2" in by_level[3].actions and "queue:escalations" in by_level[3].actions

    case.refresh_from_db()
    assert case.escalation_level == 3 and case.priority == "P2"
    assert case.queue.slug == "escalations" and case.assignee is None
    assert kinds(case).count("sla_warning") == 1 and kinds(case).count("sla_breached") == 1
    assert kinds(case).count("escalated") == 3
    raised = case.events.get(kind="priority_changed")
    assert raised.actor is None and raised.actor_kind == "system"
    assert raised.data["reason"] == "escalation:L3:first_response"
    # L1 to the assignee; L2 to the assignee and the supervisor; L3 to the supervisor.
    assert sorted(Notification.objects.values_list("user__username", "kind")) == [
        ("agent_amal", "sla_breached"),
        ("agent_amal", "sla_warning"),
        ("supervisor_sara", "sla_breached"),
        ("supervisor_sara", "sla_breached"),
    ]


def test_the_sweep_costs_one_indexed_query_when_nothing_is_due(
    ladder_case, django_assert_num_queries
):
    for n in range(5):
        open_case_at(riyadh(2025, 11, 16, 8, 0), f"92{n}", author_id=f"60{n}")
    with django_assert_num_queries(1) as captured:
        assert sla_sweep(now=riyadh(2025, 11, 16, 8, 30)).cases == 0
    assert "sla_check_at" in captured.captured_queries[0]["sql"]


def test_the_sweep_selects_only_cases_whose_check_instant_has_passed(db):
    make_policy(first=60)
    early = open_case_at(riyadh(2025, 11, 16, 8, 0), "9001", author_id="501")
    late = open_case_at(riyadh(2025, 11, 16, 10, 0), "9002", author_id="502")
    report = sla_sweep(now=riyadh(2025, 11, 16, 9, 30))
    assert report.cases == 1 and report.breaches == 1
    assert kinds(early).count("sla_breached") == 1 and "sla_warning" not in kinds(late)
    late.refresh_from_db()
    assert late.sla_check_at == riyadh(2025, 11, 16, 10, 45)


def test_a_slow_sweep_fires_every_level_that_passed_once_and_in_order(ladder_case):
    report = sla_sweep(now=riyadh(2025, 11, 17, 12, 0))
    assert report.escalations == 3 and report.warnings == 1 and report.breaches == 1
    assert [lvl for *_rest, lvl, _trigger in escalations(ladder_case)] == [1, 2, 3]


def test_next_response_rounds_escalate_again(db, agent):
    from tests.cases.test_sla_services import customer_writes, reply

    make_policy(first=60, next_=60, levels=[{"trigger": "breach", "notify_assignee": True}])
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    case = reply(case, agent, riyadh(2025, 11, 16, 8, 10), "7001")
    customer_writes(case, "9002", riyadh(2025, 11, 16, 9, 0))
    sla_sweep(now=riyadh(2025, 11, 16, 10, 30))
    case = reply(Case.objects.get(pk=case.pk), agent, riyadh(2025, 11, 16, 10, 40), "7002")
    customer_writes(case, "9003", riyadh(2025, 11, 16, 11, 0))
    sla_sweep(now=riyadh(2025, 11, 16, 12, 30))
    sla_sweep(now=riyadh(2025, 11, 16, 12, 31))
    assert escalations(case) == [
        ("next_response", 1, 1, "breach"),
        ("next_response", 2, 1, "breach"),
    ]


def test_p1_default_ladder_moves_the_case_to_the_escalations_queue(db):
    case = open_case_at(riyadh(2025, 11, 14, 3, 0))
    services.case_set_priority(
        case=case, priority="P1", actor=None, reason="rule:fire", now=riyadh(2025, 11, 14, 3, 1)
    )
    sla_sweep(now=riyadh(2025, 11, 14, 3, 31))
    case.refresh_from_db()
    assert [lvl for *_rest, lvl, _t in escalations(case)] == [1, 2, 3]
    assert case.queue.slug == "escalations" and case.priority == "P1"
    assert state(case, riyadh(2025, 11, 14, 3, 31)) == "breached"


def test_a_refused_action_is_recorded_and_the_rest_still_happens(db, agent, other_agent):
    make_policy(
        first=60,
        levels=[
            {
                "trigger": "breach",
                "reassign": True,
                "reassign_to": other_agent,  # not a member of the general queue
                "raise_priority": True,
            }
        ],
    )
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    report = sla_sweep(now=riyadh(2025, 11, 16, 9, 5))
    escalation = Escalation.objects.get(case=case)
    assert "reassign:refused:invalid_input" in escalation.actions
    assert "priority:P3>P2" in escalation.actions and report.errors == 0
    case.refresh_from_db()
    assert case.priority == "P2" and case.assignee is None


def test_a_level_fires_once_per_case_target_and_round_by_constraint(ladder_case):
    sla_sweep(now=riyadh(2025, 11, 16, 9, 1))
    with pytest.raises(IntegrityError):
        Escalation.objects.create(
            case=ladder_case,
            target="first_response",
            round=0,
            level=2,
            trigger="breach",
            triggered_at=riyadh(2025, 11, 16, 9, 0),
        )


def test_the_sweep_task_is_idempotent(ladder_case):
    import time_machine

    with time_machine.travel(riyadh(2025, 11, 16, 9, 1), tick=False):
        assert tasks.sla_sweep()["escalations"] == 2
        assert tasks.sla_sweep()["escalations"] == 0


# --- By hand, and acknowledged -------------------------------------------------------


def test_an_agent_escalates_by_hand_with_a_reason(db, agent, other_agent, supervisor):
    make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    with pytest.raises(InvalidInput):
        case_escalate(case=case, actor=agent, reason="  ")
    with pytest.raises(NotPermitted):
        case_escalate(case=case, actor=other_agent, reason="not my queue")
    escalation = case_escalate(
        case=case,
        actor=agent,
        reason="citizen threatens to go to the press",
        now=riyadh(2025, 11, 16, 8, 5),
    )
    assert (escalation.target, escalation.round, escalation.level) == ("manual", 1, 1)
    assert escalation.raised_by == agent and escalation.triggered_at == riyadh(2025, 11, 16, 8, 5)
    second = case_escalate(case=case, actor=agent, reason="again")
    assert (second.round, second.level) == (2, 2)
    case.refresh_from_db()
    assert case.escalation_level == 2
    event = case.events.filter(kind="escalated").first()
    assert event.actor == agent and event.data["reason"] == "citizen threatens to go to the press"
    note = Notification.objects.get(escalation=escalation)
    assert note.user == supervisor and note.kind == "escalated"
    services.case_resolve(case=case, actor=agent)
    with pytest.raises(InvalidTransition):
        case_escalate(case=case, actor=agent, reason="too late")


def test_supervisors_acknowledge_and_unacknowledged_stay_on_top(db, agent, supervisor):
    make_policy(first=60)
    cases = [
        open_case_at(riyadh(2025, 11, 16, 8, n), f"90{n}", author_id=f"50{n}") for n in range(3)
    ]
    made = [
        case_escalate(case=c, actor=agent, reason=f"r{n}", now=riyadh(2025, 11, 16, 9, n))
        for n, c in enumerate(cases)
    ]
    with pytest.raises(NotPermitted):
        escalation_acknowledge(escalation=made[2], actor=agent)
    done = escalation_acknowledge(
        escalation=made[2], actor=supervisor, now=riyadh(2025, 11, 16, 10)
    )
    assert done.acknowledged_by == supervisor and done.acknowledged_at == riyadh(2025, 11, 16, 10)
    again = escalation_acknowledge(escalation=made[2], actor=supervisor)
    assert again.acknowledged_at == riyadh(2025, 11, 16, 10)
    assert CaseEvent.objects.filter(kind="escalation_acknowledged").count() == 1
    assert Notification.objects.get(escalation=made[2]).read_at is not None
    order = list(escalations_for_supervisor(supervisor))
    assert order == [made[1], made[0], made[2]]
    assert list(escalations_for_supervisor(agent)) == []
    assert [n.escalation for n in notifications_for(supervisor, unread_only=True)] == [
        made[1],
        made[0],
    ]


# --- Notifications ----------------------------------------------------------------


def test_notifications_are_mailed_after_commit_in_the_readers_language(
    ladder_case, agent, supervisor, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent.email, agent.language = "amal@example.org", "en"
    agent.save()
    supervisor.email, supervisor.language = "sara@example.org", "ar"
    supervisor.save()
    before = OrmQ.objects.count()
    sla_sweep(now=riyadh(2025, 11, 16, 9, 1))
    queued = list(OrmQ.objects.all()[before:])
    assert [q.func() for q in queued] == ["cases.tasks.notifications_send_email"]
    ids = queued[0].args()[0]
    assert tasks.notifications_send_email(ids) == 3  # L1 (agent); L2 (agent, supervisor)
    assert tasks.notifications_send_email(ids) == 0
    by_address = {m.to[0]: m for m in mail.outbox}
    english, arabic = by_address["amal@example.org"], by_address["sara@example.org"]
    assert ladder_case.reference in english.subject and "SLA" in english.subject
    assert "تجاوز" in arabic.subject and ladder_case.reference in arabic.body
    assert "2025-11-16 09:00" in arabic.body  # the due time, in Riyadh time


def test_every_notification_renders_in_both_languages(db, agent, supervisor):
    make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    escalation = case_escalate(case=case, actor=agent, reason="سبب")
    for kind in Notification.Kind.values:
        note = Notification(
            user=supervisor,
            kind=kind,
            case=case,
            escalation=escalation,
            data={
                "reference": case.reference,
                "target": "resolution",
                "level": 2,
                "due": riyadh(2025, 11, 16, 9).isoformat(),
                "reason": "سبب",
            },
        )
        for language in ("ar", "en"):
            subject, body = render(note, language)
            assert case.reference in subject and body.strip()


# --- Two sweepers ------------------------------------------------------------------


# serialized_rollback: an earlier transactional test flushes the rows the data
# migrations made (queues, roles, calendars, policies); this brings them back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_fire_each_level_once(postgres_only):
    make_policy(first=60, resolution=120, levels=LADDER)
    for n in range(30):
        open_case_at(riyadh(2025, 11, 16, 8, 0), str(9400 + n), author_id=str(700 + n))
    now = riyadh(2025, 11, 16, 12, 0)
    barrier = threading.Barrier(4)
    reports, failures = [], []

    def sweep():
        try:
            barrier.wait()
            reports.append(sla_sweep(now=now, batch_size=4))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    # 30 cases x (first response, resolution) x 3 levels, each once.
    assert Escalation.objects.count() == 180 == sum(r.escalations for r in reports)
    assert sum(r.breaches for r in reports) == 60
    assert CaseEvent.objects.filter(kind="sla_breached").count() == 60
    assert CaseEvent.objects.filter(kind="escalated").count() == 180
    assert sla_sweep(now=now + timedelta(minutes=1)).escalations == 0
