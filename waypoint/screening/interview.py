"""The guided interview's state: the posted answers, the steps, and the engine's assessment.

Nothing is stored: every step posts back all the answers so far (the current step's as
inputs, the others as hidden inputs), so a quick anonymous check leaves no trace.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.forms import BoundField
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from waypoint.domain.screening import (
    Assessment,
    ScreeningInputError,
    assess,
    get_catalogue,
    parse_screening_input,
)
from waypoint.screening.forms import (
    AnswersForm,
    SetupForm,
    indicator_field_name,
    movement_field_name,
)

INTERVIEW_LANGUAGES: tuple[str, ...] = tuple(get_catalogue().languages)
SETUP = "setup"
MOVEMENT = "movement"
OUTCOME = "outcome"


def interviewer_language() -> str:
    """The active interface language, as one of the catalogue's languages."""
    language = (get_language() or "en").split("-")[0]
    return language if language in INTERVIEW_LANGUAGES else "en"


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    number: int


@dataclass(frozen=True, slots=True)
class Question:
    """One question as asked: the field (labelled in the interviewer's language) and the
    plain wording for the person."""

    field: BoundField
    plain: str


def interview_steps(language: str) -> list[Step]:
    """Setup, the six ILO dimensions in catalogue order, the journey, and the outcome."""
    titles = [
        (SETUP, _("The situation")),
        *((dimension.id, dimension.label[language]) for dimension in get_catalogue().dimensions),
        (MOVEMENT, _("The journey")),
        (OUTCOME, _("Outcome")),
    ]
    return [
        Step(id=step_id, title=title, number=number)
        for number, (step_id, title) in enumerate(titles, start=1)
    ]


class Interview:
    """One request's view of the interview: validated forms and, when valid, the assessment."""

    def __init__(self, data: Mapping[str, Any] | None) -> None:
        self.language = interviewer_language()
        self.steps = interview_steps(self.language)
        self.setup = SetupForm(data, language=self.language)
        self.answers: AnswersForm | None = None
        self.assessment: Assessment | None = None
        self.sets_considered: tuple[str, ...] = ()
        self.problems: list[str] = []
        if data is None or not self.setup.is_valid():
            return
        setup_input = self.setup.screening_input()
        # The engine decides which indicator sets apply (both when the age is unknown).
        setup_only = self._assess(setup_input, self.setup)
        if setup_only is None:
            return
        self.sets_considered = setup_only.indicator_sets_considered
        self.answers = AnswersForm(
            data, indicator_ids=self._indicator_ids(), language=self.language
        )
        if self.answers.is_valid():
            self.assessment = self._assess(
                {**setup_input, **self.answers.screening_input()}, self.answers
            )

    def _assess(self, raw: dict[str, Any], form: SetupForm | AnswersForm) -> Assessment | None:
        try:
            return assess(parse_screening_input(raw), language=self.language)
        except ScreeningInputError as error:
            # The forms catch what a person can get wrong; this is the engine's last word.
            for problem in error.errors:
                field = _field_at(problem["path"], form)
                if field is None:
                    self.problems.append(f"{problem['path']}: {problem['message']}")
                else:
                    form.add_error(field, problem["message"])
            return None

    def _indicator_ids(self, dimension_id: str | None = None) -> list[str]:
        """The indicators of the sets considered, in catalogue order, without repeats."""
        catalogue = get_catalogue()
        ids: dict[str, None] = {}
        for set_id in self.sets_considered:
            indicator_set = catalogue.indicator_sets[set_id]
            members = (
                indicator_set.members
                if dimension_id is None
                else indicator_set.in_dimension(dimension_id)
            )
            for member in members:
                ids.setdefault(member.id)
        return list(ids)

    @property
    def person_language(self) -> str:
        return self.setup.language_of_the_person

    @property
    def jurisdiction_label(self) -> str:
        jurisdiction = self.setup.cleaned_data["jurisdiction"]
        return get_catalogue().jurisdictions[jurisdiction].label[self.language]

    def step(self, step_id: str) -> Step:
        return next((step for step in self.steps if step.id == step_id), self.steps[0])

    def step_to_show(self, current: str, direction: str) -> Step:
        """The step after navigating from `current`, unless a step holds an error."""
        if failed := self.first_failed_step():
            return failed
        index = self.steps.index(self.step(current))
        target = index - 1 if direction == "back" else index + 1
        return self.steps[max(0, min(target, len(self.steps) - 1))]

    def first_failed_step(self) -> Step | None:
        if not self.setup.is_bound or self.assessment is not None:
            return None
        if self.answers is None or self.setup.errors:
            return self.steps[0]
        failed = set(self.answers.errors)
        for step in self.steps[1:-1]:
            if failed & set(self._field_names(step.id)):
                return step
        return self.steps[0]

    def _field_names(self, step_id: str) -> list[str]:
        if step_id == SETUP:
            return list(self.setup.fields)
        if step_id == MOVEMENT:
            return [
                movement_field_name(question.id) for question in get_catalogue().movement_questions
            ]
        return [indicator_field_name(indicator_id) for indicator_id in self._indicator_ids(step_id)]

    def questions(self, step_id: str) -> list[Question]:
        """The step's questions, with the plain wording in the person's language."""
        if self.answers is None:
            return []
        catalogue = get_catalogue()
        language = self.person_language
        if step_id == MOVEMENT:
            return [
                Question(
                    field=self.answers[movement_field_name(question.id)],
                    plain=question.plain[language],
                )
                for question in catalogue.movement_questions
            ]
        return [
            Question(
                field=self.answers[indicator_field_name(indicator_id)],
                plain=catalogue.indicators[indicator_id].plain[language],
            )
            for indicator_id in self._indicator_ids(step_id)
        ]

    def carried_answers(self, step_id: str) -> list[tuple[str, str]]:
        """(name, value) of every answer given on the other steps, to post as hidden inputs."""
        shown = set(self._field_names(step_id)) if step_id != OUTCOME else set()
        fields = list(self.setup) + (list(self.answers) if self.answers is not None else [])
        carried: list[tuple[str, str]] = []
        for field in fields:
            if field.name in shown:
                continue
            value = field.value()
            values = value if isinstance(value, list) else [value]
            carried.extend(
                (field.html_name, str(item)) for item in values if item not in (None, "")
            )
        return carried

    def setup_plain(self) -> dict[str, str]:
        """The setup questions in the person's plain wording."""
        catalogue = get_catalogue()
        language = self.person_language
        return {
            "age": catalogue.person_questions[0].plain[language],
            "act": catalogue.act_question.plain[language],
        }


_SETUP_FIELDS_BY_INPUT_KEY = {
    "jurisdiction": "jurisdiction",
    "person": "age_at_recruitment",
    "exploitation": "exploitation",
    "act": "acts",
}


def _field_at(path: str, form: SetupForm | AnswersForm) -> str | None:
    """The form field that gave the value at the engine's JSON path, if there is one."""
    parts = path.removeprefix("$.").replace("[", ".").split(".")
    head = parts[0]
    if head in _SETUP_FIELDS_BY_INPUT_KEY:
        name = _SETUP_FIELDS_BY_INPUT_KEY[head]
    elif head == "indicators" and len(parts) > 1:
        name = indicator_field_name(parts[1])
    elif head == "movement" and len(parts) > 1:
        name = movement_field_name(parts[1])
    else:
        return None
    return name if name in form.fields else None
