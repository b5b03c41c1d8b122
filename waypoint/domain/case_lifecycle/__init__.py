"""Protection case states and the transitions allowed between them.

A case moves screening → presumed_victim → identified → assisted → follow_up → closed, and may be
closed early (``closed``), closed because the person was found not to be a victim
(``closed_not_victim``) or closed by referral to another organisation (``closed_referred``).
A closed case can be reopened. Every move into a closed state needs a supervisor's approval.

The state names the stage of the case work, not the person's entitlements: under Directive
2011/36/EU and CETS 197 assistance starts at reasonable grounds, i.e. already in
``presumed_victim``.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from types import MappingProxyType

from pydantic import TypeAdapter

from waypoint.domain.rights.texts import LocalizedText


class CaseState(StrEnum):
    SCREENING = "screening"
    PRESUMED_VICTIM = "presumed_victim"
    IDENTIFIED = "identified"
    ASSISTED = "assisted"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    CLOSED_NOT_VICTIM = "closed_not_victim"
    CLOSED_REFERRED = "closed_referred"


class HtcdsCaseStatus(StrEnum):
    """Values of ``cas_Status`` in the Human Trafficking Case Data Standard 2.0."""

    ACTIVE = "Active"
    FOLLOW_UP = "FollowUp"
    CLOSED = "Closed"
    CLOSED_REFERRED = "ClosedReferred"


CLOSED_STATES: frozenset[CaseState] = frozenset(
    {CaseState.CLOSED, CaseState.CLOSED_NOT_VICTIM, CaseState.CLOSED_REFERRED}
)

_OPEN_STATE_ORDER = (
    CaseState.SCREENING,
    CaseState.PRESUMED_VICTIM,
    CaseState.IDENTIFIED,
    CaseState.ASSISTED,
    CaseState.FOLLOW_UP,
)

_TRANSITIONS: MappingProxyType[CaseState, tuple[CaseState, ...]] = MappingProxyType(
    {
        CaseState.SCREENING: (
            CaseState.PRESUMED_VICTIM,
            CaseState.CLOSED,
            CaseState.CLOSED_NOT_VICTIM,
            CaseState.CLOSED_REFERRED,
        ),
        CaseState.PRESUMED_VICTIM: (
            CaseState.IDENTIFIED,
            CaseState.CLOSED,
            CaseState.CLOSED_NOT_VICTIM,
            CaseState.CLOSED_REFERRED,
        ),
        # Once identified, "not a victim" is no longer a way to close the case.
        CaseState.IDENTIFIED: (CaseState.ASSISTED, CaseState.CLOSED, CaseState.CLOSED_REFERRED),
        CaseState.ASSISTED: (CaseState.FOLLOW_UP, CaseState.CLOSED, CaseState.CLOSED_REFERRED),
        CaseState.FOLLOW_UP: (CaseState.ASSISTED, CaseState.CLOSED, CaseState.CLOSED_REFERRED),
        # Closing does not erase an identification, so these cases may resume at any stage.
        CaseState.CLOSED: _OPEN_STATE_ORDER,
        CaseState.CLOSED_REFERRED: _OPEN_STATE_ORDER,
        # New facts about someone found not to be a victim call for a fresh screening.
        CaseState.CLOSED_NOT_VICTIM: (CaseState.SCREENING, CaseState.PRESUMED_VICTIM),
    }
)

_HTCDS_STATUS: MappingProxyType[CaseState, HtcdsCaseStatus] = MappingProxyType(
    {
        CaseState.SCREENING: HtcdsCaseStatus.ACTIVE,
        CaseState.PRESUMED_VICTIM: HtcdsCaseStatus.ACTIVE,
        CaseState.IDENTIFIED: HtcdsCaseStatus.ACTIVE,
        CaseState.ASSISTED: HtcdsCaseStatus.ACTIVE,
        CaseState.FOLLOW_UP: HtcdsCaseStatus.FOLLOW_UP,
        CaseState.CLOSED: HtcdsCaseStatus.CLOSED,
        CaseState.CLOSED_NOT_VICTIM: HtcdsCaseStatus.CLOSED,
        CaseState.CLOSED_REFERRED: HtcdsCaseStatus.CLOSED_REFERRED,
    }
)


class TransitionError(ValueError):
    """A case cannot move between the two states as asked."""

    def __init__(self, message: str, from_state: CaseState, to_state: CaseState) -> None:
        super().__init__(message)
        self.from_state = from_state
        self.to_state = to_state


class InvalidTransitionError(TransitionError):
    """The case workflow has no such move."""


class SupervisorApprovalRequiredError(TransitionError):
    """The move is allowed only with a supervisor's recorded approval."""


def allowed_transitions(state: CaseState) -> tuple[CaseState, ...]:
    return _TRANSITIONS[state]


def requires_supervisor_approval(from_state: CaseState, to_state: CaseState) -> bool:
    """Closing a case, in any of its closed states, needs a supervisor's approval."""
    return from_state not in CLOSED_STATES and to_state in CLOSED_STATES


def check_transition(
    from_state: CaseState, to_state: CaseState, *, approved_by_supervisor: bool
) -> None:
    """Raise a :class:`TransitionError` unless the case may move from one state to the other."""
    allowed = _TRANSITIONS[from_state]
    if to_state not in allowed:
        names = ", ".join(allowed)
        raise InvalidTransitionError(
            f"A case in {from_state!s} cannot move to {to_state!s}; allowed: {names}.",
            from_state,
            to_state,
        )
    if requires_supervisor_approval(from_state, to_state) and not approved_by_supervisor:
        raise SupervisorApprovalRequiredError(
            f"Moving a case from {from_state!s} to {to_state!s} closes it and needs a "
            "supervisor's approval.",
            from_state,
            to_state,
        )


def htcds_status(state: CaseState) -> HtcdsCaseStatus:
    return _HTCDS_STATUS[state]


@dataclass(frozen=True)
class StateLabels:
    labels: dict[CaseState, LocalizedText]

    def __post_init__(self) -> None:
        missing = sorted(set(CaseState) - self.labels.keys())
        if missing:
            raise ValueError(f"states.json has no label for: {', '.join(missing)}.")


@cache
def _state_labels() -> StateLabels:
    text = files(__package__).joinpath("data", "states.json").read_text("utf-8")
    return TypeAdapter(StateLabels).validate_json(text)


def state_label(state: CaseState) -> LocalizedText:
    """The state's name for people, in every supported language."""
    return _state_labels().labels[state]
