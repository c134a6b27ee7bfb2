"""What the REST API keeps: API keys of integrations, outbound webhook subscribers
and the log of every webhook delivery (issue 8).

None of it is case state: these rows say who may call the API and who is told
when a case changes.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ApiKey", "WebhookSubscriber", "WebhookDelivery", "WEBHOOK_EVENTS"]

# The events a subscriber can ask for; emitted by `cases.webhooks.emit`.
WEBHOOK_EVENTS = (
    "case.created",
    "case.assigned",
    "case.escalated",
    "case.resolved",
    "sla.breached",
)

KEY_PREFIX = "sada_"


def hash_key(raw: str) -> str:
    """sha256 of the key. Keys carry 256 random bits, so a fast hash is safe: there
    is nothing to brute-force, and a lookup by hash needs no per-row salt."""
    return hashlib.sha256(raw.encode()).hexdigest()


def default_scopes() -> list[str]:
    return [ApiKey.Scope.READ]


class ApiKey(models.Model):
    """A bearer key of an integration. Only its hash is stored; the key itself is
    shown once, when it is created."""

    class Scope(models.TextChoices):
        READ = "read", _("read cases, customers and queues")
        ACT = "act", _("act on cases (assign, reply, resolve, ...)")

    name = models.CharField(_("name"), max_length=100)
    # The first characters of the key: enough to tell keys apart in lists and
    # logs, far too few to use.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=default_scopes)
    queue = models.ForeignKey(
        "cases.Queue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("only the cases of queue"),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    # Actions taken with the key are recorded as this user's, with actor_kind "api";
    # a key made from the shell has none and acts as the system.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_keys",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self) -> str:
        """Give this row a fresh random key and return it: the only time it is seen."""
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        self.prefix = raw[:12]
        self.hashed_key = hash_key(raw)
        return raw

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def revoke(self, now: datetime | None = None) -> None:
        now = now or timezone.now()
        ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now)
        self.refresh_from_db(fields=["revoked_at"])


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscriber(models.Model):
    """A URL told about case events, signed with its own secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_webhook_secret,
        help_text=_("Shared with the receiver; it verifies the X-Sada-Signature header."),
    )
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    # Honoured only when settings.SADA_WEBHOOKS_ALLOW_PRIVATE is on too (e.g. a
    # receiver on the same private network); otherwise private addresses are refused.
    allow_private = models.BooleanField(_("allow a private address"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .webhooks import UnsafeWebhookURL, check_url

        unknown = sorted(set(self.events or []) - set(WEBHOOK_EVENTS))
        if unknown:
            raise ValidationError({"events": _("Unknown events: %s") % ", ".join(unknown)})
        try:
            check_url(self.url, allow_private=self.allow_private)
        except UnsafeWebhookURL as exc:
            raise ValidationError({"url": exc.message}) from exc

    @property
    def private_allowed(self) -> bool:
        return self.allow_private and settings.SADA_WEBHOOKS_ALLOW_PRIVATE


class WebhookDelivery(models.Model):
    """One event for one subscriber: its payload, every attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RETRYING = "retrying", _("will retry")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("gave up")

    subscriber = models.ForeignKey(
        WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Sent as X-Sada-Delivery: receivers drop a delivery they already processed.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=40)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The retry sweep: deliveries waiting for their next attempt.
            models.Index(
                fields=["next_attempt_at"],
                name="webhookdelivery_due",
                condition=models.Q(status__in=["pending", "retrying"]),
            ),
            # The admin delivery log of one subscriber, newest first.
            models.Index(fields=["subscriber", "-created_at"], name="webhookdelivery_sub"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber_id} ({self.status})"
