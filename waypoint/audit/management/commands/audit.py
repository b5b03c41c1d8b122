"""`waypoint audit verify`: check that no audit entry was altered or removed."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waypoint.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `verify` walks the hash chain and reports the first broken link."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            raise CommandError(
                f"Audit trail broken at entry {report.broken_at}: {report.problem}. "
                f"{report.verified} entries before it verified."
            )
        self.stdout.write(f"Audit trail intact: {report.verified} entries verified.")
