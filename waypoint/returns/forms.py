"""The browser's forms for a return: they parse what was typed; the services decide."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from waypoint.domain import eligibility
from waypoint.domain.reintegration import Instrument
from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES
from waypoint.returns.iso import country_choices, currency_choices, language_choices
from waypoint.returns.texts import in_page_language, page_language
from waypoint.returns.vocabularies import (
    AssistanceKind,
    AssistanceStatus,
    BestInterests,
    CounsellingTopic,
    Dimension,
    Level,
    MigrationStatus,
    RiskArea,
    RiskDecision,
    RiskLevel,
    TravelDocumentKind,
    TravelDocumentStatus,
    VisitMode,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXT = forms.Textarea(attrs={"rows": 3, "cols": 60})
_UNKNOWN_YES_NO = (("", _("Not known")), ("yes", _("Yes")), ("no", _("No")))
_LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "uk": "Українська", "ru": "Русский"}


def _today() -> str:
    return timezone.localdate().isoformat()


def tri_state(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _person_languages() -> list[tuple[str, str]]:
    return [(code, _LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]


def _offer(form: forms.Form, name: str, choices: Sequence[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _programme_choices() -> list[tuple[str, str]]:
    return [(item.programme_id, in_page_language(item.name)) for item in eligibility.programmes()]


class StartReturnForm(forms.Form):
    case_code = forms.CharField(
        label=_("Case code"), max_length=10, help_text=_("For example C-7K2M9QXR.")
    )
    programme_id = forms.ChoiceField(label=_("Programme"))
    country_of_return = forms.ChoiceField(label=_("Country of return"))
    language = forms.ChoiceField(
        label=_("The person's language for documents"), choices=_person_languages
    )
    started_on = forms.DateField(label=_("Started on"), widget=_DATE, initial=_today)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "programme_id", _programme_choices())
        _offer(
            self,
            "country_of_return",
            [("", _("Choose a country")), *country_choices(page_language())],
        )


class CounsellingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=_DATE, initial=_today)
    language = forms.ChoiceField(label=_("Language of the session"))
    interpreter_used = forms.BooleanField(label=_("An interpreter took part"), required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics covered"),
        choices=CounsellingTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=_TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "language", language_choices(page_language()))


class EligibilityForm(forms.Form):
    OBLIGATIONS = (
        ("not_checked", _("Not checked yet")),
        ("none", _("Checked: none")),
        ("one", _("Checked: there is one (describe it below)")),
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    residence_rights = forms.MultipleChoiceField(
        label=_("Other countries where the person may live"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    migration_status = forms.ChoiceField(
        label=_("Migration status"),
        required=False,
        choices=[("", _("Not known")), *MigrationStatus.choices],
    )
    obligations = forms.ChoiceField(
        label=_("Obligations requiring presence (a summons, testimony)"), choices=OBLIGATIONS
    )
    obligation_description = forms.CharField(
        label=_("The obligation"), required=False, widget=_TEXT
    )
    obligation_requires_presence = forms.ChoiceField(
        label=_("Does it require the person to stay?"), choices=_UNKNOWN_YES_NO, required=False
    )
    obligation_resolved = forms.BooleanField(
        label=_("Resolved: the authority agreed to the departure, or it was fulfilled"),
        required=False,
    )
    is_minor = forms.ChoiceField(label=_("Is the person a child?"), choices=_UNKNOWN_YES_NO)
    best_interests = forms.ChoiceField(
        label=_("Best-interests determination"),
        required=False,
        choices=[("", _("Not concluded")), *BestInterests.choices],
    )
    guardian_consent = forms.ChoiceField(
        label=_("The guardian consents"), choices=_UNKNOWN_YES_NO, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = list(country_choices(page_language()))
        _offer(self, "nationality", [("", _("Not known")), *countries])
        _offer(self, "residence_rights", countries)


class DeclarationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=_person_languages)


class SignatureForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=_DATE, initial=_today)


class RiskAssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=_DATE, initial=_today)
    mitigation = forms.CharField(label=_("Mitigation planned"), required=False, widget=_TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area, label in RiskArea.choices:
            self.fields[area] = forms.ChoiceField(
                label=label, choices=[("", _("Choose a level")), *RiskLevel.choices]
            )
            self.fields[f"{area}_details"] = forms.CharField(
                label=format_lazy(_("What was found: {area}"), area=label),
                required=False,
                widget=_TEXT,
            )
        self.order_fields(
            [
                "assessed_on",
                *(name for area in RiskArea.values for name in (area, f"{area}_details")),
            ]
        )

    def levels(self) -> dict[str, str]:
        return {area: self.cleaned_data[area] for area in RiskArea.values}

    def details(self) -> dict[str, str]:
        return {area: self.cleaned_data[f"{area}_details"] for area in RiskArea.values}


class RiskDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=RiskDecision.choices)
    reason = forms.CharField(label=_("Reasons"), widget=_TEXT)


class TravelPlanForm(forms.Form):
    planned_departure_on = forms.DateField(
        label=_("Planned departure"), widget=_DATE, required=False
    )
    itinerary = forms.CharField(label=_("Itinerary"), required=False, widget=_TEXT)
    escort_needed = forms.BooleanField(label=_("An escort is needed"), required=False)
    escort_details = forms.CharField(label=_("Escort"), required=False, widget=_TEXT)
    medical_needs = forms.CharField(label=_("Medical needs"), required=False, widget=_TEXT)
    receiving_partner = forms.CharField(
        label=_("Receiving partner organisation"), required=False, max_length=200
    )
    receiving_partner_contact = forms.CharField(
        label=_("Contact at the receiving partner"), required=False, widget=_TEXT
    )


class TravelDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=TravelDocumentKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=TravelDocumentStatus.choices)
    requested_on = forms.DateField(label=_("Requested on"), widget=_DATE, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=_DATE, required=False)
    valid_until = forms.DateField(label=_("Valid until"), widget=_DATE, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_TEXT)


class TravelDocumentUpdateForm(TravelDocumentForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class AssistanceItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Assistance"), choices=AssistanceKind.choices)
    dimension = forms.ChoiceField(
        label=_("Dimension"),
        required=False,
        choices=[("", _("The usual one for this assistance")), *Dimension.choices],
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=_TEXT)
    partner = forms.CharField(label=_("Partner"), required=False, max_length=200)
    budget = forms.DecimalField(label=_("Budget"), min_value=0, decimal_places=2, max_digits=12)
    currency = forms.ChoiceField(label=_("Currency"))
    status = forms.ChoiceField(label=_("Status"), choices=AssistanceStatus.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "currency", currency_choices(page_language()))


class AssistanceStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AssistanceStatus.choices)


class DisbursementForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2, max_digits=12)
    paid_on = forms.DateField(label=_("Paid on"), widget=_DATE, initial=_today)


class MonitoringVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=_DATE, initial=_today)
    mode = forms.ChoiceField(label=_("How"), choices=VisitMode.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_TEXT)

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in instrument.indicators:
            self.fields[f"answer_{indicator.indicator_id}"] = forms.ChoiceField(
                label=in_page_language(indicator.question),
                required=False,
                choices=[
                    ("", _("Not asked")),
                    *(
                        (option.answer_id, in_page_language(option.label))
                        for option in indicator.answers
                    ),
                ],
            )
        self.indicator_ids = [indicator.indicator_id for indicator in instrument.indicators]
        self.order_fields(
            ["visited_on", "mode", *(f"answer_{item}" for item in self.indicator_ids), "notes"]
        )

    def answers(self) -> dict[str, str]:
        return {
            indicator_id: answer
            for indicator_id in self.indicator_ids
            if (answer := self.cleaned_data.get(f"answer_{indicator_id}"))
        }


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"))
    expected_stage = forms.CharField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("On"), widget=_DATE, initial=_today)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=_TEXT,
        help_text=_("Needed to reject or cancel; for a withdrawal, only if the person gives one."),
    )

    def __init__(self, *args: Any, moves: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "to_stage", moves)


class ProgrammeFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country of return"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "country", [("", _("All")), *country_choices(page_language())])
        _offer(self, "programme", [("", _("All")), *_programme_choices()])
