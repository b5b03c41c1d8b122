"""Stages of an assisted voluntary return and reintegration (AVRR) and the moves between them.

counselling → application → approved (or rejected, with a reason) → travel_arranged → departed →
arrived → reintegration → monitoring → completed. Until the person has departed, the return can be
``withdrawn`` (the person changed their mind: voluntariness means they may) or ``cancelled`` (the
organisation stopped it). A high return risk that no supervisor has decided on blocks departure.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from types import MappingProxyType

from pydantic import TypeAdapter

from waypoint.domain.rights.texts import LocalizedText


class ReturnStage(StrEnum):
    COUNSELLING = "counselling"
    APPLICATION = "application"
    APPROVED = "approved"
    REJECTED = "rejected"
    TRAVEL_ARRANGED = "travel_arranged"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    REINTEGRATION = "reintegration"
    MONITORING = "monitoring"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


PRE_DEPARTURE_STAGES: frozenset[ReturnStage] = frozenset(
    {
        ReturnStage.COUNSELLING,
        ReturnStage.APPLICATION,
        ReturnStage.APPROVED,
        ReturnStage.TRAVEL_ARRANGED,
    }
)

FINAL_STAGES: frozenset[ReturnStage] = frozenset(
    {ReturnStage.COMPLETED, ReturnStage.WITHDRAWN, ReturnStage.CANCELLED}
)

_STOPS = (ReturnStage.WITHDRAWN, ReturnStage.CANCELLED)

_TRANSITIONS: MappingProxyType[ReturnStage, tuple[ReturnStage, ...]] = MappingProxyType(
    {
        ReturnStage.COUNSELLING: (ReturnStage.APPLICATION, *_STOPS),
        ReturnStage.APPLICATION: (ReturnStage.APPROVED, ReturnStage.REJECTED, *_STOPS),
        ReturnStage.APPROVED: (ReturnStage.TRAVEL_ARRANGED, *_STOPS),
        # A rejected application may be made again when the facts change.
        ReturnStage.REJECTED: (ReturnStage.APPLICATION,),
        # Travel that falls through goes back to approved, to be arranged again.
        ReturnStage.TRAVEL_ARRANGED: (ReturnStage.DEPARTED, ReturnStage.APPROVED, *_STOPS),
        ReturnStage.DEPARTED: (ReturnStage.ARRIVED,),
        ReturnStage.ARRIVED: (
            ReturnStage.REINTEGRATION,
            ReturnStage.MONITORING,
            ReturnStage.COMPLETED,
        ),
        ReturnStage.REINTEGRATION: (ReturnStage.MONITORING,),
        # Monitoring may show that more reintegration assistance is needed.
        ReturnStage.MONITORING: (ReturnStage.REINTEGRATION, ReturnStage.COMPLETED),
        ReturnStage.COMPLETED: (),
        ReturnStage.WITHDRAWN: (),
        ReturnStage.CANCELLED: (),
    }
)


class ReturnTransitionError(ValueError):
    """A return cannot move between the two stages as asked."""

    def __init__(self, message: str, from_stage: ReturnStage, to_stage: ReturnStage) -> None:
        super().__init__(message)
        self.from_stage = from_stage
        self.to_stage = to_stage


class InvalidReturnTransitionError(ReturnTransitionError):
    """The AVRR workflow has no such move."""


class RejectionReasonRequiredError(ReturnTransitionError):
    """An application was rejected without saying why."""


class DepartureBlockedError(ReturnTransitionError):
    """A high return risk awaits a supervisor's decision, so the person may not depart yet."""


def allowed_transitions(stage: ReturnStage) -> tuple[ReturnStage, ...]:
    return _TRANSITIONS[stage]


def check_transition(
    from_stage: ReturnStage,
    to_stage: ReturnStage,
    *,
    high_risk_unresolved: bool,
    rejection_reason: str | None = None,
) -> None:
    """Raise a :class:`ReturnTransitionError` unless the return may move between the stages.

    ``high_risk_unresolved`` is true while a risk assessment rated the return high-risk and no
    supervisor decision on it has been recorded.
    """
    allowed = _TRANSITIONS[from_stage]
    if to_stage not in allowed:
        names = ", ".join(allowed) or "none (final stage)"
        raise InvalidReturnTransitionError(
            f"A return in {from_stage!s} cannot move to {to_stage!s}; allowed: {names}.",
            from_stage,
            to_stage,
        )
    if to_stage == ReturnStage.REJECTED and not (rejection_reason and rejection_reason.strip()):
        raise RejectionReasonRequiredError(
            "Rejecting an application needs a reason that can be shown to the applicant.",
            from_stage,
            to_stage,
        )
    if to_stage == ReturnStage.DEPARTED and high_risk_unresolved:
        raise DepartureBlockedError(
            "The return is rated high-risk and no supervisor decision is recorded; "
            "departure is blocked until a supervisor decides.",
            from_stage,
            to_stage,
        )


@dataclass(frozen=True)
class StageLabels:
    labels: dict[ReturnStage, LocalizedText]

    def __post_init__(self) -> None:
        missing = sorted(set(ReturnStage) - self.labels.keys())
        if missing:
            raise ValueError(f"stages.json has no label for: {', '.join(missing)}.")


@cache
def _stage_labels() -> StageLabels:
    text = files(__package__).joinpath("data", "stages.json").read_text("utf-8")
    return TypeAdapter(StageLabels).validate_json(text)


def stage_label(stage: ReturnStage) -> LocalizedText:
    """The stage's name for people, in every supported language."""
    return _stage_labels().labels[stage]
