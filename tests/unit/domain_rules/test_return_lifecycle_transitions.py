from itertools import pairwise

import pytest

from waypoint.domain.return_lifecycle import (
    FINAL_STAGES,
    PRE_DEPARTURE_STAGES,
    DepartureBlockedError,
    InvalidReturnTransitionError,
    RejectionReasonRequiredError,
    ReturnStage,
    StageLabels,
    allowed_transitions,
    check_transition,
    stage_label,
)
from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES, LocalizedText

MAIN_PATH = [
    ReturnStage.COUNSELLING,
    ReturnStage.APPLICATION,
    ReturnStage.APPROVED,
    ReturnStage.TRAVEL_ARRANGED,
    ReturnStage.DEPARTED,
    ReturnStage.ARRIVED,
    ReturnStage.REINTEGRATION,
    ReturnStage.MONITORING,
    ReturnStage.COMPLETED,
]


def test_the_main_path_is_allowed() -> None:
    for from_stage, to_stage in pairwise(MAIN_PATH):
        check_transition(from_stage, to_stage, high_risk_unresolved=False)


@pytest.mark.parametrize("stage", sorted(PRE_DEPARTURE_STAGES))
def test_withdrawal_and_cancellation_are_possible_before_departure(stage: ReturnStage) -> None:
    for stop in (ReturnStage.WITHDRAWN, ReturnStage.CANCELLED):
        check_transition(stage, stop, high_risk_unresolved=True)


@pytest.mark.parametrize(
    "stage",
    [
        ReturnStage.DEPARTED,
        ReturnStage.ARRIVED,
        ReturnStage.REINTEGRATION,
        ReturnStage.MONITORING,
        ReturnStage.COMPLETED,
    ],
)
def test_withdrawal_and_cancellation_are_impossible_after_departure(stage: ReturnStage) -> None:
    for stop in (ReturnStage.WITHDRAWN, ReturnStage.CANCELLED):
        with pytest.raises(InvalidReturnTransitionError):
            check_transition(stage, stop, high_risk_unresolved=False)


def test_rejection_needs_a_reason() -> None:
    for reason in (None, "", "   "):
        with pytest.raises(RejectionReasonRequiredError, match="needs a reason"):
            check_transition(
                ReturnStage.APPLICATION,
                ReturnStage.REJECTED,
                high_risk_unresolved=False,
                rejection_reason=reason,
            )
    check_transition(
        ReturnStage.APPLICATION,
        ReturnStage.REJECTED,
        high_risk_unresolved=False,
        rejection_reason="Nationality not covered by the programme",
    )


def test_a_rejected_application_can_be_made_again() -> None:
    assert allowed_transitions(ReturnStage.REJECTED) == (ReturnStage.APPLICATION,)


def test_unresolved_high_risk_blocks_departure() -> None:
    with pytest.raises(DepartureBlockedError, match="supervisor") as raised:
        check_transition(
            ReturnStage.TRAVEL_ARRANGED, ReturnStage.DEPARTED, high_risk_unresolved=True
        )
    assert raised.value.from_stage == ReturnStage.TRAVEL_ARRANGED
    assert raised.value.to_stage == ReturnStage.DEPARTED
    check_transition(ReturnStage.TRAVEL_ARRANGED, ReturnStage.DEPARTED, high_risk_unresolved=False)


def test_high_risk_blocks_only_departure() -> None:
    check_transition(ReturnStage.COUNSELLING, ReturnStage.APPLICATION, high_risk_unresolved=True)
    check_transition(ReturnStage.APPROVED, ReturnStage.TRAVEL_ARRANGED, high_risk_unresolved=True)


def test_travel_that_falls_through_goes_back_to_approved() -> None:
    check_transition(ReturnStage.TRAVEL_ARRANGED, ReturnStage.APPROVED, high_risk_unresolved=False)


def test_monitoring_can_call_for_more_reintegration_assistance() -> None:
    check_transition(ReturnStage.MONITORING, ReturnStage.REINTEGRATION, high_risk_unresolved=False)


@pytest.mark.parametrize("stage", sorted(FINAL_STAGES))
def test_final_stages_lead_nowhere(stage: ReturnStage) -> None:
    assert allowed_transitions(stage) == ()
    with pytest.raises(InvalidReturnTransitionError, match=r"none \(final stage\)"):
        check_transition(stage, ReturnStage.COUNSELLING, high_risk_unresolved=False)


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [
        (ReturnStage.COUNSELLING, ReturnStage.APPROVED),
        (ReturnStage.APPROVED, ReturnStage.DEPARTED),
        (ReturnStage.DEPARTED, ReturnStage.COUNSELLING),
        (ReturnStage.REJECTED, ReturnStage.APPROVED),
    ],
)
def test_skipping_stages_is_refused(from_stage: ReturnStage, to_stage: ReturnStage) -> None:
    with pytest.raises(InvalidReturnTransitionError, match="allowed:"):
        check_transition(from_stage, to_stage, high_risk_unresolved=False)


def test_every_stage_has_a_label_in_every_language() -> None:
    for stage in ReturnStage:
        for language in SUPPORTED_LANGUAGES:
            assert stage_label(stage).in_language(language)
    assert stage_label(ReturnStage.WITHDRAWN).en == "Withdrawn by the person"


def test_a_label_file_missing_a_stage_is_refused() -> None:
    text = LocalizedText(en="x", pl="x", uk="x", ru="x")
    with pytest.raises(ValueError, match="no label for: arrived"):
        StageLabels({stage: text for stage in ReturnStage if stage != ReturnStage.ARRIVED})
