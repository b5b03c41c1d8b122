"""The screening contract: the input the CLI and the HTTP API accept, and the result they return.

Input keys that are not in the contract are rejected everywhere. Every optional key may be left
out: a missing answer is ``unknown``; a missing ``person`` means the age is unknown (both the
adult and the child rules are then applied and a conclusion is drawn only where they agree); a
missing ``act`` means the acts were not recorded yet, while an empty list records that none took
place; a missing ``exploitation`` is an empty list (no form recorded).
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, Self, TypedDict

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetPydanticSchema,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
    with_config,
)
from pydantic_core import PydanticCustomError, core_schema

from waypoint.domain.screening.catalogue import get_catalogue
from waypoint.domain.screening.vocabulary import (
    ActId,
    Answer,
    DimensionStatus,
    ElementStatus,
    Entry,
    ExploitationFormId,
    HtcdsTraffickingStatus,
    IloRule,
    IloVerdict,
    Jurisdiction,
    Language,
    LegalConclusion,
    MovementClassification,
    Outcome,
    QuestionKind,
    RuleClause,
)

MAX_AGE = 120
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Accept only 'YYYY-MM-DD' strings (JSON has no date type), or dates from Python callers."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date written as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_value", "is not a valid calendar date") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _known_indicator_schema(_source: object, _handler: object) -> core_schema.CoreSchema:
    # A literal schema keeps the check of many keys in pydantic-core, which is much faster than a
    # Python validator per key.
    return core_schema.literal_schema(sorted(get_catalogue().indicators))


IndicatorId = Annotated[str, GetPydanticSchema(_known_indicator_schema)]


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonFacts(_Input):
    """Either the age at recruitment, or the birth date and the recruitment date, or nothing."""

    model_config = ConfigDict(
        json_schema_extra={
            "description": (
                "Give either age_at_recruitment, or both birth_date and recruitment_date; "
                "leave out person (or give {}) when the age is unknown."
            )
        }
    )

    age_at_recruitment: Annotated[StrictInt, Field(ge=0, le=MAX_AGE)] | None = None
    birth_date: IsoDate | None = None
    recruitment_date: IsoDate | None = None

    @model_validator(mode="after")
    def _one_way_of_giving_the_age(self) -> Self:
        birth_date, recruitment_date = self.birth_date, self.recruitment_date
        if birth_date is None and recruitment_date is None:
            return self
        if self.age_at_recruitment is not None:
            raise PydanticCustomError(
                "person_both",
                "give either age_at_recruitment or birth_date with recruitment_date, not both",
            )
        if recruitment_date is None:
            raise _person_field_error("recruitment_date", "is required when birth_date is given")
        if birth_date is None:
            raise _person_field_error("birth_date", "is required when recruitment_date is given")
        if birth_date > recruitment_date:
            raise _person_field_error("birth_date", "must not be after recruitment_date")
        if full_years(birth_date, recruitment_date) > MAX_AGE:
            raise _person_field_error("birth_date", f"gives an age at recruitment over {MAX_AGE}")
        return self

    @property
    def age(self) -> int | None:
        """Age in full years at recruitment, or None when unknown."""
        if self.age_at_recruitment is not None:
            return self.age_at_recruitment
        if self.birth_date is not None and self.recruitment_date is not None:
            return full_years(self.birth_date, self.recruitment_date)
        return None


def full_years(birth_date: date, on: date) -> int:
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


def _person_field_error(field: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("person_field", "{field} " + message, {"field": field})


class MovementFacts(_Input):
    """Facts about the journey; null (or left out) means not known yet."""

    crossed_border: StrictBool | None = None
    entry: Entry | None = None
    consented_to_movement: StrictBool | None = None
    paid_for_movement: StrictBool | None = Field(
        default=None,
        description="The person, or someone for them, paid or owes a fee for the journey "
        "(a travel debt counts).",
    )
    free_to_leave_after_arrival: StrictBool | None = None
    relationship_ended_on_arrival: StrictBool | None = None

    @model_validator(mode="after")
    def _entry_needs_a_border(self) -> Self:
        if self.crossed_border is False and self.entry is not None:
            raise PydanticCustomError(
                "movement_field",
                "{field} must be null when crossed_border is false",
                {"field": "entry"},
            )
        return self


class ScreeningInput(_Input):
    """What the interviewer recorded. See docs/screening.md."""

    jurisdiction: Jurisdiction
    person: PersonFacts | None = None
    exploitation: tuple[ExploitationFormId, ...] = ()
    indicators: dict[IndicatorId, Answer] = Field(default_factory=dict)
    movement: MovementFacts = Field(default_factory=MovementFacts)
    act: tuple[ActId, ...] | None = Field(
        default=None,
        description="Acts that took place; [] records that none did, null that it is not known.",
    )

    @field_validator("exploitation", "act")
    @classmethod
    def _no_repeats(cls, values: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if values is not None and len(set(values)) != len(values):
            repeated = sorted({value for value in values if values.count(value) > 1})
            raise PydanticCustomError(
                "repeated", "lists {repeated} more than once", {"repeated": ", ".join(repeated)}
            )
        return values


class ScreeningInputError(ValueError):
    """The input does not follow the contract; ``errors`` lists every problem found."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{error['path']}: {error['message']}" for error in errors))
        self.errors = errors


