"""Covering indexes for the supervisor reports (cases/reports.py), on PostgreSQL only.

Every report figure over "the period's cases" reads a few columns of the cases created
in [start, end). With these columns in the leaves of a created_at index, a period is
an index-only range scan (about half the pages of the table, and no heap visit per
case) instead of an index scan plus one heap fetch per case, or a sequential scan.

Why raw SQL and not Meta.indexes: Django's `Index(include=...)` is PostgreSQL-only and
raises the models.W040 warning on SQLite, the demo's database. SQLite gets nothing;
the indexes are physical only, so Django's migration state does not list them.
"""

from django.db import migrations

# case_report_cover serves: case_overview()'s combinations query (categories,
# languages, answered share and SLA compliance per priority; its per-hour query is
# index-only on case_created), response_times(), answered_share(), sla_compliance(),
# volume_*() for the CSV export, the weekly digest and the public transparency page,
# and the case side of agents()' first-response join. Over a month (8 % of a year
# of cases) these become index-only scans; over the whole table the planner may
# still prefer a sequential scan, which is then as cheap.
COLUMNS = (
    "id",
    "resolution",
    "category",
    "language",
    "priority",
    "status",
    "first_responded_at",
    "first_response_seconds",
    "first_response_met",
    "first_response_due",
    "resolved_at",
    "resolution_seconds",
    "resolution_met",
    "resolution_due",
)


INDEXES = {
    "case_report_cover": f"cases_case (created_at) INCLUDE ({', '.join(COLUMNS)})",
    # agents() cases handled and replies (COUNT(DISTINCT case_id), COUNT(*) per
    # author of our replies written in the period): an index-only scan already in
    # author order, so the GroupAggregate needs no sort and no heap visit (a year:
    # 0.54 s -> 0.15 s). Short periods keep using message_reply_created (0018).
    "message_reply_author": "cases_message (author_id, created_at) INCLUDE (case_id)"
    " WHERE direction = 'out' AND author_id IS NOT NULL",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_weekly_digest"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
