"""One small function per kind of audit event. Events store machine values only;
the UI renders them in the reader's language."""

from datetime import datetime

from django.utils import timezone

from helpdesk.db import built

from .models import Case, CaseEvent, User


def record(
    case: Case,
    kind: str,
    *,
    actor: User | None = None,
    actor_kind: str = "",
    at: datetime | None = None,
    save: bool = True,
    **data,
) -> CaseEvent:
    """The event, saved; with save=False it comes back unsaved, for a caller that
    writes many at once (the intake of a page of mentions)."""
    event = built(
        CaseEvent,
        case=case,
        kind=kind,
        actor=actor,
        actor_kind=actor_kind or ("user" if actor else "system"),
        data=data,
        created_at=at or timezone.now(),
    )
    if save:
        event.save(force_insert=True)
    return event


def created(case: Case, *, source: str, rule: str, at: datetime, save: bool = True) -> CaseEvent:
    return record(
        case,
        "created",
        at=at,
        save=save,
        source=source,
        queue=case.queue.slug,
        priority=case.priority,
        priority_reasons=case.priority_reasons,
        category=case.category,
        rule=rule,
    )


def message_received(
    case: Case, *, message_id: int | None, platform_id: str, edit_of: str = "", save: bool = True
) -> CaseEvent:
    return record(
        case,
        "message_received",
        save=save,
        message_id=message_id,
        platform_id=platform_id,
        edit_of=edit_of,
    )


def reopened(
    case: Case, *, previous_status: str, actor: User | None = None, save: bool = True
) -> CaseEvent:
    return record(case, "reopened", actor=actor, save=save, previous_status=previous_status)


def status_changed(
    case: Case,
    *,
    old: str,
    new: str,
    actor: User | None = None,
    actor_kind: str = "",
    save: bool = True,
    **data,
) -> CaseEvent:
    return record(
        case,
        "status_changed",
        actor=actor,
        actor_kind=actor_kind,
        save=save,
        old=old,
        new=new,
        **data,
    )


def assigned(
    case: Case,
    *,
    old_assignee_id: int | None,
    new_assignee_id: int | None,
    actor: User | None = None,
    actor_kind: str = "",
    how: str = "manual",
) -> CaseEvent:
    return record(
        case,
        "assigned",
        actor=actor,
        actor_kind=actor_kind,
        old=old_assignee_id,
        new=new_assignee_id,
        how=how,
    )


# --- SLA clocks and escalations (issue 5) ----------------------------------------
# The sweep writes these in bulk: with save=False they come back unsaved.


def sla_warning(
    case: Case, *, target: str, round: int, due: datetime, at: datetime, save: bool = True
) -> CaseEvent:
    """A running target reached its warning share (`at` is that instant)."""
    return record(
        case, "sla_warning", at=at, save=save, target=target, round=round, due=due.isoformat()
    )


def sla_breached(
    case: Case, *, target: str, round: int, due: datetime, at: datetime, save: bool = True
) -> CaseEvent:
    """A running target passed its due instant (`at` is that instant)."""
    return record(
        case, "sla_breached", at=at, save=save, target=target, round=round, due=due.isoformat()
    )


def escalated(
    case: Case,
    *,
    escalation_id: int,
    level: int,
    target: str,
    trigger: str,
    actions: list[str],
    at: datetime,
    actor: User | None = None,
    reason: str = "",
    save: bool = True,
) -> CaseEvent:
    data = {
        "escalation_id": escalation_id,
        "level": level,
        "target": target,
        "trigger": trigger,
        "actions": actions,
        "reason": reason,
    }
    if not save:
        return CaseEvent(
            case=case, kind="escalated", actor=actor, actor_kind="system", data=data, created_at=at
        )
    return record(case, "escalated", actor=actor, at=at, **data)


def escalation_acknowledged(
    case: Case, *, escalation_id: int, level: int, actor: User, at: datetime
) -> CaseEvent:
    return record(
        case,
        "escalation_acknowledged",
        actor=actor,
        at=at,
        escalation_id=escalation_id,
        level=level,
    )


def sla_policy_changed(
    case: Case, *, old_policy_id: int | None, new_policy_id: int | None, at: datetime
) -> CaseEvent:
    return record(
        case,
        "sla_policy_changed",
        at=at,
        old=old_policy_id,
        new=new_policy_id,
        first_response_due=_iso(case.first_response_due),
        next_response_due=_iso(case.next_response_due),
        resolution_due=_iso(case.resolution_due),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
