"""The weekly digest to supervisors (issue 11): who got which week, and its schedule."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

DIGEST = "sada: weekly digest"


def next_sunday_morning(now: datetime) -> datetime:
    """Next Sunday 07:00 in the display zone: the start of the Saudi working week."""
    zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    local = timezone.localtime(now, zone)
    days = (6 - local.weekday()) % 7  # Python: Monday 0 ... Sunday 6
    run = datetime.combine(local.date() + timedelta(days=days), time(7), zone)
    return run if run > now else run + timedelta(days=7)


def install(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=DIGEST,
        defaults={
            "func": "cases.tasks.weekly_digest",
            "schedule_type": "W",  # Schedule.WEEKLY, from next_run
            "repeats": -1,
            "next_run": next_sunday_morning(timezone.now()),
        },
    )


def uninstall(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=DIGEST).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_report_indexes"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="DigestDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period_start", models.DateField(verbose_name="week from")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "weekly digest sent",
                "verbose_name_plural": "weekly digests sent",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "period_start"), name="digest_once_per_week"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
