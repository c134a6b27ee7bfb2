"""The project as an app of its own: process-wide hooks that need the app registry."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class HelpdeskConfig(AppConfig):
    name = "helpdesk"

    def ready(self):
        from .db import timestamptz_loader_fast

        connection_created.connect(timestamptz_loader_fast, dispatch_uid="timestamptz_loader_fast")
