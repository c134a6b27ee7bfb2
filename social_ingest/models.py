"""The organisation's social accounts and every raw event that reached Sada."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SocialAccount(models.Model):
    """An organisation account whose mentions become cases (e.g. @SadaMinistry on X)."""

    class Health(models.TextChoices):
        OK = "ok", _("healthy")
        RATE_LIMITED = "rate_limited", _("rate limited")
        USAGE_CAPPED = "usage_capped", _("usage capped")
        UNAUTHORIZED = "unauthorized", _("unauthorized")
        ERROR = "error", _("failing")

    platform = models.CharField(_("platform"), max_length=20, default="x")
    handle = models.CharField(_("handle"), max_length=100)
    external_id = models.CharField(_("platform user id"), max_length=64, blank=True)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("polling enabled"), default=True)
    poll_interval_seconds = models.PositiveIntegerField(_("poll interval (s)"), default=60)

    # Poll watermark: the newest mention id committed (X `since_id`).
    since_id = models.CharField(_("since id"), max_length=64, blank=True)
    last_poll_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_mention_at = models.DateTimeField(_("last mention seen"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=20, choices=Health.choices, default=Health.OK)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    backoff_until = models.DateTimeField(_("paused until"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation account")
        verbose_name_plural = _("organisation accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "handle"], name="socialaccount_platform_handle"
            ),
            # Webhook events name the account by id (`for_user_id`).
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                condition=~Q(external_id=""),
                name="socialaccount_platform_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"


class InboundEvent(models.Model):
    """One raw item from a platform, kept verbatim, with what became of it."""

    class Source(models.TextChoices):
        POLL = "poll", _("poll")
        WEBHOOK = "webhook", _("webhook")
        REPLAY = "replay", _("replay")
        CHANNEL = "channel", _("channel webhook")

    class State(models.TextChoices):
        PROCESSED = "processed", _("case opened or updated")
        NOT_A_CASE = "not_a_case", _("not a case")
        REJECTED = "rejected", _("rejected")

    platform = models.CharField(max_length=20, default="x")
    # The platform's id for the item; for a rejected item without a usable id, a
    # hash of its content, so a re-run cannot store it twice either.
    external_id = models.CharField(max_length=100)
    account = models.ForeignKey(
        SocialAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=State.choices)
    # Machine code: why it is not a case or why it was rejected ("retweet", "own_account", ...).
    reason = models.CharField(max_length=60, blank=True)
    error = models.TextField(blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "cases.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        constraints = [
            # Idempotent ingest: a second delivery of the same item fails here.
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="inboundevent_platform_external_id"
            )
        ]
        indexes = [
            # Admin / reports: not-a-case and rejected items by state over time.
            models.Index(fields=["state", "received_at"], name="inboundevent_state_received"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id} ({self.state})"
