"""The organisation's social accounts and every raw event that reached Sada."""

import secrets

from django.core.validators import MinValueValidator
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
    poll_interval_seconds = models.PositiveIntegerField(
        _("poll interval (s)"), default=60, validators=[MinValueValidator(10)]
    )

    # Poll watermark: the newest mention id committed (X `since_id`).
    since_id = models.CharField(_("since id"), max_length=64, blank=True)
    last_poll_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_mention_at = models.DateTimeField(_("last mention seen"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=20, choices=Health.choices, default=Health.OK)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    backoff_until = models.DateTimeField(_("paused until"), null=True, blank=True)

    # Where this account's own credentials live: the prefix of environment variables
    # (`X_MOH` -> `X_MOH_CONSUMER_KEY`, ...). Blank: the X_* settings. Never secrets here.
    credentials_env = models.CharField(
        _("credentials environment prefix"), max_length=40, blank=True
    )
    # Earlier watermarks with when each was set, [[since_id, iso time], ...]: the poll
    # re-reads from the watermark as it stood X_POLL_OVERLAP_SECONDS ago, to catch
    # mentions that X lists late.
    watermark_history = models.JSONField(default=list, blank=True, editable=False)
    # When the newest mention at the watermark was written: where a gap starts.
    watermark_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last poll attempt"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    rate_limit_limit = models.PositiveIntegerField(_("rate limit"), null=True, blank=True)
    rate_limit_remaining = models.PositiveIntegerField(
        _("requests left in window"), null=True, blank=True
    )
    rate_limit_reset_at = models.DateTimeField(_("rate window resets"), null=True, blank=True)
    silence_alarm_hours = models.PositiveIntegerField(
        _("silence alarm (hours)"),
        default=6,
        help_text=_(
            "Alarm when no mention arrived for this many hours on an account that "
            "usually gets them. 0 turns the alarm off."
        ),
    )
    # Opt-in by a supervisor: the public transparency page /public/<handle>/ exists only
    # when this is on (an account that has not opted in is a 404, like an unknown one).
    transparency_public = models.BooleanField(
        _("public transparency page"),
        default=False,
        help_text=_(
            "Publish anonymous figures (share answered, response times, categories) "
            "at /public/<handle>/ without sign-in."
        ),
    )
    # Lease of the one poller allowed at a time, across every cluster and machine.
    poll_lease_owner = models.CharField(max_length=200, blank=True, editable=False)
    poll_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

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
            # selectors.account_health: mentions of an account in the last week.
            models.Index(fields=["account", "received_at"], name="inboundevent_account_received"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id} ({self.state})"


class MentionGap(models.Model):
    """Mentions a poll could not reach: more arrived between two polls than X
    lists (about 800), so some between the old watermark and the oldest mention
    fetched are lost to the timeline. Supervisors see it and acknowledge it."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="gaps")
    # The missing mentions have ids between these two (both exclusive).
    after_id = models.CharField(_("after tweet id"), max_length=64)
    before_id = models.CharField(_("before tweet id"), max_length=64)
    from_time = models.DateTimeField(_("from"), null=True, blank=True)
    to_time = models.DateTimeField(_("to"), null=True, blank=True)
    estimated_count = models.PositiveIntegerField(_("estimated missing"), null=True, blank=True)
    fetched_count = models.PositiveIntegerField(_("mentions fetched by the poll"), default=0)
    detected_at = models.DateTimeField(_("detected"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "cases.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mention gap")
        verbose_name_plural = _("mention gaps")
        ordering = ["-detected_at"]
        indexes = [
            # selectors.account_health: the gaps of each account, newest first.
            models.Index(fields=["account", "detected_at"], name="mentiongap_account_detected"),
        ]

    def __str__(self) -> str:
        return f"@{self.account.handle}: {self.after_id}..{self.before_id}"


def new_channel_secret() -> str:
    return secrets.token_urlsafe(32)


class InboundChannel(models.Model):
    """Another platform posting mentions to `POST /social/inbound/<slug>/`, signed
    with its own secret (see `views.channel_inbound` for the JSON it sends)."""

    # X's own ids live under platform "x": a channel must never write there.
    RESERVED_SLUGS = frozenset({"x", "twitter"})

    slug = models.SlugField(
        _("slug"),
        max_length=20,
        unique=True,
        help_text=_("Appears in the URL and as the channel of its cases."),
    )
    name = models.CharField(_("name"), max_length=100)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_channel_secret,
        help_text=_("The sender signs each body: X-Sada-Signature: sha256=<hex HMAC-SHA256>."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("inbound channel")
        verbose_name_plural = _("inbound channels")

    def __str__(self) -> str:
        return self.name or self.slug

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.slug and self.slug.lower() in self.RESERVED_SLUGS:
            raise ValidationError({"slug": _("This name is reserved for X itself.")})


class DeliveryAttempt(models.Model):
    """One try at posting an agent's reply to the platform: the delivery log.

    An attempt is written, and committed, before the platform is called; one left
    without `finished_at` means the worker died mid-call, and the next attempt
    looks for the post before posting again.
    """

    class Outcome(models.TextChoices):
        PENDING = "", _("in progress")
        POSTED = "posted", _("posted")
        ADOPTED = "adopted", _("found already posted")
        RETRY = "retry", _("will retry")
        FAILED = "failed", _("failed")

    message = models.ForeignKey(
        "cases.Message", on_delete=models.CASCADE, related_name="delivery_attempts_log"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # A timeout or 5xx: X may have posted it although we saw no answer.
    maybe_posted = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    tweet_id = models.CharField(max_length=64, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["message_id", "number"]
        constraints = [
            # Two workers cannot both start attempt n of the same reply.
            models.UniqueConstraint(
                fields=["message", "number"], name="deliveryattempt_message_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.number} {self.outcome or 'pending'}"
