"""The case event log is append-only in the database too (PostgreSQL).

CaseEvent.save()/delete() refuse changes in Python; this trigger refuses a raw
UPDATE or DELETE on cases_caseevent from any client (except clearing the actor
when that user is deleted). TRUNCATE (the test suite's
flush) fires no row trigger. Other databases (the SQLite quickstart): nothing.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION sada_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    -- Deleting a user sets the actor of their events to NULL (on_delete=SET_NULL):
    -- that one change is allowed, nothing else.
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (NEW.id, NEW.case_id, NEW.actor_kind, NEW.kind, NEW.data, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.case_id, OLD.actor_kind, OLD.kind, OLD.data, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'cases_caseevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS sada_caseevent_append_only ON cases_caseevent;
CREATE TRIGGER sada_caseevent_append_only
    BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION sada_caseevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS sada_caseevent_append_only ON cases_caseevent;
DROP FUNCTION IF EXISTS sada_caseevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_supervisors_see_lockouts")]

    operations = [migrations.RunPython(forwards, backwards)]
