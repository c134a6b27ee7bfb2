"""The agents' UI (issue 6): full-text index of case search documents on
PostgreSQL, the schedule that keeps the documents in step with the cases, and
the UI permissions of the roles.

The models themselves (CannedResponse, CasePresence, CaseSearchDocument) were
created in 0006.
"""

from django.db import migrations
from django.utils import timezone

SCHEDULE = ("sada: refresh case search text", "cases.search.search_refresh")

# Serves cases.search.search_filter on PostgreSQL: the same expression as its WHERE.
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS casesearch_document_fts ON cases_casesearchdocument "
    "USING gin (to_tsvector('simple'::regconfig, document))"
)
DROP_INDEX = "DROP INDEX IF EXISTS casesearch_document_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    name, func = SCHEDULE
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


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE[0]).delete()


def ui_permissions(apps, schema_editor):
    from cases import defaults

    defaults.install_roles(
        apps,
        extra={
            "Agents": ["cases.view_cannedresponse"],
            "Supervisors": [
                "cases.view_cannedresponse",
                "cases.add_cannedresponse",
                "cases.change_cannedresponse",
                "cases.delete_cannedresponse",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_sla_defaults"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(add_schedule, remove_schedule),
        migrations.RunPython(ui_permissions, migrations.RunPython.noop),
    ]
