"""Who has a case open and who is typing on it: heartbeats with expiry.

The case page sends a heartbeat every few seconds; a heartbeat older than
SEEN_FOR no longer counts, so a closed tab or a crashed laptop disappears by
itself. Stored in the database because several web processes serve the same
agents; never business state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Case, CasePresence, User

# A page sends a heartbeat every 5 s; after two missed beats the agent is gone.
SEEN_FOR = timedelta(seconds=15)
# "Typing" lasts a little longer than the pause between two keystroke bursts.
TYPING_FOR = timedelta(seconds=12)
# Rows older than this are deleted when their case is next visited.
FORGET_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Presence:
    user: User
    typing: bool


def presence_touch(
    *, case: Case, user: User, typing: bool = False, now: datetime | None = None
) -> None:
    """Record that `user` has `case` open now (and is typing, when `typing`)."""
    now = now or timezone.now()
    changes = {"seen_at": now}
    if typing:
        changes["typing_at"] = now
    if CasePresence.objects.filter(case=case, user=user).update(**changes):
        return
    try:
        with transaction.atomic():
            CasePresence.objects.create(case=case, user=user, **changes)
    except IntegrityError:
        # Two tabs of the same agent raced to create the row; the other one won.
        CasePresence.objects.filter(case=case, user=user).update(**changes)


def presence_leave(*, case: Case, user: User) -> None:
    """The agent closed the case page (best effort: expiry covers the rest)."""
    CasePresence.objects.filter(case=case, user=user).delete()


def presence_others(*, case: Case, user: User, now: datetime | None = None) -> list[Presence]:
    """Everyone else who has `case` open now, typists first."""
    now = now or timezone.now()
    CasePresence.objects.filter(case=case, seen_at__lt=now - FORGET_AFTER).delete()
    rows = (
        CasePresence.objects.filter(case=case, seen_at__gte=now - SEEN_FOR)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__username")
    )
    found = [
        Presence(user=row.user, typing=bool(row.typing_at and row.typing_at >= now - TYPING_FOR))
        for row in rows
    ]
    return sorted(found, key=lambda p: not p.typing)
