"""Working defaults installed by data migrations, so a bare `migrate` gives a
system that works. Functions take the migration's `apps` (historical models)."""

QUEUES = [
    # slug, English name, Arabic name
    ("general", "General inquiries", "الاستفسارات العامة"),
    ("complaints", "Complaints", "الشكاوى"),
    ("urgent", "Urgent reports", "البلاغات العاجلة"),
    ("escalations", "Escalations", "التصعيد"),
]

# Model permissions per role, as "<app_label>.<codename>".
AGENT_PERMISSIONS = [
    "cases.view_case",
    "cases.view_customer",
    "cases.view_queue",
    "cases.view_message",
    "cases.view_caseevent",
]
SUPERVISOR_PERMISSIONS = AGENT_PERMISSIONS + [
    "cases.change_case",
    "cases.add_queue",
    "cases.change_queue",
    "social_ingest.view_socialaccount",
    "social_ingest.change_socialaccount",
    "social_ingest.view_inboundevent",
]


def install_queues(apps) -> None:
    Queue = apps.get_model("cases", "Queue")
    for slug, name_en, name_ar in QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name_en": name_en, "name_ar": name_ar})


def install_roles(apps, extra: dict[str, list[str]] | None = None) -> None:
    """Groups "Agents" and "Supervisors" with their model permissions."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; roles need them now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles = {"Agents": AGENT_PERMISSIONS, "Supervisors": SUPERVISOR_PERMISSIONS}
    for name, extra_perms in (extra or {}).items():
        roles[name] = roles[name] + extra_perms
    for name, perms in roles.items():
        group, _created = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found:
                group.permissions.add(found)
