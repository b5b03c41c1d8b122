"""Assess one screening: dimensions, ILO verdict, Palermo elements, movement, legal conclusion,
suggested HTCDS status, the questions still worth asking, an explanation and provisional flags.

When the age at recruitment is unknown the adult and the child rules are both applied (each
with its own indicator set) and every conclusion is kept only where the two agree.

Speed matters (batch screening of many records): the catalogue is turned once into bit masks
per indicator set, answers are counted with C-level sums, the immutable pieces of a result
(texts, questions, legal and movement conclusions) come from bounded memo tables, and the JSON
form is built directly by ``Assessment.to_dict()`` without an intermediate object layer.
"""

from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from waypoint.domain.screening import legal as legal_rules
from waypoint.domain.screening import movement as movement_rules
from waypoint.domain.screening import palermo as palermo_rules
from waypoint.domain.screening.catalogue import (
    Catalogue,
    CatalogueError,
    IndicatorSet,
    get_catalogue,
)
from waypoint.domain.screening.contract import (
    AssessmentDict,
    DimensionDict,
    DimensionResult,
    IloResult,
    LegalForm,
    LegalMeans,
    LegalProvision,
    LegalResult,
    MovementFacts,
    MovementResult,
    NextQuestion,
    NextQuestionDict,
    PalermoResult,
    Ruleset,
    ScreeningInput,
    TextItem,
    TextItemDict,
    text_items,
)
from waypoint.domain.screening.ilo import (
    DIMENSION_BITS,
    DIMENSION_FIELD,
    KNOWN_DIMENSIONS,
    TIER_BITS,
    TIER_INDEX,
    DimensionOutcome,
    evaluate_packed,
    tier_weight,
)
from waypoint.domain.screening.next_questions import (
    ACT_CLASS,
    AFFECTS_COUNT,
    DECISIVE_CLASS,
    DECLINED_CLASS,
    DECLINED_DECISIVE_CLASS,
    HTCDS,
    ILO,
    INDICATOR_CLASS,
    MOVEMENT,
    MOVEMENT_CLASS,
    PALERMO,
    PERSON_CLASS,
    OutcomeModel,
    ScenarioOutcome,
    affected_outcomes,
)
from waypoint.domain.screening.vocabulary import (
    ADULT_AGE,
    LANGUAGES,
    ActId,
    DimensionStatus,
    ElementStatus,
    ExploitationFormId,
    HtcdsTraffickingStatus,
    IloVerdict,
    Jurisdiction,
    Language,
    LegalConclusion,
    MovementClassification,
    Outcome,
    QuestionKind,
    RuleClause,
)

RULESET_VERSION = "1.0.0"
"""Version of the rules in code; bump it whenever a rule changes what a result says."""

Pair = tuple[str, str]
"""An explanation item: (code, text)."""
Question = tuple[str, QuestionKind, str, tuple[Outcome, ...], bool]
"""A next question: (id, kind, wording, outcomes it can change, previously declined)."""

_DIMENSION_STATUS: dict[bool | None, DimensionStatus] = {
    True: "positive",
    False: "negative",
    None: "undetermined",
}
_ILO_VERDICT: dict[bool | None, IloVerdict] = {
    True: "trafficked",
    False: "not_trafficked",
    None: "undetermined",
}
_HTCDS_STATUS: dict[bool | None, HtcdsTraffickingStatus | None] = {
    True: "PossibleVictimOfTrafficking",
    False: "NotAVictimOfTrafficking",
    None: None,
}
_HTCDS_CODE: dict[bool | None, str] = {
    True: "htcds_possible",
    False: "htcds_not",
    None: "htcds_none",
}
_TRAFFICKING_CODE: dict[bool | None, str] = {
    True: "movement_trafficking_found",
    False: "movement_trafficking_ruled_out",
    None: "movement_trafficking_unknown",
}
_CONCLUSION_CODE: dict[LegalConclusion, str] = {
    "definition_met": "legal_definition_met",
    "definition_not_met": "legal_definition_not_met",
    "needs_legal_assessment": "legal_needs_assessment",
    "undetermined": "legal_undetermined",
}
_DECLINED_CLASSES = frozenset({DECLINED_DECISIVE_CLASS, DECLINED_CLASS})
_BYTE = 0xFF
_MASK_SHIFT = 128
"""Where indicator bits start in a packed sum, above the dimensions' tier counts."""
_COUNTS = (1 << _MASK_SHIFT) - 1
_ZEROS = repeat(0)


