"""`waypoint demo`: fictional organisations, a user of every role in each, and fictional cases
and returns, for trying Waypoint.

Every run sets new random passwords and prints them, so no demo password is ever shared or
committed. It refuses to run outside debug mode unless told `--allow-production`, because demo
accounts have no place in a real deployment. A second run adds no cases to an organisation
that has some.
"""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from waypoint.accounts.demo import load_demo_accounts
from waypoint.cases.demo import load_demo_cases
from waypoint.returns.demo import load_demo_returns


class Command(BaseCommand):
    help = "Load fictional demo organisations, users (one of each role) and cases; print logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo data even though debug mode is off.",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Demo data is for development machines (WAYPOINT_DEBUG=1). "
                "Use --allow-production to load it anyway."
            )
        today = timezone.localdate()
        accounts = load_demo_accounts()
        summaries = []
        for demo in accounts.organisations:
            cases = load_demo_cases(demo.organisation, demo.users_by_role, today=today)
            summary = f"{len(cases)} new cases" if cases else "cases already loaded"
            returns = load_demo_returns(demo.organisation, demo.users_by_role, today=today)
            summary += f", {returns} new returns" if returns else ", returns already loaded"
            summaries.append((demo.organisation.name, summary))
        self.stdout.write("Fictional demo accounts (passwords are new on every run):")
        for login in accounts.logins:
            self.stdout.write(
                f"  {login.organisation_name:34} {login.role_label:28} {login.username:26} "
                f"{login.password}"
            )
        self.stdout.write(
            "Case workers, supervisors, administrators and auditors set up an authenticator "
            "app at their first sign-in."
        )
        for organisation_name, summary in summaries:
            self.stdout.write(f"  {organisation_name}: {summary}")
