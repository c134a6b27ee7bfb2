from django.db import migrations


def forwards(apps, schema_editor):
    from cases.defaults import install_roles
    from cases.seed_rules import SEED_RULES

    install_roles(
        apps,
        extra={
            "Agents": ["cases.view_routingrule"],
            "Supervisors": [f"cases.{verb}_routingrule" for verb in ("view", "add", "change", "delete")],
        },
    )

    RoutingRule = apps.get_model("cases", "RoutingRule")
    Queue = apps.get_model("cases", "Queue")
    queues = {q.slug: q for q in Queue.objects.all()}
    for spec in SEED_RULES:
        RoutingRule.objects.get_or_create(
            name=spec["name"],
            defaults={
                "order": spec["order"],
                "match_mode": spec["match_mode"],
                "keywords": "\n".join(spec["keywords"]),
                "exclude": "\n".join(spec["exclude"]),
                "hashtags": "\n".join(spec["hashtags"]),
                "languages": ", ".join(spec["languages"]),
                "accounts": ", ".join(spec["accounts"]),
                "min_followers": spec["min_followers"],
                "verified": spec["verified"],
                "repeat_cases": spec["repeat_cases"],
                "repeat_days": spec["repeat_days"],
                "queue": queues.get(spec["queue"]) if spec["queue"] else None,
                "category": spec["category"] or "",
                "priority_floor": spec["priority_floor"] or "",
                "tags": ", ".join(spec["tags"]),
                "stop": spec["stop"],
                "not_a_case": spec.get("not_a_case", False),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_routing")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
