"""`waypoint demo`: fictional organisations and a user of every role in each, for trying Waypoint.

Every run sets new random passwords and prints them, so no demo password is ever shared or
committed. It refuses to run outside debug mode unless told `--allow-production`, because demo
accounts have no place in a real deployment.
"""

import secrets
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from waypoint.accounts.models import Organisation, OrganisationKind, Role, User
from waypoint.audit.services import Actor, record

DEMO_ORGANISATIONS = [
    ("Fundacja Przystań (fictional)", OrganisationKind.NGO, "PL", "przystan"),
    ("Harbour Aid Network (fictional)", OrganisationKind.INTERNATIONAL, "PL", "harbour"),
]

DEMO_NAMES = {
    Role.CASE_WORKER: ("Anna", "Nowak"),
    Role.SUPERVISOR: ("Piotr", "Zieliński"),
    Role.ORG_ADMIN: ("Olena", "Kovalenko"),
    Role.DATA_ANALYST: ("Marek", "Wiśniewski"),
    Role.AUDITOR: ("Iryna", "Shevchenko"),
    Role.TRAINEE: ("Kasia", "Lewandowska"),
}


class Command(BaseCommand):
    help = "Load fictional demo organisations and users (one of each role) and print logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo accounts even though debug mode is off.",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Demo data is for development machines (WAYPOINT_DEBUG=1). "
                "Use --allow-production to load it anyway."
            )
        logins = []
        for name, kind, country, slug in DEMO_ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": kind, "country": country}
            )
            for role in Role:
                first_name, last_name = DEMO_NAMES[role]
                username = f"{slug}-{role.value.replace('_', '-')}"
                user = User.objects.filter(username=username).first() or User(
                    username=username,
                    organisation=organisation,
                    role=role,
                    first_name=first_name,
                    last_name=last_name,
                    email=f"{username}@example.org",
                )
                password = "-".join(secrets.token_hex(3) for _ in range(4))
                user.set_password(password)
                user.save()
                logins.append((organisation.name, role.label, username, password))
        record(Actor(username="waypoint demo"), "demo.load", details={"users": len(logins)})
        self.stdout.write("Fictional demo accounts (passwords are new on every run):")
        for organisation_name, role_label, username, password in logins:
            self.stdout.write(
                f"  {organisation_name:34} {role_label!s:28} {username:26} {password}"
            )
        self.stdout.write(
            "Case workers, supervisors, administrators and auditors set up an authenticator "
            "app at their first sign-in."
        )
