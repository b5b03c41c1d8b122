"""Helpers the return tests share: fictional people and cases, and a return walked to a stage.

This module holds no tests; the test modules import from it.
"""

from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, add_authenticator, current_code
from waypoint.accounts.models import User
from waypoint.audit.models import AuditEvent
from waypoint.audit.services import Actor
from waypoint.cases.models import Case, CaseStatus, Consent
from waypoint.people.models import Person
from waypoint.returns import services
from waypoint.returns.models import Return
from waypoint.returns.vocabularies import REQUIRED_TOPICS

PROGRAMME = "pl_safe_return_victims"
ALL_GOOD_ANSWERS = {
    "income_sources": "two_or_more",
    "debt": "no_debt",
    "food_security": "never",
    "employment": "stable_work_or_business",
    "economic_satisfaction": "satisfied",
    "housing": "stable_housing",
    "health_care_access": "always",
    "children_education": "no_school_age_children",
    "identity_documents": "all",
    "community_participation": "often",
    "sense_of_safety": "safe",
    "discrimination": "never",
    "support_network": "several_people",
    "psychological_distress": "rarely_or_never",
    "wish_to_migrate_again": "no",
}
WORSE_ANSWERS = {
    **ALL_GOOD_ANSWERS,
    "income_sources": "none",
    "debt": "struggling",
    "food_security": "often",
    "employment": "no_work",
    "economic_satisfaction": "very_dissatisfied",
}
STAGE_PATH = (
    "application",
    "approved",
    "travel_arranged",
    "departed",
    "arrived",
    "reintegration",
    "monitoring",
    "completed",
)


def signed_in_client(user: User) -> Client:
    """A fresh client signed in with password and second factor, as the login flow does."""
    client = Client()
    device = add_authenticator(user)
    response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post("/account/two-factor/", {"code": current_code(device)})
    assert response.status_code == 302, response.content
    return client


def verified(user: User) -> User:
    """The user as after passing the second factor."""
    user.is_verified = lambda: True  # type: ignore[method-assign]
    return user


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.pk, username=user.username, organisation_id=user.organisation_id)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def make_case(
    owner: User,
    supervisor: User | None = None,
    *,
    consent: bool = True,
    given_names: str = "Olena",
    family_names: str = "Kovalenko",
    nationality: str = "UA",
) -> Case:
    person = Person.objects.create(
        organisation=owner.organisation,
        given_names=given_names,
        family_names=family_names,
        birth_date="1998-03-14",
        nationality=nationality,
        created_by=owner,
    )
    case = Case.objects.create(
        organisation=owner.organisation,
        person=person,
        owner=owner,
        supervisor=supervisor,
        status=CaseStatus.ASSISTED,
        opened_on=days_ago(200),
    )
    if consent:
        Consent.objects.create(
            case=case,
            scope=Consent.Scope.ASSISTANCE,
            given=True,
            explained_in_language="uk",
            recorded_on=days_ago(199),
            recorded_by=owner,
        )
    return case


def start(worker: User, case: Case, **changes: Any) -> Return:
    values: dict[str, Any] = {
        "programme_id": PROGRAMME,
        "country_of_return": "UA",
        "language": "uk",
        "started_on": days_ago(120),
    }
    values.update(changes)
    return services.start_return(actor_for(worker), worker, case=case, **values)


def counsel(worker: User, return_: Return, on: date | None = None) -> None:
    services.record_counselling_session(
        actor_for(worker),
        worker,
        return_,
        held_on=on or days_ago(110),
        language="uk",
        interpreter_used=True,
        topics=list(REQUIRED_TOPICS),
        notes="Talked through the options; she wants to go home to her mother.",
    )


def move(user: User, return_: Return, to_stage: str, on: date, reason: str = "") -> Return:
    return services.change_stage(
        actor_for(user),
        user,
        return_,
        to_stage=to_stage,
        expected_stage=Return.objects.get(pk=return_.pk).stage,
        on=on,
        reason=reason,
    )


def prepare(target: str, worker: User, return_: Return, on: date) -> None:
    """Record what the return needs before it may move to `target`."""
    actor = actor_for(worker)
    if target == "application":
        counsel(worker, return_, on)
    elif target == "approved":
        declaration = services.generate_declaration(actor, worker, return_, language="uk")
        services.record_declaration_signed(
            actor, worker, declaration, signed_on=timezone.localdate()
        )
        services.record_eligibility_check(
            actor,
            worker,
            return_,
            facts=services.EligibilityFacts(
                nationality="UA",
                migration_status="presumed_or_identified_victim",
                obligations=[],
                is_minor=False,
            ),
        )
    elif target == "travel_arranged":
        services.record_risk_assessment(
            actor,
            worker,
            return_,
            assessed_on=on,
            levels={
                "re_trafficking": "medium",
                "perpetrator_threat": "low",
                "family_situation": "low",
                "health_needs": "low",
            },
            details={"re_trafficking": "The recruiter lives in the next town."},
        )
        services.save_travel_plan(
            actor,
            worker,
            return_,
            details=services.TravelDetails(
                planned_departure_on=days_ago(60),
                itinerary="Bus Warszawa–Lviv, then train to Kyiv.",
                receiving_partner="Kyiv Reintegration Partner (fictional)",
            ),
        )
        services.record_travel_document(
            actor,
            worker,
            return_,
            kind="emergency_travel_document",
            details=services.DocumentDetails(status="issued", issued_on=days_ago(75)),
        )
    elif target == "reintegration":
        services.add_assistance_item(
            actor,
            worker,
            return_,
            details=services.AssistanceDetails(
                kind="business_start_up_grant",
                dimension="economic",
                level="individual",
                budget="1500.00",
                currency="EUR",
                partner="Kyiv Reintegration Partner (fictional)",
                status="approved",
            ),
        )


def stage_day(target: str) -> date:
    """The day the walk moves a return to `target`: ten days apart, ending 30 days ago."""
    return days_ago(100 - STAGE_PATH.index(target) * 10)


def walk_to(stage: str, worker: User, supervisor: User, return_: Return) -> Return:
    """Record what each stage needs and move the return along until it reaches `stage`."""
    for target in STAGE_PATH:
        prepare(target, worker, return_, stage_day(target))
        decider = supervisor if target == "approved" else worker
        return_ = move(decider, return_, target, stage_day(target))
        if target == stage:
            break
    return return_
