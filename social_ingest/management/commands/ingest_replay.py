"""Replay recorded X API responses through the live ingest pipeline."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpdesk.logging import log_context
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.parsers import PayloadError, parse_text
from social_ingest.services import OUTCOMES, pages_ingest


class Command(BaseCommand):
    help = (
        "Ingest files of X API v2 mentions responses (a page, a list of pages, JSON Lines, "
        "or a recording) as the poller would, and print one JSON summary line."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--account",
            help="organisation account handle (default: the first account; created if missing)",
        )

    def handle(self, *args, files, account=None, **options):
        account = self._account(account)
        totals = dict.fromkeys(["received", *OUTCOMES], 0)
        failed = []
        for path in files:
            # Parse the whole file before storing anything: a bad file stores nothing.
            try:
                pages = parse_text(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, PayloadError) as exc:
                failed.append(path)
                self.stderr.write(f"{path}: {exc}")
                continue
            with log_context(account=account.handle if account else ""):
                summary = pages_ingest(pages, account=account, source=InboundEvent.Source.REPLAY)
            for key in totals:
                totals[key] += summary[key]
        self.stdout.write(json.dumps(totals))
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be read as X mentions payloads")

    def _account(self, handle: str | None) -> SocialAccount:
        if handle:
            handle = handle.lstrip("@")
            found = SocialAccount.objects.filter(platform="x", handle__iexact=handle).first()
            return found or SocialAccount.objects.create(platform="x", handle=handle)
        first = SocialAccount.objects.order_by("id").first()
        return first or SocialAccount.objects.create(platform="x", handle="replay")
