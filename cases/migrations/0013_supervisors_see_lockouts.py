"""Supervisors see sign-in lockouts (django-axes' access attempts) in the admin."""

from django.db import migrations

LOCKOUT_PERMISSIONS = ["axes.view_accessattempt", "axes.view_accessfailurelog"]


def forwards(apps, schema_editor):
    from cases import defaults

    defaults.install_roles(apps, extra={"Supervisors": LOCKOUT_PERMISSIONS})


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Supervisors").first()
    if group is not None:
        for perm in LOCKOUT_PERMISSIONS:
            app_label, codename = perm.split(".")
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_message_delivery_index"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
