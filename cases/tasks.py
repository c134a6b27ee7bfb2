"""django-q2 tasks of the helpdesk. Each takes ids, re-reads state and only calls a
service, so running one twice (ORM broker: at least once) does no harm."""

from __future__ import annotations


def sla_sweep() -> dict:
    """The schedule "sla-sweep" (every SADA_SWEEP_MINUTES): fire what is due."""
    from .sla_services import sla_sweep as sweep

    return sweep().as_dict()


def notifications_send_email(notification_ids: list[int]) -> int:
    """E-mail notifications not e-mailed yet; returns how many were sent."""
    from .notifications import notifications_send_email as send

    return send(ids=list(notification_ids))


def sla_recompute(policy_ids: list[int]) -> int:
    """Running clocks of these policies' open cases follow an edited configuration."""
    from .sla_services import sla_recompute as recompute

    return recompute(policy_ids=list(policy_ids))


def weekly_digest() -> dict:
    """The schedule "sada: weekly digest" (Sundays 07:00 local): last week's figures
    e-mailed to every supervisor once."""
    from .digest import weekly_digest_send

    return weekly_digest_send().as_dict()
