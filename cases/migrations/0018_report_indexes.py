"""Indexes for the supervisor reports (cases/reports.py, issue 11); each names its query."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_bench_indexes"),
        ("social_ingest", "0004_transparency_opt_in"),
    ]

    operations = [
        # period_cases() of one queue: created_at ranges per queue.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["queue", "created_at"], name="case_queue_created"),
        ),
        # period_cases() of one account (reports, the public page of an account).
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["account", "created_at"], name="case_account_created"),
        ),
        # backlog_by_day(): cases resolved during the period (per day), and those
        # created before it and resolved after it started.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", False)),
                fields=["resolved_at", "created_at"],
                name="case_resolved",
            ),
        ),
        # backlog_by_day(): unresolved cases created before the period.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", True)),
                fields=["created_at"],
                name="case_unresolved_created",
            ),
        ),
        # agents() resolutions and not_a_case_reasons(): status changes in a period.
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(
                condition=models.Q(("kind", "status_changed")),
                fields=["created_at"],
                name="caseevent_status_created",
            ),
        ),
        # escalations_by_level(): escalations raised in a period.
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(fields=["created_at"], name="escalation_created"),
        ),
        # agents() cases handled: our replies written in a period, by author.
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("direction", "out")),
                fields=["created_at", "author"],
                name="message_reply_created",
            ),
        ),
    ]
