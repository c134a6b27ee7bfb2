from django.db import migrations


def forwards(apps, schema_editor):
    from cases.defaults import install_roles

    install_roles(
        apps,
        extra={
            "Agents": ["cases.view_incident"],
            "Supervisors": ["cases.view_incident", "cases.change_incident"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_caseevent_append_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
