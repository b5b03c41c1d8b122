"""The legal conclusion for the chosen jurisdiction: INT (Palermo Protocol Art. 3), EU (Directive
2011/36/EU as amended by Directive (EU) 2024/1712) or PL (Kodeks karny art. 115 § 22, 189a).

All three use the act / means / purpose structure with the same minor rule (under 18: no means),
so the elements come from the Palermo test. What differs is the list of forms of exploitation:
a recorded form is ``listed`` when one of the jurisdiction's instruments names it; otherwise the
jurisdiction's note says what it may fall under, for a lawyer to assess.

Conclusion: ``undetermined`` while the elements are; ``definition_not_met`` when they are not
all present; ``definition_met`` when they are and a recorded form is listed (or no form was
recorded, which the explanation says); ``needs_legal_assessment`` when they are but none of the
recorded forms is listed.
"""

from dataclasses import dataclass

from waypoint.domain.screening.catalogue import (
    Catalogue,
    FormRecognition,
    JurisdictionDefinition,
)
from waypoint.domain.screening.vocabulary import ExploitationFormId, LegalConclusion


@dataclass(frozen=True, slots=True)
class FormCoverage:
    form: ExploitationFormId
    recognition: FormRecognition | None
    """How the jurisdiction's list names the form; None when it does not."""


def form_coverage(
    catalogue: Catalogue,
    jurisdiction: JurisdictionDefinition,
    forms: tuple[ExploitationFormId, ...],
) -> tuple[FormCoverage, ...]:
    coverage: list[FormCoverage] = []
    for form in forms:
        recognition = next(
            (
                recognition
                for recognition in catalogue.exploitation_forms[form].recognised_by
                if recognition.instrument in jurisdiction.instruments
            ),
            None,
        )
        coverage.append(FormCoverage(form, recognition))
    return tuple(coverage)


def form_listed(coverage: tuple[FormCoverage, ...]) -> bool | None:
    if not coverage:
        return None
    return any(item.recognition is not None for item in coverage)


def conclusion(elements_met: bool | None, listed: bool | None) -> LegalConclusion:
    if elements_met is None:
        return "undetermined"
    if not elements_met:
        return "definition_not_met"
    return "needs_legal_assessment" if listed is False else "definition_met"
