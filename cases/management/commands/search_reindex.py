"""Build the search text of every case that has none, then bring changed ones up to date.

The schedule does the same in the background; run this once after loading cases
in bulk (a migration from another helpdesk, a benchmark) so search finds them at once.
"""

import json

from django.core.management.base import BaseCommand

from cases.search import search_catch_up_all, search_reindex_missing


class Command(BaseCommand):
    help = "Index the search text of cases (missing ones first, then changed ones)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch: int, **options):
        missing = search_reindex_missing(batch=batch)
        changed = search_catch_up_all(batch=batch)
        self.stdout.write(json.dumps({"indexed": missing, "refreshed": changed}))
