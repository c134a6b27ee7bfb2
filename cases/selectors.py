"""Reads shared by the agent UI, the admin and the API.

Every read of cases goes through `visible_cases`: it is the one place that
decides who sees what, so an outsider gets a 404, never someone else's case.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Case, User


def visible_cases(user: User, *, supervisor: bool | None = None) -> QuerySet[Case]:
    """Supervisors and superusers see every case; an agent sees the cases of
    their queues and every P1 (a possible emergency waits for nobody).
    `supervisor`: `user.is_supervisor` when the caller already read it in the
    same request (the API key's query does); None to read it here."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_supervisor if supervisor is None else supervisor:
        return Case.objects.all()
    return Case.objects.filter(Q(queue__in=user.queues.all()) | Q(priority=Case.Priority.P1))


def case_list(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """What a list row shows, in a fixed number of queries whatever the page size."""
    return queryset.select_related("queue", "assignee", "customer", "account")


def case_for_user(user: User, reference: str) -> Case:
    """One visible case by reference; Case.DoesNotExist otherwise (a 404 to callers)."""
    return case_list(visible_cases(user)).get(reference=reference)
