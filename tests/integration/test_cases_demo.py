"""`waypoint demo` with cases: every state in each demo organisation, through the real services
(encrypted, searchable, audited), and nothing duplicated by a second run."""

from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.cases import selectors
from waypoint.cases.models import (
    Case,
    CaseExploitation,
    CaseStatus,
    Consent,
    Document,
    Note,
    RightsInformation,
    StoredScreening,
    SupportItem,
    TraffickingEvent,
    VulnerabilityAssessment,
)
from waypoint.domain.deadlines import DeadlineStatus
from waypoint.people import selectors as people_selectors
from waypoint.people.models import Person
from waypoint.returns.models import Return
from waypoint.web.management.commands import demo as demo_command


@pytest.fixture(autouse=True)
def _demo_settings(settings: Settings, tmp_path: Path) -> None:
    settings.DEBUG = True
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def verified(user: User) -> User:
    user.is_verified = lambda: True  # type: ignore[attr-defined]
    return user


def raw_value(model: Any, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def loaded(db: None, monkeypatch: pytest.MonkeyPatch) -> str:
    # The returns app's demo opens cases of its own: these tests count the case demo's.
    monkeypatch.setattr(demo_command, "load_demo_returns", lambda *args, **kwargs: 0)
    return run_demo()


def test_every_case_state_exists_in_each_demo_organisation(loaded: str) -> None:
    organisations = list(Organisation.objects.all())
    assert len(organisations) == 2
    for organisation in organisations:
        cases = Case.objects.filter(organisation=organisation)
        assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
        pending = cases.exclude(pending_status="").get()
        assert pending.pending_status == CaseStatus.CLOSED
        assert pending.pending_requested_by == organisation.users.get(role=Role.CASE_WORKER)
        assert cases.filter(jurisdiction="EU_COE").exists()
        assert f"{organisation.name}: {cases.count()} new cases" in loaded


def test_demo_cases_hold_everything_a_case_records(loaded: str) -> None:
    today = timezone.localdate()
    for organisation in Organisation.objects.all():
        in_organisation = {"case__organisation": organisation}
        assert Consent.objects.filter(**in_organisation).count() >= 10
        assert Consent.objects.filter(**in_organisation, withdrawn_at__isnull=False).exists()
        assert StoredScreening.objects.filter(**in_organisation).count() >= 4
        assert VulnerabilityAssessment.objects.filter(**in_organisation).exists()
        assert Note.objects.filter(**in_organisation).count() >= 10
        assert TraffickingEvent.objects.filter(**in_organisation).count() >= 5
        assert RightsInformation.objects.filter(**in_organisation).exists()
        assert Document.objects.filter(**in_organisation).count() == 1
        items = SupportItem.objects.filter(**in_organisation, status__in=["planned", "in_progress"])
        assert items.filter(due_on__lt=today).exists(), "an overdue support item"
        assert items.filter(due_on__gte=today, due_on__lte=today + timedelta(days=7)).exists()
        for case in Case.objects.filter(organisation=organisation).exclude(exploitation_types=[]):
            rows = CaseExploitation.objects.filter(case=case).values_list(
                "exploitation_type", flat=True
            )
            assert sorted(rows) == sorted(case.exploitation_types)


def test_demo_deadlines_are_due_soon_and_overdue(loaded: str) -> None:
    today = timezone.localdate()
    for organisation in Organisation.objects.all():
        supervisor = verified(organisation.users.get(role=Role.SUPERVISOR))
        due = selectors.due_list(supervisor, today=today, scope="organisation")
        statuses = {item.deadline.status for item in due}
        assert statuses == {DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE}
        kinds = {item.deadline.kind for item in due}
        assert {"presumed_victim_certificate", "residence_permit", "support_plan_item"} <= kinds
        assert "reflection_period" in kinds
        overdue_lists = selectors.case_list(supervisor, deadline="overdue", today=today)
        due_soon_lists = selectors.case_list(supervisor, deadline="due_soon", today=today)
        assert overdue_lists.count >= 1
        assert due_soon_lists.count >= 1


def test_demo_people_are_fictional_and_stored_like_real_ones(loaded: str) -> None:
    people = list(Person.objects.all())
    assert len(people) == Case.objects.count() == 22
    scripts = set()
    for person in people:
        assert person.email.endswith("@example.org")
        assert person.phone.startswith("+48555")
        assert "fictional" in person.address
        assert raw_value(Person, "given_names", person.pk).startswith("wpe1.")
        name = f"{person.given_names} {person.family_names}"
        scripts.update(
            "Cyrillic"
            if "\u0400" <= char <= "\u04ff"
            else "Arabic"
            if "\u0600" <= char <= "\u06ff"
            else "Georgian"
            if "\u10a0" <= char <= "\u10ff"
            else "Latin"
            for char in name
            if char.isalpha()
        )
    assert scripts == {"Latin", "Cyrillic", "Arabic", "Georgian"}


def test_demo_people_are_found_by_name_and_birth_date_in_either_script(loaded: str) -> None:
    for given, family in (("Оксана", "Вигадана"), ("Oksana", "Vyhadana")):
        found = [
            person
            for organisation in Organisation.objects.all()
            for person in people_selectors.find_people(
                organisation.pk,
                given_names=given,
                family_names=family,
                birth_date=date(1996, 8, 2),
            )
        ]
        assert [person.family_names for person in found] == ["Вигадана"]


def test_demo_work_is_in_the_audit_trail_without_values(loaded: str) -> None:
    assert AuditEvent.objects.filter(action="case.open").count() == 22
    assert AuditEvent.objects.filter(action="screening.save").exists()
    assert AuditEvent.objects.filter(action="case.closure_requested").count() == 2
    assert AuditEvent.objects.filter(action="trafficking_event.add").exists()
    opened = AuditEvent.objects.filter(action="case.open").first()
    assert opened is not None
    assert opened.details["source"] == "waypoint demo"
    assert "Вигадана" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_a_second_demo_run_adds_no_cases(loaded: str) -> None:
    cases = set(Case.objects.values_list("id", flat=True))
    output = run_demo()
    assert set(Case.objects.values_list("id", flat=True)) == cases
    assert output.count("cases already loaded") == 2
    assert User.objects.count() == 12


def test_demo_loads_returns_in_each_organisation_once(db: None) -> None:
    first = run_demo()
    for organisation in Organisation.objects.all():
        added = Return.objects.filter(organisation=organisation).count()
        assert added > 0
        assert f"{organisation.name}: " in first
        assert f", {added} new returns" in first
    loaded = Return.objects.count()
    again = run_demo()
    assert again.count("returns already loaded") == 2
    assert Return.objects.count() == loaded
