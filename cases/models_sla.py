"""Business calendars, SLA policies, escalation ladders, escalations and notifications (issue 5).

Calendars and policies are edited by supervisors in the admin. Escalations and
notifications are written only by `cases/sla_services.py` and
`cases/notifications.py`; the rules are `cases/sla.py`, the arithmetic
`cases/businesstime.py`.
"""

from __future__ import annotations

import functools
from datetime import date
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import businesstime, sla

__all__ = [
    "BusinessCalendar",
    "WorkingPeriod",
    "CalendarOverride",
    "ManualHoliday",
    "SlaPolicy",
    "EscalationLevel",
    "Escalation",
    "Notification",
]

# Python weekday numbers (0 = Monday), listed from Sunday as the Gulf week is read.
WEEKDAY_CHOICES = [
    (6, _("Sunday")),
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
]


@functools.cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA zone name such as Asia/Riyadh; offsets like "UTC+3" are refused."""
    if value not in _iana_zones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone (e.g. Asia/Riyadh)."), params={"value": value}
        )


@functools.lru_cache(maxsize=512)
def _package_holidays(
    country: str, subdivision: str, categories: tuple[str, ...], year: int, language: str
) -> tuple[tuple[date, str, bool], ...]:
    """One year of the holidays package, cached: it is pure and slow to build."""
    found = businesstime.holiday_dates(
        country,
        [year],
        categories=categories,
        subdiv=subdivision or None,
        show_estimated=True,
        language=language,
    )
    return tuple((day, name, estimated) for day, (name, estimated) in found.items())


class _TouchesParent(models.Model):
    """Editing a part of a calendar or policy stamps the parent as updated, so the
    per-process configuration cache (cases/cache.py) notices the change."""

    parent_field = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._touch_parent()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._touch_parent()
        return result

    def _touch_parent(self) -> None:
        field = self._meta.get_field(self.parent_field)
        field.related_model.objects.filter(pk=getattr(self, field.attname)).update(
            updated_at=timezone.now()
        )


class BusinessCalendar(models.Model):
    """When a team works: weekly hours in an IANA zone, dated overrides (Ramadan
    hours, an announced Eid break), public holidays from the `holidays` package
    and manual holidays. Holidays close the whole day, even inside an override."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Riyadh",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Asia/Riyadh, Asia/Dubai, Europe/London."),
    )
    always_open = models.BooleanField(
        _("open 24/7"),
        default=False,
        help_text=_("Every hour counts; weekly hours, overrides and holidays are ignored."),
    )
    holiday_country = models.CharField(
        _("holidays of country"),
        max_length=8,
        blank=True,
        help_text=_("ISO code for the holidays package, e.g. SA or AE. Blank: manual only."),
    )
    holiday_subdivision = models.CharField(_("subdivision"), max_length=16, blank=True)
    holiday_categories = models.CharField(
        _("holiday categories"),
        max_length=100,
        default="public",
        help_text=_("Comma-separated; UAE ministries need public,government."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.holiday_country:
            try:
                self.package_holidays([timezone.now().year])
            except ValueError as error:
                raise ValidationError({"holiday_country": str(error)}) from None
            except NotImplementedError:  # an unknown category
                raise ValidationError(
                    {"holiday_categories": _("The holidays package does not know these.")}
                ) from None

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.holiday_categories.split(",") if c.strip()) or (
            "public",
        )

    def package_holidays(self, years, *, language: str = "en_US") -> dict[date, tuple[str, bool]]:
        """``{date: (name, is_estimated)}`` from the holidays package for these years."""
        if not self.holiday_country:
            return {}
        result = {}
        for year in sorted(set(years)):
            for day, name, estimated in _package_holidays(
                self.holiday_country.upper(),
                self.holiday_subdivision,
                self.categories,
                year,
                language,
            ):
                result[day] = (name, estimated)
        return result

    def to_calendar(self, years) -> businesstime.Calendar:
        """The pure calendar for instants in these years (holidays are per year).

        Reads `periods`, `overrides` and `manual_holidays` (prefetch them).
        """
        if self.always_open:
            return businesstime.always_open(self.time_zone)
        weekly: dict[int, list] = {}
        for period in self.periods.all():
            weekly.setdefault(period.weekday, []).append((period.start, period.end))
        holidays = set(self.package_holidays(years))
        for manual in self.manual_holidays.all():
            if manual.is_working_day:
                holidays.discard(manual.date)
            else:
                holidays.add(manual.date)
        return businesstime.Calendar(
            self.time_zone,
            weekly,
            overrides=tuple(o.to_override() for o in self.overrides.all()),
            holidays=frozenset(holidays),
        )


class WorkingPeriod(_TouchesParent):
    parent_field = "calendar"

    """Weekly opening hours: several periods a day are allowed (a split shift)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"), help_text=_("00:00 means midnight, the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("weekly working period")
        verbose_name_plural = _("weekly working periods")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {sla.format_periods([(self.start, self.end)])}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None:
            if self.end != businesstime.MIDNIGHT and self.end <= self.start:
                raise ValidationError(_("A period must start before it ends."))


class CalendarOverride(_TouchesParent):
    parent_field = "calendar"

    """Hours that replace the weekly hours between two dates (inclusive): Ramadan
    hours, or no hours at all for an announced Eid break."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="overrides"
    )
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))
    hours = models.CharField(
        _("hours"),
        max_length=200,
        blank=True,
        help_text=_('e.g. "10:00-15:00" or "10:00-14:00, 21:00-24:00". Blank: closed.'),
    )
    # Python weekdays (0 = Monday); empty means every date in the range.
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)

    class Meta:
        ordering = ["calendar", "start_date"]
        verbose_name = _("date-range override")
        verbose_name_plural = _("date-range overrides")

    def __str__(self) -> str:
        return f"{self.name} {self.start_date}..{self.end_date}"

    def clean(self) -> None:
        try:
            sla.parse_periods(self.hours)
            if self.start_date and self.end_date:
                self.to_override()
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def to_override(self) -> businesstime.Override:
        return businesstime.Override(
            self.start_date,
            self.end_date,
            sla.parse_periods(self.hours),
            weekdays=frozenset(int(d) for d in self.weekdays) if self.weekdays else None,
        )


