"""One small function per kind of audit event. Events store machine values only;
the UI renders them in the reader's language."""

from datetime import datetime

from django.utils import timezone

from .models import Case, CaseEvent, User


def record(
    case: Case,
    kind: str,
    *,
    actor: User | None = None,
    actor_kind: str = "",
    at: datetime | None = None,
    **data,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        actor_kind=actor_kind or ("user" if actor else "system"),
        data=data,
        created_at=at or timezone.now(),
    )


def created(case: Case, *, source: str, rule: str, at: datetime) -> CaseEvent:
    return record(
        case,
        "created",
        at=at,
        source=source,
        queue=case.queue.slug,
        priority=case.priority,
        priority_reasons=case.priority_reasons,
        category=case.category,
        rule=rule,
    )


def message_received(
    case: Case, *, message_id: int, platform_id: str, edit_of: str = ""
) -> CaseEvent:
    return record(
        case, "message_received", message_id=message_id, platform_id=platform_id, edit_of=edit_of
    )


def reopened(case: Case, *, previous_status: str, actor: User | None = None) -> CaseEvent:
    return record(case, "reopened", actor=actor, previous_status=previous_status)


def status_changed(
    case: Case, *, old: str, new: str, actor: User | None = None, actor_kind: str = "", **data
) -> CaseEvent:
    return record(
        case, "status_changed", actor=actor, actor_kind=actor_kind, old=old, new=new, **data
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
