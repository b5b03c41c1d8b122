from itertools import pairwise

import pytest

from waypoint.domain.case_lifecycle import (
    CLOSED_STATES,
    CaseState,
    HtcdsCaseStatus,
    InvalidTransitionError,
    StateLabels,
    SupervisorApprovalRequiredError,
    allowed_transitions,
    check_transition,
    htcds_status,
    requires_supervisor_approval,
    state_label,
)
from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES, LocalizedText

OPEN_STATES = [state for state in CaseState if state not in CLOSED_STATES]


def test_the_main_path_needs_no_approval_until_closing() -> None:
    path = [
        CaseState.SCREENING,
        CaseState.PRESUMED_VICTIM,
        CaseState.IDENTIFIED,
        CaseState.ASSISTED,
        CaseState.FOLLOW_UP,
    ]
    for from_state, to_state in pairwise(path):
        check_transition(from_state, to_state, approved_by_supervisor=False)
    check_transition(CaseState.FOLLOW_UP, CaseState.CLOSED, approved_by_supervisor=True)


CLOSING_MOVES = [
    (from_state, to_state)
    for from_state in OPEN_STATES
    for to_state in allowed_transitions(from_state)
    if to_state in CLOSED_STATES
]


@pytest.mark.parametrize(("from_state", "to_state"), CLOSING_MOVES)
def test_closing_always_requires_a_supervisor(from_state: CaseState, to_state: CaseState) -> None:
    assert requires_supervisor_approval(from_state, to_state)
    with pytest.raises(SupervisorApprovalRequiredError, match="supervisor's approval"):
        check_transition(from_state, to_state, approved_by_supervisor=False)
    check_transition(from_state, to_state, approved_by_supervisor=True)


def test_every_open_state_can_be_closed_and_referred() -> None:
    for state in OPEN_STATES:
        assert CaseState.CLOSED in allowed_transitions(state)
        assert CaseState.CLOSED_REFERRED in allowed_transitions(state)


def test_not_a_victim_is_only_decided_before_identification() -> None:
    assert CaseState.CLOSED_NOT_VICTIM in allowed_transitions(CaseState.SCREENING)
    assert CaseState.CLOSED_NOT_VICTIM in allowed_transitions(CaseState.PRESUMED_VICTIM)
    for state in (CaseState.IDENTIFIED, CaseState.ASSISTED, CaseState.FOLLOW_UP):
        assert CaseState.CLOSED_NOT_VICTIM not in allowed_transitions(state)


@pytest.mark.parametrize("closed", sorted(CLOSED_STATES))
def test_closed_cases_can_be_reopened_without_approval(closed: CaseState) -> None:
    targets = allowed_transitions(closed)
    assert targets
    assert not set(targets) & CLOSED_STATES
    for target in targets:
        assert not requires_supervisor_approval(closed, target)
        check_transition(closed, target, approved_by_supervisor=False)


def test_a_case_found_not_to_be_a_victim_is_screened_again() -> None:
    assert allowed_transitions(CaseState.CLOSED_NOT_VICTIM) == (
        CaseState.SCREENING,
        CaseState.PRESUMED_VICTIM,
    )


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [
        (CaseState.SCREENING, CaseState.IDENTIFIED),
        (CaseState.SCREENING, CaseState.ASSISTED),
        (CaseState.IDENTIFIED, CaseState.SCREENING),
        (CaseState.ASSISTED, CaseState.ASSISTED),
        (CaseState.CLOSED, CaseState.CLOSED_REFERRED),
    ],
)
def test_moves_outside_the_workflow_are_refused(from_state: CaseState, to_state: CaseState) -> None:
    with pytest.raises(InvalidTransitionError) as raised:
        check_transition(from_state, to_state, approved_by_supervisor=True)
    assert raised.value.from_state == from_state
    assert raised.value.to_state == to_state
    assert "allowed:" in str(raised.value)


def test_the_error_names_the_allowed_moves() -> None:
    with pytest.raises(InvalidTransitionError, match="allowed: presumed_victim, closed"):
        check_transition(CaseState.SCREENING, CaseState.FOLLOW_UP, approved_by_supervisor=True)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (CaseState.SCREENING, HtcdsCaseStatus.ACTIVE),
        (CaseState.PRESUMED_VICTIM, HtcdsCaseStatus.ACTIVE),
        (CaseState.IDENTIFIED, HtcdsCaseStatus.ACTIVE),
        (CaseState.ASSISTED, HtcdsCaseStatus.ACTIVE),
        (CaseState.FOLLOW_UP, HtcdsCaseStatus.FOLLOW_UP),
        (CaseState.CLOSED, HtcdsCaseStatus.CLOSED),
        (CaseState.CLOSED_NOT_VICTIM, HtcdsCaseStatus.CLOSED),
        (CaseState.CLOSED_REFERRED, HtcdsCaseStatus.CLOSED_REFERRED),
    ],
)
def test_htcds_status(state: CaseState, status: HtcdsCaseStatus) -> None:
    assert htcds_status(state) == status


def test_htcds_values_are_spelled_as_in_the_standard() -> None:
    assert [status.value for status in HtcdsCaseStatus] == [
        "Active",
        "FollowUp",
        "Closed",
        "ClosedReferred",
    ]


def test_every_state_has_a_label_in_every_language() -> None:
    for state in CaseState:
        for language in SUPPORTED_LANGUAGES:
            assert state_label(state).in_language(language)
    assert state_label(CaseState.CLOSED).pl == "Zamknięta"


def test_a_label_file_missing_a_state_is_refused() -> None:
    text = LocalizedText(en="x", pl="x", uk="x", ru="x")
    with pytest.raises(ValueError, match="no label for: assisted"):
        StateLabels({state: text for state in CaseState if state != CaseState.ASSISTED})
