"""Palermo Protocol Art. 3 element test: act, means and purpose, each present, absent or unknown.

- Act: from the acts recorded (``None`` = not recorded yet, ``()`` = none took place).
- Means: present when a recruitment or destination dimension is positive (deception, coercion,
  abuse of vulnerability), absent when none of them can be; a single indicator is never enough.
- Purpose: present when exploitative conditions are positive, or when a recorded form of
  exploitation shows the purpose by itself (organ removal, forced marriage, illegal adoption,
  exploitation of surrogacy: the labour indicators cannot measure those).
- Met: act AND means AND purpose for an adult; act AND purpose for a child (Art. 3(c)).
- Consent is irrelevant once means were used (Art. 3(b)), and always for a child.
"""

from collections.abc import Collection, Iterable

from waypoint.domain.screening.catalogue import Catalogue
from waypoint.domain.screening.vocabulary import ActId, ElementStatus, ExploitationFormId

ELEMENT_STATUS: dict[bool | None, ElementStatus] = {
    True: "present",
    False: "absent",
    None: "unknown",
}


def act_status(acts: tuple[ActId, ...] | None) -> bool | None:
    return None if acts is None else bool(acts)


# The formulas work on booleans and on truth tables (ints used as bit sets), which is how
# next_questions.OutcomeModel evaluates them three-valued.


def means[T: (bool, int)](recruitment: T, destination: T) -> T:
    """A recruitment or a destination dimension positive: deception, coercion, abuse of
    vulnerability."""
    return recruitment | destination


def purpose[T: (bool, int)](exploitative_conditions: T, purpose_evident: T) -> T:
    return exploitative_conditions | purpose_evident


def elements_met[T: (bool, int)](act: T, means: T, purpose: T, *, child: bool) -> T:
    """Act AND means AND purpose; for a child, act AND purpose (Art. 3(c))."""
    return act & purpose if child else act & means & purpose


def consent_irrelevant(child: bool | None, means: bool | None) -> bool | None:
    if child or means:
        return True
    if child is False and means is False:
        return False
    return None


def purpose_evident_from_forms(catalogue: Catalogue, forms: Iterable[ExploitationFormId]) -> bool:
    return any(catalogue.exploitation_forms[form].purpose_evident_from_form for form in forms)


def purposes_found(
    catalogue: Catalogue, forms: tuple[ExploitationFormId, ...], yes_ids: Collection[str]
) -> tuple[str, ...]:
    """The Palermo purposes, in catalogue order: those of the recorded forms, or, when no form
    was recorded, those whose evidencing indicators were answered "yes"."""
    if forms:
        wanted = {catalogue.exploitation_forms[form].palermo_purpose for form in forms}
        return tuple(purpose.id for purpose in catalogue.purposes if purpose.id in wanted)
    return tuple(
        purpose.id
        for purpose in catalogue.purposes
        if any(indicator_id in yes_ids for indicator_id in purpose.evidenced_by)
    )
