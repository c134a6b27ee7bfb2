"""Register the organisation's X account from the credentials in the environment."""

import json

from django.core.management.base import BaseCommand, CommandError

from social_ingest.clients import XClient, credentials_for
from social_ingest.exceptions import XError
from social_ingest.services import account_register


class Command(BaseCommand):
    help = (
        "Register (or refresh) the organisation account whose credentials are in the "
        "environment (X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN, "
        "X_ACCESS_TOKEN_SECRET), learning its id and handle from GET /2/users/me. "
        "Idempotent. Prints one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--credentials-env",
            default="",
            metavar="PREFIX",
            help="read PREFIX_CONSUMER_KEY, ... instead of X_* (an account of its own)",
        )

    def handle(self, *args, credentials_env="", **options):
        prefix = credentials_env.strip().rstrip("_").upper()
        try:
            me = XClient(credentials_for(prefix)).get_me()
        except XError as exc:
            raise CommandError(str(exc)) from exc
        data = me.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise CommandError(f"GET /2/users/me sent no user: {str(me)[:200]}")
        account, created = account_register(
            external_id=data["id"],
            handle=str(data.get("username") or data["id"]),
            display_name=str(data.get("name") or ""),
            credentials_env="" if prefix in ("", "X") else prefix,
        )
        self.stdout.write(
            json.dumps(
                {
                    "handle": account.handle,
                    "external_id": account.external_id,
                    "name": account.display_name,
                    "created": created,
                }
            )
        )
