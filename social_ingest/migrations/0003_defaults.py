"""The connector's working defaults: its django-q2 schedules, and what supervisors
may see of it (gaps and the delivery log).

Both scheduled tasks are safe to run from several clusters at once (the poll
lease, the delivery claim): a duplicate run costs a little work, never a double."""

from django.db import migrations
from django.utils import timezone

SCHEDULES = [
    # Every minute; each account is polled when its own poll_interval_seconds has elapsed.
    ("sada: poll X mentions", "social_ingest.tasks.poll_due_accounts"),
    # Every minute; replies whose retry came due, whose worker died, or whose task was lost.
    ("sada: retry reply deliveries", "social_ingest.tasks.retry_deliveries"),
]


def forwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": "I",  # Schedule.MINUTES
                "minutes": 1,
                "repeats": -1,
                "next_run": timezone.now(),
            },
        )


SUPERVISOR_PERMISSIONS = [
    "social_ingest.view_mentiongap",
    "social_ingest.view_deliveryattempt",
    "social_ingest.view_inboundchannel",
]


def roles(apps, schema_editor):
    from cases import defaults

    defaults.install_roles(apps, extra={"Supervisors": SUPERVISOR_PERMISSIONS})


def backwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[name for name, _func in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("social_ingest", "0002_connector"),
        ("django_q", "0018_task_success_index"),
        ("cases", "0003_defaults"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
