"""Case services: authorisation, the status workflow with approvals, optimistic locking,
consent gating, screenings, documents, deadlines and encryption at rest."""

import io
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from itertools import product
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import Settings

from tests.integration.test_cases_support import (
    OPENED_ON,
    PDF_BYTES,
    PERSON,
    PNG_BYTES,
    SCREENING,
    Team,
    actions,
    actor_for,
    committed,
    consent_to_interview,
    make_team,
    open_case,
)
from waypoint.accounts.models import Organisation, User
from waypoint.accounts.policy import AccessDenied, Permission
from waypoint.cases import selectors, services
from waypoint.cases.models import (
    Case,
    CaseExploitation,
    CaseStatus,
    Note,
    StatusChange,
    StoredScreening,
)
from waypoint.domain.screening import RULESET_VERSION
from waypoint.people.models import Person


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


@pytest.fixture
def other_team(beta: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(beta, make_user)


@pytest.fixture
def case(team: Team) -> Case:
    return open_case(team.case_worker, supervisor=team.supervisor)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def raw_column(model: type, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])  # type: ignore[attr-defined]
        return str(cursor.fetchone()[0])


# ---- opening a case ----------------------------------------------------------------------------


def test_open_case_registers_the_person_and_starts_in_screening(team: Team) -> None:
    case = open_case(team.case_worker, supervisor=team.supervisor)
    assert case.status == CaseStatus.SCREENING
    assert case.version == 1
    assert case.organisation_id == team.organisation.pk
    assert case.person.given_names == "Olena"
    assert case.person.organisation_id == team.organisation.pk
    [opened] = actions("case.open")
    assert opened.object_id == str(case.pk)
    assert opened.details == {"code": case.code, "owner_id": team.case_worker.pk}
    assert "Olena" not in str(opened.details)
    assert len(actions("person.register")) == 1


def test_open_case_reports_every_problem_and_saves_nothing(team: Team, other_team: Team) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        services.open_case(
            actor_for(team.supervisor),
            team.supervisor,
            person_data={**PERSON, "birth_date": "2990-01-01"},
            owner=other_team.case_worker,
            supervisor=team.case_worker,
            jurisdiction="XX",
            opened_on=OPENED_ON,
        )
    assert set(refused.value.errors) == {"person.birth_date", "owner", "supervisor", "jurisdiction"}
    assert not Person.objects.exists()
    assert not Case.objects.exists()


def test_owner_must_be_case_worker_or_supervisor(team: Team) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        services.open_case(
            actor_for(team.supervisor),
            team.supervisor,
            person_data=PERSON,
            owner=team.data_analyst,
            jurisdiction="PL",
            opened_on=OPENED_ON,
        )
    assert list(refused.value.errors) == ["owner"]


def test_case_worker_cannot_open_a_case_they_could_not_see(team: Team) -> None:
    with pytest.raises(AccessDenied) as refused:
        services.open_case(
            actor_for(team.case_worker),
            team.case_worker,
            person_data=PERSON,
            owner=team.colleague,
            jurisdiction="PL",
            opened_on=OPENED_ON,
        )
    assert refused.value.permission == Permission.MANAGE_CASES
    assert refused.value.actor.user_id == team.case_worker.pk
    assert not Case.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize("role", ["org_admin", "data_analyst", "auditor", "trainee"])
def test_roles_without_case_access_cannot_open_cases(team: Team, role: str) -> None:
    user = team.by_role(role)
    with pytest.raises(AccessDenied) as refused:
        services.open_case(
            actor_for(user),
            user,
            person_data=PERSON,
            owner=team.case_worker,
            jurisdiction="PL",
            opened_on=OPENED_ON,
        )
    assert refused.value.object_type == "case"
    assert not Case.objects.exists()


# ---- status workflow --------------------------------------------------------------------------

