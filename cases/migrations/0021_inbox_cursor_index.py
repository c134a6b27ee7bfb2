"""The inbox's keyset cursor as an index range (issue 9).

The inbox orders open cases by the deadline their clock runs to, NULLs (no clock)
last. With a nullable sort key the cursor of the next page read
`due > x OR due IS NULL OR (due = x AND id > n)`, which no index can serve as a
range: a deep page in a small queue beside a huge one walked ~100,000 index
entries of the other queue (bench/explain/inbox_deep_10k.txt). The sort key is
now never NULL — `COALESCE(due, '9999-12-31')`, cases.selectors_ui.due_key_expression
— and the cursor adds `due_key >= x`, an index condition: every page starts at its
cursor.

PostgreSQL only, raw SQL like 0008 (expression indexes whose text must be the one
Django writes for ORDER BY); SQLite, the demo's database, gets nothing.
"""

from django.db import migrations

DUE = (
    "(CASE WHEN first_responded_at IS NULL THEN first_response_due "
    "ELSE COALESCE(next_response_due, resolution_due) END)"
)
# cases.selectors_ui.NO_DEADLINE: after every real deadline.
DUE_KEY = f"COALESCE({DUE}, '9999-12-31 00:00:00+00'::timestamptz)"
OPEN = "status IN ('new', 'open', 'pending')"

INDEXES = {
    # Serves cases.selectors_ui.inbox_page, sort "due" (the default of open cases):
    # ORDER BY due_key, id and the cursor's `due_key >= x` range, in every view.
    "case_open_due_key": f"({DUE_KEY}, id) WHERE {OPEN}",
    # Serves inbox_page, sort "priority": ORDER BY priority, due_key, id and its cursor
    # (`priority >= p`). Replaces case_open_priority_due of 0008 (nullable due).
    "case_open_priority_due_key": f"(priority, {DUE_KEY}, id) WHERE {OPEN}",
}
REPLACED = {
    "case_open_priority_due": f"(priority, {DUE}, id) WHERE {OPEN}",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case {definition}")
    for name in REPLACED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in REPLACED.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case {definition}")
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_report_covering_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