class ManualHoliday(_TouchesParent):
    parent_field = "calendar"

    """A day off the package does not know (an announced extra day), or, ticked as
    a working day, a package holiday on which this team works."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="manual_holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)
    is_working_day = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Work on this date even if the holidays package lists it."),
    )

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("manual holiday")
        verbose_name_plural = _("manual holidays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="manualholiday_once")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Targets for the cases it matches: the active policy with the lowest position
    whose conditions (priority, queue, account; blank = any) all match."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(
        _("position"), default=100, help_text=_("Lower is tried first; first match wins.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.CharField(
        _("priority"),
        max_length=2,
        blank=True,
        choices=[("P1", "P1"), ("P2", "P2"), ("P3", "P3"), ("P4", "P4")],
    )
    queue = models.ForeignKey(
        "cases.Queue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("queue"),
    )
    account = models.ForeignKey(
        "social_ingest.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account"),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("calendar"),
    )
    # Business minutes on the calendar; blank: no such target.
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (business minutes)"),
        null=True,
        blank=True,
        help_text=_("After each customer message that follows our first reply."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"),
        null=True,
        blank=True,
        help_text=_("Paused while the case is pending (waiting on the customer)."),
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at (% of target)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def rule(self) -> sla.PolicyRule:
        return sla.PolicyRule(self.pk, self.priority, self.queue_id, self.account_id)

    def target_seconds(self, target: str) -> int | None:
        minutes = getattr(self, f"{target}_minutes")
        return None if minutes is None else minutes * 60

    def ladder(self) -> list[sla.LadderLevel]:
        """Reads `levels` (prefetch them)."""
        return [level.rule() for level in self.levels.all()]


class EscalationLevel(_TouchesParent):
    parent_field = "policy"

    """One rung of a policy's ladder: when it fires and what it does. It fires at
    most once per case, target and round (see Escalation's constraint)."""

    class Trigger(models.TextChoices):
        WARNING = sla.ON_WARNING, _("at the warning")
        BREACH = sla.ON_BREACH, _("at the breach")
        AFTER_BREACH = sla.AFTER_BREACH, _("minutes after the breach")

    class AppliesTo(models.TextChoices):
        ANY = sla.ANY_TARGET, _("every target")
        FIRST_RESPONSE = sla.FIRST_RESPONSE, _("first response")
        NEXT_RESPONSE = sla.NEXT_RESPONSE, _("next response")
        RESOLUTION = sla.RESOLUTION, _("resolution")

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    minutes_after_breach = models.PositiveIntegerField(
        _("minutes after breach"),
        default=0,
        help_text=_("Business minutes on the policy's calendar, for 'minutes after the breach'."),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=20, choices=AppliesTo.choices, default=AppliesTo.ANY
    )
    notify_assignee = models.BooleanField(_("notify the assignee"), default=False)
    notify_supervisors = models.BooleanField(_("notify the queue's supervisors"), default=False)
    raise_priority = models.BooleanField(
        _("raise priority one step"), default=False, help_text=_("Never lowers; P1 stays P1.")
    )
    move_to_queue = models.ForeignKey(
        "cases.Queue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("move to queue"),
    )
    reassign = models.BooleanField(_("reassign"), default=False)
    reassign_to = models.ForeignKey(
        "cases.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reassign to"),
        help_text=_("Blank with 'reassign': back to the queue, unassigned."),
    )

    class Meta:
        ordering = ["policy", "level"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="escalationlevel_once")
        ]

    def __str__(self) -> str:
        return f"{self.policy}: L{self.level}"

    def clean(self) -> None:
        if self.trigger == sla.AFTER_BREACH and not self.minutes_after_breach:
            raise ValidationError({"minutes_after_breach": _("Give the minutes after the breach.")})

    def rule(self) -> sla.LadderLevel:
        minutes = self.minutes_after_breach if self.trigger == sla.AFTER_BREACH else 0
        return sla.LadderLevel(self.level, self.trigger, minutes, self.applies_to)

    def action_codes(self) -> list[str]:
        codes = []
        if self.notify_assignee:
            codes.append("notify_assignee")
        if self.notify_supervisors:
            codes.append("notify_supervisors")
        if self.raise_priority:
            codes.append("raise_priority")
        if self.move_to_queue_id:
            codes.append("move_to_queue")
        if self.reassign:
            codes.append("reassign")
        return codes


