"""A return moves through its stages only when the recorded facts allow it, and every move is
recorded and audited."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.integration.test_returns_support import (
    PROGRAMME,
    STAGE_PATH,
    actor_for,
    counsel,
    days_ago,
    events,
    make_case,
    move,
    prepare,
    start,
    verified,
    walk_to,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import AccessDenied
from waypoint.cases.models import CaseStatus, Consent
from waypoint.returns import services
from waypoint.returns.models import Declaration, Return, StageChange, TravelPlan
from waypoint.returns.vocabularies import CounsellingTopic


@pytest.fixture
def worker(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.CASE_WORKER))


@pytest.fixture
def supervisor(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.SUPERVISOR))


@pytest.fixture
def return_(worker: User, supervisor: User) -> Return:
    return start(worker, make_case(worker, supervisor))


def high_risk(worker: User, return_: Return) -> None:
    services.record_risk_assessment(
        actor_for(worker),
        worker,
        return_,
        assessed_on=days_ago(1),
        levels={
            "re_trafficking": "high",
            "perpetrator_threat": "medium",
            "family_situation": "low",
            "health_needs": "low",
        },
        details={"perpetrator_threat": "The trafficker's brother asked about her."},
    )


def test_a_return_walks_from_counselling_to_completed_and_keeps_its_history(
    return_: Return, worker: User, supervisor: User
) -> None:
    completed = walk_to("completed", worker, supervisor, return_)
    assert completed.stage == "completed"
    history = list(StageChange.objects.filter(return_record=return_).values_list("to_stage"))
    assert [stage for (stage,) in history] == ["counselling", *STAGE_PATH]
    plan = TravelPlan.objects.get(return_record=return_)
    assert plan.departure_confirmed_on == days_ago(70)
    assert plan.arrival_confirmed_on == days_ago(60)
    moves = [event.details for event in events("return.stage_change")]
    assert [(item["from_stage"], item["to_stage"]) for item in moves] == list(
        zip(["counselling", *STAGE_PATH[:-1]], STAGE_PATH, strict=True)
    )
    assert all(event.object_id == str(return_.pk) for event in events("return.stage_change"))


def test_starting_needs_consent_an_open_case_and_no_other_return(
    worker: User, supervisor: User
) -> None:
    without_consent = make_case(worker, supervisor, consent=False)
    with pytest.raises(services.ReturnRuleError) as refused:
        start(worker, without_consent)
    assert "consent" in refused.value.errors["case_id"][0]

    withdrawn_consent = make_case(worker, supervisor)
    Consent.objects.filter(case=withdrawn_consent).update(withdrawn_at=timezone.now())
    with pytest.raises(services.ReturnRuleError):
        start(worker, withdrawn_consent)

    closed = make_case(worker, supervisor)
    closed.status = CaseStatus.CLOSED
    closed.save()
    with pytest.raises(services.ReturnRuleError, match="closed"):
        start(worker, closed)

    case = make_case(worker, supervisor)
    first = start(worker, case)
    with pytest.raises(services.ReturnRuleError, match="already has a return"):
        start(worker, case)
    move(worker, first, "withdrawn", days_ago(1))
    assert start(worker, case).stage == "counselling"


def test_every_wrong_value_of_a_new_return_is_reported_at_once(worker: User) -> None:
    case = make_case(worker)
    with pytest.raises(services.ReturnInputError) as refused:
        start(
            worker,
            case,
            programme_id="no_such_programme",
            country_of_return="XX",
            language="de",
            started_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(refused.value.errors) == {
        "programme_id",
        "country_of_return",
        "language",
        "started_on",
    }
    with pytest.raises(services.ReturnInputError) as home:
        start(worker, case, country_of_return="PL")
    assert set(home.value.errors) == {"country_of_return"}
    assert not Return.objects.exists()


def test_another_case_workers_case_is_refused(
    alpha: Organisation, make_user: Callable[..., User], worker: User
) -> None:
    colleague = verified(make_user(alpha, Role.CASE_WORKER, username="colleague"))
    case = make_case(worker)
    with pytest.raises(AccessDenied) as refused:
        start(colleague, case)
    assert (refused.value.permission, refused.value.object_type) == ("manage_cases", "case")
    assert not Return.objects.exists()


def test_the_application_waits_until_counselling_covered_every_required_topic(
    return_: Return, worker: User
) -> None:
    services.record_counselling_session(
        actor_for(worker),
        worker,
        return_,
        held_on=days_ago(3),
        language="uk",
        interpreter_used=False,
        topics=[CounsellingTopic.OPTIONS_TO_STAY, CounsellingTopic.LEGAL_STATUS],
    )
    with pytest.raises(services.ReturnRuleError) as refused:
        move(worker, return_, "application", days_ago(1))
    [message] = refused.value.errors["to_stage"]
    assert "Risks on return" in message
    assert "Assistance available before and after return" in message
    assert "Options to stay" not in message
    counsel(worker, return_, days_ago(2))
    assert move(worker, return_, "application", days_ago(1)).stage == "application"


def test_counselling_input_is_checked_whole(return_: Return, worker: User) -> None:
    with pytest.raises(services.ReturnInputError) as refused:
        services.record_counselling_session(
            actor_for(worker),
            worker,
            return_,
            held_on=timezone.localdate() + timedelta(days=2),
            language="xx",
            interpreter_used=False,
            topics=["options_to_stay", "weather", "options_to_stay"],
        )
    assert set(refused.value.errors) == {"held_on", "language", "topics.1", "topics"}
    assert not return_.counselling_sessions.exists()
    assert not events("return.counselling.record")


def test_approval_is_a_supervisors_decision_on_a_signed_declaration_and_an_eligible_check(
    return_: Return, worker: User, supervisor: User
) -> None:
    counsel(worker, return_)
    move(worker, return_, "application", days_ago(50))
    with pytest.raises(AccessDenied) as refused_to_worker:
        move(worker, return_, "approved", days_ago(40))
    assert refused_to_worker.value.permission == "approve_case_decisions"

    with pytest.raises(services.ReturnRuleError) as refused:
        move(supervisor, return_, "approved", days_ago(40))
    assert len(refused.value.errors["to_stage"]) == 2

    declaration = services.generate_declaration(actor_for(worker), worker, return_, language="uk")
    services.record_declaration_signed(
        actor_for(worker), worker, declaration, signed_on=timezone.localdate()
    )
    check = services.record_eligibility_check(
        actor_for(worker),
        worker,
        return_,
        facts=services.EligibilityFacts(
            nationality="UA",
            migration_status="presumed_or_identified_victim",
            obligations=[],
            is_minor=False,
        ),
    )
    assert check.verdict == "eligible"
    assert check.facts["voluntary"] is True
    assert move(supervisor, return_, "approved", days_ago(40)).stage == "approved"


def test_rejection_needs_a_reason_and_the_person_may_apply_again(
    return_: Return, worker: User, supervisor: User
) -> None:
    counsel(worker, return_)
    move(worker, return_, "application", days_ago(50))
    with pytest.raises(services.ReturnInputError) as refused:
        move(supervisor, return_, "rejected", days_ago(40), reason="  ")
    assert list(refused.value.errors) == ["reason"]
    rejected = move(supervisor, return_, "rejected", days_ago(40), reason="Not covered.")
    assert rejected.rejection_reason == "Not covered."
    assert move(worker, rejected, "application", days_ago(30)).stage == "application"


def test_a_high_risk_blocks_departure_until_a_supervisor_lets_it_proceed(
    return_: Return, worker: User, supervisor: User
) -> None:
    walk_to("travel_arranged", worker, supervisor, return_)
    high_risk(worker, return_)
    with pytest.raises(services.ReturnRuleError, match="high-risk"):
        move(worker, return_, "departed", days_ago(1))

    [assessment] = [item for item in return_.risk_assessments.all() if item.overall == "high"]
    with pytest.raises(AccessDenied):
        services.decide_on_risk(
            actor_for(worker), worker, assessment, decision="proceed", reason="Fine."
        )
    with pytest.raises(services.ReturnInputError):
        services.decide_on_risk(
            actor_for(supervisor), supervisor, assessment, decision="proceed", reason=""
        )
    services.decide_on_risk(
        actor_for(supervisor),
        supervisor,
        assessment,
        decision="do_not_proceed",
        reason="Wait for the partner's safety plan.",
    )
    with pytest.raises(services.ReturnRuleError, match="high-risk"):
        move(worker, return_, "departed", days_ago(1))
    services.decide_on_risk(
        actor_for(supervisor),
        supervisor,
        assessment,
        decision="proceed",
        reason="Escort and shelter on arrival are arranged.",
    )
    assert move(worker, return_, "departed", days_ago(1)).stage == "departed"
    assert [event.details["decision"] for event in events("return.risk.decide")] == [
        "do_not_proceed",
        "proceed",
    ]


def test_only_a_high_risk_and_only_the_latest_assessment_is_decided_on(
    return_: Return, worker: User, supervisor: User
) -> None:
    walk_to("approved", worker, supervisor, return_)
    high_risk(worker, return_)
    older = return_.risk_assessments.get()
    services.record_risk_assessment(
        actor_for(worker),
        worker,
        return_,
        assessed_on=days_ago(0),
        levels=dict.fromkeys(
            ["re_trafficking", "perpetrator_threat", "family_situation", "health_needs"], "low"
        ),
        details={},
    )
    with pytest.raises(services.ReturnRuleError, match="newer"):
        services.decide_on_risk(
            actor_for(supervisor), supervisor, older, decision="proceed", reason="Ok."
        )
    newer = return_.risk_assessments.exclude(pk=older.pk).get()
    with pytest.raises(services.ReturnRuleError, match="Only a high risk"):
        services.decide_on_risk(
            actor_for(supervisor), supervisor, newer, decision="proceed", reason="Ok."
        )


def test_travel_needs_a_risk_assessment_a_plan_and_issued_documents(
    return_: Return, worker: User, supervisor: User
) -> None:
    walk_to("approved", worker, supervisor, return_)
    with pytest.raises(services.ReturnRuleError) as refused:
        move(worker, return_, "travel_arranged", days_ago(5))
    assert len(refused.value.errors["to_stage"]) == 3
    prepare("travel_arranged", worker, return_, days_ago(6))
    move(worker, return_, "travel_arranged", days_ago(5))
    services.record_travel_document(
        actor_for(worker),
        worker,
        return_,
        kind="transit_visa",
        details=services.DocumentDetails(status="requested", requested_on=days_ago(3)),
    )
    with pytest.raises(services.ReturnRuleError, match="Transit visa"):
        move(worker, return_, "departed", days_ago(1))
    document = return_.travel_documents.get(kind="transit_visa")
    services.update_travel_document(
        actor_for(worker),
        worker,
        document,
        details=services.DocumentDetails(status="issued", issued_on=days_ago(2)),
    )
    assert move(worker, return_, "departed", days_ago(1)).stage == "departed"


def test_travel_document_input_is_checked(return_: Return, worker: User) -> None:
    with pytest.raises(services.ReturnInputError) as refused:
        services.record_travel_document(
            actor_for(worker),
            worker,
            return_,
            kind="magic_carpet",
            details=services.DocumentDetails(
                status="issued", valid_until=days_ago(1), requested_on=days_ago(-3)
            ),
        )
    assert set(refused.value.errors) == {"kind", "issued_on", "requested_on"}


@pytest.mark.parametrize("stage", ["counselling", "application", "approved", "travel_arranged"])
def test_the_person_may_withdraw_at_any_stage_before_departure(
    stage: str, return_: Return, worker: User, supervisor: User
) -> None:
    if stage != "counselling":
        walk_to(stage, worker, supervisor, return_)
    withdrawn = move(worker, return_, "withdrawn", timezone.localdate(), reason="")
    assert withdrawn.stage == "withdrawn"
    assert StageChange.objects.filter(return_record=return_, to_stage="withdrawn").exists()
    signed = Declaration.objects.filter(return_record=return_, signed_on__isnull=False)
    assert all(item.withdrawn_on == timezone.localdate() for item in signed)
    with pytest.raises(services.ReturnRuleError):
        move(worker, withdrawn, "application", timezone.localdate())


def test_withdrawal_and_cancellation_end_at_departure(
    return_: Return, worker: User, supervisor: User
) -> None:
    walk_to("departed", worker, supervisor, return_)
    for stop in ("withdrawn", "cancelled"):
        with pytest.raises(services.ReturnRuleError) as refused:
            move(worker, return_, stop, timezone.localdate(), reason="Changed her mind.")
        assert "cannot move" in refused.value.errors["to_stage"][0]


def test_cancellation_needs_a_reason(return_: Return, worker: User) -> None:
    with pytest.raises(services.ReturnInputError):
        move(worker, return_, "cancelled", timezone.localdate())
    cancelled = move(worker, return_, "cancelled", timezone.localdate(), reason="Funding ended.")
    assert cancelled.stop_reason == "Funding ended."


def test_a_move_made_on_a_stale_page_changes_nothing(return_: Return, worker: User) -> None:
    counsel(worker, return_)
    with pytest.raises(services.ReturnRuleError) as refused:
        services.change_stage(
            actor_for(worker),
            worker,
            return_,
            to_stage="application",
            expected_stage="application",
            on=days_ago(1),
        )
    assert "expected_stage" in refused.value.errors
    assert Return.objects.get(pk=return_.pk).stage == "counselling"
    with pytest.raises(services.ReturnInputError):
        move(worker, return_, "application", days_ago(500))
    with pytest.raises(services.ReturnInputError):
        move(worker, return_, "nowhere", days_ago(1))
    assert not events("return.stage_change")


def test_reintegration_needs_planned_assistance(
    return_: Return, worker: User, supervisor: User
) -> None:
    walk_to("arrived", worker, supervisor, return_)
    with pytest.raises(services.ReturnRuleError, match="no assistance item"):
        move(worker, return_, "reintegration", days_ago(1))
    assert move(worker, return_, "monitoring", days_ago(1)).stage == "monitoring"


def test_eligibility_explains_every_rule_that_failed_or_is_unknown(
    return_: Return, worker: User
) -> None:
    check = services.record_eligibility_check(
        actor_for(worker),
        worker,
        return_,
        facts=services.EligibilityFacts(
            nationality="PL",
            migration_status=None,
            obligations=[services.Obligation("Witness at the trial", requires_presence=True)],
        ),
    )
    assert check.verdict == "not_eligible"
    assert check.programme_id == PROGRAMME
    outcomes = {line["rule"]: line["outcome"] for line in check.rules}
    assert outcomes["nationality"] == "failed"
    assert outcomes["migration_status"] == "unknown"
    assert outcomes["voluntariness"] == "unknown"
    assert outcomes["pending_obligations"] == "failed"
    for line in check.rules:
        assert set(line["explanation"]) == {"en", "pl", "uk", "ru"}
        assert all(line["explanation"].values())
    [event] = events("return.eligibility.check")
    assert event.details["verdict"] == "not_eligible"
    assert "Witness" not in str(event.details)


def test_eligibility_input_errors_name_their_paths(return_: Return, worker: User) -> None:
    with pytest.raises(services.ReturnInputError) as refused:
        services.record_eligibility_check(
            actor_for(worker),
            worker,
            return_,
            facts=services.EligibilityFacts(
                nationality="ZZ",
                residence_rights=["DE", "Q1"],
                migration_status="tourist",
                best_interests="maybe",
                obligations=[services.Obligation("", requires_presence=None)],
            ),
        )
    assert set(refused.value.errors) == {
        "nationality",
        "residence_rights.1",
        "migration_status",
        "best_interests",
        "obligations.0.description",
    }
    assert not return_.eligibility_checks.exists()
