"""Fictional returns for `waypoint demo`: one or more in every stage, with monitoring histories.

Every person, case and return here is invented. The returns are walked through the same
services as real ones (so every rule holds and every step is audited), acting as the
organisation's case worker and supervisor; only the dates are set in the past.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.services import Actor
from waypoint.cases.models import Case, CaseStatus, Consent
from waypoint.people import services as people_services
from waypoint.returns import services
from waypoint.returns.models import Declaration, Return
from waypoint.returns.vocabularies import REQUIRED_TOPICS, CounsellingTopic

_GOOD = {
    "income_sources": "one",
    "debt": "manageable",
    "food_security": "never",
    "employment": "occasional_work",
    "economic_satisfaction": "satisfied",
    "housing": "stable_housing",
    "health_care_access": "always",
    "children_education": "no_school_age_children",
    "identity_documents": "all",
    "community_participation": "sometimes",
    "sense_of_safety": "safe",
    "discrimination": "never",
    "support_network": "several_people",
    "psychological_distress": "sometimes",
    "wish_to_migrate_again": "no",
}
_BETTER = {
    **_GOOD,
    "income_sources": "two_or_more",
    "employment": "stable_work_or_business",
    "economic_satisfaction": "very_satisfied",
    "community_participation": "often",
    "psychological_distress": "rarely_or_never",
}
_STRUGGLING = {
    **_GOOD,
    "income_sources": "none",
    "debt": "struggling",
    "food_security": "sometimes",
    "employment": "no_work",
    "economic_satisfaction": "dissatisfied",
    "housing": "temporary_housing",
    "support_network": "one_person",
}
_AT_RISK = {
    **_STRUGGLING,
    "debt": "unpayable_or_owed_to_recruiter",
    "sense_of_safety": "unsafe",
    "wish_to_migrate_again": "yes_at_any_cost",
}

_VICTIMS = "pl_safe_return_victims"
_THIRD_COUNTRY = "pl_avrr_third_country_nationals"
_PATH = (
    "application",
    "approved",
    "travel_arranged",
    "departed",
    "arrived",
    "reintegration",
    "monitoring",
    "completed",
)


@dataclass(frozen=True)
class _DemoReturn:
    given_names: str
    family_names: str
    birth_date: str
    country: str
    language: str
    programme_id: str
    stage: str
    started_days_ago: int
    visits: Sequence[Mapping[str, str]] = ()
    high_risk: bool = False


_RETURNS = (
    _DemoReturn("Olena", "Bondar", "1996-04-02", "UA", "uk", _VICTIMS, "counselling", 12),
    _DemoReturn("Ion", "Rusu", "1988-11-23", "MD", "ru", _VICTIMS, "application", 30),
    _DemoReturn(
        "Nino", "Beridze", "1999-07-15", "GE", "ru", _THIRD_COUNTRY, "approved", 45, high_risk=True
    ),
    _DemoReturn("Aziz", "Rakhimov", "1991-02-09", "UZ", "ru", _THIRD_COUNTRY, "rejected", 60),
    _DemoReturn(
        "Tetiana",
        "Kravets",
        "1985-09-30",
        "UA",
        "uk",
        _VICTIMS,
        "travel_arranged",
        70,
        high_risk=True,
    ),
    _DemoReturn("Vasile", "Ciobanu", "1993-05-05", "MD", "ru", _VICTIMS, "departed", 80),
    _DemoReturn("Lan", "Nguyen", "2000-01-21", "VN", "en", _THIRD_COUNTRY, "arrived", 95),
    _DemoReturn(
        "Andrii",
        "Melnyk",
        "1990-12-12",
        "UA",
        "uk",
        _VICTIMS,
        "reintegration",
        130,
        visits=(_GOOD,),
    ),
    _DemoReturn(
        "Giorgi",
        "Kapanadze",
        "1987-03-18",
        "GE",
        "ru",
        _THIRD_COUNTRY,
        "monitoring",
        220,
        visits=(_GOOD, _BETTER, _STRUGGLING),
    ),
    _DemoReturn(
        "Oksana",
        "Hrytsenko",
        "1994-08-08",
        "UA",
        "uk",
        _VICTIMS,
        "monitoring",
        240,
        visits=(_GOOD, _AT_RISK),
    ),
    _DemoReturn(
        "Minh",
        "Bui",
        "1995-06-01",
        "VN",
        "en",
        _THIRD_COUNTRY,
        "completed",
        400,
        visits=(_GOOD, _BETTER, _BETTER),
    ),
    _DemoReturn(
        "Maria",
        "Ceban",
        "1983-10-10",
        "MD",
        "ru",
        _VICTIMS,
        "completed",
        420,
        visits=(_STRUGGLING, _GOOD, _BETTER),
    ),
    _DemoReturn(
        "Iryna",
        "Tkachenko",
        "1998-02-27",
        "UA",
        "uk",
        _VICTIMS,
        "completed",
        380,
        visits=(_GOOD, _STRUGGLING),
    ),
    _DemoReturn("Dilnoza", "Karimova", "1997-04-14", "UZ", "ru", _THIRD_COUNTRY, "withdrawn", 50),
    _DemoReturn("Svitlana", "Polishchuk", "1992-12-03", "UA", "uk", _VICTIMS, "withdrawn", 65),
    _DemoReturn("Chidi", "Okafor", "1989-09-09", "NG", "en", _THIRD_COUNTRY, "cancelled", 75),
)


def load_demo_returns(organisation: Organisation, users: Mapping[str, User], *, today: date) -> int:
    """Add the fictional returns to the organisation, unless it already has returns; return how
    many were added. `users` maps roles to the organisation's demo users: a case worker and a
    supervisor are needed."""
    if Return.objects.filter(organisation=organisation).exists():
        return 0
    worker = _acting(users[Role.CASE_WORKER])
    supervisor = _acting(users[Role.SUPERVISOR])
    with transaction.atomic():
        for demo in _RETURNS:
            _load(demo, organisation, worker, supervisor, today)
    return len(_RETURNS)


def _acting(user: User) -> User:
    # The command line has no second factor: the demo acts as these users with it passed.
    user.is_verified = lambda: True  # type: ignore[attr-defined]
    return user


def _actor(user: User) -> Actor:
    return Actor(
        user_id=user.pk,
        username=user.username,
        organisation_id=user.organisation_id,
        extra={"via": "waypoint demo"},
    )


def _load(
    demo: _DemoReturn, organisation: Organisation, worker: User, supervisor: User, today: date
) -> None:
    started = today - timedelta(days=demo.started_days_ago)
    case = _case(demo, organisation, worker, supervisor, started)
    return_ = services.start_return(
        _actor(worker),
        worker,
        case=case,
        programme_id=demo.programme_id,
        country_of_return=demo.country,
        language=demo.language,
        started_on=started,
    )
    steps = _steps_to(demo.stage)
    spacing = max(1, demo.started_days_ago // (len(steps) + len(demo.visits) + 1))
    day = started
    for target in steps:
        day += timedelta(days=spacing)
        _prepare(demo, return_, target, day, worker, supervisor)
        if target in {"withdrawn", "cancelled", "rejected"}:
            _stop(return_, target, day, worker, supervisor)
            return
        if target == "completed":
            day = _visit(demo, return_, day, spacing, worker)
        decider = supervisor if target == "approved" else worker
        return_ = services.change_stage(
            _actor(decider),
            decider,
            return_,
            to_stage=target,
            expected_stage=return_.stage,
            on=day,
        )
    if demo.stage in {"reintegration", "monitoring"}:
        _visit(demo, return_, day, spacing, worker)
    if demo.stage == "approved" and demo.high_risk:
        # Travel is being prepared, but the high risk awaits the supervisor: departure is blocked.
        _arrange_travel(demo, return_, day, worker, supervisor)


def _case(
    demo: _DemoReturn, organisation: Organisation, worker: User, supervisor: User, started: date
) -> Case:
    data = people_services.validate_person_data(
        {
            "given_names": demo.given_names,
            "family_names": demo.family_names,
            "birth_date": demo.birth_date,
            "nationality": demo.country,
            "citizenships": [demo.country],
            "languages": [demo.language],
        }
    )
    person = people_services.register_person(
        _actor(worker), worker, organisation=organisation, data=data
    )
    opened = started - timedelta(days=60)
    case = Case.objects.create(
        organisation=organisation,
        person=person,
        owner=worker,
        supervisor=supervisor,
        status=CaseStatus.ASSISTED,
        opened_on=opened,
    )
    Consent.objects.create(
        case=case,
        scope=Consent.Scope.ASSISTANCE,
        given=True,
        explained_in_language=demo.language,
        recorded_on=opened,
        recorded_by=worker,
    )
    return case


def _steps_to(stage: str) -> list[str]:
    if stage == "counselling":
        return []
    if stage == "rejected":
        return ["application", "rejected"]
    if stage in {"withdrawn", "cancelled"}:
        return ["application", stage]
    return list(_PATH[: _PATH.index(stage) + 1])


def _prepare(
    demo: _DemoReturn, return_: Return, target: str, day: date, worker: User, supervisor: User
) -> None:
    """Record what the next stage needs, on the day before the move."""
    actor = _actor(worker)
    if target == "application":
        services.record_counselling_session(
            actor,
            worker,
            return_,
            held_on=day,
            language=demo.language,
            interpreter_used=demo.language != "en",
            topics=[*REQUIRED_TOPICS, CounsellingTopic.RIGHT_TO_WITHDRAW],
            notes="Fictional demo session.",
        )
    elif target == "approved":
        _sign_declaration(demo, return_, day, worker)
        services.record_eligibility_check(
            actor,
            worker,
            return_,
            facts=services.EligibilityFacts(
                nationality=demo.country,
                migration_status="presumed_or_identified_victim",
                obligations=[],
                is_minor=False,
            ),
        )
    elif target == "travel_arranged":
        _arrange_travel(demo, return_, day, worker, supervisor)
    elif target == "reintegration":
        services.add_assistance_item(
            actor,
            worker,
            return_,
            details=services.AssistanceDetails(
                kind="business_start_up_grant",
                dimension="economic",
                level="individual",
                budget="2000.00",
                currency="EUR",
                partner="Receiving partner (fictional)",
                status="approved",
            ),
        )
        item = services.add_assistance_item(
            actor,
            worker,
            return_,
            details=services.AssistanceDetails(
                kind="counselling",
                dimension="psychosocial",
                level="individual",
                budget="300.00",
                currency="USD",
                status="in_progress",
            ),
        )
        services.record_disbursement(actor, worker, item, amount="150.00", paid_on=day)


def _sign_declaration(demo: _DemoReturn, return_: Return, day: date, worker: User) -> None:
    declaration = services.generate_declaration(
        _actor(worker), worker, return_, language=demo.language
    )
    # Dated as if written on the day, so that the signature can be too.
    written = timezone.make_aware(datetime.combine(day, time(10)))
    Declaration.objects.filter(pk=declaration.pk).update(generated_at=written)
    declaration.generated_at = written
    services.record_declaration_signed(_actor(worker), worker, declaration, signed_on=day)


def _arrange_travel(
    demo: _DemoReturn, return_: Return, day: date, worker: User, supervisor: User
) -> None:
    actor = _actor(worker)
    level = "high" if demo.high_risk else "low"
    assessment = services.record_risk_assessment(
        actor,
        worker,
        return_,
        assessed_on=day,
        levels={
            "re_trafficking": level,
            "perpetrator_threat": "medium" if demo.high_risk else "low",
            "family_situation": "low",
            "health_needs": "low",
        },
        details={"re_trafficking": "Fictional demo finding."},
        mitigation="Escort to the partner's shelter; fictional demo plan.",
    )
    if demo.high_risk and demo.stage != "approved":
        services.decide_on_risk(
            _actor(supervisor),
            supervisor,
            assessment,
            decision="proceed",
            reason="Mitigation agreed with the receiving partner (fictional).",
        )
    services.save_travel_plan(
        actor,
        worker,
        return_,
        details=services.TravelDetails(
            planned_departure_on=day + timedelta(days=3),
            itinerary="Fictional itinerary: bus, then train.",
            escort_needed=demo.high_risk,
            escort_details="Social worker of the partner (fictional)." if demo.high_risk else "",
            receiving_partner="Receiving partner (fictional)",
        ),
    )
    services.record_travel_document(
        actor,
        worker,
        return_,
        kind="emergency_travel_document",
        details=services.DocumentDetails(status="issued", requested_on=day, issued_on=day),
    )


def _stop(return_: Return, target: str, day: date, worker: User, supervisor: User) -> None:
    reasons: dict[str, Any] = {
        "rejected": (supervisor, "The programme does not cover this situation (fictional)."),
        "withdrawn": (worker, "The person decided to stay (fictional)."),
        "cancelled": (worker, "The partner in the country of return closed (fictional)."),
    }
    user, reason = reasons[target]
    services.change_stage(
        _actor(user),
        user,
        return_,
        to_stage=target,
        expected_stage=return_.stage,
        on=day,
        reason=reason,
    )


def _visit(demo: _DemoReturn, return_: Return, day: date, spacing: int, worker: User) -> date:
    for answers in demo.visits:
        day += timedelta(days=spacing)
        services.record_monitoring_visit(
            _actor(worker),
            worker,
            return_,
            visited_on=day,
            mode="in_person",
            answers=answers,
            notes="Fictional demo visit.",
        )
    return day
