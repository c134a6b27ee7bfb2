"""The helpdesk's data: customers, queues, cases, their messages and audit events.

State changes of a case live in `cases/services.py`; nothing here writes business
state on save.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person working in Sada (agent, supervisor) — roles are groups."""

    class Language(models.TextChoices):
        AR = "ar", _("Arabic")
        EN = "en", _("English")

    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.AR
    )
    is_available = models.BooleanField(_("available for new cases"), default=True)
    capacity = models.PositiveIntegerField(_("open-case capacity"), default=25)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_supervisor(self) -> bool:
        return self.is_superuser or self.groups.filter(name="Supervisors").exists()


class Queue(models.Model):
    class AssignmentMode(models.TextChoices):
        MANUAL = "manual", _("manual (agents take cases)")
        ROUND_ROBIN = "round_robin", _("round-robin")
        LEAST_LOADED = "least_loaded", _("least loaded")

    class RatingOnResolve(models.TextChoices):
        SITE = "", _("as the site setting (SADA_RATING_ON_RESOLVE)")
        ASK = "ask", _("ask the customer")
        NEVER = "never", _("do not ask")

    slug = models.SlugField(_("slug"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    members = models.ManyToManyField(
        User, blank=True, related_name="queues", verbose_name=_("members")
    )
    assignment_mode = models.CharField(
        _("assignment"),
        max_length=20,
        choices=AssignmentMode.choices,
        default=AssignmentMode.MANUAL,
    )
    rating_on_resolve = models.CharField(
        _("rating on resolve"),
        max_length=5,
        choices=RatingOnResolve.choices,
        default=RatingOnResolve.SITE,
        blank=True,
        help_text=_(
            "Whether resolving a case of this queue also sends the customer a rating link "
            "(e.g. never for emergencies)."
        ),
    )
    # Round-robin cursor: the member who got the last case.
    last_assigned = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_ar if (get_language() or "").startswith("ar") else self.name_en

    def asks_rating_on_resolve(self) -> bool:
        if self.rating_on_resolve:
            return self.rating_on_resolve == self.RatingOnResolve.ASK
        return settings.SADA_RATING_ON_RESOLVE


class Customer(models.Model):
    """A person or organisation that wrote to us; refreshed on every mention."""

    platform = models.CharField(_("platform"), max_length=20)
    external_id = models.CharField(_("platform user id"), max_length=64)
    handle = models.CharField(_("handle"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            # One row per platform account: the upsert in intake relies on it.
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="customer_platform_external_id"
            )
        ]
        indexes = [
            # Search by handle (admin, API customer lookup).
            models.Index(fields=["handle"], name="customer_handle"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}" if self.handle else self.external_id


class CaseReferenceCounter(models.Model):
    """Gapless per-year case numbers (C-2026-000123) for citizens and staff to quote."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("new")
        OPEN = "open", _("open")
        PENDING = "pending", _("pending (waiting on customer)")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    class Priority(models.TextChoices):
        P1 = "P1", _("P1 emergency")
        P2 = "P2", _("P2 high")
        P3 = "P3", _("P3 normal")
        P4 = "P4", _("P4 low")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, editable=False
    )
    priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, default=Priority.P3, editable=False
    )
    # Machine codes ("rule:Emergency", "followers", ...): the UI translates them.
    priority_reasons = models.JSONField(_("priority reasons"), default=list, blank=True)
    # Foreign keys without an index of their own where an index of Meta.indexes starts
    # with the column (it serves the lookups and the checks of a delete), or where
    # most rows hold NULL (a partial index): one B-tree entry less per case written.
    queue = models.ForeignKey(
        Queue,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("queue"),
        db_index=False,  # case_queue_created
    )
    category = models.CharField(_("category"), max_length=30, default="other")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    assignee = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
        db_index=False,  # case_assignee_status
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("customer"),
        db_index=False,  # case_customer_conversation
    )
    account = models.ForeignKey(
        "social_ingest.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("account"),
        db_index=False,  # case_account_created
    )
    channel = models.CharField(_("channel"), max_length=20, default="x")
    language = models.CharField(_("language"), max_length=10, blank=True)
    conversation_id = models.CharField(_("conversation"), max_length=64, blank=True)
    routed_by = models.CharField(_("routed by rule"), max_length=200, blank=True)
    # The key phrase that routed it (normalised); many reports of one key form an incident.
    incident_key = models.CharField(max_length=200, blank=True, editable=False)
    resolution = models.CharField(_("resolution"), max_length=20, blank=True)

    # When the citizen wrote: the SLA clock starts here, not when Sada noticed.
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened in Sada"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    # --- SLA clocks (written only by cases/sla_services.py; rules in cases/sla.py) ---
    # Stored as what happened, so state and due times are read, never replayed.
    sla_policy = models.ForeignKey(
        "cases.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("SLA policy"),
        editable=False,
    )
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Business seconds from when the citizen wrote to our first reply; met = on time.
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    first_response_met = models.BooleanField(null=True, blank=True, editable=False)
    # The customer message a next-response target runs from (None: none running).
    next_response_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_response_round = models.PositiveIntegerField(default=0, editable=False)
    # False once any next response was late; True while all were on time.
    next_response_met = models.BooleanField(null=True, blank=True, editable=False)
    # Resolution clock: closed running segments [[start, end], ...] (pending pauses
    # it), their business seconds, and when the running segment started (None:
    # paused or stopped).
    resolution_segments = models.JSONField(default=list, blank=True, editable=False)
    resolution_elapsed_seconds = models.PositiveIntegerField(default=0, editable=False)
    resolution_running_since = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    resolution_met = models.BooleanField(null=True, blank=True, editable=False)
    # The next instant the SLA sweep must look at this case (None: nothing to watch),
    # and what the sweep already did ("first_response:0:warning", "resolution:0:L2").
    sla_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_marks = models.JSONField(default=list, blank=True, editable=False)

    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_cases",
        db_index=False,  # case_merged_into
    )
    # Many reports of one happening (a fire, an outage) linked for one answer.
    incident = models.ForeignKey(
        "cases.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("incident"),
        db_index=False,  # case_incident
    )
    # Bumped by every service change: a stale form or API call is refused (409).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # Threading at intake: the open case of this customer's conversation.
            models.Index(
                fields=["customer", "conversation_id"],
                name="case_customer_conversation",
            ),
            # Inbox / API default list: open cases of a queue by due time.
            models.Index(
                fields=["queue", "first_response_due"],
                name="case_open_queue_due",
                condition=Q(status__in=["new", "open", "pending"]),
            ),
            # Supervisor inbox and API list of all open cases by due time.
            models.Index(
                fields=["first_response_due", "id"],
                name="case_open_due",
                condition=Q(status__in=["new", "open", "pending"]),
            ),
            # Intake: recent cases of a queue with the same key phrase (incidents).
            models.Index(
                fields=["queue", "incident_key", "created_at"],
                condition=~Q(incident_key=""),
                name="case_incident_key",
            ),
            # API ordering=due (keyset pagination) over every status.
            models.Index(fields=["first_response_due", "id"], name="case_due"),
            # API/inbox ordering=priority: most urgent first, then due.
            models.Index(fields=["priority", "first_response_due", "id"], name="case_priority_due"),
            # API `updated_since` incremental sync.
            models.Index(fields=["updated_at", "id"], name="case_updated"),
            # Lists ordered by creation (API ordering=created, reports by period).
            models.Index(fields=["created_at", "id"], name="case_created"),
            # Reports (cases/reports.py) of one queue or one account over a period,
            # and the public page of an account: created_at ranges per queue/account.
            models.Index(fields=["queue", "created_at"], name="case_queue_created"),
            models.Index(fields=["account", "created_at"], name="case_account_created"),
            # Reports' backlog_by_day: cases resolved during the period (per day), and
            # those created before it and resolved after it started.
            models.Index(
                fields=["resolved_at", "created_at"],
                name="case_resolved",
                condition=Q(resolved_at__isnull=False),
            ),
            # Reports' backlog_by_day: unresolved cases created before the period.
            models.Index(
                fields=["created_at"],
                name="case_unresolved_created",
                condition=Q(resolved_at__isnull=True),
            ),
            # "My cases" of an agent; a user's cases when the user is deleted.
            models.Index(
                fields=["assignee", "status"],
                name="case_assignee_status",
                condition=Q(assignee__isnull=False),
            ),
            # The cases merged into a case (its page, the merge service), and an
            # incident's cases (its admin page, the incident answer); most have none.
            models.Index(
                fields=["merged_into"],
                name="case_merged_into",
                condition=Q(merged_into__isnull=False),
            ),
            models.Index(
                fields=["incident"],
                name="case_incident",
                condition=Q(incident__isnull=False),
            ),
            # The SLA sweep: `sla_check_at <= now`, earliest first. Partial, so it
            # holds only cases with a running clock and stays small.
            models.Index(
                fields=["sla_check_at"],
                name="case_sla_check",
                condition=Q(sla_check_at__isnull=False),
            ),
            # case_take_next's pick: per queue, the unassigned open cases in take order
            # (priority, due NULLS LAST, oldest), so the first unlocked row is the answer.
            models.Index(
                fields=["queue", "priority", "first_response_due", "created_at", "id"],
                name="case_take_next",
                condition=Q(
                    status__in=["new", "open", "pending"],
                    assignee__isnull=True,
                    merged_into__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Incident(models.Model):
    """Cases of many customers reporting the same thing in a short time."""

    key = models.CharField(_("key phrase"), max_length=200)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="incidents")
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    last_report_at = models.DateTimeField(_("last report"), default=timezone.now)
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            # Intake: an open incident of this queue and key phrase reported recently.
            models.Index(fields=["queue", "key", "last_report_at"], name="incident_queue_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.queue.slug})"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("from the customer")
        OUTBOUND = "out", _("our reply")
        NOTE = "note", _("internal note")

    class Delivery(models.TextChoices):
        NONE = "", _("not applicable")
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # Indexed by message_case_created, the author by message_author (mostly NULL).
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=20, default="x")
    author = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # Exactly as written: never normalised, never trimmed.
    text = models.TextField(_("text"))
    platform_id = models.CharField(_("platform id"), max_length=64, blank=True)
    # The original tweet id of an edited tweet (edit_history_tweet_ids[0]); else platform_id.
    edit_root_id = models.CharField(max_length=64, blank=True)
    conversation_id = models.CharField(max_length=64, blank=True)
    in_reply_to_id = models.CharField(max_length=64, blank=True)
    withheld = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default="", blank=True
    )
    delivery_error = models.TextField(blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A tweet is one message, however it arrives (poll, webhook, replay).
            models.UniqueConstraint(
                fields=["channel", "platform_id"],
                condition=~Q(platform_id=""),
                name="message_channel_platform_id",
            )
        ]
        indexes = [
            # Threading: the case holding the original of an edited tweet.
            models.Index(
                fields=["channel", "edit_root_id"],
                condition=~Q(edit_root_id=""),
                name="message_edit_root",
            ),
            # The case page: a case's conversation in order.
            models.Index(fields=["case", "created_at"], name="message_case_created"),
            # A user's replies when the user is deleted (inbound messages have none).
            models.Index(
                fields=["author"], name="message_author", condition=Q(author__isnull=False)
            ),
            # Reports' per-agent figures: our replies written in a period, by author.
            models.Index(
                fields=["created_at", "author"],
                condition=Q(direction="out"),
                name="message_reply_created",
            ),
            # The connector's retry sweep: outbound replies still queued or sending.
            models.Index(
                fields=["delivery", "id"],
                condition=Q(delivery__in=["queued", "sending"]),
                name="message_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.platform_id or self.pk}"


class CaseEventQuerySet(models.QuerySet):
    """No bulk changes either: `update()` and `delete()` refuse (PostgreSQL also has a
    trigger, migration 0014, for any other client)."""

    def update(self, **kwargs):
        raise ValueError("case events are append-only")

    def delete(self):
        raise ValueError("case events are append-only")

    delete.queryset_only = True


class CaseEvent(models.Model):
    """Append-only audit log: who did what to a case, in machine values."""

    # Indexed by caseevent_case_created, the actor by caseevent_actor (system events
    # have none).
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_events",
        db_index=False,
    )
    # "system", "user", "api", "rule" — who caused it when there is no user.
    actor_kind = models.CharField(max_length=10, default="system")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A case's event log in order (case page, API events list).
            models.Index(fields=["case", "created_at"], name="caseevent_case_created"),
            # A user's events when the user is deleted.
            models.Index(
                fields=["actor"], name="caseevent_actor", condition=Q(actor__isnull=False)
            ),
            # Reports: status changes in a period (per-agent resolutions, not-a-case
            # decisions by reason).
            models.Index(
                fields=["created_at"],
                condition=Q(kind="status_changed"),
                name="caseevent_status_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("case events are append-only")


# Models kept beside this module, imported so Django registers them with the app:
# API keys and webhooks, routing rules, SLA calendars and policies, the web UI's.
from .models_api import *  # noqa: E402,F403
from .models_public import *  # noqa: E402,F403
from .models_reports import *  # noqa: E402,F403
from .models_routing import *  # noqa: E402,F403
from .models_sla import *  # noqa: E402,F403
from .models_ui import *  # noqa: E402,F403
