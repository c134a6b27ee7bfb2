"""The agents' UI (issue 6): the inbox's indexes (open cases by running deadline),
the full-text index of case search documents on PostgreSQL, the schedule that keeps the documents in step with the cases, and
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


# The inbox's order: the deadline the clock runs towards (cases.selectors_ui.due_expression,
# the very expression Django writes for ORDER BY), so a page of open cases is an index
# range scan, not a sort of every open case.
DUE = (
    "(CASE WHEN first_responded_at IS NULL THEN first_response_due "
    "ELSE COALESCE(next_response_due, resolution_due) END)"
)
OPEN = "status IN ('new', 'open', 'pending')"
INBOX_INDEXES = {
    # Inbox default sort "SLA due first" (every view, agents' and supervisors').
    "case_open_running_due": f"({DUE}, id) WHERE {OPEN}",
    # Inbox sort "priority", then due.
    "case_open_priority_due": f"(priority, {DUE}, id) WHERE {OPEN}",
    # Inbox "escalated" view and its tab count: few rows, found without a scan.
    "case_open_escalated": f"(escalation_level, id) WHERE {OPEN} AND escalation_level > 0",
}


def create_index(apps, schema_editor):
    for name, definition in INBOX_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case {definition}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_index(apps, schema_editor):
    for name in INBOX_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
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