STATES = [status.value for status in CaseStatus]
# The workflow, written out: (from, to) pairs that exist. Every other pair is refused.
ALLOWED_MOVES = {
    ("screening", "presumed_victim"),
    ("screening", "closed"),
    ("screening", "closed_not_victim"),
    ("screening", "closed_referred"),
    ("presumed_victim", "identified"),
    ("presumed_victim", "closed"),
    ("presumed_victim", "closed_not_victim"),
    ("presumed_victim", "closed_referred"),
    ("identified", "assisted"),
    ("identified", "closed"),
    ("identified", "closed_referred"),
    ("assisted", "follow_up"),
    ("assisted", "closed"),
    ("assisted", "closed_referred"),
    ("follow_up", "assisted"),
    ("follow_up", "closed"),
    ("follow_up", "closed_referred"),
    *(("closed", state) for state in STATES[:5]),
    *(("closed_referred", state) for state in STATES[:5]),
    ("closed_not_victim", "screening"),
    ("closed_not_victim", "presumed_victim"),
}
CLOSED = {"closed", "closed_not_victim", "closed_referred"}


def put_in(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(("from_status", "to_status"), list(product(STATES, STATES)))
@pytest.mark.parametrize("role", ["case_worker", "supervisor"])
def test_every_transition_is_allowed_or_refused(
    team: Team, case: Case, role: str, from_status: str, to_status: str
) -> None:
    user = team.by_role(role)
    put_in(case, from_status)
    move = {"to_status": to_status, "reason": "because", "expected_version": case.version}
    if (from_status, to_status) not in ALLOWED_MOVES:
        with pytest.raises(services.CaseRuleError) as refused:
            services.change_status(actor_for(user), user, case, **move)  # type: ignore[arg-type]
        assert list(refused.value.errors) == ["to_status"]
        assert Case.objects.get(pk=case.pk).status == from_status
        assert not StatusChange.objects.exists()
        return
    outcome = services.change_status(actor_for(user), user, case, **move)  # type: ignore[arg-type]
    closing = from_status not in CLOSED and to_status in CLOSED
    if closing and role == "case_worker":
        assert not outcome.applied
        assert outcome.case.status == from_status
        assert outcome.case.pending_status == to_status
        assert not StatusChange.objects.exists()
        return
    assert outcome.applied
    assert outcome.case.status == to_status
    [change] = StatusChange.objects.all()
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert change.changed_by == user
    assert change.approved_by == (user if closing else None)
    assert outcome.case.closed_on == (timezone.localdate() if to_status in CLOSED else None)


def test_case_worker_closure_waits_for_a_supervisor_who_approves(team: Team, case: Case) -> None:
    worker, supervisor = team.case_worker, team.supervisor
    outcome = services.change_status(
        actor_for(worker),
        worker,
        case,
        to_status="closed_referred",
        reason="Referred to a shelter in Kraków",
        expected_version=1,
    )
    assert not outcome.applied
    requested = outcome.case
    assert requested.pending_status == "closed_referred"
    assert requested.pending_reason == "Referred to a shelter in Kraków"
    assert requested.pending_requested_by == worker
    assert requested.version == 2
    [event] = actions("case.closure_requested")
    assert event.details == {"from": "screening", "to": "closed_referred"}
    # Nothing else moves while the request waits.
    with pytest.raises(services.CaseRuleError):
        services.change_status(
            actor_for(worker),
            worker,
            case,
            to_status="presumed_victim",
            reason="",
            expected_version=2,
        )
    with pytest.raises(PermissionDenied):
        services.decide_pending_status(actor_for(worker), worker, case, approve=True, note="")

    closed = services.decide_pending_status(
        actor_for(supervisor), supervisor, case, approve=True, note=""
    )
    assert closed.status == "closed_referred"
    assert closed.pending_status == ""
    assert closed.pending_requested_by is None
    assert closed.closure_reason == "Referred to a shelter in Kraków"
    assert closed.closed_on == timezone.localdate()
    assert closed.next_deadline_on is None
    [change] = StatusChange.objects.all()
    assert change.changed_by == worker
    assert change.approved_by == supervisor
    assert change.reason == "Referred to a shelter in Kraków"
    assert actions("case.closure_approved")
    assert actions("case.status_change")[-1].details["approved_by"] == supervisor.pk


def test_supervisor_rejects_a_closure_saying_why(team: Team, case: Case) -> None:
    worker, supervisor = team.case_worker, team.supervisor
    services.change_status(
        actor_for(worker), worker, case, to_status="closed", reason="No contact", expected_version=1
    )
    with pytest.raises(services.CaseInputError) as refused:
        services.decide_pending_status(
            actor_for(supervisor), supervisor, case, approve=False, note=""
        )
    assert list(refused.value.errors) == ["note"]
    rejected = services.decide_pending_status(
        actor_for(supervisor), supervisor, case, approve=False, note="Try the sister's phone."
    )
    assert rejected.status == "screening"
    assert rejected.pending_status == ""
    assert not StatusChange.objects.exists()
    [note] = Note.objects.filter(case=case)
    assert (note.body, note.author) == ("Try the sister's phone.", supervisor)
    assert actions("case.closure_rejected")
    with pytest.raises(services.CaseRuleError):
        services.decide_pending_status(
            actor_for(supervisor), supervisor, case, approve=True, note=""
        )


def test_closing_needs_a_reason(team: Team, case: Case) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        services.change_status(
            actor_for(team.supervisor),
            team.supervisor,
            case,
            to_status="closed",
            reason="  ",
            expected_version=1,
        )
    assert list(refused.value.errors) == ["reason"]


def test_reopening_clears_the_closure(team: Team, case: Case) -> None:
    supervisor = team.supervisor
    closed = services.change_status(
        actor_for(supervisor),
        supervisor,
        case,
        to_status="closed",
        reason="Moved abroad",
        expected_version=1,
    ).case
    reopened = services.change_status(
        actor_for(team.case_worker),
        team.case_worker,
        closed,
        to_status="identified",
        reason="Came back",
        expected_version=closed.version,
    )
    assert reopened.applied
    assert reopened.case.closed_on is None
    assert reopened.case.closure_reason is None
    assert StatusChange.objects.first().approved_by is None  # type: ignore[union-attr]


def test_unknown_status_is_input_error(team: Team, case: Case) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        services.change_status(
            actor_for(team.supervisor),
            team.supervisor,
            case,
            to_status="archived",
            reason="",
            expected_version=1,
        )
    assert list(refused.value.errors) == ["to_status"]


def test_trafficking_status_is_recorded_by_a_person(team: Team, case: Case) -> None:
    worker = team.case_worker
    updated = services.record_trafficking_status(
        actor_for(worker),
        worker,
        case,
        status="ActualVictimOfTrafficking",
        decided_by="Police",
        expected_version=1,
    )
    assert updated.trafficking_status == "ActualVictimOfTrafficking"
    assert updated.trafficking_status_decided_by == "Police"
    assert updated.version == 2
    with pytest.raises(services.CaseInputError) as refused:
        services.record_trafficking_status(
            actor_for(worker),
            worker,
            case,
            status="Victim",
            decided_by="Neighbour",
            expected_version=2,
        )
    assert set(refused.value.errors) == {"status", "decided_by"}


# ---- details and optimistic locking -----------------------------------------------------------


def test_details_are_checked_against_htcds_vocabularies(team: Team, case: Case) -> None:
    worker = team.case_worker
    updated = services.update_case_details(
        actor_for(worker),
        worker,
        case,
        expected_version=1,
        recruitment_methods=["ThroughOnlineSocialNetworks", "ThroughOnlineSocialNetworks"],
        control_methods=["DebtBondage ", "WithholdsDocuments"],
        exploitation_types=["ForcedLabour", "ForcedBegging"],
        forced_labour_industry="A_AgricultureForestryAndFishing",
        perpetrator_roles=["RecruiterOrIntermediary"],
        relationship_to_trafficker="Acquainted",
        age_when_trafficked=29,
    )
    assert updated.version == 2
    assert updated.recruitment_methods == ["ThroughOnlineSocialNetworks"]
    assert updated.control_methods == ["DebtBondage", "WithholdsDocuments"]
    assert updated.forced_labour_industry == "A"
    assert set(
        CaseExploitation.objects.filter(case=case).values_list("exploitation_type", flat=True)
    ) == {"ForcedLabour", "ForcedBegging"}
    [event] = actions("case.update")
    assert "exploitation_types" in event.details["fields"]

    updated = services.update_case_details(
        actor_for(worker), worker, case, expected_version=2, exploitation_types=["ForcedBegging"]
    )
    assert list(
        CaseExploitation.objects.filter(case=case).values_list("exploitation_type", flat=True)
    ) == ["ForcedBegging"]
    assert updated.recruitment_methods == ["ThroughOnlineSocialNetworks"]


@pytest.mark.parametrize("letter", [chr(code) for code in range(ord("A"), ord("U") + 1)])
def test_every_isic_section_letter_is_accepted(team: Team, case: Case, letter: str) -> None:
    updated = services.update_case_details(
        actor_for(team.case_worker),
        team.case_worker,
        case,
        expected_version=1,
        forced_labour_industry=letter,
    )
    assert updated.forced_labour_industry == letter


def test_wrong_details_are_all_reported_and_nothing_is_saved(team: Team, case: Case) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        services.update_case_details(
            actor_for(team.case_worker),
            team.case_worker,
            case,
            expected_version=1,
            recruitment_methods=["AtWork", "Carrier pigeon"],
            forced_labour_industry="V",
            age_when_trafficked=-1,
            relationship_to_trafficker="Cousin",
            favourite_colour="blue",
        )
    assert set(refused.value.errors) == {
        "recruitment_methods[1]",
        "forced_labour_industry",
        "age_when_trafficked",
        "relationship_to_trafficker",
        "favourite_colour",
    }
    stored = Case.objects.get(pk=case.pk)
    assert stored.version == 1
    assert stored.recruitment_methods == []


def test_stale_edit_is_refused_with_the_current_values(team: Team, case: Case) -> None:
    worker, supervisor = team.case_worker, team.supervisor
    services.update_case_details(
        actor_for(worker), worker, case, expected_version=1, exploitation_types=["ForcedLabour"]
    )
    with pytest.raises(services.StaleVersionError) as stale:
        services.update_case_details(
            actor_for(supervisor),
            supervisor,
            case,
            expected_version=1,
            exploitation_types=["SexualExploitation"],
        )
    assert stale.value.version == 2
    assert stale.value.current["exploitation_types"] == ["ForcedLabour"]
    assert stale.value.current["version"] == 2
    assert Case.objects.get(pk=case.pk).exploitation_types == ["ForcedLabour"]
    with pytest.raises(services.StaleVersionError):
        services.change_status(
            actor_for(supervisor),
            supervisor,
            case,
            to_status="presumed_victim",
            reason="",
            expected_version=1,
        )
    with pytest.raises(services.StaleVersionError):
        services.record_trafficking_status(
            actor_for(supervisor),
            supervisor,
            case,
            status="PossibleVictimOfTrafficking",
            decided_by="NGO",
            expected_version=1,
        )


def test_support_item_edits_are_locked_optimistically(team: Team, case: Case) -> None:
    worker = team.case_worker
    item = services.add_support_item(
        actor_for(worker),
        worker,
        case,
        kind="Legal",
        provider="Legal clinic",
        due_on=OPENED_ON + timedelta(days=20),
    )
    first = services.update_support_item(
        actor_for(worker), worker, item, expected_version=1, status="in_progress"
    )
    assert (first.status, first.version) == ("in_progress", 2)
    with pytest.raises(services.StaleVersionError) as stale:
        services.update_support_item(
            actor_for(worker), worker, item, expected_version=1, provider="Somebody else"
        )
    assert stale.value.current["status"] == "in_progress"
    assert stale.value.version == 2
    with pytest.raises(services.CaseInputError) as refused:
        services.update_support_item(
            actor_for(worker),
            worker,
            item,
            expected_version=2,
            starts_on=OPENED_ON + timedelta(days=30),
        )
    assert list(refused.value.errors) == ["due_on"]


# ---- deadlines -------------------------------------------------------------------------------


def test_deadline_facts_keep_the_next_deadline_current(team: Team, case: Case) -> None:
    worker = team.case_worker
    updated = services.update_case_details(
        actor_for(worker),
        worker,
        case,
        expected_version=1,
        presumption_certificate_issued_on=date(2026, 11, 30),
    )
    # An adult on the issue date: three months, the month-end rule giving 28 February.
    assert updated.next_deadline_on == date(2027, 2, 28)
    assert updated.deadline_alert_on == date(2027, 2, 28) - timedelta(days=21)
    item = services.add_support_item(
        actor_for(worker), worker, updated, kind="Health", due_on=date(2026, 12, 15)
    )
    assert Case.objects.get(pk=case.pk).next_deadline_on == date(2026, 12, 15)
    services.update_support_item(actor_for(worker), worker, item, expected_version=1, status="done")
    assert Case.objects.get(pk=case.pk).next_deadline_on == date(2027, 2, 28)
    met = services.update_case_details(
        actor_for(worker),
        worker,
        case,
        expected_version=2,
        presumption_certificate_followed_up_on=date(2027, 1, 10),
    )
    assert met.next_deadline_on is None
    assert met.deadline_alert_on is None


def test_a_minor_gets_the_longer_certificate_period(team: Team) -> None:
    case = open_case(team.case_worker, person={**PERSON, "birth_date": "2010-05-01"})
    updated = services.update_case_details(
        actor_for(team.case_worker),
        team.case_worker,
        case,
        expected_version=1,
        presumption_certificate_issued_on=date(2026, 10, 15),
    )
    assert updated.next_deadline_on == date(2027, 2, 15)
    [deadline] = selectors.case_deadlines(updated, today=date(2026, 10, 16))
    assert deadline.age_basis == "minor"


def test_deadline_facts_must_fit_the_rules(team: Team, case: Case) -> None:
    worker = team.case_worker
    with pytest.raises(services.CaseInputError) as refused:
        services.update_case_details(
            actor_for(worker),
            worker,
            case,
            expected_version=1,
            residence_permit_issued_on=date(2026, 10, 1),
            residence_permit_months=48,
        )
    assert list(refused.value.errors) == ["residence_permit_months"]
    with pytest.raises(services.CaseInputError) as refused:
        services.update_case_details(
            actor_for(worker),
            worker,
            case,
            expected_version=1,
            reasonable_grounds_followed_up_on=date(2026, 10, 1),
        )
    assert list(refused.value.errors) == ["reasonable_grounds_followed_up_on"]


def test_eu_jurisdiction_counts_the_reflection_period(team: Team) -> None:
    case = open_case(team.case_worker, jurisdiction="EU_COE")
    updated = services.update_case_details(
        actor_for(team.case_worker),
        team.case_worker,
        case,
        expected_version=1,
        reasonable_grounds_on=date(2026, 3, 1),
    )
    assert updated.next_deadline_on == date(2026, 3, 31)


# ---- consent ---------------------------------------------------------------------------------


def test_screening_needs_interview_consent_and_withdrawal_stops_it_at_once(
    team: Team, case: Case
) -> None:
    worker = team.case_worker
    with pytest.raises(services.ConsentRequiredError):
        services.save_screening(actor_for(worker), worker, case, raw_input=SCREENING)
    consent_to_interview(case, worker, given=False)
    with pytest.raises(services.ConsentRequiredError):
        services.save_screening(actor_for(worker), worker, case, raw_input=SCREENING)
    consent_to_interview(case, worker)
    services.save_screening(actor_for(worker), worker, case, raw_input=SCREENING)
    assert services.withdraw_consent(actor_for(worker), worker, case, scope="interview") == 1
    assert not selectors.consent_state(case)["interview"].in_effect
    with pytest.raises(services.ConsentRequiredError):
        services.save_screening(actor_for(worker), worker, case, raw_input=SCREENING)
    assert StoredScreening.objects.count() == 1
    assert [event.details["scope"] for event in actions("consent.withdraw")] == ["interview"]


def test_consent_to_share_is_per_organisation(
    team: Team, other_team: Team, case: Case, make_user: Callable[..., User]
) -> None:
    worker = team.case_worker
    third = Organisation.objects.create(name="Gamma (fictional)", kind="NGO", country="PL")
    services.record_consent(
        actor_for(worker),
        worker,
        case,
        scope="sharing",
        given=True,
        explained_in_language="uk",
        recorded_on=OPENED_ON,
        shared_with=other_team.organisation,
    )
    assert selectors.may_share_with(case, other_team.organisation)
    assert not selectors.may_share_with(case, third)
    assert not selectors.may_use_in_statistics(case)
    services.withdraw_consent(
        actor_for(worker), worker, case, scope="sharing", shared_with=other_team.organisation
    )
    assert not selectors.may_share_with(case, other_team.organisation)
    with pytest.raises(services.CaseRuleError):
        services.withdraw_consent(
            actor_for(worker), worker, case, scope="sharing", shared_with=other_team.organisation
        )


def test_statistics_consent_follows_the_newest_record(team: Team, case: Case) -> None:
    worker = team.case_worker

    def record(given: bool, on: date) -> None:
        services.record_consent(
            actor_for(worker),
            worker,
            case,
            scope="statistics",
            given=given,
            explained_in_language="pl",
            recorded_on=on,
        )

    record(True, date(2026, 10, 2))
    assert selectors.may_use_in_statistics(case)
    record(False, date(2026, 10, 5))
    assert not selectors.may_use_in_statistics(case)
    # A paper consent entered late does not override the later refusal.
    record(True, date(2026, 10, 3))
    assert not selectors.may_use_in_statistics(case)
    assert selectors.consent_state(case)["statistics"].recorded_on == date(2026, 10, 5)


def test_consent_input_is_checked(team: Team, case: Case) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        services.record_consent(
            actor_for(team.case_worker),
            team.case_worker,
            case,
            scope="sharing",
            given=True,
            explained_in_language="Ukrainian",
            recorded_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(refused.value.errors) == {"explained_in_language", "recorded_on", "shared_with"}


# ---- screenings ------------------------------------------------------------------------------


def test_screening_is_stored_encrypted_with_its_ruleset(team: Team, case: Case) -> None:
    worker = team.case_worker
    consent_to_interview(case, worker)
    screening = services.save_screening(actor_for(worker), worker, case, raw_input=SCREENING)
    assert screening.ruleset_version == RULESET_VERSION
    assert len(screening.catalogue_sha256) == 64
    assert screening.verdict == screening.result["ilo"]["verdict"]
    assert screening.answers["indicators"] == SCREENING["indicators"]
    assert raw_column(StoredScreening, "answers", screening.pk).startswith("wpe1.")
    assert raw_column(StoredScreening, "result", screening.pk).startswith("wpe1.")
    [event] = actions("screening.save")
    assert event.details == {"screening_id": screening.pk, "ruleset_version": RULESET_VERSION}


def test_invalid_screening_input_reports_paths(team: Team, case: Case) -> None:
    consent_to_interview(case, team.case_worker)
    with pytest.raises(services.CaseInputError) as refused:
        services.save_screening(
            actor_for(team.case_worker),
            team.case_worker,
            case,
            raw_input={"jurisdiction": "PL", "indicators": {"no_such_indicator": "yes"}},
        )
    assert list(refused.value.errors) == ["indicators.no_such_indicator"]
    assert not StoredScreening.objects.exists()


def test_rescreening_and_comparing(team: Team, case: Case) -> None:
    worker = team.case_worker
    consent_to_interview(case, worker)
    first = services.save_screening(actor_for(worker), worker, case, raw_input=SCREENING)
    stronger = {
        **SCREENING,
        "indicators": {
            **SCREENING["indicators"],  # type: ignore[dict-item]
            "dr_conditions_of_work": "no",
            "cd_confiscation_documents": "yes",
        },
        "movement": {"crossed_border": True},
    }
    second = services.save_screening(actor_for(worker), worker, case, raw_input=stronger)
    comparison = selectors.compare_screenings(first, second)
    assert comparison.older_id == first.pk
    assert comparison.answers["indicators.dr_conditions_of_work"].before == "yes"
    assert comparison.answers["indicators.dr_conditions_of_work"].after == "no"
    assert comparison.answers["indicators.cd_confiscation_documents"].before == "unknown"
    assert comparison.answers["movement.crossed_border"].after is True
    assert "indicators.dr_nature_job_location_employer" not in comparison.answers
    assert not comparison.ruleset.changed
    assert comparison.dimensions
    assert all(change.changed for change in comparison.dimensions.values())

    again = services.rescreen_with_current_rules(actor_for(worker), worker, first)
    assert again.pk != first.pk
    assert again.answers == first.answers
    assert again.ruleset_version == RULESET_VERSION
    assert selectors.compare_screenings(first, again).answers == {}
    assert actions("screening.rescreen")[0].details["from_screening_id"] == first.pk


# ---- vulnerability, notes, documents, rights --------------------------------------------------


def test_vulnerability_assessment_is_summarised(team: Team, case: Case) -> None:
    worker = team.case_worker
    assessment = services.record_vulnerability_assessment(
        actor_for(worker),
        worker,
        case,
        factors=[
            {"factor_id": "legal_status_and_documents", "direction": "risk", "severity": "high"},
            {"factor_id": "age", "direction": "protective", "severity": "low", "note": "adult"},
        ],
    )
    summary = assessment.summary
    assert summary["highest_severity"] == "high"
    assert summary["highest_severity_risks"] == ["legal_status_and_documents"]
    assert summary["net_balance"] == -2
    assert set(summary["text"]) == {"en", "pl", "uk", "ru"}
    assert selectors.latest_vulnerability(case) == assessment
    with pytest.raises(services.CaseInputError) as refused:
        services.record_vulnerability_assessment(
            actor_for(worker),
            worker,
            case,
            factors=[
                {"factor_id": "age", "direction": "risk", "severity": "high"},
                {"factor_id": "age", "direction": "risk", "severity": "extreme"},
                {"factor_id": "horoscope", "direction": "risk", "severity": "low"},
            ],
        )
    assert set(refused.value.errors) == {
        "factors[1].factor_id",
        "factors[1].severity",
        "factors[2].factor_id",
    }


def test_notes_are_encrypted_at_rest_and_limited(team: Team, case: Case) -> None:
    worker = team.case_worker
    note = services.add_note(actor_for(worker), worker, case, body="She fears her employer.")
    raw = raw_column(Note, "body", note.pk)
    assert raw.startswith("wpe1.")
    assert "employer" not in raw
    assert Note.objects.get(pk=note.pk).body == "She fears her employer."
    services.add_note(actor_for(worker), worker, case, body="x" * services.MAX_NOTE_CHARS)
    with pytest.raises(services.CaseInputError):
        services.add_note(actor_for(worker), worker, case, body="x" * (services.MAX_NOTE_CHARS + 1))
    with pytest.raises(services.CaseInputError):
        services.add_note(actor_for(worker), worker, case, body="   ")
    assert Note.objects.count() == 2


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_BYTES = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT_BYTES = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("content", "declared", "stored"),
    [
        (PDF_BYTES, "application/pdf", services.PDF),
        (PNG_BYTES, "image/png", services.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpg", services.JPEG),
        ("Zaświadczenie — notatka\n".encode(), "text/plain; charset=utf-8", services.PLAIN_TEXT),
        (DOCX_BYTES, services.DOCX, services.DOCX),
        (ODT_BYTES, "application/octet-stream", services.ODT),
    ],
)
def test_allowed_documents_are_recognised_by_their_content(
    team: Team, case: Case, documents_dir: Path, content: bytes, declared: str, stored: str
) -> None:
    worker = team.case_worker
    with committed():
        document = services.upload_document(
            actor_for(worker),
            worker,
            case,
            filename="../../etc/Scan 1.bin",
            content_type=declared,
            content=content,
        )
    assert document.content_type == stored
    assert document.filename == "Scan 1.bin"
    assert document.size == len(content)
    on_disk = (documents_dir / str(document.storage_id)).read_bytes()
    assert on_disk.startswith(b"wpe1.")
    assert content not in on_disk
    name, content_type, downloaded = services.document_content(actor_for(worker), worker, document)
    assert (name, content_type, downloaded) == ("Scan 1.bin", stored, content)
    [download] = actions("document.download")
    assert download.details == {"document_id": document.pk}


@pytest.mark.parametrize(
    ("content", "declared", "field"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf", "content"),
        (zipped({"payload.exe": b"MZ"}), "application/zip", "content"),
        (PDF_BYTES, "image/png", "content_type"),
        (b"<html>\x00</html>", "text/plain", "content"),
        (b"", "application/pdf", "content"),
    ],
)
def test_documents_are_refused_by_what_they_contain(
    team: Team, case: Case, content: bytes, declared: str, field: str
) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        services.upload_document(
            actor_for(team.case_worker),
            team.case_worker,
            case,
            filename="a.pdf",
            content_type=declared,
            content=content,
        )
    assert list(refused.value.errors) == [field]


def test_document_size_limit(
    team: Team, case: Case, settings: Settings, documents_dir: Path
) -> None:
    settings.MAX_DOCUMENT_BYTES = 100
    worker = team.case_worker
    with committed():
        services.upload_document(
            actor_for(worker),
            worker,
            case,
            filename="ok.txt",
            content_type="text/plain",
            content=b"a" * 100,
        )
    with pytest.raises(services.CaseInputError) as refused, committed():
        services.upload_document(
            actor_for(worker),
            worker,
            case,
            filename="big.txt",
            content_type="text/plain",
            content=b"a" * 101,
        )
    assert "100" in refused.value.errors["content"][0]
    assert len(list(documents_dir.iterdir())) == 1


def test_rights_information_uses_the_case_jurisdiction(team: Team, case: Case) -> None:
    worker = team.case_worker
    given = services.record_rights_information(
        actor_for(worker), worker, case, language="uk", given_on=OPENED_ON
    )
    assert (given.jurisdiction, given.language) == ("PL", "uk")
    assert given.catalogue_version
    with pytest.raises(services.CaseInputError) as refused:
        services.record_rights_information(
            actor_for(worker), worker, case, language="de", given_on=OPENED_ON
        )
    assert list(refused.value.errors) == ["language"]


def test_person_corrections_move_the_deadlines(team: Team, case: Case) -> None:
    worker = team.case_worker
    services.update_case_details(
        actor_for(worker),
        worker,
        case,
        expected_version=1,
        presumption_certificate_issued_on=date(2026, 10, 15),
    )
    assert Case.objects.get(pk=case.pk).next_deadline_on == date(2027, 1, 15)
    services.update_person_details(
        actor_for(worker),
        worker,
        case,
        data={**PERSON, "birth_date": "2010-05-01"},
        expected_version=1,
    )
    assert Case.objects.get(pk=case.pk).next_deadline_on == date(2027, 2, 15)


# ---- viewing ---------------------------------------------------------------------------------


def test_every_view_is_audited(team: Team, case: Case) -> None:
    viewed = services.get_case_for_view(actor_for(team.supervisor), team.supervisor, case.pk)
    assert viewed == case
    [event] = actions("case.view")
    assert (event.actor_id, event.object_id, event.details) == (
        team.supervisor.pk,
        str(case.pk),
        {"section": "case"},
    )


def test_a_view_is_one_transaction_without_an_inner_savepoint(team: Team, case: Case) -> None:
    # The test runs in a transaction, so the service's own transaction is a savepoint, and so
    # is the audit trail's append; authorising and auditing the view add none of their own.
    with CaptureQueriesContext(connection) as queries:
        services.get_case_for_view(actor_for(team.supervisor), team.supervisor, case.pk)
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 2, savepoints


def test_viewing_is_refused_outside_the_assignment(
    team: Team, other_team: Team, case: Case
) -> None:
    with pytest.raises(Http404):
        services.get_case_for_view(actor_for(team.case_worker), team.case_worker, 999_999)
    for outsider in (team.colleague, other_team.supervisor, team.data_analyst, team.org_admin):
        # The refusal carries what the 403 handlers write to the audit trail.
        with pytest.raises(AccessDenied) as refused:
            services.get_case_for_view(actor_for(outsider), outsider, case.pk)
        denial = refused.value
        assert (denial.actor.user_id, denial.object_type, denial.object_id) == (
            outsider.pk,
            "case",
            case.pk,
        )
        assert denial.permission == Permission.VIEW_PERSONAL_DATA
    assert not actions("case.view")


def test_writes_by_someone_else_are_refused(team: Team, other_team: Team, case: Case) -> None:
    for outsider in (team.colleague, other_team.case_worker, team.auditor, team.trainee):
        with pytest.raises(AccessDenied):
            services.add_note(actor_for(outsider), outsider, case, body="hello")
    assert not Note.objects.exists()
    assert not actions("note.add")


def test_the_supervisor_of_the_case_may_work_on_it_as_case_worker(
    team: Team, make_user: Callable[..., User]
) -> None:
    case = open_case(team.case_worker, supervisor=team.supervisor)
    assert services.add_note(actor_for(team.supervisor), team.supervisor, case, body="Checked.")
