"""Working SLA defaults (issue 5): the business calendars, the P1-P4 policies with
their escalation ladders, supervisors' permissions and the sweep's schedule.

Holidays are not copied here: calendars read them from the `holidays` package
(with estimated dates marked) when clocks are computed, so upgrading the package
updates them. Minutes are business minutes on the policy's calendar; on the
Saudi government calendar one business day is 7 hours (420 minutes).
"""

from datetime import time

from django.conf import settings
from django.db import migrations
from django.utils import timezone

SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = 6, 0, 1, 2, 3, 4

CALENDARS = [
    # name, zone, 24/7, holiday country, categories, weekly periods
    (
        "Saudi government",
        "Asia/Riyadh",
        False,
        "SA",
        "public",
        [(day, time(8), time(15)) for day in (SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY)],
    ),
    ("24/7", "Asia/Riyadh", True, "", "public", []),
    (
        "UAE federal government",
        "Asia/Dubai",
        False,
        "AE",
        "public,government",
        [(day, time(7, 30), time(15, 30)) for day in (MONDAY, TUESDAY, WEDNESDAY, THURSDAY)]
        + [(FRIDAY, time(7, 30), time(12))],
    ),
]

POLICIES = [
    # name, position, priority, calendar, first, next, resolution (business minutes),
    # minutes after breach of level 3, level 3's action
    ("P1 emergency", 10, "P1", "24/7", 15, 30, 240, 15, "escalations_queue"),
    ("P2 high", 20, "P2", "Saudi government", 60, 120, 420, 60, "raise_priority"),
    ("P3 normal", 30, "P3", "Saudi government", 240, 240, 1260, 240, "raise_priority"),
    ("P4 low", 40, "P4", "Saudi government", 420, 420, 2100, 420, "raise_priority"),
]

SUPERVISOR_SLA_PERMISSIONS = [
    f"cases.{action}_{model}"
    for model in (
        "businesscalendar",
        "workingperiod",
        "calendaroverride",
        "manualholiday",
        "slapolicy",
        "escalationlevel",
    )
    for action in ("view", "add", "change", "delete")
] + ["cases.view_escalation", "cases.view_notification"]

SWEEP = "sla-sweep"


def install(apps, schema_editor):
    from cases import defaults

    defaults.install_roles(apps, extra={"Supervisors": SUPERVISOR_SLA_PERMISSIONS})
    BusinessCalendar = apps.get_model("cases", "BusinessCalendar")
    WorkingPeriod = apps.get_model("cases", "WorkingPeriod")
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    EscalationLevel = apps.get_model("cases", "EscalationLevel")
    Queue = apps.get_model("cases", "Queue")
    Schedule = apps.get_model("django_q", "Schedule")

    calendars = {}
    for name, zone, always, country, categories, periods in CALENDARS:
        calendar, created = BusinessCalendar.objects.get_or_create(
            name=name,
            defaults={
                "time_zone": zone,
                "always_open": always,
                "holiday_country": country,
                "holiday_categories": categories,
            },
        )
        if created:
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(calendar=calendar, weekday=day, start=start, end=end)
                for day, start, end in periods
            )
        calendars[name] = calendar

    escalations = Queue.objects.filter(slug="escalations").first()
    for name, position, priority, cal, first, next_, resolution, after, action in POLICIES:
        policy, created = SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "position": position,
                "priority": priority,
                "calendar": calendars[cal],
                "first_response_minutes": first,
                "next_response_minutes": next_,
                "resolution_minutes": resolution,
                "warning_percent": 75,
            },
        )
        if not created:
            continue
        EscalationLevel.objects.bulk_create(
            [
                EscalationLevel(policy=policy, level=1, trigger="warning", notify_assignee=True),
                EscalationLevel(
                    policy=policy,
                    level=2,
                    trigger="breach",
                    notify_assignee=True,
                    notify_supervisors=True,
                ),
                EscalationLevel(
                    policy=policy,
                    level=3,
                    trigger="breach_after",
                    minutes_after_breach=after,
                    notify_supervisors=True,
                    raise_priority=action == "raise_priority",
                    move_to_queue=escalations if action == "escalations_queue" else None,
                ),
            ]
        )

    Schedule.objects.update_or_create(
        name=SWEEP,
        defaults={
            "func": "cases.tasks.sla_sweep",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": settings.SADA_SWEEP_MINUTES,
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def uninstall(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEP).delete()
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    SlaPolicy.objects.filter(name__in=[p[0] for p in POLICIES]).delete()
    apps.get_model("cases", "BusinessCalendar").objects.filter(
        name__in=[c[0] for c in CALENDARS], policies__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_businesscalendar_workingperiod_and_more"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