class _Memo[K: Hashable, V]:
    """A memo for immutable pieces of results, emptied when full so memory stays bounded."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[K, V] = {}

    def get(self, key: K, make: Callable[[], V]) -> V:
        value = self._items.get(key)
        if value is None:
            if len(self._items) >= self._size:
                self._items.clear()
            value = self._items[key] = make()
        return value


_PAIRS: _Memo[tuple[object, ...], Pair] = _Memo(8192)
_PAIR_LISTS: _Memo[tuple[object, ...], tuple[Pair, ...]] = _Memo(8192)


# ---- precomputed indexes -------------------------------------------------------------------

_Chunks = tuple[tuple[int, tuple[tuple[str, ...], ...]], ...]


@dataclass(frozen=True, slots=True)
class _SetIndex:
    """One indicator set as bit masks. Bit i stands for the i-th indicator of the catalogue, in
    every set, so masks from the adult and the child set can be combined."""

    indicator_set: IndicatorSet
    outside: tuple[str, ...]
    """Catalogue indicators that are not in this set, in catalogue order."""
    bit: dict[str, int]
    packed: dict[str, int]
    """Per indicator: its bit shifted by ``_MASK_SHIFT``, plus what it adds to the packed tier
    counts of its dimension (see ilo), so one sum counts and masks at once."""
    all_mask: int
    total_weight: int
    dimension_masks: tuple[int, ...]
    dimension_shifts: tuple[int, ...]
    tier_masks: tuple[tuple[int, int, int], ...]
    tier_unions: tuple[tuple[int, ...], ...]
    """Per dimension, the mask of every combination of tiers (index: bit set of tiers)."""
    chunks: tuple[_Chunks, ...]
    """Per dimension, byte-wide lookup tables from a mask to the ids it selects, in order."""
    means_masks: tuple[tuple[str, int], ...]
    purpose_masks: tuple[tuple[str, int], ...]
    set_notes: tuple[tuple[str, Mapping[str, str]], ...]
    answered_yes_notes: tuple[tuple[int, str, Mapping[str, str]], ...]

    def ids(self, dimension: int, mask: int) -> tuple[str, ...]:
        found: tuple[str, ...] = ()
        for shift, table in self.chunks[dimension]:
            found += table[(mask >> shift) & _BYTE]
        return found

    def id_list(self, dimension: int, mask: int) -> list[str]:
        """``ids`` as a new list, for the JSON form."""
        chunks = self.chunks[dimension]
        if len(chunks) == 1:
            shift, table = chunks[0]
            return [*table[(mask >> shift) & _BYTE]]
        return [ident for shift, table in chunks for ident in table[(mask >> shift) & _BYTE]]


def _set_index(catalogue: Catalogue, indicator_set: IndicatorSet) -> _SetIndex:
    dimension_ids = [dimension.id for dimension in catalogue.dimensions]
    most_per_tier = max(
        Counter((m.dimension, m.strength) for m in indicator_set.members).values(), default=0
    )
    if DIMENSION_BITS * len(dimension_ids) > _MASK_SHIFT or most_per_tier >= 1 << TIER_BITS:
        raise CatalogueError(f"{indicator_set.id}: too many dimensions or indicators to pack")
    position = {indicator_id: i for i, indicator_id in enumerate(catalogue.indicators)}
    members = sorted(indicator_set.members, key=lambda member: position[member.id])
    bit = {member.id: 1 << position[member.id] for member in members}
    dimension_of = {member.id: dimension_ids.index(member.dimension) for member in members}
    tier_of = {member.id: TIER_INDEX[member.strength] for member in members}
    weight = {
        member_id: tier_weight(tier_of[member_id]) << (DIMENSION_BITS * dimension_of[member_id])
        for member_id in bit
    }

    def mask_of(dimension: int, tiers: tuple[int, ...]) -> int:
        return sum(
            b for i, b in bit.items() if dimension_of[i] == dimension and tier_of[i] in tiers
        )

    dimensions = range(len(dimension_ids))
    dimension_masks = tuple(mask_of(d, (0, 1, 2)) for d in dimensions)
    tier_masks = tuple((mask_of(d, (0,)), mask_of(d, (1,)), mask_of(d, (2,))) for d in dimensions)
    tier_unions = tuple(
        tuple(mask_of(d, tuple(t for t in range(3) if tiers >> t & 1)) for tiers in range(8))
        for d in dimensions
    )
    ids_by_position = list(catalogue.indicators)
    provenance_masks: dict[str, int] = {}
    for member in members:
        provenance_masks[member.provenance] = (
            provenance_masks.get(member.provenance, 0) | bit[member.id]
        )
    set_notes: list[tuple[str, Mapping[str, str]]] = []
    if indicator_set.provisional is not None:
        set_notes.append((indicator_set.provisional.code, indicator_set.provisional.reason))
    answered_yes_notes: list[tuple[int, str, Mapping[str, str]]] = []
    for provenance, mask in provenance_masks.items():
        note = catalogue.provenance[provenance]
        if note is None:
            continue
        if note.scope == "set":
            set_notes.append((note.code, note.reason))
        else:
            answered_yes_notes.append((mask, note.code, note.reason))
    return _SetIndex(
        indicator_set=indicator_set,
        outside=tuple(i for i in catalogue.indicators if i not in bit),
        bit=bit,
        packed={member_id: bit[member_id] << _MASK_SHIFT | weight[member_id] for member_id in bit},
        all_mask=sum(bit.values()),
        total_weight=sum(weight.values()),
        dimension_masks=dimension_masks,
        dimension_shifts=tuple(d * DIMENSION_BITS for d in dimensions),
        tier_masks=tier_masks,
        tier_unions=tier_unions,
        chunks=tuple(_chunks(mask, ids_by_position) for mask in dimension_masks),
        means_masks=tuple(
            (means.id, sum(bit.get(i, 0) for i in means.evidenced_by)) for means in catalogue.means
        ),
        purpose_masks=tuple(
            (purpose.id, sum(bit.get(i, 0) for i in purpose.evidenced_by))
            for purpose in catalogue.purposes
        ),
        set_notes=tuple(set_notes),
        answered_yes_notes=tuple(answered_yes_notes),
    )


def _chunks(mask: int, ids_by_position: list[str]) -> _Chunks:
    chunks: list[tuple[int, tuple[tuple[str, ...], ...]]] = []
    for shift in range(0, mask.bit_length(), 8):
        if (mask >> shift) & _BYTE:
            table = tuple(
                tuple(
                    ids_by_position[shift + j]
                    for j in range(8)
                    if byte >> j & 1 and mask >> (shift + j) & 1
                )
                for byte in range(256)
            )
            chunks.append((shift, table))
    return tuple(chunks)


@dataclass(frozen=True, slots=True)
class _Texts:
    """Everything a result says in one language, prepared once."""

    language: Language
    templates: dict[str, str]
    fixed: dict[str, Pair]
    """Ready items for the templates without placeholders."""
    indicator_labels: dict[str, str]
    dimension_labels: tuple[str, ...]
    dimension_items: tuple[dict[str, Pair], ...]
    recruitment_type_labels: tuple[str, ...]
    set_labels: dict[str, str]
    act_labels: dict[str, str]
    means_labels: dict[str, str]
    purpose_labels: dict[str, str]
    form_labels: dict[str, str]
    instrument_titles: dict[str, str]
    questions: tuple[dict[str, Question], ...]
    """Next questions with the interviewer's wording, see ``_question_tables``."""

    def render(self, code: str, **values: object) -> Pair:
        return (code, self.templates[code].format(**values))

    def labels(self, labels: Mapping[str, str], ids: tuple[str, ...], sep: str = ", ") -> str:
        return sep.join(map(labels.__getitem__, ids))


def _texts(catalogue: Catalogue, language: Language) -> _Texts:
    templates = {code: text[language] for code, text in catalogue.templates.items()}
    dimension_labels = tuple(dimension.label[language] for dimension in catalogue.dimensions)
    questions = {key: value.question[language] for key, value in catalogue.indicators.items()}
    questions["act"] = catalogue.act_question.question[language]
    questions["person.age_at_recruitment"] = catalogue.person_questions[0].question[language]
    questions.update(
        {f"movement.{item.id}": item.question[language] for item in catalogue.movement_questions}
    )
    dimension_codes = (
        "dimension_negative",
        "dimension_undetermined",
        "dimension_not_needed",
        "dimension_depends_on_age",
    )
    return _Texts(
        language=language,
        templates=templates,
        fixed={code: (code, text) for code, text in templates.items() if "{" not in text},
        indicator_labels={
            key: value.label[language] for key, value in catalogue.indicators.items()
        },
        dimension_labels=dimension_labels,
        dimension_items=tuple(
            {code: (code, templates[code].format(dimension=label)) for code in dimension_codes}
            for label in dimension_labels
        ),
        recruitment_type_labels=tuple(
            dimension.recruitment_type_label[language] if dimension.recruitment_type_label else ""
            for dimension in catalogue.dimensions
        ),
        set_labels={key: value.label[language] for key, value in catalogue.indicator_sets.items()},
        act_labels={act.id: act.label[language] for act in catalogue.acts},
        means_labels={item.id: item.label[language] for item in catalogue.means},
        purpose_labels={item.id: item.label[language] for item in catalogue.purposes},
        form_labels={
            key: value.label[language] for key, value in catalogue.exploitation_forms.items()
        },
        instrument_titles={
            key: value.title[language] for key, value in catalogue.instruments.items()
        },
        questions=_question_tables(questions),
    )


