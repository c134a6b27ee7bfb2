"""Indexes for the hot queries measured by bench/ (issue 9); each names its query."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_public_links_ratings"),
    ]

    operations = [
        # case_take_next's pick: per queue, the unassigned open cases in take order
        # (priority, due NULLS LAST, oldest), so the first unlocked row is the answer.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("assignee__isnull", True),
                    ("merged_into__isnull", True),
                    ("status__in", ["new", "open", "pending"]),
                ),
                fields=["queue", "priority", "first_response_due", "created_at", "id"],
                name="case_take_next",
            ),
        ),
    ]
