"""The screening catalogue: everything a domain expert may need to correct, kept as data.

The JSON files in ``data/`` hold the ILO/EC indicator sets (ids, dimensions, strengths,
provenance, wordings in four languages), the interview questions, the Palermo elements, the
forms of exploitation with the instruments that recognise them, the legal definitions per
jurisdiction and the explanation templates. ``catalogue.json`` carries ``catalogue_version``;
``catalogue_sha256`` fingerprints the canonical content of all the files together, so a result
records exactly which data produced it.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from waypoint.domain.screening.vocabulary import (
    LANGUAGES,
    ActId,
    AgeGroup,
    Answer,
    DimensionRole,
    ExploitationFormId,
    Jurisdiction,
    Language,
    MovementFactId,
    Strength,
)

DATA_FILES: tuple[str, ...] = (
    "catalogue.json",
    "interview.json",
    "palermo.json",
    "legal.json",
    "explanations.json",
)

LocalizedText = Mapping[str, str]
"""A text in every supported language, keyed by language code."""


class CatalogueError(ValueError):
    """The data files are inconsistent; raised at load time, never while assessing."""


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provisional(_Data):
    code: str
    reason: dict[str, str]


class ProvenanceNote(_Data):
    """Why indicators of one provenance make a result provisional. ``scope`` says when: ``set``
    whenever the set is used, ``answered_yes`` only when such an indicator was answered "yes"."""

    code: str
    scope: Literal["set", "answered_yes"]
    reason: dict[str, str]


class RuleSource(_Data):
    provenance: str
    code: str
    reason: dict[str, str]


class StrengthOption(_Data):
    id: Strength
    label: dict[str, str]


class AnswerOption(_Data):
    id: Answer
    label: dict[str, str]


class Dimension(_Data):
    id: str
    role: DimensionRole
    label: dict[str, str]
    recruitment_type: str | None = None
    recruitment_type_label: dict[str, str] | None = None


class IndicatorText(_Data):
    source_label: str
    label: dict[str, str]
    question: dict[str, str]
    plain: dict[str, str]


class SetMember(_Data):
    id: str
    dimension: str
    strength: Strength
    provenance: str


class IndicatorSetData(_Data):
    id: str
    age_group: AgeGroup
    exploitation: str
    label: dict[str, str]
    provisional: Provisional | None
    indicators: tuple[SetMember, ...] = ()
    uses_indicators_of: str | None = None


class CatalogueFile(_Data):
    catalogue_version: str
    languages: tuple[str, ...]
    source: str
    provenance: dict[str, ProvenanceNote | None]
    rules: dict[str, RuleSource]
    strengths: tuple[StrengthOption, ...]
    answers: tuple[AnswerOption, ...]
    dimensions: tuple[Dimension, ...]
    indicator_sets: tuple[IndicatorSetData, ...]
    indicators: dict[str, IndicatorText]


class Question(_Data):
    id: str
    question: dict[str, str]
    plain: dict[str, str]


class MovementOption(_Data):
    id: str
    label: dict[str, str]


class MovementQuestion(_Data):
    id: MovementFactId
    answer: str
    question: dict[str, str]
    plain: dict[str, str]
    options: tuple[MovementOption, ...] = ()


class InterviewFile(_Data):
    person: tuple[Question, ...]
    act: Question
    movement: tuple[MovementQuestion, ...]


class Act(_Data):
    id: ActId
    label: dict[str, str]


class Means(_Data):
    id: str
    label: dict[str, str]
    evidenced_by: tuple[str, ...]


class Purpose(_Data):
    id: str
    in_palermo_minimum_list: bool
    label: dict[str, str]
    evidenced_by: tuple[str, ...]


class PalermoFile(_Data):
    reference: str
    acts: tuple[Act, ...]
    means: tuple[Means, ...]
    purposes: tuple[Purpose, ...]


class Instrument(_Data):
    id: str
    title: dict[str, str]


class FormRecognition(_Data):
    instrument: str
    wording: dict[str, str]
    to_check: bool


class ExploitationForm(_Data):
    id: ExploitationFormId
    label: dict[str, str]
    palermo_purpose: str
    purpose_evident_from_form: bool
    recognised_by: tuple[FormRecognition, ...]


class Provision(_Data):
    reference: str
    text: dict[str, str]
    to_check: bool


class JurisdictionNote(_Data):
    code: str
    reference: str
    when: Literal["always", "possible_victim"]
    text: dict[str, str]
    to_check: bool


class JurisdictionDefinition(_Data):
    id: Jurisdiction
    label: dict[str, str]
    instruments: tuple[str, ...]
    child_age_limit: int
    provisions: tuple[Provision, ...]
    child_rule_reference: str
    means_references: dict[str, str]
    unlisted_form_notes: dict[str, dict[str, str]]
    notes: tuple[JurisdictionNote, ...]


class LegalFile(_Data):
    to_check: Provisional
    instruments: tuple[Instrument, ...]
    exploitation_forms: tuple[ExploitationForm, ...]
    jurisdictions: tuple[JurisdictionDefinition, ...]


class ExplanationsFile(_Data):
    templates: dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """One indicator set, with its members resolved (a provisional set borrows another's)."""

    id: str
    age_group: AgeGroup
    exploitation: str
    label: LocalizedText
    provisional: Provisional | None
    members: tuple[SetMember, ...]

    def in_dimension(self, dimension_id: str) -> tuple[SetMember, ...]:
        return tuple(member for member in self.members if member.dimension == dimension_id)


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    sha256: str
    languages: tuple[Language, ...]
    provenance: Mapping[str, ProvenanceNote | None]
    rules: Mapping[str, RuleSource]
    strengths: tuple[StrengthOption, ...]
    answers: tuple[AnswerOption, ...]
    dimensions: tuple[Dimension, ...]
    indicator_sets: Mapping[str, IndicatorSet]
    indicators: Mapping[str, IndicatorText]
    person_questions: tuple[Question, ...]
    act_question: Question
    movement_questions: tuple[MovementQuestion, ...]
    acts: tuple[Act, ...]
    means: tuple[Means, ...]
    purposes: tuple[Purpose, ...]
    instruments: Mapping[str, Instrument]
    exploitation_forms: Mapping[str, ExploitationForm]
    jurisdictions: Mapping[str, JurisdictionDefinition]
    legal_to_check: Provisional
    templates: Mapping[str, LocalizedText]

    def indicators_by_dimension(
        self, set_id: str
    ) -> tuple[tuple[Dimension, tuple[SetMember, ...]], ...]:
        """The dimensions in order, each with the set's indicators in catalogue order."""
        indicator_set = self.indicator_sets[set_id]
        return tuple(
            (dimension, indicator_set.in_dimension(dimension.id)) for dimension in self.dimensions
        )


def canonical_sha256(contents: Mapping[str, object]) -> str:
    """SHA-256 of the data as canonical JSON: independent of key order and formatting."""
    canonical = json.dumps(contents, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_raw_data() -> dict[str, object]:
    """The parsed content of every data file, keyed by file name."""
    folder = files("waypoint.domain.screening").joinpath("data")
    return {
        name: json.loads(folder.joinpath(name).read_text(encoding="utf-8")) for name in DATA_FILES
    }


def build_catalogue(raw: Mapping[str, object]) -> Catalogue:
    """Validate the raw data files and assemble them; raises CatalogueError when inconsistent."""
    try:
        catalogue_file = CatalogueFile.model_validate(raw["catalogue.json"])
        interview = InterviewFile.model_validate(raw["interview.json"])
        palermo = PalermoFile.model_validate(raw["palermo.json"])
        legal = LegalFile.model_validate(raw["legal.json"])
        explanations = ExplanationsFile.model_validate(raw["explanations.json"])
    except ValidationError as error:
        raise CatalogueError(str(error)) from error
    if catalogue_file.languages != LANGUAGES:
        raise CatalogueError(f"languages must be {LANGUAGES}, not {catalogue_file.languages}")
    sets_by_id = {data.id: data for data in catalogue_file.indicator_sets}
    indicator_sets: dict[str, IndicatorSet] = {}
    for data in catalogue_file.indicator_sets:
        source = sets_by_id[data.uses_indicators_of] if data.uses_indicators_of else data
        indicator_sets[data.id] = IndicatorSet(
            id=data.id,
            age_group=data.age_group,
            exploitation=data.exploitation,
            label=MappingProxyType(data.label),
            provisional=data.provisional,
            members=source.indicators,
        )
    catalogue = Catalogue(
        version=catalogue_file.catalogue_version,
        sha256=canonical_sha256(raw),
        languages=LANGUAGES,
        provenance=MappingProxyType(catalogue_file.provenance),
        rules=MappingProxyType(catalogue_file.rules),
        strengths=catalogue_file.strengths,
        answers=catalogue_file.answers,
        dimensions=catalogue_file.dimensions,
        indicator_sets=MappingProxyType(indicator_sets),
        indicators=MappingProxyType(catalogue_file.indicators),
        person_questions=interview.person,
        act_question=interview.act,
        movement_questions=interview.movement,
        acts=palermo.acts,
        means=palermo.means,
        purposes=palermo.purposes,
        instruments=MappingProxyType({item.id: item for item in legal.instruments}),
        exploitation_forms=MappingProxyType({item.id: item for item in legal.exploitation_forms}),
        jurisdictions=MappingProxyType({item.id: item for item in legal.jurisdictions}),
        legal_to_check=legal.to_check,
        templates=MappingProxyType(
            {code: MappingProxyType(text) for code, text in explanations.templates.items()}
        ),
    )
    _check_consistency(catalogue, raw)
    return catalogue


@cache
def get_catalogue() -> Catalogue:
    """The catalogue shipped with the package, loaded and checked once."""
    return build_catalogue(load_raw_data())


def _check_consistency(catalogue: Catalogue, raw: Mapping[str, object]) -> None:
    problems: list[str] = []
    dimension_ids = [dimension.id for dimension in catalogue.dimensions]
    roles = {dimension.role for dimension in catalogue.dimensions}
    if roles != {"recruitment", "exploitation", "destination"}:
        problems.append(f"dimension roles must cover recruitment/exploitation/destination: {roles}")
    if sum(dimension.role == "exploitation" for dimension in catalogue.dimensions) != 1:
        problems.append("exactly one dimension must have the role 'exploitation'")
    for dimension in catalogue.dimensions:
        if (dimension.role == "recruitment") != (dimension.recruitment_type is not None):
            problems.append(f"{dimension.id}: recruitment_type belongs to recruitment dimensions")
    expected_sets = {f"{age}_{kind}" for age in ("adult", "child") for kind in ("labour", "sexual")}
    if set(catalogue.indicator_sets) != expected_sets:
        problems.append(f"indicator sets must be {sorted(expected_sets)}")
    for indicator_set in catalogue.indicator_sets.values():
        seen: set[str] = set()
        for member in indicator_set.members:
            if member.id in seen:
                problems.append(f"{indicator_set.id}: {member.id} listed twice")
            seen.add(member.id)
            if member.id not in catalogue.indicators:
                problems.append(f"{indicator_set.id}: {member.id} has no texts")
            if member.dimension not in dimension_ids:
                problems.append(f"{indicator_set.id}: {member.id} has unknown dimension")
            if member.provenance not in catalogue.provenance:
                problems.append(f"{indicator_set.id}: {member.id} has unknown provenance")
    for means in catalogue.means:
        problems.extend(
            f"means {means.id}: unknown indicator {indicator_id}"
            for indicator_id in means.evidenced_by
            if indicator_id not in catalogue.indicators
        )
    purpose_ids = {purpose.id for purpose in catalogue.purposes}
    for purpose in catalogue.purposes:
        problems.extend(
            f"purpose {purpose.id}: unknown indicator {indicator_id}"
            for indicator_id in purpose.evidenced_by
            if indicator_id not in catalogue.indicators
        )
    means_ids = {means.id for means in catalogue.means}
    for form in catalogue.exploitation_forms.values():
        if form.palermo_purpose not in purpose_ids:
            problems.append(f"form {form.id}: unknown purpose {form.palermo_purpose}")
        problems.extend(
            f"form {form.id}: unknown instrument {recognition.instrument}"
            for recognition in form.recognised_by
            if recognition.instrument not in catalogue.instruments
        )
    for jurisdiction in catalogue.jurisdictions.values():
        if set(jurisdiction.means_references) != means_ids:
            problems.append(f"{jurisdiction.id}: means_references must name every means")
        for form in catalogue.exploitation_forms.values():
            listed = any(
                recognition.instrument in jurisdiction.instruments
                for recognition in form.recognised_by
            )
            if not listed and form.id not in jurisdiction.unlisted_form_notes:
                problems.append(f"{jurisdiction.id}: no note for unlisted form {form.id}")
    problems.extend(
        f"missing language in {where}"
        for where, text in _localized_texts(raw)
        if set(text) != set(LANGUAGES) or not all(text.values())
    )
    if problems:
        raise CatalogueError("; ".join(problems))


def _localized_texts(node: object, where: str = "$") -> list[tuple[str, Mapping[str, str]]]:
    """Every mapping that holds an English text, to check that all languages are there."""
    found: list[tuple[str, Mapping[str, str]]] = []
    if isinstance(node, Mapping):
        if isinstance(node.get("en"), str):
            found.append((where, node))
        else:
            for key, value in node.items():
                found.extend(_localized_texts(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for position, value in enumerate(node):
            found.extend(_localized_texts(value, f"{where}[{position}]"))
    return found