def _question_tables(wordings: Mapping[str, str]) -> tuple[dict[str, Question], ...]:
    """Ready questions for every item id, one table per (outcomes it can change, previously
    declined), indexed by ``affects * 2 + declined``."""
    return tuple(
        {
            item_id: (item_id, _kind(item_id), wording, affected_outcomes(affects), bool(declined))
            for item_id, wording in wordings.items()
        }
        for affects in range(AFFECTS_COUNT)
        for declined in (0, 1)
    )


def _kind(item_id: str) -> QuestionKind:
    if item_id == "act":
        return "act"
    if item_id.startswith("person."):
        return "person"
    return "movement" if item_id.startswith("movement.") else "indicator"


@dataclass(frozen=True, slots=True)
class _Engine:
    catalogue: Catalogue
    sets: Mapping[tuple[bool, bool], _SetIndex]
    """Per (child, sexual exploitation recorded)."""
    dimension_ids: tuple[str, ...]
    recruitment: tuple[int, ...]
    exploitation: tuple[int, ...]
    destination: tuple[int, ...]
    means_dimensions: tuple[int, ...]
    recruitment_types: tuple[str | None, ...]
    outcomes: OutcomeModel
    texts: Mapping[str, _Texts]
    ruleset: dict[str, str]


@cache
def _engine() -> _Engine:
    catalogue = get_catalogue()
    roles = tuple(dimension.role for dimension in catalogue.dimensions)
    recruitment = tuple(i for i, role in enumerate(roles) if role == "recruitment")
    destination = tuple(i for i, role in enumerate(roles) if role == "destination")
    return _Engine(
        catalogue=catalogue,
        sets=MappingProxyType(
            {
                (item.age_group == "child", item.exploitation == "sexual"): _set_index(
                    catalogue, item
                )
                for item in catalogue.indicator_sets.values()
            }
        ),
        dimension_ids=tuple(dimension.id for dimension in catalogue.dimensions),
        recruitment=recruitment,
        exploitation=tuple(i for i, role in enumerate(roles) if role == "exploitation"),
        destination=destination,
        means_dimensions=recruitment + destination,
        recruitment_types=tuple(dimension.recruitment_type for dimension in catalogue.dimensions),
        outcomes=OutcomeModel(roles),
        texts=MappingProxyType({language: _texts(catalogue, language) for language in LANGUAGES}),
        ruleset={
            "version": RULESET_VERSION,
            "catalogue_version": catalogue.version,
            "catalogue_sha256": catalogue.sha256,
        },
    )


# ---- one age hypothesis --------------------------------------------------------------------


class _Scenario(NamedTuple):
    child: bool
    set_index: _SetIndex
    dimensions: tuple[DimensionOutcome, ...]
    statuses: tuple[bool | None, ...]
    yes_mask: int
    open_mask: int
    declined_mask: int
    outcome: ScenarioOutcome


def _run_scenario(
    engine: _Engine,
    child: bool,
    index: _SetIndex,
    answered: tuple[list[str], list[str], list[str]],
    act: bool | None,
    purpose_evident: bool,
) -> _Scenario:
    yes_ids, no_ids, declined_ids = answered
    packed = index.packed.get
    # One C-level sum per answer gives both the packed tier counts and the mask (see _SetIndex).
    yes = sum(map(packed, yes_ids, _ZEROS))
    no = sum(map(packed, no_ids, _ZEROS))
    yes_mask = yes >> _MASK_SHIFT
    open_mask = index.all_mask ^ (yes_mask | no >> _MASK_SHIFT)
    yes_counts = yes & _COUNTS
    open_counts = index.total_weight - yes_counts - (no & _COUNTS)
    known = KNOWN_DIMENSIONS
    dimensions = tuple(
        known.get(key) or evaluate_packed(key >> DIMENSION_BITS, key & DIMENSION_FIELD)
        for key in [
            ((yes_counts >> shift) & DIMENSION_FIELD) << DIMENSION_BITS
            | ((open_counts >> shift) & DIMENSION_FIELD)
            for shift in index.dimension_shifts
        ]
    )
    statuses = tuple([dimension.status for dimension in dimensions])
    # Positional: keyword construction of a named tuple costs three times as much.
    return _Scenario(
        child,
        index,
        dimensions,
        statuses,
        yes_mask,
        open_mask,
        sum(map(index.bit.get, declined_ids, _ZEROS)) if declined_ids else 0,
        engine.outcomes.evaluate(
            child=child, leaves=(*statuses, act), purpose_evident=purpose_evident
        ),
    )


def _agreed(values: tuple[bool | None, ...]) -> bool | None:
    """A conclusion holds only when every age hypothesis reaches it."""
    first = values[0]
    for value in values[1:]:
        if value != first:
            return None
    return first


# ---- the result ----------------------------------------------------------------------------


class _Palermo(NamedTuple):
    act: bool | None
    means: bool | None
    purpose: bool | None
    met: bool | None
    means_required: bool | None
    consent_irrelevant: bool | None
    acts: tuple[ActId, ...]
    means_found: tuple[str, ...]
    purposes_found: tuple[str, ...]


class _Movement(NamedTuple):
    classification: MovementClassification
    smuggling_facts: ElementStatus
    reasons: tuple[Pair, ...]


class _LegalForm(NamedTuple):
    form: ExploitationFormId
    label: str
    listed: bool
    wording: str | None
    note: str | None


class _Legal(NamedTuple):
    provisions: tuple[Pair, ...]
    conclusion: LegalConclusion
    listed: bool | None
    forms: tuple[_LegalForm, ...]
    means: tuple[Pair, ...]
    notes: tuple[Pair, ...]
    summary: tuple[Pair, ...]
    """The notes the main explanation repeats: the conclusion and how each form is covered."""


_MOVEMENTS: _Memo[tuple[object, ...], _Movement] = _Memo(4096)
_FORMS: _Memo[tuple[object, ...], tuple[bool | None, tuple[_LegalForm, ...], tuple[Pair, ...]]] = (
    _Memo(4096)
)