_INPUT_ADAPTER = TypeAdapter(ScreeningInput)
_INPUT_VALIDATOR = _INPUT_ADAPTER.validator
"""The adapter's compiled validator, called directly to skip the adapter's Python wrapper."""


def parse_screening_input(raw: object) -> ScreeningInput:
    """Validate decoded JSON (or an equivalent Python structure) against the contract."""
    try:
        parsed: ScreeningInput = _INPUT_VALIDATOR.validate_python(raw)
        return parsed
    except ValidationError as error:
        raise ScreeningInputError(_readable_errors(error)) from None


def parse_screening_json(text: str | bytes) -> ScreeningInput:
    """``parse_screening_input(json.loads(text))`` in one pass over the JSON text, for batch
    screening. Raises as that does: ``json.JSONDecodeError`` (or ``RecursionError``) when the
    text is not JSON, ``ScreeningInputError`` with the same errors when it breaks the contract.
    """
    try:
        parsed: ScreeningInput = _INPUT_VALIDATOR.validate_json(text)
        return parsed
    except ValidationError:
        # Bad input only: pydantic words JSON syntax errors its own way, so the text is decoded
        # and validated again as decoded JSON, for the errors that the contract promises.
        return parse_screening_input(json.loads(text))


def _readable_errors(error: ValidationError) -> list[dict[str, str]]:
    readable: list[dict[str, str]] = []
    for item in error.errors(include_url=False):
        location = list(item["loc"])
        context: Mapping[str, Any] = item.get("ctx") or {}
        kind = item["type"]
        if location[-1:] == ["[key]"]:
            location.pop()
            if location[:1] == ["indicators"]:
                message = f"unknown indicator id {location[-1]!r} (not in the catalogue)"
            else:
                message = f"invalid key {location[-1]!r}"
        elif kind in ("person_field", "movement_field"):
            location.append(context["field"])
            message = item["msg"].split(" ", 1)[1]
        elif kind == "extra_forbidden":
            message = f"unknown key {location[-1]!r} is not allowed"
        elif kind == "missing":
            message = "is required"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = "must be an object"
        elif kind in ("tuple_type", "list_type"):
            message = "must be a list"
        elif kind == "bool_type":
            message = "must be true, false or null"
        elif kind == "int_type":
            message = "must be a whole number"
        else:
            message = item["msg"].replace("Input should be", "must be")
        readable.append({"path": json_path(location), "message": message})
    return readable


def json_path(location: Sequence[str | int]) -> str:
    path = "$"
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            path += f".{part}"
        else:
            path += "[" + repr(part).replace("\\'", "'") + "]"
    return path


# ---- output --------------------------------------------------------------------------------
# The result's JSON form, as returned by ``Assessment.to_dict()``. Key order is the order below.


@with_config(ConfigDict(extra="forbid"))
class TextItemDict(TypedDict):
    code: str
    text: str


@with_config(ConfigDict(extra="forbid"))
class DimensionDict(TypedDict):
    id: str
    label: str
    status: DimensionStatus
    rule_met: RuleClause | None
    contributing: list[str]
    unanswered: list[str]


@with_config(ConfigDict(extra="forbid"))
class IloDict(TypedDict):
    verdict: IloVerdict
    rule: IloRule
    recruitment_types: list[str]


@with_config(ConfigDict(extra="forbid"))
class PalermoDict(TypedDict):
    act: ElementStatus
    means: ElementStatus
    purpose: ElementStatus
    met: bool | None
    means_required: bool | None
    consent_irrelevant: bool | None
    acts: list[ActId]
    means_found: list[str]
    purposes_found: list[str]


@with_config(ConfigDict(extra="forbid"))
class MovementDict(TypedDict):
    classification: MovementClassification
    smuggling_facts: ElementStatus
    trafficking_finding: bool | None
    reasons: list[TextItemDict]


