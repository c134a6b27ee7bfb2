"""Create an API key from the shell; the key is printed once, alone on the last line."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import Queue, User
from cases.models_api import ApiKey


class Command(BaseCommand):
    help = (
        "Create an API key (stored hashed) and print it once, alone on the last line. "
        "Send it as `Authorization: Bearer <key>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="What the key is for.")
        parser.add_argument(
            "--scopes",
            default="read",
            help="Comma-separated: read (GET endpoints), act (actions). Default: read.",
        )
        parser.add_argument("--queue", default="", help="Only the cases of this queue (slug).")
        parser.add_argument(
            "--user",
            default="",
            help="Username the key acts as (recorded as the actor of its actions); "
            "default: none, the key acts as the system.",
        )
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Expire after this many days."
        )

    def handle(self, *args, name: str, scopes: str, queue: str, user: str, expires_days, **kw):
        wanted = [s.strip() for s in scopes.split(",") if s.strip()]
        unknown = sorted(set(wanted) - set(ApiKey.Scope.values))
        if not wanted or unknown:
            raise CommandError(f"--scopes takes {', '.join(ApiKey.Scope.values)}; got {scopes!r}.")
        key = ApiKey(name=name.strip()[:100], scopes=list(dict.fromkeys(wanted)))
        if not key.name:
            raise CommandError("--name must not be empty.")
        if queue:
            key.queue = Queue.objects.filter(slug=queue).first()
            if key.queue is None:
                raise CommandError(f"No queue with slug {queue!r}.")
        if user:
            key.created_by = User.objects.filter(username=user, is_active=True).first()
            if key.created_by is None:
                raise CommandError(f"No active user {user!r}.")
        if expires_days is not None:
            if expires_days <= 0:
                raise CommandError("--expires-days must be positive.")
            key.expires_at = timezone.now() + timedelta(days=expires_days)
        raw = key.set_new_key()
        key.save()
        restriction = f", queue {key.queue.slug}" if key.queue else ""
        self.stdout.write(
            f"API key {key.prefix}… created: {key.name} (scopes {','.join(key.scopes)}"
            f"{restriction}). It is shown once; store it now."
        )
        self.stdout.write(raw)
