"""`waypoint seed_cases`: many fictional cases written in bulk, stored as the services store
them (encrypted, searchable by blind index, deadlines as the rules compute them)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.cases import selectors
from waypoint.cases.management.commands.seed_cases import seed_cases
from waypoint.cases.models import Case, CaseExploitation
from waypoint.domain.deadlines import DeadlineStatus
from waypoint.people import selectors as people_selectors
from waypoint.people.crypto import normalise
from waypoint.people.models import BlindIndex, Person

NAME = "Seed Test (fictional)"


def seed(*arguments: str) -> str:
    out = StringIO()
    call_command("seed_cases", *arguments, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db: None, settings: Settings) -> Organisation:
    settings.DEBUG = True
    output = seed(
        "--count", "300", "--batch-size", "70", "--case-workers", "7", "--organisation-name", NAME
    )
    assert output.startswith(f"Added 300 fictional cases to {NAME} in ")
    return Organisation.objects.get(name=NAME)


def raw_value(model: type, column: str, pk: int) -> str:
    table = model._meta.db_table  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_seeding_creates_people_cases_and_staff(seeded: Organisation) -> None:
    assert Case.objects.filter(organisation=seeded).count() == 300
    assert Person.objects.filter(organisation=seeded).count() == 300
    workers = User.objects.filter(organisation=seeded, role=Role.CASE_WORKER)
    assert workers.count() == 7
    assert not any(worker.has_usable_password() for worker in workers)
    owners = set(Case.objects.filter(organisation=seeded).values_list("owner", flat=True))
    assert owners == set(workers.values_list("id", flat=True))
    statuses = set(Case.objects.filter(organisation=seeded).values_list("status", flat=True))
    assert len(statuses) == 8
    [event] = AuditEvent.objects.filter(action="cases.seed")
    assert event.details == {"cases": 300, "case_workers": 7}


def test_seeded_people_are_distinct_encrypted_and_found_by_name_and_birth_date(
    seeded: Organisation,
) -> None:
    people = list(Person.objects.filter(organisation=seeded))
    names = {normalise(f"{person.given_names} {person.family_names}") for person in people}
    assert len(names) == 300
    assert BlindIndex.objects.filter(organisation=seeded).count() == 300
    for person in people[:20]:
        assert raw_value(Person, "given_names", person.pk).startswith("wpe1.")
        found = people_selectors.find_people(
            seeded.pk,
            given_names=person.given_names,
            family_names=person.family_names,
            birth_date=date.fromisoformat(person.birth_date),
        )
        assert list(found) == [person]
    # One encrypted address for all: it still decrypts in every row.
    assert {person.address for person in people} == {people[0].address}
    assert "fictional" in people[0].address


def test_seeded_cases_have_consistent_exploitation_rows_and_deadlines(
    seeded: Organisation,
) -> None:
    today = timezone.localdate()
    cases = Case.objects.filter(organisation=seeded).prefetch_related("support_items")
    rows = CaseExploitation.objects.filter(organisation=seeded)
    assert rows.count() == sum(len(case.exploitation_types) for case in cases)
    with_deadlines = 0
    for case in cases.select_related("person"):
        assert sorted(rows.filter(case=case).values_list("exploitation_type", flat=True)) == sorted(
            case.exploitation_types
        )
        open_deadlines = [
            item
            for item in selectors.case_deadlines(case, today=today)
            if item.status != DeadlineStatus.MET
        ]
        if case.status in selectors.CLOSED_STATUSES:
            assert case.next_deadline_on is None
            assert case.closed_on is not None
        else:
            expected = min((item.due_on for item in open_deadlines), default=None)
            assert case.next_deadline_on == expected
            with_deadlines += expected is not None
    assert with_deadlines > 50


def test_seeded_cases_show_in_the_lists_and_the_due_view(seeded: Organisation) -> None:
    supervisor = User.objects.get(organisation=seeded, role=Role.SUPERVISOR)
    supervisor.is_verified = lambda: True  # type: ignore[attr-defined]
    page = selectors.case_list(supervisor, page_size=100)
    assert page.count == 300
    assert len(page.items) == 100
    due = selectors.due_list(supervisor, today=timezone.localdate(), scope="organisation")
    assert {item.deadline.status for item in due} <= {
        DeadlineStatus.DUE_SOON,
        DeadlineStatus.OVERDUE,
    }


def test_seeding_twice_adds_more_without_new_staff(seeded: Organisation) -> None:
    result = seed_cases(organisation_name=NAME, count=40, case_workers=7, batch_size=15, seed=3)
    assert result.created == 40
    assert Case.objects.filter(organisation=seeded).count() == 340
    assert User.objects.filter(organisation=seeded).count() == 8
    assert Case.objects.values("code").distinct().count() == 340


def test_seeding_refuses_without_debug(db: None, settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="test machines"):
        seed("--count", "5")
    assert not Case.objects.exists()
    settings.DEBUG = True
    with pytest.raises(CommandError, match="at least 1"):
        seed("--count", "0")


def test_seeding_with_allow_production(db: None, settings: Settings) -> None:
    settings.DEBUG = False
    seed("--count", "3", "--allow-production", "--case-workers", "2")
    assert Case.objects.count() == 3
