"""Every write to a case. Views, admin actions, API views and tasks call these.

Each function is one transaction: a conditional update of the case, its
`CaseEvent`, and any follow-up work queued on commit.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from . import events, sla_services, webhooks
from .exceptions import (
    CaseError,
    InvalidInput,
    InvalidTransition,
    NothingToTake,
    NotPermitted,
    StaleCase,
)

# The intake (a page of mentions at a time) lives beside this module; its home stays here.
from .intake import (  # noqa: F401
    IntakeResult,
    intake,
    intake_failure_case,
    intake_many,
    not_a_case_reason,
)
from .models import Case, CaseEvent, Incident, Message, Queue, User

logger = logging.getLogger(__name__)


# --- Transitions -------------------------------------------------------------------

S = Case.Status
# Which status may follow which. Reopening a closed case is a supervisor's call.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING, S.RESOLVED, S.CLOSED}),
    S.OPEN: frozenset({S.PENDING, S.RESOLVED, S.CLOSED}),
    S.PENDING: frozenset({S.OPEN, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset({S.OPEN}),
}


def _locked(case: Case, expected_version: int | None) -> Case:
    """Re-read and lock the case; refuse when the caller's copy is stale."""
    fresh = Case.objects.select_for_update().select_related("queue").get(pk=case.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleCase(
            "The case changed since you loaded it.",
            reference=fresh.reference,
            version=fresh.version,
            status=fresh.status,
        )
    return fresh


def _update(case: Case, now: datetime, **changes) -> Case:
    """Conditional update on the version read under lock; 0 rows means a lost race."""
    rows = Case.objects.filter(pk=case.pk, version=case.version).update(
        **changes, updated_at=now, version=F("version") + 1
    )
    if not rows:
        raise StaleCase("The case changed while it was being updated.", reference=case.reference)
    case.refresh_from_db()
    return case


def _check_transition(case: Case, new_status: str) -> None:
    if new_status not in ALLOWED_TRANSITIONS[case.status]:
        raise InvalidTransition(
            f"A {case.status} case cannot become {new_status}.",
            reference=case.reference,
            status=case.status,
            requested=new_status,
        )


def _actor_kind(actor: User | None, actor_kind: str) -> str:
    return actor_kind or ("user" if actor else "system")


@transaction.atomic
def case_set_status(
    *,
    case: Case,
    status: str,
    actor: User | None,
    expected_version: int | None = None,
    actor_kind: str = "",
    resolution: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """Move a case to another status.

    - Only the moves in ALLOWED_TRANSITIONS; anything else is InvalidTransition.
    - Reopening a closed case needs a supervisor.
    - Resolving stamps resolved_at; closing stamps closed_at; reopening clears both.
    - `pending` (waiting on the customer) pauses the resolution clock.
    """
    now = now or timezone.now()
    case = _locked(case, expected_version)
    _check_transition(case, status)
    if case.status == S.CLOSED and not (actor and actor.is_supervisor):
        raise NotPermitted("Only a supervisor can reopen a closed case.", reference=case.reference)
    old = case.status
    changes: dict = {"status": status}
    if status == S.RESOLVED:
        changes.update(resolved_at=now, resolution=resolution or "answered")
    elif status == S.CLOSED:
        changes.update(closed_at=now, resolution=resolution or case.resolution or "closed")
        if not case.resolved_at:
            changes["resolved_at"] = now
    elif status == S.OPEN and old in (S.RESOLVED, S.CLOSED):
        changes.update(resolved_at=None, closed_at=None, resolution="")
    case = _update(case, now, **changes)
    sla_services.sla_status_changed(case=case, old_status=old, now=now)
    kind = _actor_kind(actor, actor_kind)
    if status == S.RESOLVED:
        webhooks.emit("case.resolved", case, now=now)
    if status == S.OPEN and old in (S.RESOLVED, S.CLOSED):
        events.reopened(case, previous_status=old, actor=actor)
    else:
        events.status_changed(
            case,
            old=old,
            new=status,
            actor=actor,
            actor_kind=kind,
            resolution=resolution,
            reason=reason,
        )
    if status == S.RESOLVED:
        # Where the queue (or the site) says so, the customer also gets a rating link.
        from .public_services import rating_on_resolve

        case = rating_on_resolve(case=case, actor=actor, now=now)
    return case


def case_resolve(
    *, case: Case, actor: User | None, expected_version: int | None = None, **kw
) -> Case:
    return case_set_status(
        case=case, status=S.RESOLVED, actor=actor, expected_version=expected_version, **kw
    )


def case_reopen(
    *, case: Case, actor: User | None, expected_version: int | None = None, **kw
) -> Case:
    return case_set_status(
        case=case, status=S.OPEN, actor=actor, expected_version=expected_version, **kw
    )


@transaction.atomic
def case_mark_not_a_case(
    *,
    case: Case,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
    actor_kind: str = "",
) -> Case:
    """Close a case that needs no action (spam, noise, a plain thanks), with why.

    - A reason is required; the case stays searchable and counted, never deleted.
    """
    if not reason.strip():
        raise InvalidInput("A reason is required to mark a case as not a case.")
    return case_set_status(
        case=case,
        status=S.CLOSED,
        actor=actor,
        expected_version=expected_version,
        actor_kind=actor_kind,
        resolution="not_a_case",
        reason=reason.strip()[:500],
    )


# --- Assignment ---------------------------------------------------------------------


@transaction.atomic
def case_assign(
    *,
    case: Case,
    assignee: User | None,
    actor: User | None,
    expected_version: int | None = None,
    actor_kind: str = "",
    how: str = "manual",
    now: datetime | None = None,
) -> Case:
    """Give a case to an agent (or to nobody).

    - The assignee must be an active member of the case's queue, or a supervisor.
    - An agent may assign only to themselves; supervisors assign to anyone eligible.
    - A new case being assigned becomes open.
    """
    now = now or timezone.now()
    case = _locked(case, expected_version)
    if not case.is_open:
        raise InvalidTransition("Only an open case can be assigned.", reference=case.reference)
    if actor is not None and not actor.is_supervisor and assignee != actor:
        raise NotPermitted("Agents can only assign cases to themselves.")
    if assignee is not None:
        if not assignee.is_active:
            raise InvalidInput("That user is not active.")
        if not (assignee.is_supervisor or case.queue.members.filter(pk=assignee.pk).exists()):
            raise InvalidInput(f"{assignee} is not a member of the queue {case.queue.slug}.")
    old = case.assignee_id
    if old == (assignee.pk if assignee else None):
        return case
    changes = {"assignee": assignee}
    if case.status == S.NEW and assignee is not None:
        changes["status"] = S.OPEN
    case = _update(case, now, **changes)
    events.assigned(
        case,
        old_assignee_id=old,
        new_assignee_id=assignee.pk if assignee else None,
        actor=actor,
        actor_kind=_actor_kind(actor, actor_kind),
        how=how,
    )
    webhooks.emit("case.assigned", case, now=now)
    return case


# The pick and the claim in one statement. Each of the agent's queues offers its most
# urgent unassigned case (one ordered scan of the case_take_next partial index per
# queue, skipping rows other agents hold), the best of those is updated and returned.
# An agent of several queues briefly locks one candidate per queue; the others are
# released at commit, so another agent at worst takes its second best.
_TAKE_NEXT_SQL = """
UPDATE {case} SET
    assignee_id = %(agent)s,
    status = CASE WHEN status = 'new' THEN 'open' ELSE status END,
    updated_at = %(now)s,
    version = version + 1
WHERE id = (
    SELECT pick.id
    FROM {members} AS member
    CROSS JOIN LATERAL (
        SELECT id, priority, first_response_due, created_at
        FROM {case}
        WHERE queue_id = member.queue_id
          AND status IN ('new', 'open', 'pending')
          AND assignee_id IS NULL
          AND merged_into_id IS NULL
        ORDER BY priority, first_response_due ASC NULLS LAST, created_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    ) AS pick
    WHERE member.user_id = %(agent)s
    ORDER BY pick.priority, pick.first_response_due ASC NULLS LAST, pick.created_at, pick.id
    LIMIT 1
)
RETURNING *
"""

# The claim and its `assigned` event (the row events.assigned would write) in one
# statement: a take is one round trip + COMMIT, not two ORM statements.
_TAKE_NEXT_WITH_EVENT_SQL = """
WITH taken AS ({claim}),
event AS (
    INSERT INTO {event} (case_id, actor_id, actor_kind, kind, data, created_at)
    SELECT id, %(agent)s, 'user', 'assigned', %(data)s::jsonb, %(at)s FROM taken
    RETURNING case_id
)
SELECT taken.* FROM taken JOIN event ON event.case_id = taken.id
"""


def _take_next_claim_with_event(agent: User, now: datetime) -> Case | None:
    """PostgreSQL: claim the case and write its `assigned` event in one statement."""
    claim = _TAKE_NEXT_SQL.format(
        case=Case._meta.db_table, members=Queue.members.through._meta.db_table
    ).strip()
    sql = _TAKE_NEXT_WITH_EVENT_SQL.format(claim=claim, event=CaseEvent._meta.db_table)
    # The same data as events.assigned(..., how="take_next"), stamped the same way.
    data = json.dumps({"old": None, "new": agent.pk, "how": "take_next"})
    params = {"agent": agent.pk, "now": now, "data": data, "at": timezone.now()}
    taken = list(Case.objects.raw(sql, params))
    return taken[0] if taken else None


def _take_next_claim(agent: User, now: datetime) -> Case | None:
    # SQLite (the quickstart) has one writer at a time: pick, then a conditional update.
    case = (
        Case.objects.filter(
            status__in=Case.OPEN_STATUSES,
            assignee__isnull=True,
            queue__in=agent.queues.all(),
            merged_into__isnull=True,
        )
        .order_by("priority", F("first_response_due").asc(nulls_last=True), "created_at", "id")
        .first()
    )
    if case is None:
        return None
    return _update(
        case, now, assignee=agent, status=S.OPEN if case.status == S.NEW else case.status
    )


@transaction.atomic
def case_take_next(*, agent: User, now: datetime | None = None) -> Case:
    """The agent takes the most urgent unassigned open case of their queues.

    - Highest priority first, then earliest due, then oldest.
    - Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED: two agents taking
      at once never get the same case, and neither waits for the other.
    - On PostgreSQL one statement per take: the claiming UPDATE ... RETURNING and
      the `assigned` event in one CTE; webhooks are queued for after commit.
    """
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        case = _take_next_claim_with_event(agent, now)
        if case is None:
            raise NothingToTake("No unassigned case is waiting in your queues.")
    else:
        case = _take_next_claim(agent, now)
        if case is None:
            raise NothingToTake("No unassigned case is waiting in your queues.")
        events.assigned(
            case, old_assignee_id=None, new_assignee_id=agent.pk, actor=agent, how="take_next"
        )
    webhooks.emit("case.assigned", case, now=now)
    return case


def available_agents(queue: Queue) -> list[User]:
    """Members of the queue who are available and under their capacity, least loaded first."""
    from django.db.models import Count, Q

    agents = (
        queue.members.filter(is_active=True, is_available=True)
        .annotate(
            load=Count("assigned_cases", filter=Q(assigned_cases__status__in=Case.OPEN_STATUSES))
        )
        .order_by("load", "id")
    )
    return [agent for agent in agents if agent.load < agent.capacity]


def user_set_availability(*, user: User, available: bool) -> User:
    """An agent marks themselves available or away; away agents get no automatic cases."""
    if user.is_available != available:
        user.is_available = available
        user.save(update_fields=["is_available"])
        logger.info("user %s is now %s", user.pk, "available" if available else "away")
    return user


@transaction.atomic
def case_auto_assign(*, case: Case, now: datetime | None = None) -> Case:
    """Give a new case to an agent by the queue's assignment mode.

    - Round-robin: the next available member after the last one served.
    - Least loaded: the available member with the fewest open cases.
    - Nobody available or under capacity: the case waits unassigned.
    """
    now = now or timezone.now()
    queue = Queue.objects.select_for_update().get(pk=case.queue_id)
    agents = available_agents(queue)
    if not agents:
        return case
    if queue.assignment_mode == Queue.AssignmentMode.ROUND_ROBIN:
        ordered = sorted(agents, key=lambda a: a.pk)
        after = [
            a
            for a in ordered
            if queue.last_assigned_id is not None and a.pk > queue.last_assigned_id
        ]
        chosen = (after or ordered)[0]
    else:
        chosen = agents[0]
    Queue.objects.filter(pk=queue.pk).update(last_assigned=chosen)
    return case_assign(
        case=case,
        assignee=chosen,
        actor=None,
        actor_kind="rule",
        how=queue.assignment_mode,
        now=now,
    )


def incident_reply(
    *, incident: Incident, author: User, text: str
) -> tuple[list[Message], dict[str, str]]:
    """Answer every open case of an incident at once; each customer gets their own reply.

    - The text may use {customer_name}, {customer_handle} and {reference}; X
      refuses identical text twice, so a text without {reference} gets it appended.
    - Each case is answered through `case_reply` in its own transaction: a case
      that refuses (closed meanwhile, no post to answer) is reported, the others go.
    Returns the queued messages and, per refused reference, why.
    """
    if "{reference}" not in text:
        text = text.rstrip() + " ({reference})"
    sent, refused = [], {}
    cases = (
        incident.cases.filter(status__in=Case.OPEN_STATUSES)
        .select_related("customer")
        .order_by("id")
    )
    for case in cases:
        customer = case.customer
        personal = (
            text.replace("{customer_name}", (customer.name if customer else "") or "")
            .replace(
                "{customer_handle}", f"@{customer.handle}" if customer and customer.handle else ""
            )
            .replace("{reference}", case.reference)
        )
        try:
            sent.append(case_reply(case=case, author=author, text=personal))
        except CaseError as exc:
            refused[case.reference] = exc.message
    return sent, refused


# --- Priority, queue, tags --------------------------------------------------------


@transaction.atomic
def case_set_priority(
    *,
    case: Case,
    priority: str,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
    actor_kind: str = "",
    now: datetime | None = None,
) -> Case:
    """Change the priority, with a reason.

    - A person must give a reason; it is kept in the event log.
    - Automatic changes (actor None) only ever raise priority.
    - Lowering a P1 (possible emergency) takes a person.
    """
    now = now or timezone.now()
    if priority not in Case.Priority.values:
        raise InvalidInput(f"Unknown priority {priority!r}.")
    if not reason.strip():
        raise InvalidInput("A reason is required to change the priority.")
    case = _locked(case, expected_version)
    old = case.priority
    if old == priority:
        return case
    lowering = priority > old  # "P4" > "P1"
    if lowering and actor is None:
        raise NotPermitted("Automatic rules only raise priority.")
    reasons = [*case.priority_reasons, f"manual:{actor.pk}" if actor else reason]
    case = _update(case, now, priority=priority, priority_reasons=reasons)
    sla_services.sla_policy_reselect(case=case, now=now)
    events.record(
        case,
        "priority_changed",
        actor=actor,
        actor_kind=_actor_kind(actor, actor_kind),
        old=old,
        new=priority,
        reason=reason.strip()[:500],
    )
    return case


@transaction.atomic
def case_change_queue(
    *,
    case: Case,
    queue: Queue,
    actor: User | None,
    expected_version: int | None = None,
    actor_kind: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """Move a case to another queue; an assignee who is not a member of it is unassigned."""
    now = now or timezone.now()
    case = _locked(case, expected_version)
    if case.queue_id == queue.pk:
        return case
    old = case.queue.slug
    changes: dict = {"queue": queue}
    if case.assignee_id and not (
        case.assignee.is_supervisor or queue.members.filter(pk=case.assignee_id).exists()
    ):
        changes["assignee"] = None
    case = _update(case, now, **changes)
    sla_services.sla_policy_reselect(case=case, now=now)
    events.record(
        case,
        "queue_changed",
        actor=actor,
        actor_kind=_actor_kind(actor, actor_kind),
        old=old,
        new=queue.slug,
        unassigned=("assignee" in changes),
        reason=reason[:500],
    )
    return case


@transaction.atomic
def case_add_tags(
    *,
    case: Case,
    tags: list[str],
    actor: User | None,
    expected_version: int | None = None,
    actor_kind: str = "",
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    cleaned = [t.strip().lstrip("#")[:50] for t in tags if t and t.strip().lstrip("#")]
    case = _locked(case, expected_version)
    added = [t for t in dict.fromkeys(cleaned) if t not in case.tags]
    if not added:
        return case
    case = _update(case, now, tags=[*case.tags, *added])
    events.record(
        case, "tagged", actor=actor, actor_kind=_actor_kind(actor, actor_kind), added=added
    )
    return case


# --- Replies and notes -----------------------------------------------------------


@transaction.atomic
def case_reply(
    *,
    case: Case,
    author: User | None,
    text: str,
    expected_version: int | None = None,
    actor_kind: str = "",
    now: datetime | None = None,
) -> Message:
    """Answer the customer publicly, as the institution.

    - Refused on a closed case, on a case without a customer post to answer,
      and when X would refuse the text (empty, or over its weighted length).
    - The outbound message is stored with a queued delivery; the delivery task
      is queued in the same transaction (ORM broker) or on commit, so a
      rolled-back reply leaves no task behind.
    - A new case being answered becomes open.
    """
    from .replies import check_reply_text

    now = now or timezone.now()
    text = check_reply_text(text)
    case = _locked(case, expected_version)
    if case.status == S.CLOSED:
        raise InvalidTransition("A closed case cannot be answered.", reference=case.reference)
    target = (
        case.messages.filter(direction=Message.Direction.INBOUND)
        .exclude(platform_id="")
        .order_by("-created_at", "-id")
        .first()
    )
    if target is None:
        raise InvalidInput("This case has no customer post to reply to.")
    message = Message.objects.create(
        case=case,
        direction=Message.Direction.OUTBOUND,
        channel=case.channel,
        author=author,
        text=text,
        in_reply_to_id=target.platform_id,
        conversation_id=target.conversation_id,
        created_at=now,
        received_at=now,
        delivery=Message.Delivery.QUEUED,
    )
    changes = {}
    if case.status == S.NEW:
        changes["status"] = S.OPEN
    _update(case, now, **changes)
    events.record(
        case,
        "reply_queued",
        actor=author,
        actor_kind=_actor_kind(author, actor_kind),
        message_id=message.pk,
        in_reply_to=target.platform_id,
    )
    enqueue_on_commit("social_ingest.tasks.deliver_reply", message.pk)
    return message


@transaction.atomic
def case_add_note(
    *,
    case: Case,
    author: User,
    text: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Message:
    """An internal note: never leaves Sada."""
    now = now or timezone.now()
    if not text.strip():
        raise InvalidInput("A note cannot be empty.")
    case = _locked(case, expected_version)
    message = Message.objects.create(
        case=case,
        direction=Message.Direction.NOTE,
        channel=case.channel,
        author=author,
        text=text[:10_000],
        created_at=now,
        received_at=now,
    )
    _update(case, now)
    events.record(case, "note_added", actor=author, message_id=message.pk)
    return message


@transaction.atomic
def reply_delivered(*, message_id: int, platform_id: str, at: datetime | None = None) -> Message:
    """The platform accepted our reply: record its id; the first one is the first response."""
    at = at or timezone.now()
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.delivery == Message.Delivery.SENT:
        return message
    message.delivery = Message.Delivery.SENT
    message.platform_id = platform_id
    message.edit_root_id = platform_id
    message.delivered_at = at
    message.delivery_error = ""
    message.save(
        update_fields=["delivery", "platform_id", "edit_root_id", "delivered_at", "delivery_error"]
    )
    case = Case.objects.select_for_update().get(pk=message.case_id)
    changes = {}
    if case.first_responded_at is None:
        changes["first_responded_at"] = at
    _update(case, at, **changes)
    sla_services.sla_reply_delivered(case=case, at=at)
    events.record(case, "reply_delivered", message_id=message.pk, platform_id=platform_id)
    return message


@transaction.atomic
def reply_failed(*, message_id: int, error: str, at: datetime | None = None) -> Message:
    """The platform refused our reply for good: the reason shows on the case."""
    at = at or timezone.now()
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.delivery in (Message.Delivery.SENT, Message.Delivery.FAILED):
        return message
    message.delivery = Message.Delivery.FAILED
    message.delivery_error = error[:2000]
    message.save(update_fields=["delivery", "delivery_error"])
    case = Case.objects.get(pk=message.case_id)
    _update(case, at)
    events.record(case, "reply_failed", message_id=message.pk, error=error[:500])
    return message


# --- Merge ------------------------------------------------------------------------


@transaction.atomic
def case_merge(
    *,
    case: Case,
    into: Case,
    actor: User | None,
    expected_version: int | None = None,
    actor_kind: str = "",
    now: datetime | None = None,
) -> Case:
    """Merge a duplicate case into another of the same customer's.

    - Messages move to the target; the merged case closes with resolution "merged"
      and points at the target, so later posts in its thread land there.
    """
    now = now or timezone.now()
    if case.pk == into.pk:
        raise InvalidInput("A case cannot be merged into itself.")
    # Lock both in id order, so two opposite merges cannot deadlock.
    first, second = sorted([case.pk, into.pk])
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")
    }
    source, target = locked[case.pk], locked[into.pk]
    if expected_version is not None and source.version != expected_version:
        raise StaleCase(
            "The case changed since you loaded it.",
            reference=source.reference,
            version=source.version,
        )
    if not source.is_open or not target.is_open:
        raise InvalidTransition("Only open cases can be merged.")
    if source.customer_id != target.customer_id:
        raise InvalidInput("Only cases of the same customer can be merged.")
    moved = Message.objects.filter(case=source).update(case=target)
    _update(
        source,
        now,
        status=S.CLOSED,
        closed_at=now,
        resolved_at=now,
        resolution="merged",
        merged_into=target,
    )
    _update(target, now)
    kind = _actor_kind(actor, actor_kind)
    events.record(
        source, "merged", actor=actor, actor_kind=kind, into=target.reference, messages=moved
    )
    events.record(
        target, "merged_from", actor=actor, actor_kind=kind, source=source.reference, messages=moved
    )
    return target


def enqueue_on_commit(func_path: str, *args) -> None:
    """Queue a django-q2 task so that a rolled-back change leaves none behind.

    ORM broker: the task row is written inside the current transaction, so the
    change and its task commit together (delivered at least once). Redis: the
    task is pushed on commit, or a worker could run before the data exists; a
    crash between commit and push loses it, which the periodic sweeps repair.
    """
    from django_q.tasks import async_task

    if "orm" in settings.Q_CLUSTER:
        async_task(func_path, *args)
    else:
        transaction.on_commit(lambda: _push_after_commit(async_task, func_path, *args))


def _push_after_commit(async_task, func_path: str, *args) -> None:
    """The change is committed: a broker that is down (Redis) must not turn it into
    an error page. The work stays visible in the data (a reply "queued", a webhook
    delivery "pending"), and the periodic re-drives queue it again."""
    try:
        async_task(func_path, *args)
    except Exception:  # noqa: BLE001 - any broker failure; logged as an alert, not hidden
        logger.exception(
            "ALERT: could not queue %s%r after commit (is the broker down?); "
            "the periodic re-drive will queue it again",
            func_path,
            args,
        )


# --- Delivery bookkeeping for the platform connector (social_ingest) ----------------
# Used by social_ingest.tasks.deliver_reply. The reply is marked "sending" in its own
# committed transaction before the platform is called, so a worker that dies after
# posting leaves a trace that tells the next attempt to look for the post first.


@transaction.atomic
def reply_sending(*, message_id: int, expected_attempts: int) -> Message | None:
    """A delivery worker claims an outbound reply just before calling the platform.

    - Only a queued or sending reply whose attempt count is still
      `expected_attempts` is claimed (a conditional update); otherwise another
      worker got there first, or the reply is already sent or failed: None.
    - The attempt count goes up by one.
    """
    rows = Message.objects.filter(
        pk=message_id,
        direction=Message.Direction.OUTBOUND,
        delivery__in=[Message.Delivery.QUEUED, Message.Delivery.SENDING],
        delivery_attempts=expected_attempts,
    ).update(delivery=Message.Delivery.SENDING, delivery_attempts=F("delivery_attempts") + 1)
    if not rows:
        return None
    return Message.objects.get(pk=message_id)


def reply_delivery_deferred(*, message_id: int, error: str) -> None:
    """A transient failure: the reply stays "sending", showing why, until the next try."""
    Message.objects.filter(pk=message_id, delivery=Message.Delivery.SENDING).update(
        delivery_error=error[:2000]
    )
