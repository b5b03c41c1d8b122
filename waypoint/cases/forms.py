"""The forms of the case pages. They parse what a browser posts into the values the services
take; every rule about those values (vocabularies, dates in order, who may do what) is the
services' and comes back as their errors, shown on the field they name."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Organisation, User
from waypoint.cases import page_data, selectors, services
from waypoint.cases.models import (
    CaseStatus,
    Consent,
    DecisionOrganisation,
    Relationship,
    SupportItem,
    TraffickingEvent,
    TraffickingStatus,
)
from waypoint.cases.page_data import StatusMove
from waypoint.cases.vocabularies import (
    ControlMethod,
    ExploitationType,
    ForcedLabourIndustry,
    PerpetratorRole,
    RecruitmentMethod,
    SexualExploitationType,
)
from waypoint.cases.widgets import LongCheckboxSelectMultiple, LongSelect, LongSelectMultiple
from waypoint.domain import vulnerability
from waypoint.domain.rights import SUPPORTED_LANGUAGES
from waypoint.people.data import MAX_IDENTITY_DOCUMENTS, DocumentType
from waypoint.people.models import Gender
from waypoint.people.services import ErasureReason, PersonData

NOT_KNOWN = ("", _("Not known"))
ANY = ("", _("Any"))

JURISDICTION_LABELS = {
    "PL": _("Poland"),
    "EU_COE": _("European minimum (EU directives and Council of Europe Convention)"),
}


def jurisdiction_choices() -> list[tuple[str, Any]]:
    return [
        (code, JURISDICTION_LABELS.get(code, code)) for code in selectors.supported_jurisdictions()
    ]


def product_language_choices() -> list[tuple[str, str]]:
    """The languages the rights sheet and the product's texts exist in, named in themselves."""
    names = dict(settings.LANGUAGES)
    return [(code, names.get(code, code)) for code in SUPPORTED_LANGUAGES]


def staff_choices(members: Iterable[User]) -> list[tuple[int, str]]:
    return [(member.pk, selectors.user_name(member)) for member in members]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = False, **kwargs: Any) -> forms.DateField:
    error_messages = {
        "invalid": _("Enter a date as YYYY-MM-DD."),
        **kwargs.pop("error_messages", {}),
    }
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        # One unambiguous format: 03/12 is March in one country and December in another.
        input_formats=["%Y-%m-%d"],
        error_messages=error_messages,
        **kwargs,
    )


def today() -> date:
    return timezone.localdate()


# ---- the list, the search and the due view --------------------------------------------------

