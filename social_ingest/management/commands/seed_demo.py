"""Demo data: an organisation account, people to log in as, and mentions replayed
through the live pipeline with timestamps relative to now. Safe to run again."""

import json
import re
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.models import Queue, User
from social_ingest.models import SocialAccount

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo_mentions.json"
ACCOUNT = {"handle": "SadaMinistry", "external_id": "1700000000000000001"}
PEOPLE = [
    # username, first name, last name, role, queues
    ("supervisor", "Sara", "Al-Harbi", "Supervisors", []),
    ("agent", "Amal", "Al-Qahtani", "Agents", ["general", "complaints"]),
    ("agent2", "Badr", "Al-Otaibi", "Agents", ["urgent", "general"]),
]
_RELATIVE = re.compile(r'"NOW-(\d+)m"')


class Command(BaseCommand):
    help = "Create demo users and account, and replay the bundled demo mentions."

    def handle(self, *args, **options):
        account, _created = SocialAccount.objects.get_or_create(
            platform="x",
            handle=ACCOUNT["handle"],
            defaults={
                "external_id": ACCOUNT["external_id"],
                "display_name": "Ministry of Services",
                # Polling needs real X credentials; the demo has none.
                "is_active": bool(settings.X_CONSUMER_KEY and settings.X_ACCESS_TOKEN),
            },
        )
        lines = []
        for username, first, last, role, queues in PEOPLE:
            password = secrets.token_urlsafe(9)
            user, _created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(password)
            user.is_staff = role == "Supervisors"
            user.save()
            user.groups.add(Group.objects.get(name=role))
            for slug in queues:
                Queue.objects.get(slug=slug).members.add(user)
            lines.append(f"  {role[:-1]:<11} {username:<11} password: {password}")

        now = timezone.now()
        text = _RELATIVE.sub(
            lambda m: json.dumps(
                (now - timedelta(minutes=int(m.group(1)))).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            ),
            DEMO_FILE.read_text(encoding="utf-8"),
        )
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            self.stdout.write("Replaying demo mentions: ", ending="")
            call_command("ingest_replay", tmp.name, account=account.handle, stdout=self.stdout)
        self.stdout.write("Log in at http://127.0.0.1:8000/ as:")
        for line in lines:
            self.stdout.write(line)
