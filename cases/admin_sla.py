"""Admin of business calendars, SLA policies with their ladders, escalations and
notifications. Imported by `cases/admin.py`; registering happens on import.

Calendars and policies are configuration, edited here by supervisors. Escalations
and notifications are read-only records: acknowledging goes through the service.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import businesstime, sla
from .admin_base import ReadOnlyAdmin
from .exceptions import CaseError
from .models import (
    BusinessCalendar,
    CalendarOverride,
    Escalation,
    EscalationLevel,
    ManualHoliday,
    Notification,
    SlaPolicy,
    WorkingPeriod,
)
from .models_sla import WEEKDAY_CHOICES

PREVIEW_DAYS = 14


# --- Calendars ------------------------------------------------------------------


class WorkingPeriodFormSet(forms.BaseInlineFormSet):
    """Periods of one weekday must not overlap (checked by the arithmetic itself)."""

    def clean(self) -> None:
        super().clean()
        weekly: dict[int, list] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("start") is None:
                continue
            if data.get("end") is None or data.get("weekday") is None:
                continue
            weekly.setdefault(data["weekday"], []).append((data["start"], data["end"]))
        try:
            businesstime.Calendar("UTC", weekly)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = WorkingPeriodFormSet
    extra = 0


class CalendarOverrideForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("only on"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every date in the range."),
    )

    class Meta:
        model = CalendarOverride
        fields = ["name", "start_date", "end_date", "hours", "weekdays"]

    def clean_hours(self) -> str:
        hours = self.cleaned_data.get("hours", "")
        try:
            return sla.format_periods(sla.parse_periods(hours))
        except ValueError as error:
            raise ValidationError(str(error)) from None


class CalendarOverrideFormSet(forms.BaseInlineFormSet):
    """No two overrides may claim the same date."""

    def clean(self) -> None:
        super().clean()
        overrides = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("start_date"):
                continue
            if not data.get("end_date"):
                continue
            try:
                overrides.append(
                    businesstime.Override(
                        data["start_date"],
                        data["end_date"],
                        sla.parse_periods(data.get("hours", "")),
                        weekdays=frozenset(data["weekdays"]) if data.get("weekdays") else None,
                    )
                )
            except ValueError as error:
                raise ValidationError(str(error)) from None
        try:
            businesstime.Calendar("UTC", overrides=tuple(overrides))
        except ValueError as error:
            raise ValidationError(str(error)) from None


class CalendarOverrideInline(admin.TabularInline):
    model = CalendarOverride
    form = CalendarOverrideForm
    formset = CalendarOverrideFormSet
    extra = 0


class ManualHolidayInline(admin.TabularInline):
    model = ManualHoliday
    extra = 0


def _holiday_language() -> str:
    return "ar" if (get_language() or "").startswith("ar") else "en_US"


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "always_open", "holiday_country", "holiday_categories")
    search_fields = ("name",)
    inlines = [WorkingPeriodInline, CalendarOverrideInline, ManualHolidayInline]
    readonly_fields = ("preview", "holiday_list", "updated_at")
    fieldsets = [
        (None, {"fields": ("name", "time_zone", "always_open")}),
        (
            _("Public holidays"),
            {"fields": ("holiday_country", "holiday_subdivision", "holiday_categories")},
        ),
        (_("Next two weeks"), {"fields": ("preview",)}),
        (_("Holidays"), {"fields": ("holiday_list",)}),
        (None, {"fields": ("updated_at",)}),
    ]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if change:
            _follow_config(request, calendar_ids=[form.instance.pk])

    @admin.display(description=_("working periods, next two weeks"))
    def preview(self, obj: BusinessCalendar | None) -> str:
        """What the saved calendar means, day by day, in its own time zone."""
        if obj is None or obj.pk is None:
            return _("Save the calendar to see its working periods.")
        zone = businesstime.Calendar(obj.time_zone).zone
        today = timezone.now().astimezone(zone).date()
        days = [today + timedelta(days=n) for n in range(PREVIEW_DAYS)]
        cal = obj.to_calendar(range(today.year, days[-1].year + 1))
        names = obj.package_holidays({today.year, days[-1].year}, language=_holiday_language())
        manual = {m.date: m for m in obj.manual_holidays.all()}
        rows = []
        for day in days:
            hours = cal.hours_on(day)
            if obj.always_open:
                why = _("24/7")
            elif day in cal.holidays:
                holiday = manual.get(day)
                why = holiday.name if holiday else names.get(day, ("", False))[0]
            elif any(o.applies_to(day) for o in cal.overrides):
                why = next(o.name for o in obj.overrides.all() if o.to_override().applies_to(day))
            else:
                why = ""
            rows.append(
                (
                    day.isoformat(),
                    dict(WEEKDAY_CHOICES)[day.weekday()],
                    sla.format_periods(hours) or _("closed"),
                    why,
                )
            )
        return format_html(
            '<table class="sla-preview"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("date"),
            _("day"),
            _("working periods") + f" ({obj.time_zone})",
            _("why"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("holidays this year and next"))
    def holiday_list(self, obj: BusinessCalendar | None) -> str:
        """Package holidays (with which dates are estimates) and manual ones."""
        if obj is None or obj.pk is None:
            return ""
        year = timezone.now().year
        rows = [
            (day.isoformat(), name, _("estimated") if estimated else _("confirmed"), "holidays")
            for day, (name, estimated) in sorted(
                obj.package_holidays([year, year + 1], language=_holiday_language()).items()
            )
        ]
        for manual in obj.manual_holidays.all():
            rows.append(
                (
                    manual.date.isoformat(),
                    manual.name,
                    _("working day") if manual.is_working_day else _("day off"),
                    _("manual"),
                )
            )
        rows.sort()
        if not rows:
            return _("No holidays.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("date"),
            _("name"),
            _("status"),
            _("source"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


def _follow_config(request, **changed) -> None:
    """Open cases on an edited calendar or policy get their due times recomputed."""
    from .sla_services import sla_config_changed

    done = sla_config_changed(**changed)
    if done is None:
        message = _("Due times of open cases are being recomputed in the background.")
    else:
        message = _("Due times of %(n)d open cases recomputed.") % {"n": done}
    if done != 0:
        messages.info(request, message)


# --- Policies and ladders -------------------------------------------------------


class EscalationLevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0
    fields = (
        "level",
        "trigger",
        "minutes_after_breach",
        "applies_to",
        "notify_assignee",
        "notify_supervisors",
        "raise_priority",
        "move_to_queue",
        "reassign",
        "reassign_to",
    )


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "position",
        "is_active",
        "priority",
        "queue",
        "account",
        "calendar",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "warning_percent",
    )
    list_editable = ("position", "is_active")
    list_select_related = ("queue", "account", "calendar")
    list_filter = ("is_active", "priority", "calendar")
    inlines = [EscalationLevelInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if change:
            _follow_config(request, policy_ids=[form.instance.pk])

    fieldsets = [
        (None, {"fields": ("name", "position", "is_active")}),
        (_("Applies to (blank = any)"), {"fields": ("priority", "queue", "account")}),
        (
            _("Targets"),
            {
                "fields": (
                    "calendar",
                    "first_response_minutes",
                    "next_response_minutes",
                    "resolution_minutes",
                    "warning_percent",
                )
            },
        ),
    ]


# --- Escalations and notifications (records) ---------------------------------------


class AcknowledgedFilter(admin.SimpleListFilter):
    title = _("acknowledged")
    parameter_name = "acknowledged"

    def lookups(self, request, model_admin):
        return [("no", _("not yet")), ("yes", _("yes"))]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "no")
        return queryset


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = (
        "case",
        "level",
        "target",
        "trigger",
        "triggered_at",
        "created_at",
        "raised_by",
        "acknowledged_by",
        "acknowledged_at",
    )
    list_filter = (AcknowledgedFilter, "target", "trigger")
    list_select_related = ("case", "raised_by", "acknowledged_by")
    search_fields = ("case__reference",)
    actions = ["acknowledge"]

    def get_queryset(self, request):
        # Unacknowledged first, as on the supervisor's list.
        return (
            super()
            .get_queryset(request)
            .order_by(F("acknowledged_at").asc(nulls_first=True), "-created_at", "-id")
        )

    @admin.action(description=_("Acknowledge the selected escalations"))
    def acknowledge(self, request, queryset) -> None:
        from .sla_services import escalation_acknowledge

        done = 0
        for escalation in queryset.filter(acknowledged_at__isnull=True):
            try:
                escalation_acknowledge(escalation=escalation, actor=request.user)
                done += 1
            except CaseError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
        self.message_user(request, _("%(n)d acknowledged.") % {"n": done}, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "case", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("user", "case")
    search_fields = ("user__username", "case__reference")