class _Evaluation(NamedTuple):
    texts: _Texts
    engine: _Engine
    jurisdiction: Jurisdiction
    age: int | None
    child: bool | None
    forms: tuple[ExploitationFormId, ...]
    scenarios: tuple[_Scenario, ...]
    statuses: tuple[bool | None, ...]
    ilo: bool | None
    trafficking: bool | None
    palermo: _Palermo
    movement: _Movement
    legal: _Legal
    next_questions: tuple[Question, ...]
    head: tuple[Pair, ...]
    """Explanation items before the dimensions."""
    tail: tuple[Pair, ...]
    """Explanation items after the dimensions."""
    provisional_reasons: tuple[Pair, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Assessment:
    """The result of one screening.

    ``to_dict()`` gives its JSON form (docs/screening.md), a new dict at each call: compare
    results through it. The properties give the same content as typed, immutable objects.
    """

    _evaluation: _Evaluation
    _rendered: list[AssessmentDict] = field(default_factory=list, repr=False)
    """The JSON form the properties read, built on first use."""

    def to_dict(self) -> AssessmentDict:
        return _render(self._evaluation)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Lets pydantic-based code (an API's response declaration) take an Assessment: it is
        accepted as is, serialised as its JSON form, and documented as that form under the
        name "Assessment"."""
        json_form = handler.resolve_ref_schema(handler.generate_schema(AssessmentDict))
        named: core_schema.CoreSchema = {**json_form, "ref": f"{cls.__module__}.{cls.__qualname__}"}
        return core_schema.json_or_python_schema(
            json_schema=named,
            python_schema=core_schema.is_instance_schema(cls),
            serialization=core_schema.plain_serializer_function_ser_schema(
                cls.to_dict, return_schema=named
            ),
        )

    def _json(self) -> AssessmentDict:
        if not self._rendered:
            self._rendered.append(_render(self._evaluation))
        return self._rendered[0]

    @property
    def language(self) -> Language:
        return self._evaluation.texts.language

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self._evaluation.jurisdiction

    @property
    def indicator_set(self) -> str | None:
        scenarios = self._evaluation.scenarios
        return scenarios[0].set_index.indicator_set.id if len(scenarios) == 1 else None

    @property
    def indicator_sets_considered(self) -> tuple[str, ...]:
        return tuple(s.set_index.indicator_set.id for s in self._evaluation.scenarios)

    @property
    def age_at_recruitment(self) -> int | None:
        return self._evaluation.age

    @property
    def child(self) -> bool | None:
        return self._evaluation.child

    @property
    def exploitation(self) -> tuple[ExploitationFormId, ...]:
        return self._evaluation.forms

    @property
    def dimensions(self) -> tuple[DimensionResult, ...]:
        return tuple(
            DimensionResult(
                id=item["id"],
                label=item["label"],
                status=item["status"],
                rule_met=item["rule_met"],
                contributing=tuple(item["contributing"]),
                unanswered=tuple(item["unanswered"]),
            )
            for item in self._json()["dimensions"]
        )

    @property
    def ilo(self) -> IloResult:
        ilo = self._json()["ilo"]
        return IloResult(ilo["verdict"], ilo["rule"], tuple(ilo["recruitment_types"]))

    @property
    def palermo(self) -> PalermoResult:
        palermo = self._json()["palermo"]
        return PalermoResult(
            act=palermo["act"],
            means=palermo["means"],
            purpose=palermo["purpose"],
            met=palermo["met"],
            means_required=palermo["means_required"],
            consent_irrelevant=palermo["consent_irrelevant"],
            acts=tuple(palermo["acts"]),
            means_found=tuple(palermo["means_found"]),
            purposes_found=tuple(palermo["purposes_found"]),
        )

    @property
    def movement(self) -> MovementResult:
        movement = self._json()["movement"]
        return MovementResult(
            classification=movement["classification"],
            smuggling_facts=movement["smuggling_facts"],
            trafficking_finding=movement["trafficking_finding"],
            reasons=text_items(movement["reasons"]),
        )

    @property
    def legal(self) -> LegalResult:
        legal = self._json()["legal"]
        return LegalResult(
            jurisdiction=legal["jurisdiction"],
            provisions=tuple(
                LegalProvision(item["reference"], item["text"]) for item in legal["provisions"]
            ),
            conclusion=legal["conclusion"],
            elements_met=legal["elements_met"],
            minor_rule_applied=legal["minor_rule_applied"],
            form_listed=legal["form_listed"],
            forms=tuple(
                LegalForm(
                    item["form"], item["label"], item["listed"], item["wording"], item["note"]
                )
                for item in legal["forms"]
            ),
            means=tuple(LegalMeans(item["means"], item["reference"]) for item in legal["means"]),
            notes=text_items(legal["notes"]),
        )

    @property
    def htcds_trafficking_status(self) -> HtcdsTraffickingStatus | None:
        return _HTCDS_STATUS[self._evaluation.trafficking]

    @property
    def next_questions(self) -> tuple[NextQuestion, ...]:
        return tuple(
            NextQuestion(item_id, kind, wording, affects, declined)
            for item_id, kind, wording, affects, declined in self._evaluation.next_questions
        )

    @property
    def explanation(self) -> tuple[TextItem, ...]:
        return text_items(self._json()["explanation"])

    @property
    def provisional(self) -> bool:
        return bool(self._evaluation.provisional_reasons)

    @property
    def provisional_reasons(self) -> tuple[TextItem, ...]:
        return tuple(TextItem(code, text) for code, text in self._evaluation.provisional_reasons)

    @property
    def ruleset(self) -> Ruleset:
        return Ruleset(**self._evaluation.engine.ruleset)


def assess(screening_input: ScreeningInput, *, language: str = "en") -> Assessment:
    """Assess a validated screening input; texts in ``language`` (en, pl, uk or ru)."""
    engine = _engine()
    texts = engine.texts.get(language)
    if texts is None:
        raise ValueError(f"unsupported language {language!r}: use one of {', '.join(LANGUAGES)}")
    catalogue = engine.catalogue
    forms = screening_input.exploitation
    person = screening_input.person
    age = None if person is None else person.age
    child = None if age is None else age < ADULT_AGE
    acts = screening_input.act
    act = palermo_rules.act_status(acts)
    purpose_evident = palermo_rules.purpose_evident_from_forms(catalogue, forms)
    answered: tuple[list[str], list[str], list[str]] = ([], [], [])
    yes_ids, no_ids, declined_ids = answered
    for indicator_id, answer in screening_input.indicators.items():
        if answer == "yes":
            yes_ids.append(indicator_id)
        elif answer == "no":
            no_ids.append(indicator_id)
        elif answer == "declined":
            declined_ids.append(indicator_id)
    sexual = "sexual" in forms
    hypotheses = (False, True) if child is None else (child,)
    scenarios = tuple(
        _run_scenario(
            engine, hypothesis, engine.sets[hypothesis, sexual], answered, act, purpose_evident
        )
        for hypothesis in hypotheses
    )
    if len(scenarios) == 1:
        only = scenarios[0]
        outcome = only.outcome
        ilo, met, trafficking = outcome.ilo, outcome.palermo, outcome.trafficking
        means, purpose = outcome.means, outcome.purpose
        statuses = only.statuses
    else:
        ilo = _agreed(tuple(s.outcome.ilo for s in scenarios))
        met = _agreed(tuple(s.outcome.palermo for s in scenarios))
        trafficking = _agreed(tuple(s.outcome.trafficking for s in scenarios))
        means = _agreed(tuple(s.outcome.means for s in scenarios))
        purpose = _agreed(tuple(s.outcome.purpose for s in scenarios))
        statuses = tuple(
            _agreed(tuple(s.statuses[d] for s in scenarios))
            for d in range(len(engine.dimension_ids))
        )
    palermo = _palermo(engine, scenarios, forms, acts, child, act, means, purpose, met)
    htcds = _HTCDS_STATUS[trafficking]
    movement = _movement(texts, screening_input.movement, trafficking)
    legal = _legal(engine, texts, screening_input.jurisdiction, forms, child, palermo, htcds)
    next_questions = _next_questions(
        engine, texts, scenarios, ilo, met, trafficking, screening_input.movement
    )
    fixed = texts.fixed
    tail = (
        *_ilo_items(engine, texts, scenarios, acts, ilo),
        *_palermo_items(engine, texts, scenarios, palermo, statuses),
        movement.reasons[-1],
        *_labour_law_item(texts, engine, statuses, trafficking),
        *legal.summary,
        fixed[_HTCDS_CODE[trafficking]],
        fixed["questions_remaining" if next_questions else "no_questions_remaining"],
        fixed["not_formal_identification"],
        fixed["no_single_indicator"],
    )
    provisional_reasons = _provisional_reasons(
        engine, texts, scenarios, screening_input.jurisdiction, forms, htcds
    )
    head = _set_items(texts, scenarios, age, screening_input.indicators)
    # Positional, in the order of _Evaluation's fields (see _run_scenario).
    return Assessment(
        _Evaluation(
            texts,
            engine,
            screening_input.jurisdiction,
            age,
            child,
            forms,
            scenarios,
            statuses,
            ilo,
            trafficking,
            palermo,
            movement,
            legal,
            next_questions,
            head,
            tail,
            provisional_reasons,
        )
    )


# ---- the JSON form -------------------------------------------------------------------------


def _render(evaluation: _Evaluation) -> AssessmentDict:
    texts = evaluation.texts
    engine = evaluation.engine
    scenarios = evaluation.scenarios
    # With two age hypotheses the adult set (a superset of the child set) lists the indicators.
    first = scenarios[0]
    index = first.set_index
    statuses = evaluation.statuses
    dimensions: list[DimensionDict] = []
    explanation: list[TextItemDict] = [
        {"code": code, "text": text} for code, text in evaluation.head
    ]
    for d, dimension_id in enumerate(engine.dimension_ids):
        status = statuses[d]
        contributing = index.ids(d, first.yes_mask)
        clause: RuleClause | None = None
        if status:
            clause = first.dimensions[d].clause
            code, text = texts.render(
                "dimension_positive",
                dimension=texts.dimension_labels[d],
                rule=texts.templates[f"rule_{clause}"],
                indicators=texts.labels(texts.indicator_labels, contributing, "; "),
            )
        elif status is False:
            code, text = texts.dimension_items[d]["dimension_negative"]
        elif not any(s.outcome.affects[d] for s in scenarios):
            code, text = texts.dimension_items[d]["dimension_not_needed"]
        elif len(scenarios) == 2 and any(s.statuses[d] is not None for s in scenarios):
            code, text = texts.dimension_items[d]["dimension_depends_on_age"]
        else:
            code, text = texts.dimension_items[d]["dimension_undetermined"]
        explanation.append({"code": code, "text": text})
        dimensions.append(
            {
                "id": dimension_id,
                "label": texts.dimension_labels[d],
                "status": _DIMENSION_STATUS[status],
                "rule_met": clause,
                "contributing": list(contributing),
                "unanswered": index.id_list(d, first.open_mask),
            }
        )
    explanation.extend({"code": code, "text": text} for code, text in evaluation.tail)
    palermo = evaluation.palermo
    movement = evaluation.movement
    legal = evaluation.legal
    child = evaluation.child
    status_of = palermo_rules.ELEMENT_STATUS
    next_questions: list[NextQuestionDict] = [
        {
            "id": item_id,
            "kind": kind,
            "question": wording,
            "affects": list(affects),
            "previously_declined": declined,
        }
        for item_id, kind, wording, affects, declined in evaluation.next_questions
    ]
    return {
        "language": texts.language,
        "jurisdiction": evaluation.jurisdiction,
        "indicator_set": index.indicator_set.id if len(scenarios) == 1 else None,
        "indicator_sets_considered": [s.set_index.indicator_set.id for s in scenarios],
        "age_at_recruitment": evaluation.age,
        "child": child,
        "exploitation": list(evaluation.forms),
        "dimensions": dimensions,
        "ilo": {
            "verdict": _ILO_VERDICT[evaluation.ilo],
            "rule": "adult_and_child" if child is None else ("child" if child else "adult"),
            "recruitment_types": [
                kind
                for kind, status in zip(engine.recruitment_types, statuses, strict=True)
                if kind is not None and status
            ],
        },
        "palermo": {
            "act": status_of[palermo.act],
            "means": status_of[palermo.means],
            "purpose": status_of[palermo.purpose],
            "met": palermo.met,
            "means_required": palermo.means_required,
            "consent_irrelevant": palermo.consent_irrelevant,
            "acts": list(palermo.acts),
            "means_found": list(palermo.means_found),
            "purposes_found": list(palermo.purposes_found),
        },
        "movement": {
            "classification": movement.classification,
            "smuggling_facts": movement.smuggling_facts,
            "trafficking_finding": evaluation.trafficking,
            "reasons": [{"code": code, "text": text} for code, text in movement.reasons],
        },
        "legal": {
            "jurisdiction": evaluation.jurisdiction,
            "provisions": [
                {"reference": reference, "text": text} for reference, text in legal.provisions
            ],
            "conclusion": legal.conclusion,
            "elements_met": palermo.met,
            "minor_rule_applied": child,
            "form_listed": legal.listed,
            "forms": [
                {
                    "form": form.form,
                    "label": form.label,
                    "listed": form.listed,
                    "wording": form.wording,
                    "note": form.note,
                }
                for form in legal.forms
            ],
            "means": [{"means": means, "reference": reference} for means, reference in legal.means],
            "notes": [{"code": code, "text": text} for code, text in legal.notes],
        },
        "htcds_trafficking_status": _HTCDS_STATUS[evaluation.trafficking],
        "next_questions": next_questions,
        "explanation": explanation,
        "provisional": bool(evaluation.provisional_reasons),
        "provisional_reasons": [
            {"code": code, "text": text} for code, text in evaluation.provisional_reasons
        ],
        "ruleset": {
            "version": engine.ruleset["version"],
            "catalogue_version": engine.ruleset["catalogue_version"],
            "catalogue_sha256": engine.ruleset["catalogue_sha256"],
        },
    }


# ---- the indicator set ---------------------------------------------------------------------


def _set_items(
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    age: int | None,
    answers: Mapping[str, str],
) -> tuple[Pair, ...]:
    set_ids = tuple(scenario.set_index.indicator_set.id for scenario in scenarios)

    def describe() -> Pair:
        if len(set_ids) == 2:
            return texts.render(
                "set_age_unknown",
                adult_set=texts.set_labels[set_ids[0]],
                child_set=texts.set_labels[set_ids[1]],
            )
        code = "set_child" if scenarios[0].child else "set_adult"
        return texts.render(code, age=age, set=texts.set_labels[set_ids[0]])

    item = _PAIRS.get((texts.language, "set", set_ids, age), describe)
    unused = tuple(i for i in scenarios[0].set_index.outside if answers.get(i) in ("yes", "no"))
    if not unused:
        return (item,)
    outside = texts.render(
        "answers_outside_set",
        set=texts.set_labels[set_ids[0]],
        indicators=texts.labels(texts.indicator_labels, unused, "; "),
    )
    return (item, outside)


# ---- ILO -----------------------------------------------------------------------------------


def _ilo_items(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    acts: tuple[ActId, ...] | None,
    ilo: bool | None,
) -> tuple[Pair, ...]:
    items = tuple(_ilo_item(engine, texts, scenario, acts) for scenario in scenarios)
    if len(scenarios) == 2:
        if ilo is not None:
            items += (texts.fixed["ilo_agreed_across_ages"],)
        elif all(scenario.outcome.ilo is not None for scenario in scenarios):
            items += (texts.fixed["ilo_depends_on_age"],)
    return items


def _ilo_item(
    engine: _Engine, texts: _Texts, scenario: _Scenario, acts: tuple[ActId, ...] | None
) -> Pair:
    part_names = {
        name: texts.templates[f"part_{name}"]
        for name in ("recruitment", "exploitation", "destination", "act")
    }
    verdict = scenario.outcome.ilo
    if scenario.child:
        act = palermo_rules.act_status(acts)
        exploitation = scenario.outcome.exploitation
        key: tuple[object, ...] = (texts.language, "child", act, exploitation, acts)

        def describe_child() -> Pair:
            if verdict:
                return texts.render(
                    "ilo_child_trafficked", acts=texts.labels(texts.act_labels, acts or ())
                )
            parts = {"act": act, "exploitation": exploitation}
            return _ilo_parts_item(texts, "child", verdict, parts, part_names)

        return _PAIRS.get(key, describe_child)
    positive = tuple(d for d in engine.recruitment if scenario.statuses[d])
    outcome = scenario.outcome
    parts = {
        "recruitment": outcome.recruitment,
        "exploitation": outcome.exploitation,
        "destination": outcome.destination,
    }

    def describe_adult() -> Pair:
        if verdict:
            types = ", ".join(texts.recruitment_type_labels[d] for d in positive)
            return texts.render("ilo_adult_trafficked", recruitment_types=types)
        return _ilo_parts_item(texts, "adult", verdict, parts, part_names)

    return _PAIRS.get((texts.language, "adult", *parts.values(), positive), describe_adult)


def _ilo_parts_item(
    texts: _Texts,
    rule: str,
    verdict: bool | None,
    parts: Mapping[str, bool | None],
    part_names: Mapping[str, str],
) -> Pair:
    wanted = False if verdict is False else None
    state = "not_trafficked" if verdict is False else "undetermined"
    names = ", ".join(part_names[name] for name, value in parts.items() if value is wanted)
    return texts.render(f"ilo_{rule}_{state}", parts=names)


def _labour_law_item(
    texts: _Texts, engine: _Engine, statuses: tuple[bool | None, ...], trafficking: bool | None
) -> tuple[Pair, ...]:
    """Exploitative conditions without trafficking point to labour-law abuse."""
    exploited = all(statuses[d] for d in engine.exploitation)
    return (texts.fixed["labour_law_abuse"],) if exploited and trafficking is False else ()


# ---- Palermo -------------------------------------------------------------------------------


def _palermo(
    engine: _Engine,
    scenarios: tuple[_Scenario, ...],
    forms: tuple[ExploitationFormId, ...],
    acts: tuple[ActId, ...] | None,
    child: bool | None,
    act: bool | None,
    means: bool | None,
    purpose: bool | None,
    met: bool | None,
) -> _Palermo:
    means_found: tuple[str, ...] = ()
    if means:
        evidence = 0
        for scenario in scenarios:
            for d in engine.means_dimensions:
                if scenario.statuses[d]:
                    evidence |= scenario.yes_mask & scenario.set_index.dimension_masks[d]
        means_found = tuple(m for m, mask in scenarios[0].set_index.means_masks if evidence & mask)
    purposes: tuple[str, ...] = ()
    if purpose:
        if forms:
            purposes = palermo_rules.purposes_found(engine.catalogue, forms, ())
        else:
            yes_mask = scenarios[0].yes_mask
            purposes = tuple(
                p for p, mask in scenarios[0].set_index.purpose_masks if yes_mask & mask
            )
    return _Palermo(
        act,
        means,
        purpose,
        met,
        None if child is None else not child,
        palermo_rules.consent_irrelevant(child, means),
        acts or (),
        means_found,
        purposes,
    )


def _palermo_items(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    palermo: _Palermo,
    statuses: tuple[bool | None, ...],
) -> tuple[Pair, ...]:
    language = texts.language
    fixed = texts.fixed
    status_of = palermo_rules.ELEMENT_STATUS
    if palermo.act:
        act_item = _PAIRS.get(
            (language, "act", palermo.acts),
            lambda: texts.render(
                "palermo_act_present", acts=texts.labels(texts.act_labels, palermo.acts)
            ),
        )
    else:
        act_item = fixed[f"palermo_act_{status_of[palermo.act]}"]
    if palermo.means_required is False:
        reference = engine.catalogue.jurisdictions["INT"].child_rule_reference
        means_item = _PAIRS.get(
            (language, "means_not_required"),
            lambda: texts.render("palermo_means_not_required", reference=reference),
        )
    elif palermo.means:
        positive = tuple(d for d in engine.means_dimensions if statuses[d])
        means_item = _PAIRS.get(
            (language, "means", palermo.means_found, positive),
            lambda: texts.render(
                "palermo_means_present",
                means=texts.labels(texts.means_labels, palermo.means_found, "; "),
                dimensions=", ".join(texts.dimension_labels[d] for d in positive),
            ),
        )
    else:
        means_item = fixed[f"palermo_means_{status_of[palermo.means]}"]
    if palermo.purpose:
        found = palermo.purposes_found
        purpose_item = _PAIRS.get(
            (language, "purpose", found),
            lambda: texts.render(
                "palermo_purpose_present",
                purposes=texts.labels(texts.purpose_labels, found, "; ")
                if found
                else texts.templates["part_exploitation"],
            ),
        )
    else:
        purpose_item = fixed[f"palermo_purpose_{status_of[palermo.purpose]}"]
    both_certain = len(scenarios) == 2 and all(s.outcome.palermo is not None for s in scenarios)
    elements = (
        status_of[palermo.act],
        "present" if palermo.means_required is False else status_of[palermo.means],
        status_of[palermo.purpose],
    )
    met_item = _PAIRS.get(
        (language, "met", palermo.met, elements, both_certain),
        lambda: _palermo_met_item(texts, palermo.met, elements, both_certain),
    )
    items: tuple[Pair, ...] = (act_item, means_item, purpose_item, met_item)
    if palermo.consent_irrelevant:
        child = palermo.means_required is False
        items += (fixed["consent_irrelevant_child" if child else "consent_irrelevant_means"],)
    return items


def _palermo_met_item(
    texts: _Texts, met: bool | None, elements: tuple[str, str, str], both_certain: bool
) -> Pair:
    if met:
        return texts.fixed["palermo_met"]
    names = [texts.templates[name] for name in ("part_act", "part_means", "part_purpose")]
    if met is False:
        missing = ", ".join(
            n for n, value in zip(names, elements, strict=True) if value == "absent"
        )
        return texts.render("palermo_not_met", parts=missing)
    if both_certain:
        return texts.fixed["palermo_depends_on_age"]
    pending = ", ".join(n for n, value in zip(names, elements, strict=True) if value == "unknown")
    return texts.render("palermo_undetermined", parts=pending)


# ---- movement ------------------------------------------------------------------------------


def _movement(texts: _Texts, movement: MovementFacts, trafficking: bool | None) -> _Movement:
    key = (
        texts.language,
        trafficking,
        movement.crossed_border,
        movement.entry,
        movement.consented_to_movement,
        movement.paid_for_movement,
        movement.free_to_leave_after_arrival,
        movement.relationship_ended_on_arrival,
    )
    return _MOVEMENTS.get(key, lambda: _describe_movement(texts, movement, trafficking))


def _describe_movement(
    texts: _Texts, movement: MovementFacts, trafficking: bool | None
) -> _Movement:
    facts = movement_rules.smuggling_facts(movement)
    classification = movement_rules.classify(trafficking, facts.present)
    reasons = [texts.fixed[code] for code in movement_rules.fact_reason_codes(movement)]
    if facts.present is None:
        reasons.append(
            texts.render(
                "movement_smuggling_unknown",
                facts=", ".join(texts.templates[f"fact_{fact}"] for fact in facts.open_facts),
            )
        )
    reasons.append(texts.fixed[_TRAFFICKING_CODE[trafficking]])
    if trafficking is False and movement_rules.control_continued(movement):
        reasons.append(texts.fixed["movement_control_conflict"])
    reasons.append(texts.fixed[f"movement_class_{classification}"])
    return _Movement(
        classification=classification,
        smuggling_facts=palermo_rules.ELEMENT_STATUS[facts.present],
        reasons=tuple(reasons),
    )


# ---- legal ---------------------------------------------------------------------------------


def _legal(
    engine: _Engine,
    texts: _Texts,
    jurisdiction_id: Jurisdiction,
    forms: tuple[ExploitationFormId, ...],
    child: bool | None,
    palermo: _Palermo,
    htcds: HtcdsTraffickingStatus | None,
) -> _Legal:
    """The legal result, assembled from pieces that each depend on few facts."""
    language = texts.language
    jurisdiction = engine.catalogue.jurisdictions[jurisdiction_id]
    name = jurisdiction.label[language]
    provisions = _PAIR_LISTS.get(
        (language, jurisdiction_id, "provisions"),
        lambda: tuple(
            (provision.reference, provision.text[language]) for provision in jurisdiction.provisions
        ),
    )
    forms_piece = _FORMS.get(
        (language, jurisdiction_id, "forms", forms),
        lambda: _describe_forms(engine, texts, jurisdiction_id, forms),
    )
    listed, legal_forms, form_notes = forms_piece
    conclusion = legal_rules.conclusion(palermo.met, listed)
    if conclusion == "definition_met" and not listed:
        code = "legal_definition_met_form_unrecorded"
    else:
        code = _CONCLUSION_CODE[conclusion]
    conclusion_item = _PAIRS.get(
        (language, jurisdiction_id, code), lambda: texts.render(code, jurisdiction=name)
    )
    notes: tuple[Pair, ...] = (conclusion_item,)
    if child:
        notes += (
            _PAIRS.get(
                (language, jurisdiction_id, "minor"),
                lambda: texts.render(
                    "legal_minor_rule", reference=jurisdiction.child_rule_reference
                ),
            ),
        )
    means = tuple((m, jurisdiction.means_references[m]) for m in palermo.means_found)
    if means and not child:
        notes += (
            _PAIRS.get(
                (language, jurisdiction_id, "means", palermo.means_found),
                lambda: texts.render(
                    "legal_means_references",
                    means="; ".join(f"{texts.means_labels[m]} ({ref})" for m, ref in means),
                ),
            ),
        )
    possible = htcds == "PossibleVictimOfTrafficking"
    jurisdiction_notes = _PAIR_LISTS.get(
        (language, jurisdiction_id, "notes", possible),
        lambda: tuple(
            (note.code, note.text[language])
            for note in jurisdiction.notes
            if note.when == "always" or (note.when == "possible_victim" and possible)
        ),
    )
    return _Legal(
        provisions=provisions,
        conclusion=conclusion,
        listed=listed,
        forms=legal_forms,
        means=means,
        notes=(*notes, *form_notes, *jurisdiction_notes),
        summary=(conclusion_item, *form_notes),
    )


def _describe_forms(
    engine: _Engine,
    texts: _Texts,
    jurisdiction_id: Jurisdiction,
    forms: tuple[ExploitationFormId, ...],
) -> tuple[bool | None, tuple[_LegalForm, ...], tuple[Pair, ...]]:
    catalogue = engine.catalogue
    language = texts.language
    jurisdiction = catalogue.jurisdictions[jurisdiction_id]
    coverage = legal_rules.form_coverage(catalogue, jurisdiction, forms)
    legal_forms: list[_LegalForm] = []
    notes: list[Pair] = []
    for item in coverage:
        label = texts.form_labels[item.form]
        if item.recognition is not None:
            wording = item.recognition.wording[language]
            legal_forms.append(_LegalForm(item.form, label, True, wording, None))
            notes.append(
                texts.render(
                    "legal_form_listed",
                    form=label,
                    instrument=texts.instrument_titles[item.recognition.instrument],
                    wording=wording,
                )
            )
        else:
            note = jurisdiction.unlisted_form_notes[item.form][language]
            legal_forms.append(_LegalForm(item.form, label, False, None, note))
            notes.append(texts.render("legal_form_not_listed", form=label, note=note))
    return legal_rules.form_listed(coverage), tuple(legal_forms), tuple(notes)


# ---- next questions ------------------------------------------------------------------------


def _next_questions(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    ilo: bool | None,
    met: bool | None,
    trafficking: bool | None,
    movement: MovementFacts,
) -> tuple[Question, ...]:
    if len(scenarios) == 1:
        classes = _question_classes(engine, texts, scenarios[0])
    else:
        classes = _merged_question_classes(engine, texts, scenarios, ilo, met, trafficking)
    facts = movement_rules.smuggling_facts(movement).open_facts
    if facts:
        table = texts.questions[MOVEMENT * 2]
        classes[MOVEMENT_CLASS] = [table[f"movement.{fact}"] for fact in facts]
    questions: list[Question] = []
    for question_class in sorted(classes):
        questions.extend(classes[question_class])
    return tuple(questions)


_Group = tuple[int, int, int, int, int]
"""Unanswered indicators to ask: (class, tier, dimension, outcomes they can change, mask)."""


def _indicator_groups(scenario: _Scenario) -> list[_Group]:
    """The unanswered indicators that could change an outcome, in tier-then-dimension order."""
    index = scenario.set_index
    affects_by_leaf = scenario.outcome.affects
    candidates: list[tuple[int, int, int]] = []
    for d, outcome in enumerate(scenario.dimensions):
        if outcome.status is None and affects_by_leaf[d]:
            relevant = scenario.open_mask & index.tier_unions[d][outcome.relevant_tiers]
            decisive = relevant & index.tier_unions[d][outcome.decisive_tiers]
            candidates.append((d, relevant, decisive))
    groups: list[_Group] = []
    declined_mask = scenario.declined_mask
    for tier in range(3):
        for d, relevant, decisive in candidates:
            in_tier = relevant & index.tier_masks[d][tier]
            if not in_tier:
                continue
            affects = affects_by_leaf[d]
            for selected, question_class, declined_class in (
                (in_tier & decisive, DECISIVE_CLASS, DECLINED_DECISIVE_CLASS),
                (in_tier & ~decisive, INDICATOR_CLASS, DECLINED_CLASS),
            ):
                declined = selected & declined_mask
                if declined:
                    groups.append((declined_class, tier, d, affects, declined))
                    selected ^= declined
                if selected:
                    groups.append((question_class, tier, d, affects, selected))
    return groups


def _question_classes(
    engine: _Engine, texts: _Texts, scenario: _Scenario
) -> dict[int, list[Question]]:
    """One age hypothesis: the questions per class, each class already in order (tier, then
    dimension, then catalogue position)."""
    tables = texts.questions
    classes: dict[int, list[Question]] = {}
    act_affects = scenario.outcome.affects[engine.outcomes.act_leaf]
    if act_affects:
        classes[ACT_CLASS] = [tables[act_affects * 2]["act"]]
    ids = scenario.set_index.ids
    for question_class, _, d, affects, mask in _indicator_groups(scenario):
        table = tables[affects * 2 + (question_class in _DECLINED_CLASSES)]
        found = classes.get(question_class)
        if found is None:
            found = classes[question_class] = []
        found.extend(map(table.__getitem__, ids(d, mask)))
    return classes


def _merged_question_classes(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    ilo: bool | None,
    met: bool | None,
    trafficking: bool | None,
) -> dict[int, list[Question]]:
    """Age unknown: the age first, then the items of both hypotheses, each item at its most
    decisive place and with every outcome it can change under either."""
    tables = texts.questions
    classes: dict[int, list[Question]] = {}
    person = (ILO if ilo is None else 0) | (PALERMO if met is None else 0)
    person |= HTCDS | MOVEMENT if trafficking is None else 0
    if person:
        classes[PERSON_CLASS] = [tables[person * 2]["person.age_at_recruitment"]]
    act_leaf = engine.outcomes.act_leaf
    act_affects = 0
    for scenario in scenarios:
        act_affects |= scenario.outcome.affects[act_leaf]
    if act_affects:
        classes[ACT_CLASS] = [tables[act_affects * 2]["act"]]
    masks: dict[tuple[int, int, int], int] = {}
    relevant: list[dict[int, tuple[int, int]]] = []
    for scenario in scenarios:
        by_dimension: dict[int, tuple[int, int]] = {}
        for question_class, tier, d, affects, mask in _indicator_groups(scenario):
            key = (question_class, tier, d)
            masks[key] = masks.get(key, 0) | mask
            by_dimension[d] = (by_dimension.get(d, (0, 0))[0] | mask, affects)
        relevant.append(by_dimension)
    # The adult set lists every indicator of the child set, so its tables name them all.
    index = scenarios[0].set_index
    taken = 0
    for (question_class, _, d), mask in sorted(masks.items()):
        mask &= ~taken
        if not mask:
            continue
        taken |= mask
        declined = question_class in _DECLINED_CLASSES
        found = classes.setdefault(question_class, [])
        for item_id in index.ids(d, mask):
            item_bit = index.bit[item_id]
            affects = 0
            for by_dimension in relevant:
                scenario_mask, scenario_affects = by_dimension.get(d, (0, 0))
                if scenario_mask & item_bit:
                    affects |= scenario_affects
            found.append(tables[affects * 2 + declined][item_id])
    return classes


# ---- provisional ---------------------------------------------------------------------------


def _provisional_reasons(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    jurisdiction_id: Jurisdiction,
    forms: tuple[ExploitationFormId, ...],
    htcds: HtcdsTraffickingStatus | None,
) -> tuple[Pair, ...]:
    disputed = tuple(
        code
        for scenario in scenarios
        for mask, code, _ in scenario.set_index.answered_yes_notes
        if scenario.yes_mask & mask
    )
    set_ids = tuple(scenario.set_index.indicator_set.id for scenario in scenarios)
    possible = htcds == "PossibleVictimOfTrafficking"
    key = (texts.language, set_ids, disputed, jurisdiction_id, forms, possible)
    return _PAIR_LISTS.get(
        key,
        lambda: _collect_provisional(
            engine, texts, scenarios, disputed, jurisdiction_id, forms, possible
        ),
    )


def _collect_provisional(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    disputed: tuple[str, ...],
    jurisdiction_id: Jurisdiction,
    forms: tuple[ExploitationFormId, ...],
    possible: bool,
) -> tuple[Pair, ...]:
    catalogue = engine.catalogue
    language = texts.language
    reasons: dict[Pair, None] = {}
    for scenario in scenarios:
        for code, reason in scenario.set_index.set_notes:
            reasons[code, reason[language]] = None
        for _, code, reason in scenario.set_index.answered_yes_notes:
            if code in disputed:
                reasons[code, reason[language]] = None
    rule_names = ["dimension_rule"]
    rule_names.extend(
        "child_rule" if scenario.child else "adult_combination_rule" for scenario in scenarios
    )
    for name in rule_names:
        rule = catalogue.rules[name]
        reasons[rule.code, rule.reason[language]] = None
    jurisdiction = catalogue.jurisdictions[jurisdiction_id]
    facts = [provision.reference for provision in jurisdiction.provisions if provision.to_check]
    for form in forms:
        for recognition in catalogue.exploitation_forms[form].recognised_by:
            if recognition.instrument in jurisdiction.instruments and recognition.to_check:
                facts.append(f"{texts.form_labels[form]}: {recognition.wording[language]}")
    facts.extend(
        note.reference
        for note in jurisdiction.notes
        if note.to_check and (note.when == "always" or possible)
    )
    to_check = catalogue.legal_to_check
    for fact in facts:
        reasons[to_check.code, f"{fact}: {to_check.reason[language]}"] = None
    return tuple(reasons)
