"""The guided interview's forms, built from the engine's catalogue.

They only turn posted answers into the engine's input (docs/screening.md); every conclusion
is the engine's. Texts from the catalogue come in the interviewer's language.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from waypoint.domain.screening import get_catalogue

# An answer left blank is sent as no answer at all, which the engine reads as "not known".
NOT_ANSWERED = ""
KNOWN_FACT_ANSWERS = {"yes": True, "no": False}


def indicator_field_name(indicator_id: str) -> str:
    return f"answer_{indicator_id}"


def movement_field_name(fact_id: str) -> str:
    return f"movement_{fact_id}"


def _answer_choices(language: str) -> list[tuple[str, str]]:
    return [(answer.id, answer.label[language]) for answer in get_catalogue().answers]


def _fact_choices(language: str) -> list[tuple[str, str]]:
    """Yes, no and "don't know" for a fact: a person may decline a question, not a fact."""
    labels = {answer.id: answer.label[language] for answer in get_catalogue().answers}
    return [(answer, labels[answer]) for answer in ("yes", "no", "unknown")]


class SetupForm(forms.Form):
    """Step one: the law that applies, the person's language, age and what happened."""

    jurisdiction = forms.ChoiceField(
        label=_("Jurisdiction"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the jurisdiction whose law applies.")},
    )
    person_language = forms.ChoiceField(
        label=_("The person's language"),
        help_text=_("The plain wording of each question is shown in this language."),
        error_messages={"required": _("Choose the language the person understands best.")},
    )
    age_at_recruitment = forms.IntegerField(
        label=_("Age at recruitment, in years"),
        help_text=_("Leave this empty if the age is not known."),
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": _("Enter the age as a whole number of years, or leave it empty."),
            "min_value": _("The age cannot be below 0."),
            "max_value": _("The age cannot be above 120."),
        },
    )
    exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        help_text=_("Tick every form that applies; leave all empty if none is known yet."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose forms of exploitation from the list.")},
    )
    act_answer = forms.ChoiceField(
        label=_("Did any of these acts take place?"),
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the answers.")},
    )
    acts = forms.MultipleChoiceField(
        label=_("Which acts took place?"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose acts from the list.")},
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        catalogue = get_catalogue()
        self.language = language
        self.fields["jurisdiction"].choices = [  # type: ignore[attr-defined]
            (jurisdiction.id, jurisdiction.label[language])
            for jurisdiction in catalogue.jurisdictions.values()
        ]
        self.fields["person_language"].choices = [  # type: ignore[attr-defined]
            (code, name) for code, name in settings.LANGUAGES if code in catalogue.languages
        ]
        self.fields["person_language"].initial = language
        self.fields["exploitation"].choices = [  # type: ignore[attr-defined]
            (form.id, form.label[language]) for form in catalogue.exploitation_forms.values()
        ]
        self.fields["act_answer"].choices = _fact_choices(language)  # type: ignore[attr-defined]
        self.fields["act_answer"].help_text = catalogue.act_question.question[language]
        self.fields["acts"].choices = [  # type: ignore[attr-defined]
            (act.id, act.label[language]) for act in catalogue.acts
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answer, acts = cleaned.get("act_answer"), cleaned.get("acts")
        if answer == "yes" and not acts:
            self.add_error("acts", _("Tick the acts that took place, or answer “Don't know”."))
        elif answer in ("no", "unknown") and acts:
            self.add_error(
                "acts",
                _("Untick the acts, or answer “Yes”: the answer and the ticked acts disagree."),
            )
        return cleaned

    def screening_input(self) -> dict[str, Any]:
        """The setup part of the engine's input, from a valid form."""
        cleaned = self.cleaned_data
        raw: dict[str, Any] = {
            "jurisdiction": cleaned["jurisdiction"],
            "exploitation": list(cleaned["exploitation"]),
        }
        if cleaned["age_at_recruitment"] is not None:
            raw["person"] = {"age_at_recruitment": cleaned["age_at_recruitment"]}
        # Ticked acts say that they took place even when the question was left blank.
        if cleaned["acts"]:
            raw["act"] = list(cleaned["acts"])
        elif cleaned["act_answer"] == "no":
            raw["act"] = []
        return raw

    @property
    def language_of_the_person(self) -> str:
        """The person's language once the form is valid, else the interviewer's."""
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data["person_language"])
        return self.language


class AnswersForm(forms.Form):
    """The indicators of the chosen set(s) and the movement facts; any may stay unanswered."""

    def __init__(self, *args: Any, indicator_ids: list[str], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        catalogue = get_catalogue()
        self.indicator_ids = indicator_ids
        for indicator_id in indicator_ids:
            self.fields[indicator_field_name(indicator_id)] = forms.ChoiceField(
                label=catalogue.indicators[indicator_id].question[language],
                choices=_answer_choices(language),
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": _("Choose one of the answers.")},
            )
        for question in catalogue.movement_questions:
            choices = (
                [(option.id, option.label[language]) for option in question.options]
                + _fact_choices(language)[2:]
                if question.options
                else _fact_choices(language)
            )
            self.fields[movement_field_name(question.id)] = forms.ChoiceField(
                label=question.question[language],
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": _("Choose one of the answers.")},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        crossed, entry = (
            cleaned.get(movement_field_name("crossed_border")),
            cleaned.get(movement_field_name("entry")),
        )
        if crossed == "no" and entry not in (None, NOT_ANSWERED, "unknown"):
            self.add_error(
                movement_field_name("entry"),
                _(
                    "The person did not cross a border, so there was no entry to describe: "
                    "answer “Don't know” here, or change the answer about the border."
                ),
            )
        return cleaned

    def screening_input(self) -> dict[str, Any]:
        """The answers part of the engine's input, from a valid form."""
        cleaned = self.cleaned_data
        indicators = {
            indicator_id: cleaned[indicator_field_name(indicator_id)]
            for indicator_id in self.indicator_ids
            if cleaned[indicator_field_name(indicator_id)] != NOT_ANSWERED
        }
        movement: dict[str, Any] = {}
        for question in get_catalogue().movement_questions:
            answer = cleaned[movement_field_name(question.id)]
            if answer in KNOWN_FACT_ANSWERS and not question.options:
                movement[question.id] = KNOWN_FACT_ANSWERS[answer]
            elif question.options and answer in {option.id for option in question.options}:
                movement[question.id] = answer
        return {"indicators": indicators, "movement": movement}
