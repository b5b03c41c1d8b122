"""`flush` that lifts the audit trail's append-only triggers for the wipe, then restores them.

Flushing destroys the whole database on purpose (tests, a fresh demo); without this the
triggers would refuse it.
"""

from importlib import import_module
from typing import Any

from django.core.management.commands import flush
from django.db import connections

_triggers = import_module("waypoint.audit.migrations.0002_append_only_triggers")


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        vendor_drop = {"sqlite": _triggers.SQLITE_DROP, "postgresql": _triggers.POSTGRES_DROP}
        vendor_create = {
            "sqlite": _triggers.SQLITE_CREATE,
            "postgresql": _triggers.POSTGRES_CREATE,
        }
        with connection.cursor() as cursor:
            for statement in vendor_drop.get(connection.vendor, []):
                cursor.execute(statement)
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for statement in vendor_create.get(connection.vendor, []):
                    cursor.execute(statement)