@with_config(ConfigDict(extra="forbid"))
class LegalProvisionDict(TypedDict):
    reference: str
    text: str


@with_config(ConfigDict(extra="forbid"))
class LegalFormDict(TypedDict):
    form: ExploitationFormId
    label: str
    listed: bool
    wording: str | None
    note: str | None


@with_config(ConfigDict(extra="forbid"))
class LegalMeansDict(TypedDict):
    means: str
    reference: str


@with_config(ConfigDict(extra="forbid"))
class LegalDict(TypedDict):
    jurisdiction: Jurisdiction
    provisions: list[LegalProvisionDict]
    conclusion: LegalConclusion
    elements_met: bool | None
    minor_rule_applied: bool | None
    form_listed: bool | None
    forms: list[LegalFormDict]
    means: list[LegalMeansDict]
    notes: list[TextItemDict]


@with_config(ConfigDict(extra="forbid"))
class NextQuestionDict(TypedDict):
    id: str
    kind: QuestionKind
    question: str
    affects: list[Outcome]
    previously_declined: bool


@with_config(ConfigDict(extra="forbid"))
class RulesetDict(TypedDict):
    version: str
    catalogue_version: str
    catalogue_sha256: str


@with_config(ConfigDict(extra="forbid"))
class AssessmentDict(TypedDict):
    """A screening result. See docs/screening.md for the meaning of every key."""

    language: Language
    jurisdiction: Jurisdiction
    indicator_set: str | None
    indicator_sets_considered: list[str]
    age_at_recruitment: int | None
    child: bool | None
    exploitation: list[ExploitationFormId]
    dimensions: list[DimensionDict]
    ilo: IloDict
    palermo: PalermoDict
    movement: MovementDict
    legal: LegalDict
    htcds_trafficking_status: HtcdsTraffickingStatus | None
    next_questions: list[NextQuestionDict]
    explanation: list[TextItemDict]
    provisional: bool
    provisional_reasons: list[TextItemDict]
    ruleset: RulesetDict


# Typed views of the same result, for Python callers (templates, services): see
# ``Assessment``'s properties. Field for field the same as the JSON form above.


@dataclass(frozen=True, slots=True)
class TextItem:
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class DimensionResult:
    id: str
    label: str
    status: DimensionStatus
    rule_met: RuleClause | None
    contributing: tuple[str, ...]
    unanswered: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IloResult:
    verdict: IloVerdict
    rule: IloRule
    recruitment_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PalermoResult:
    act: ElementStatus
    means: ElementStatus
    purpose: ElementStatus
    met: bool | None
    means_required: bool | None
    consent_irrelevant: bool | None
    acts: tuple[ActId, ...]
    means_found: tuple[str, ...]
    purposes_found: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MovementResult:
    classification: MovementClassification
    smuggling_facts: ElementStatus
    trafficking_finding: bool | None
    reasons: tuple[TextItem, ...]


@dataclass(frozen=True, slots=True)
class LegalProvision:
    reference: str
    text: str


@dataclass(frozen=True, slots=True)
class LegalForm:
    form: ExploitationFormId
    label: str
    listed: bool
    wording: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class LegalMeans:
    means: str
    reference: str


@dataclass(frozen=True, slots=True)
class LegalResult:
    jurisdiction: Jurisdiction
    provisions: tuple[LegalProvision, ...]
    conclusion: LegalConclusion
    elements_met: bool | None
    minor_rule_applied: bool | None
    form_listed: bool | None
    forms: tuple[LegalForm, ...]
    means: tuple[LegalMeans, ...]
    notes: tuple[TextItem, ...]


@dataclass(frozen=True, slots=True)
class NextQuestion:
    id: str
    kind: QuestionKind
    question: str
    affects: tuple[Outcome, ...]
    previously_declined: bool


@dataclass(frozen=True, slots=True)
class Ruleset:
    version: str
    catalogue_version: str
    catalogue_sha256: str


def text_items(items: list[TextItemDict]) -> tuple[TextItem, ...]:
    return tuple(TextItem(item["code"], item["text"]) for item in items)


@cache
def assessment_dict_adapter() -> TypeAdapter[AssessmentDict]:
    return TypeAdapter(AssessmentDict)


def input_json_schema() -> dict[str, Any]:
    """JSON Schema of the input, as committed in docs/screening-input.schema.json."""
    schema = _INPUT_ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Waypoint screening input"
    return schema


def output_json_schema() -> dict[str, Any]:
    """JSON Schema of ``Assessment.to_dict()``, committed in docs/screening-output.schema.json."""
    schema = assessment_dict_adapter().json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Waypoint screening result"
    return schema