class Escalation(models.Model):
    """A level of the ladder that fired on a case, or an agent's escalation by hand.

    Append-only but for the acknowledgement. `actions` holds machine codes of what
    was done ("notified:12", "priority:P3>P2", "queue:escalations", ...).
    """

    class Target(models.TextChoices):
        FIRST_RESPONSE = sla.FIRST_RESPONSE, _("first response")
        NEXT_RESPONSE = sla.NEXT_RESPONSE, _("next response")
        RESOLUTION = sla.RESOLUTION, _("resolution")
        MANUAL = "manual", _("by hand")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="escalations")
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    # Which clock of that target: next-response targets restart with each customer
    # message; manual escalations count up.
    round = models.PositiveIntegerField(_("round"), default=0)
    level = models.PositiveSmallIntegerField(_("level"))
    trigger = models.CharField(_("trigger"), max_length=20)
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    raised_by = models.ForeignKey(
        "cases.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_raised",
        verbose_name=_("raised by"),
    )
    # When the trigger happened (e.g. the due instant), not when a worker noticed.
    triggered_at = models.DateTimeField(_("triggered"))
    created_at = models.DateTimeField(_("escalated"), default=timezone.now)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    acknowledged_by = models.ForeignKey(
        "cases.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_acknowledged",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            # A level fires once per case, target and round, however many sweepers run.
            models.UniqueConstraint(
                fields=["case", "target", "round", "level"], name="escalation_once_per_level"
            )
        ]
        indexes = [
            # A case's escalations in order (case page, API).
            models.Index(fields=["case", "created_at"], name="escalation_case_created"),
            # Reports' escalations_by_level: escalations raised in a period.
            models.Index(fields=["created_at"], name="escalation_created"),
            # escalations_for_supervisor: the unacknowledged ones, newest first.
            models.Index(
                fields=["-created_at"],
                name="escalation_unacknowledged",
                condition=Q(acknowledged_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} L{self.level} {self.target}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class Notification(models.Model):
    """An in-app notification (and, when the user has an address, an e-mail).

    Stores machine values; `cases.notifications.render` writes the text in the
    reader's language."""

    class Kind(models.TextChoices):
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        ESCALATED = "escalated", _("escalated")

    user = models.ForeignKey("cases.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    escalation = models.ForeignKey(
        Escalation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # A user's notifications, newest first (bell menu, API).
            models.Index(fields=["user", "-created_at"], name="notification_user_created"),
            # The unread count of a user.
            models.Index(
                fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"
