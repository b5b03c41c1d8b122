"""Fictional demo organisations and a user of every role in each, for trying Waypoint.

Every run sets new random passwords and returns them, so no demo password is ever shared or
committed. `waypoint demo` (in `waypoint.web`, which may import every app) prints them and
adds the other apps' demo data.
"""

import secrets
from dataclasses import dataclass

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


@dataclass(frozen=True)
class DemoLogin:
    organisation_name: str
    role_label: str
    username: str
    password: str


@dataclass(frozen=True)
class DemoOrganisation:
    organisation: Organisation
    users_by_role: dict[str, User]


@dataclass(frozen=True)
class DemoAccounts:
    organisations: list[DemoOrganisation]
    logins: list[DemoLogin]


@transaction.atomic
def load_demo_accounts() -> DemoAccounts:
    """Create the demo organisations and users if missing, and give every user a new random
    password. Running it again changes nothing but the passwords."""
    organisations: list[DemoOrganisation] = []
    logins: list[DemoLogin] = []
    for name, kind, country, slug in DEMO_ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "country": country}
        )
        users_by_role: dict[str, User] = {}
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
            users_by_role[role.value] = user
            logins.append(DemoLogin(organisation.name, str(role.label), username, password))
        organisations.append(DemoOrganisation(organisation, users_by_role))
    record(Actor(username="waypoint demo"), "demo.load", details={"users": len(logins)})
    return DemoAccounts(organisations, logins)
