"""Smuggling or trafficking: the movement facts read together with the trafficking finding.

Smuggling facts (Smuggling Protocol Art. 3, read with the standard training distinctions): an
international border was crossed, entry was irregular, the person agreed to the journey and a fee
was paid or is owed for it. The trafficking finding comes from the indicators and the Palermo
test, never from the movement facts alone: whether control went on after arrival is reported as
a reason, and flagged when it contradicts the indicators.

| trafficking | smuggling facts | classification            |
|-------------|-----------------|---------------------------|
| yes         | yes             | smuggled_then_trafficked  |
| yes         | no              | trafficking               |
| no          | yes             | smuggling                 |
| no          | no              | neither                   |
| otherwise   |                 | undetermined              |
"""

from dataclasses import dataclass

from waypoint.domain.screening.contract import MovementFacts
from waypoint.domain.screening.vocabulary import MovementClassification

SMUGGLING_FACTS: tuple[str, ...] = (
    "crossed_border",
    "entry",
    "consented_to_movement",
    "paid_for_movement",
)


@dataclass(frozen=True, slots=True)
class SmugglingFacts:
    present: bool | None
    open_facts: tuple[str, ...]
    """Unknown facts that could still change whether smuggling facts are present."""


def smuggling_facts(movement: MovementFacts) -> SmugglingFacts:
    irregular_entry = None if movement.entry is None else movement.entry == "irregular"
    values = (
        movement.crossed_border,
        irregular_entry,
        movement.consented_to_movement,
        movement.paid_for_movement,
    )
    present = False if False in values else (None if None in values else True)
    open_facts = (
        tuple(fact for fact, value in zip(SMUGGLING_FACTS, values, strict=True) if value is None)
        if present is None
        else ()
    )
    return SmugglingFacts(present, open_facts)


def classify(trafficking: bool | None, smuggling: bool | None) -> MovementClassification:
    if trafficking is None or smuggling is None:
        return "undetermined"
    if trafficking:
        return "smuggled_then_trafficked" if smuggling else "trafficking"
    return "smuggling" if smuggling else "neither"


def fact_reason_codes(movement: MovementFacts) -> tuple[str, ...]:
    """Explanation codes for the movement facts that are known, in a fixed order."""
    codes: list[str] = []
    if movement.crossed_border is False:
        codes.append("movement_no_border")
    if movement.entry is not None:
        codes.append(
            "movement_irregular_entry"
            if movement.entry == "irregular"
            else "movement_regular_entry"
        )
    if movement.consented_to_movement is not None:
        codes.append(
            "movement_consented" if movement.consented_to_movement else "movement_not_consented"
        )
    if movement.paid_for_movement is not None:
        codes.append("movement_paid" if movement.paid_for_movement else "movement_not_paid")
    if movement.free_to_leave_after_arrival is not None:
        codes.append(
            "movement_free_to_leave"
            if movement.free_to_leave_after_arrival
            else "movement_not_free_to_leave"
        )
    if movement.relationship_ended_on_arrival is not None:
        codes.append(
            "movement_relationship_ended"
            if movement.relationship_ended_on_arrival
            else "movement_relationship_continued"
        )
    return tuple(codes)


def control_continued(movement: MovementFacts) -> bool:
    return (
        movement.free_to_leave_after_arrival is False
        or movement.relationship_ended_on_arrival is False
    )