DEADLINE_FILTERS = (("overdue", _("Overdue")), ("due_soon", _("Due soon")))


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ANY, *CaseStatus.choices]
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    deadline = forms.ChoiceField(
        label=_("Deadline"), required=False, choices=[ANY, *DEADLINE_FILTERS]
    )
    exploitation_type = forms.ChoiceField(
        label=_("Type of exploitation"), required=False, choices=[ANY, *ExploitationType.choices]
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, owners: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [ANY, *staff_choices(owners)]  # type: ignore[attr-defined]


class CaseSearchForm(forms.Form):
    given_names = forms.CharField(label=_("Given names"), required=False, max_length=200)
    family_names = forms.CharField(label=_("Family names"), required=False, max_length=200)
    birth_date = date_field(
        _("Date of birth"),
        required=True,
        error_messages={
            "required": _("Give the date of birth: names are searched only together with it."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )


# ---- registering a person and opening a case ------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


class PersonForm(forms.Form):
    given_names = forms.CharField(
        label=_("Given names"),
        required=False,
        max_length=200,
        help_text=_("In any script, as the person writes them."),
    )
    family_names = forms.CharField(label=_("Family names"), required=False, max_length=200)
    other_names = forms.CharField(
        label=_("Other names and spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: transliterations, former names, names others use."),
    )
    birth_date = date_field(_("Date of birth"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    nationality = forms.ChoiceField(label=_("Nationality"), required=False, widget=LongSelect)
    citizenships = forms.MultipleChoiceField(
        label=_("Citizenships"),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose more than one."),
        error_messages={"invalid_choice": _("Choose countries from the list.")},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose more than one."),
        error_messages={"invalid_choice": _("Choose languages from the list.")},
    )
    other_languages = forms.CharField(
        label=_("Other languages"),
        required=False,
        max_length=200,
        help_text=_("ISO 639-3 codes of languages not in the list, separated by commas."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("With the country code, like +48 …"),
    )
    email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = page_data.country_choices()
        self.fields["nationality"].choices = [NOT_KNOWN, *countries]  # type: ignore[attr-defined]
        self.fields["citizenships"].choices = countries  # type: ignore[attr-defined]
        self.fields["languages"].choices = page_data.language_choices()  # type: ignore[attr-defined]

    def person_data(self, documents: list[dict[str, Any]]) -> dict[str, Any]:
        """The raw person data `people.validate_person_data` checks, from a valid form."""
        data = self.cleaned_data
        return {
            "given_names": data["given_names"],
            "family_names": data["family_names"],
            "other_names": _lines(data["other_names"]),
            "birth_date": data["birth_date"],
            "citizenships": list(data["citizenships"]),
            "languages": [*data["languages"], *_codes(data["other_languages"])],
            "phone": data["phone"],
            "email": data["email"],
            "address": data["address"],
            "identity_documents": documents,
            "gender": data["gender"],
            "nationality": data["nationality"],
        }


class IdentityDocumentForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type of document"), required=False, choices=[("", "—"), *DocumentType.choices]
    )
    number = forms.CharField(label=_("Document number"), required=False, max_length=64)
    country = forms.ChoiceField(label=_("Issuing country"), required=False, widget=LongSelect)
    expires_on = date_field(_("Valid until"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *page_data.country_choices()]  # type: ignore[attr-defined]

    def document(self) -> dict[str, Any] | None:
        """The document of a valid row; None for a row left empty."""
        data = self.cleaned_data
        if not any(data.get(name) for name in ("type", "number", "country", "expires_on")):
            return None
        return {
            "type": data["type"],
            "number": data["number"],
            "country": data["country"],
            "expires_on": data["expires_on"].isoformat() if data["expires_on"] else None,
        }


IdentityDocumentFormSet = forms.formset_factory(
    IdentityDocumentForm,
    extra=1,
    max_num=MAX_IDENTITY_DOCUMENTS,
    absolute_max=MAX_IDENTITY_DOCUMENTS,
    validate_max=True,
)
DOCUMENTS_PREFIX = "documents"


def identity_documents(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [document for form in formset.forms if (document := form.document()) is not None]


def with_another_document_row(data: QueryDict) -> QueryDict:
    """The posted data with one more (empty) identity document row."""
    more = data.copy()
    key = f"{DOCUMENTS_PREFIX}-TOTAL_FORMS"
    try:
        rows = int(more.get(key, "1"))
    except ValueError:
        rows = 1
    more[key] = str(min(max(rows, 0) + 1, MAX_IDENTITY_DOCUMENTS))
    return more


class OpenCaseForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Case owner"), coerce=int)
    supervisor = forms.TypedChoiceField(
        label=_("Supervisor"), required=False, coerce=int, empty_value=None
    )
    jurisdiction = forms.ChoiceField(
        label=_("Jurisdiction"),
        help_text=_("The law whose deadlines and rights apply to the case."),
    )
    opened_on = date_field(_("Opened on"), required=True, initial=today)

    def __init__(
        self, *args: Any, owners: list[User], supervisors: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in [*owners, *supervisors]}
        self.fields["owner"].choices = staff_choices(owners)  # type: ignore[attr-defined]
        self.fields["supervisor"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *staff_choices(supervisors),
        ]
        self.fields["jurisdiction"].choices = jurisdiction_choices()  # type: ignore[attr-defined]

    def member(self, name: str) -> User | None:
        chosen = self.cleaned_data.get(name)
        return self.members.get(chosen) if chosen is not None else None


# ---- editing with optimistic locking --------------------------------------------------------


def _comparable(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value) or None
    return value


def _posted(value: Any) -> list[str]:
    """A value as a browser would post it."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, date):
        return [value.isoformat()]
    return [str(value)]


@dataclass(frozen=True)
class Difference:
    label: str
    yours: str
    saved: str
    kept_yours: bool
    """The merged form holds your value; otherwise the one saved meanwhile."""


@dataclass(frozen=True)
class Conflict:
    form: "VersionedForm"
    differences: list[Difference]


class VersionedForm(forms.Form):
    """A form for a record saved with optimistic locking. Each field also posts the value it
    was read with (a hidden initial input), so that the fields this person changed are known:
    after a conflict they are laid over what is stored now, for the person to review."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.record_fields():
            self.fields[name].show_hidden_initial = True

    def record_fields(self) -> list[str]:
        return [name for name in self.fields if name != "version"]

    def changes(self) -> dict[str, Any]:
        """The values this person changed, from a valid form."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}

    def shown(self, name: str, value: Any) -> str:
        """A value as people read it: choice labels, dates as YYYY-MM-DD, '—' for nothing."""
        if value in (None, "", [], ()):
            return "—"
        labels = dict(getattr(self.fields[name], "choices", ()))
        if isinstance(value, list | tuple):
            return ", ".join(str(labels.get(item, item)) for item in value)
        if isinstance(value, date):
            return value.isoformat()
        return str(labels.get(value, value))

    def after_conflict(self, current: Mapping[str, Any], version: int) -> Conflict:
        """The stored values with this person's changes laid over them, at the stored version,
        and every field where what they sent differs from what is stored."""
        mine = self.changes()
        data = QueryDict(mutable=True)
        for name in self.record_fields():
            data.setlist(self.add_prefix(name), _posted(mine.get(name, current.get(name))))
            data.setlist(self.add_initial_prefix(name), _posted(current.get(name)))
        data[self.add_prefix("version")] = str(version)
        differences = [
            Difference(
                label=str(self.fields[name].label),
                yours=self.shown(name, self.cleaned_data.get(name)),
                saved=self.shown(name, current.get(name)),
                kept_yours=name in mine,
            )
            for name in self.record_fields()
            if _comparable(self.cleaned_data.get(name)) != _comparable(current.get(name))
        ]
        merged = type(self)(data, prefix=self.prefix)
        return Conflict(form=merged, differences=differences)


def _checkboxes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        widget=LongCheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )


class CaseDetailsForm(VersionedForm):
    """The HTCDS details of a case and the facts its legal deadlines count from."""

    exploitation_types = _checkboxes(_("Types of exploitation"), ExploitationType.choices)
    sexual_exploitation_types = _checkboxes(
        _("Types of sexual exploitation"), SexualExploitationType.choices
    )
    forced_labour_industry = forms.ChoiceField(
        label=_("Industry of forced labour (ISIC Rev.4)"),
        required=False,
        choices=[NOT_KNOWN, *ForcedLabourIndustry.choices],
        widget=LongSelect,
    )
    recruitment_methods = _checkboxes(_("Methods of recruitment"), RecruitmentMethod.choices)
    control_methods = _checkboxes(_("Methods of control"), ControlMethod.choices)
    relationship_to_trafficker = forms.ChoiceField(
        label=_("Relationship to the trafficker"),
        required=False,
        choices=[NOT_KNOWN, *Relationship.choices],
    )
    perpetrator_roles = _checkboxes(_("Roles of the perpetrators"), PerpetratorRole.choices)
    age_when_trafficked = forms.IntegerField(
        label=_("Age when trafficked"),
        required=False,
        min_value=0,
        max_value=services.MAX_AGE,
        error_messages={"invalid": _("Enter the age as a whole number of years.")},
    )
    presumption_certificate_issued_on = date_field(_("Certificate of presumed victim issued on"))
    presumption_certificate_followed_up_on = date_field(_("Certificate followed up on"))
    reasonable_grounds_on = date_field(_("Reasonable grounds established on"))
    reasonable_grounds_followed_up_on = date_field(_("Reasonable grounds followed up on"))
    residence_permit_issued_on = date_field(_("Residence permit issued on"))
    residence_permit_months = forms.IntegerField(
        label=_("Residence permit valid for (months)"),
        required=False,
        min_value=1,
        max_value=120,
        error_messages={"invalid": _("Enter a whole number of months.")},
    )
    residence_permit_renewal_applied_on = date_field(_("Renewal of the permit applied for on"))
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = jurisdiction_choices()  # type: ignore[attr-defined]

    GROUPS = (
        (
            _("Exploitation"),
            ("exploitation_types", "sexual_exploitation_types", "forced_labour_industry"),
        ),
        (
            _("Recruitment and control"),
            (
                "recruitment_methods",
                "control_methods",
                "relationship_to_trafficker",
                "perpetrator_roles",
                "age_when_trafficked",
            ),
        ),
        (
            _("Facts the deadlines count from"),
            (
                "jurisdiction",
                "presumption_certificate_issued_on",
                "presumption_certificate_followed_up_on",
                "reasonable_grounds_on",
                "reasonable_grounds_followed_up_on",
                "residence_permit_issued_on",
                "residence_permit_months",
                "residence_permit_renewal_applied_on",
            ),
        ),
    )

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields in fieldsets, each with its legend."""
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def recorded(self) -> list[tuple[str, str]]:
        """Label and value of every detail recorded, as read (the form's initial values)."""
        return [
            (str(self.fields[name].label), self.shown(name, self.initial.get(name)))
            for name in self.record_fields()
            if self.initial.get(name) not in (None, "", [])
        ]


PERSON_PREFIX = "person"
TRAFFICKING_PREFIX = "trafficking"


class PersonDetailsForm(PersonForm, VersionedForm):
    """The registration form's person fields, to correct the person's data from their case.
    The version is the person's; the identity documents are kept as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", PERSON_PREFIX)
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_from(data: PersonData) -> dict[str, Any]:
        """The form's values from the decrypted person data: languages in the list are
        chosen there, the others written as codes."""
        listed = {code for code, _name in page_data.language_choices()}
        return {
            "given_names": data.given_names,
            "family_names": data.family_names,
            "other_names": "\n".join(data.other_names),
            "birth_date": data.birth_date,
            "gender": data.gender,
            "nationality": data.nationality,
            "citizenships": list(data.citizenships),
            "languages": [code for code in data.languages if code in listed],
            "other_languages": ", ".join(code for code in data.languages if code not in listed),
            "phone": data.phone,
            "email": data.email,
            "address": data.address,
        }


class TraffickingStatusForm(VersionedForm):
    """The HTCDS trafficking status a person or body decided, and who decided it. The
    version is the case's; the field names are those of `selectors.case_details`."""

    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"),
        choices=TraffickingStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the status that was decided.")},
    )
    trafficking_status_decided_by = forms.ChoiceField(
        label=_("Type of organisation that decided it"),
        choices=[("", "—"), *DecisionOrganisation.choices],
        error_messages={"required": _("Choose the type of organisation that decided it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", TRAFFICKING_PREFIX)
        super().__init__(*args, **kwargs)


class SupportItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Need"), choices=SupportItem.Kind.choices)
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), choices=SupportItem.Status.choices, initial=SupportItem.Status.PLANNED
    )
    starts_on = date_field(_("Starts on"))
    due_on = date_field(_("Due on"))
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=services.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupportItemChangeForm(SupportItemForm, VersionedForm):
    pass


class TraffickingEventForm(forms.Form):
    """Where and when the person was recruited, moved or exploited (HTCDS hte_)."""

    kind = forms.ChoiceField(label=_("What happened"), choices=TraffickingEvent.Kind.choices)
    country = forms.ChoiceField(
        label=_("Country"),
        widget=LongSelect,
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    city = forms.CharField(
        label=_("City or place"), required=False, max_length=services.MAX_PLACE_CHARS
    )
    started_on = date_field(_("From"))
    ended_on = date_field(_("Until"), help_text=_("Leave empty if it has not ended."))
    description = forms.CharField(
        label=_("What is known of it"),
        required=False,
        max_length=services.MAX_EVENT_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *page_data.country_choices()]  # type: ignore[attr-defined]


class TraffickingEventChangeForm(TraffickingEventForm, VersionedForm):
    pass


class VersionOnlyForm(forms.Form):
    """A request about a record as it was read, such as removing it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# ---- the other tabs -------------------------------------------------------------------------


class CompareScreeningsForm(forms.Form):
    older = forms.TypedChoiceField(label=_("Earlier screening"), coerce=int)
    newer = forms.TypedChoiceField(label=_("Later screening"), coerce=int)

    def __init__(self, *args: Any, screenings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["older"].choices = screenings  # type: ignore[attr-defined]
        self.fields["newer"].choices = screenings  # type: ignore[attr-defined]


class SaveScreeningForm(forms.Form):
    """The engine's input of an interview run from a case, posted by the outcome page."""

    screening_input = forms.CharField(widget=forms.HiddenInput, max_length=200_000)
    case_code = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10)

    def __init__(self, *args: Any, case_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_code = case_code

    def clean_screening_input(self) -> Any:
        try:
            return json.loads(self.cleaned_data["screening_input"])
        except json.JSONDecodeError:
            raise forms.ValidationError(
                _("The answers of the interview did not arrive whole: run it again.")
            ) from None

    def clean_case_code(self) -> str:
        code = str(self.cleaned_data["case_code"])
        if code and code != self.expected_code:
            raise forms.ValidationError(
                _("This interview was started for case %(code)s, not for this one.")
                % {"code": code}
            )
        return code


class VulnerabilityForm(forms.Form):
    """Each factor of the catalogue: recorded as a risk or a protection, with a severity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = vulnerability.catalogue()
        language = page_data.page_language()
        severities = [
            (severity.value, self.catalogue.severities[severity].in_language(language))
            for severity in vulnerability.Severity
        ]
        for factor in self.catalogue.factors:
            self.fields[f"{factor.factor_id}-direction"] = forms.ChoiceField(
                label=_("Recorded as"),
                required=False,
                choices=[
                    ("", _("Not recorded")),
                    (vulnerability.Direction.RISK.value, _("Risk")),
                    (vulnerability.Direction.PROTECTIVE.value, _("Protective")),
                ],
            )
            self.fields[f"{factor.factor_id}-severity"] = forms.ChoiceField(
                label=_("Severity"), required=False, choices=[("", "—"), *severities]
            )
            self.fields[f"{factor.factor_id}-note"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for factor in self.catalogue.factors:
            direction = cleaned.get(f"{factor.factor_id}-direction")
            severity = cleaned.get(f"{factor.factor_id}-severity")
            if direction and not severity:
                self.add_error(f"{factor.factor_id}-severity", _("Choose how severe it is."))
            elif severity and not direction:
                self.add_error(
                    f"{factor.factor_id}-direction", _("Say whether it is a risk or protective.")
                )
        if not any(
            cleaned.get(f"{factor.factor_id}-direction") for factor in self.catalogue.factors
        ):
            self.add_error(None, _("Record at least one factor as a risk or as protective."))
        return cleaned

    def factors(self) -> list[dict[str, str]]:
        """The recorded factors, from a valid form, as the service takes them."""
        return [
            {
                "factor_id": factor.factor_id,
                "direction": self.cleaned_data[f"{factor.factor_id}-direction"],
                "severity": self.cleaned_data[f"{factor.factor_id}-severity"],
                "note": self.cleaned_data[f"{factor.factor_id}-note"],
            }
            for factor in self.catalogue.factors
            if self.cleaned_data.get(f"{factor.factor_id}-direction")
        ]

    @staticmethod
    def initial_from(factors: object) -> dict[str, str]:
        """The form's values from a stored assessment's factors."""
        initial: dict[str, str] = {}
        for item in factors if isinstance(factors, list) else []:
            initial[f"{item['factor_id']}-direction"] = item["direction"]
            initial[f"{item['factor_id']}-severity"] = item["severity"]
            initial[f"{item['factor_id']}-note"] = item.get("note", "")
        return initial

    def levels(self) -> list[tuple[str, list[tuple[str, list[forms.BoundField]]]]]:
        """Per level of the catalogue, each factor's label and its three fields."""
        language = page_data.page_language()
        return [
            (
                self.catalogue.levels[level].in_language(language),
                [
                    (
                        factor.label.in_language(language),
                        [
                            self[f"{factor.factor_id}-{part}"]
                            for part in ("direction", "severity", "note")
                        ],
                    )
                    for factor in self.catalogue.factors
                    if factor.level == level
                ],
            )
            for level in vulnerability.Level
        ]


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Consent to"), choices=Consent.Scope.choices, widget=forms.RadioSelect
    )
    given = forms.TypedChoiceField(
        label=_("The person"),
        choices=[("yes", _("gave consent")), ("no", _("refused consent"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    shared_with = forms.TypedChoiceField(
        label=_("Organisation the data may be shared with"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Only for consent to sharing."),
    )
    explained_in_language = forms.ChoiceField(
        label=_("Explained in the language"), widget=LongSelect
    )
    recorded_on = date_field(_("Date"), required=True, initial=today)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.pk: organisation for organisation in organisations}
        self.fields["shared_with"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((organisation.pk, organisation.name) for organisation in organisations),
        ]
        self.fields["explained_in_language"].choices = page_data.language_choices()  # type: ignore[attr-defined]

    def organisation(self) -> Organisation | None:
        chosen = self.cleaned_data.get("shared_with")
        return self.organisations.get(chosen) if chosen is not None else None


class WithdrawConsentForm(forms.Form):
    scope = forms.ChoiceField(choices=Consent.Scope.choices, widget=forms.HiddenInput)
    shared_with = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RightsSheetForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the sheet"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = product_language_choices()  # type: ignore[attr-defined]


class RightsGivenForm(RightsSheetForm):
    given_on = date_field(_("Given on"), required=True, initial=today)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].label = _("Language it was given in")


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, plain text, DOCX or ODT."),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("No file arrived: choose the file again."),
        },
    )


class DocumentDeletionForm(forms.Form):
    """The confirmation that a document's file is to be destroyed: it cannot be restored."""

    confirm = forms.BooleanField(
        label=_("I understand that the file will be destroyed and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the deletion.")},
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=services.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the note before saving it.")},
    )


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=services.MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the case is closed."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, moves: list[StatusMove], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            (
                move.to_status,
                _("%(status)s (a supervisor decides)") % {"status": move.label}
                if move.needs_decision
                else move.label,
            )
            for move in moves
        ]


DECISIONS = (("approve", _("Approve")), ("reject", _("Reject")))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=services.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject the request; kept with the case's notes."),
    )


ASSIGNMENT_PREFIX = "assignment"


class ReassignForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Case owner"), coerce=int)
    supervisor = forms.TypedChoiceField(
        label=_("Supervisor"), required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, owners: list[User], supervisors: list[User], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", ASSIGNMENT_PREFIX)
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = staff_choices(owners)  # type: ignore[attr-defined]
        self.fields["supervisor"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *staff_choices(supervisors),
        ]


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("json", _("JSON (machine-readable)")), ("pdf", _("PDF (to read or print)"))],
        widget=forms.RadioSelect,
        initial="pdf",
    )


class ErasureForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for erasure"), choices=ErasureReason.choices, widget=forms.RadioSelect
    )
    case_code = forms.CharField(label=_("Type the case code to confirm"), max_length=10, strip=True)
    confirm = forms.BooleanField(
        label=_("I understand that the person's data will be destroyed and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )

    def __init__(self, *args: Any, case_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_code = case_code

    def clean_case_code(self) -> str:
        code = str(self.cleaned_data["case_code"]).upper()
        if code != self.expected_code:
            raise forms.ValidationError(_("This is not the code of this case."))
        return code
