from django.db import migrations


def forwards(apps, schema_editor):
    from cases import defaults

    defaults.install_queues(apps)
    defaults.install_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_initial"),
        ("social_ingest", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
