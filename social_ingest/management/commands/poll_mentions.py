"""Poll X for the organisation accounts' mentions, once or as a long-running poller."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from helpdesk.logging import log_context
from social_ingest.models import SocialAccount
from social_ingest.services import account_poll, accounts_poll_due


class Command(BaseCommand):
    help = (
        "Poll X mentions of the active organisation accounts. With --once: each account "
        "once, now (a paused account - back-off, rate limit, usage cap - is skipped and "
        "the reason printed; --force overrides). Without: keep polling each account at "
        "its own interval until stopped (SIGINT/SIGTERM)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", help="only this account (handle, with or without @)")
        parser.add_argument("--once", action="store_true", help="poll once and exit")
        parser.add_argument(
            "--force", action="store_true", help="poll even when the account is paused"
        )

    def handle(self, *args, account=None, once=False, force=False, **options):
        accounts = SocialAccount.objects.filter(platform="x").order_by("id")
        if account:
            accounts = accounts.filter(handle__iexact=account.lstrip("@"))
            if not accounts.exists():
                raise CommandError(f"No X account @{account.lstrip('@')}; see add_x_account.")
        else:
            accounts = accounts.filter(is_active=True)
        if once:
            if not accounts.exists():
                raise CommandError("No active X account to poll; see add_x_account.")
            for found in accounts:
                self._poll(found, force=force)
            return
        self._loop(accounts, force=force)

    def _poll(self, account, *, force):
        with log_context(account=account.handle):
            result = account_poll(account=account, force=force)
        stream = self.stderr if result.status == "failed" else self.stdout
        stream.write(result.describe())
        return result

    def _loop(self, accounts, *, force):
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        ids = set(accounts.values_list("id", flat=True))
        self.stdout.write(f"Polling {len(ids)} account(s); stop with Ctrl-C.")
        while not stopping:
            try:
                due = [pk for pk in accounts_poll_due() if pk in ids or not ids]
                for account in SocialAccount.objects.filter(pk__in=due).order_by("id"):
                    if stopping:
                        break
                    self._poll(account, force=force)
                ids = ids or set(accounts.values_list("id", flat=True))
            except DatabaseError as exc:
                # The database restarted or dropped us: reconnect on the next round.
                self.stderr.write(f"database error, retrying: {exc}")
                close_old_connections()
            time.sleep(1)
        self.stdout.write("Stopped.")
