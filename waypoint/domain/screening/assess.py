"""Assess one screening: dimensions, ILO verdict, Palermo elements, movement, legal conclusion,
suggested HTCDS status, the questions still worth asking, an explanation and provisional flags.

When the age at recruitment is unknown the adult and the child rules are both applied (each
with its own indicator set) and every conclusion is kept only where the two agree.

Speed matters (batch screening of many records), so the catalogue is prepared once:

- one C-level sum per indicator set tallies every answer: each (indicator, answer) pair maps to
  an int that adds to the packed tier counts of its dimension and to bit masks of the answers
  (see ``_SetIndex``), so no Python code runs per answer;
- in a set's question order (strength, then dimension, then catalogue position) one mask per
  question class lists the indicators to ask already sorted; with the age unknown the masks of
  both sets combine in a merged order that sorts the same way;
- texts are built once per distinct set of facts they depend on, in bounded memo tables;
- the pieces of the JSON form (text items, questions) are ready dicts shared between results
  and never handed out: ``Assessment.to_dict()`` copies them, so that every call returns new
  dicts and lists.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain
from operator import getitem
from string import Formatter
from types import MappingProxyType
from typing import Any, NamedTuple, get_args

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
    DimensionResult,
    IloResult,
    LegalForm,
    LegalFormDict,
    LegalMeans,
    LegalMeansDict,
    LegalProvision,
    LegalProvisionDict,
    LegalResult,
    MovementFacts,
    MovementResult,
    NextQuestion,
    NextQuestionDict,
    PalermoResult,
    Ruleset,
    RulesetDict,
    ScreeningInput,
    TextItem,
    TextItemDict,
    text_items,
)
from waypoint.domain.screening.ilo import (
    DIMENSION_BITS,
    KNOWN_DIMENSIONS,
    TIER_BITS,
    TIER_INDEX,
    DimensionOutcome,
    tier_weight,
)
from waypoint.domain.screening.next_questions import (
    AFFECTS_COUNT,
    DECISIVE_CLASS,
    DECLINED_CLASS,
    DECLINED_DECISIVE_CLASS,
    HTCDS,
    ILO,
    INDICATOR_CLASS,
    MOVEMENT,
    PALERMO,
    OutcomeModel,
    ScenarioOutcome,
    affected_outcomes,
)
from waypoint.domain.screening.vocabulary import (
    ADULT_AGE,
    LANGUAGES,
    ActId,
    Answer,
    DimensionStatus,
    ElementStatus,
    ExploitationFormId,
    HtcdsTraffickingStatus,
    IloVerdict,
    Jurisdiction,
    Language,
    LegalConclusion,
    MovementClassification,
    QuestionKind,
    RuleClause,
)

RULESET_VERSION = "1.0.0"
"""Version of the rules in code; bump it whenever a rule changes what a result says."""

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
_INDICATOR_CLASSES = (DECISIVE_CLASS, INDICATOR_CLASS, DECLINED_DECISIVE_CLASS, DECLINED_CLASS)
"""The question classes of unanswered indicators, in order; the movement facts come before
the declined ones (see next_questions)."""
_ANSWERS: tuple[Answer, ...] = get_args(Answer)
_PIECES = 4096
"""Size of each memo table of result pieces."""


class _Memo[K: Hashable, V](dict[K, V]):
    """A memo for immutable pieces of results, emptied when full so memory stays bounded. Read
    it with ``get``; ``remember`` stores a new piece."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def remember(self, key: K, value: V) -> V:
        if len(self) >= self._size:
            self.clear()
        self[key] = value
        return value


# ---- precomputed indexes -------------------------------------------------------------------

_DIMENSION_SPAN = 2 * DIMENSION_BITS
"""Bits of one dimension in a tally: its unanswered tier counts, then its "yes" tier counts."""
_DIMENSION_KEY = (1 << _DIMENSION_SPAN) - 1
"""A dimension's span reads as ``yes << DIMENSION_BITS | unanswered``: a KNOWN_DIMENSIONS key."""


class _Regions(NamedTuple):
    """Bit offsets of the masks in a tally, above the dimensions' counts; each mask is as wide
    as the catalogue. "Open" means not answered "yes" or "no"."""

    yes: int
    open: int
    open_in_question_order: int
    declined_in_question_order: int

    @classmethod
    def above_counts(cls, dimensions: int, width: int) -> "_Regions":
        start = dimensions * _DIMENSION_SPAN
        return cls(*(start + width * region for region in range(len(cls._fields))))


_Lookup = tuple[tuple[str, ...], ...]
"""From the value of some bits of a mask to the ids they select, in order."""


class _LazyIds(dict[int, tuple[str, ...]]):
    """From the value of some bits of a mask to the ids they select, in order, each worked out
    on first use: for many bits, of which few values occur."""

    def __init__(self, ids: tuple[str | None, ...]) -> None:
        super().__init__()
        self._ids = ids
        """The id of each bit; None for a bit that selects nothing."""

    def __missing__(self, value: int) -> tuple[str, ...]:
        ids = self[value] = tuple(
            i for bit, i in enumerate(self._ids) if value >> bit & 1 and i is not None
        )
        return ids


_IdLookup = _Lookup | _LazyIds
_EAGER_BITS = 10
"""Up to this many bits, the ids of every value are worked out at once, for a tuple lookup."""


def _ids_of_bits(ids: tuple[str | None, ...]) -> _IdLookup:
    """From the value of ``len(ids)`` bits to the ids they select (None: a bit selecting
    nothing)."""
    lazy = _LazyIds(ids)
    if len(ids) > _EAGER_BITS:
        return lazy
    return tuple(lazy[value] for value in range(1 << len(ids)))


@dataclass(frozen=True, slots=True)
class _SetIndex:
    """One indicator set as tally contributions and bit masks, in two bit orders.

    In catalogue order bit i stands for the i-th indicator of the catalogue in every set. In
    question order (the set's own) the members are sorted by strength, then dimension, then
    catalogue position: the order in which the next questions of one class list them. Masks in
    question order of different sets combine once expanded to the engine's merged order.
    """

    indicator_set: IndicatorSet
    tally: dict[tuple[str, str], int]
    """Per (catalogue indicator, answer), what the answer adds to the tally: moved from the
    unanswered to the "yes" count of its tier and dimension, and set in the masks of ``_Regions``
    (answers to indicators outside the set add nothing)."""
    unanswered: int
    """The tally before any answer: every member counted as unanswered and open."""
    outside: tuple[str, ...]
    """Catalogue indicators that are not in this set, in catalogue order."""
    dimension_masks: tuple[int, ...]
    halves: tuple[tuple[int, int, int, _IdLookup, _IdLookup], ...]
    """Per dimension (shift, half, half_mask, low, high): where its members' span starts in
    catalogue order, the span cut in two halves of ``half`` bits, and for each half the ids
    its bits select (two small tables rather than one as wide as the span)."""
    question_unions: tuple[tuple[int, ...], ...]
    """Per dimension, in question order, the mask of every combination of tiers (index: bit
    set of tiers)."""
    question_ids: tuple[_Lookup, ...]
    """Per byte of a mask in question order, the ids each value selects."""
    question_pairs: tuple[tuple[tuple[tuple[str, int], ...], ...], ...]
    """``question_ids`` with each id's dimension: (id, dimension) pairs."""
    expansion: tuple[tuple[int, ...], ...]
    """Per byte of a mask in question order, its bits in the engine's merged order."""
    means_masks: tuple[tuple[str, int], ...]
    purpose_masks: tuple[tuple[str, int], ...]
    set_notes: tuple[tuple[str, Mapping[str, str]], ...]
    answered_yes_notes: tuple[tuple[int, str, Mapping[str, str]], ...]

    def ids_by_dimension(self, mask: int) -> list[tuple[str, ...]]:
        """Per dimension, the ids of its members set in a mask in catalogue order, in order."""
        return [
            low[(mask >> shift) & half_mask] + high[(mask >> (shift + half)) & half_mask]
            for shift, half, half_mask, low, high in self.halves
        ]

    def expand(self, mask: int) -> int:
        """A mask in question order, in the engine's merged order."""
        expansion = self.expansion
        return sum(map(getitem, expansion, mask.to_bytes(len(expansion), "little")))


def _set_index(
    catalogue: Catalogue, indicator_set: IndicatorSet, regions: _Regions, merged_order: list[str]
) -> _SetIndex:
    dimension_ids = [dimension.id for dimension in catalogue.dimensions]
    most_per_tier = max(
        Counter((m.dimension, m.strength) for m in indicator_set.members).values(), default=0
    )
    if most_per_tier >= 1 << TIER_BITS:
        raise CatalogueError(f"{indicator_set.id}: too many indicators of one strength to pack")
    position = {indicator_id: i for i, indicator_id in enumerate(catalogue.indicators)}
    members = sorted(indicator_set.members, key=lambda member: position[member.id])
    bit = {member.id: 1 << position[member.id] for member in members}
    dimension_of = {member.id: dimension_ids.index(member.dimension) for member in members}
    tier_of = {member.id: TIER_INDEX[member.strength] for member in members}
    in_question_order = sorted(bit, key=lambda i: (tier_of[i], dimension_of[i], position[i]))
    question_bit = {indicator_id: 1 << q for q, indicator_id in enumerate(in_question_order)}
    width = len(catalogue.indicators)
    merged_bit = {i: 1 << (tier_of[i] * width + merged_order.index(i)) for i in bit}

    def mask_of(bits: Mapping[str, int], dimension: int, tiers: int = 0b111) -> int:
        """The bits of the dimension's members whose tier is in the bit set ``tiers``."""
        return sum(
            b for i, b in bits.items() if dimension_of[i] == dimension and tiers >> tier_of[i] & 1
        )

    dimensions = range(len(dimension_ids))
    tally: dict[tuple[str, str], int] = {}
    unanswered = 0
    for indicator_id in catalogue.indicators:
        tally.update({(indicator_id, answer): 0 for answer in _ANSWERS})
        if indicator_id not in bit:
            continue
        count = tier_weight(tier_of[indicator_id]) << (dimension_of[indicator_id] * _DIMENSION_SPAN)
        catalogue_bit, order_bit = bit[indicator_id], question_bit[indicator_id]
        open_bits = catalogue_bit << regions.open | order_bit << regions.open_in_question_order
        unanswered += count + open_bits
        tally[indicator_id, "yes"] = (
            (count << DIMENSION_BITS) - count + (catalogue_bit << regions.yes) - open_bits
        )
        tally[indicator_id, "no"] = -count - open_bits
        tally[indicator_id, "declined"] = order_bit << regions.declined_in_question_order
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
    ids_by_position = list(catalogue.indicators)
    dimension_masks = tuple(mask_of(bit, d) for d in dimensions)
    return _SetIndex(
        indicator_set=indicator_set,
        tally=tally,
        unanswered=unanswered,
        outside=tuple(i for i in catalogue.indicators if i not in bit),
        dimension_masks=dimension_masks,
        halves=tuple(_halves(mask, ids_by_position) for mask in dimension_masks),
        question_unions=tuple(
            tuple(mask_of(question_bit, d, tiers) for tiers in range(8)) for d in dimensions
        ),
        question_ids=_byte_lookups(in_question_order),
        question_pairs=_byte_lookups([(i, dimension_of[i]) for i in in_question_order]),
        expansion=tuple(
            tuple(sum(part) for part in lookup)
            for lookup in _byte_lookups([merged_bit[i] for i in in_question_order])
        ),
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


def _halves(mask: int, ids_by_position: list[str]) -> tuple[int, int, int, _IdLookup, _IdLookup]:
    """The span of ``mask`` cut in two halves, each with the ids of ``mask`` its bits select
    (see ``_SetIndex.halves``)."""
    shift = max((mask & -mask).bit_length() - 1, 0)
    half = (mask.bit_length() - shift + 1) // 2

    def ids_of_bits(start: int) -> _IdLookup:
        return _ids_of_bits(
            tuple(
                ids_by_position[start + j] if mask >> (start + j) & 1 else None for j in range(half)
            )
        )

    return shift, half, (1 << half) - 1, ids_of_bits(shift), ids_of_bits(shift + half)


def _byte_lookups[T](items: list[T]) -> tuple[tuple[tuple[T, ...], ...], ...]:
    """Per byte of a mask over ``items`` (bit i for item i), the items each value selects."""
    return tuple(
        tuple(
            tuple(items[shift + j] for j in range(min(8, len(items) - shift)) if byte >> j & 1)
            for byte in range(256)
        )
        for shift in range(0, len(items), 8)
    )


@dataclass(frozen=True, slots=True)
class _Texts:
    """Everything a result says in one language, prepared once. Its items are shared between
    results, so they are copied before they are handed out (see ``_render``)."""

    language: Language
    templates: dict[str, str]
    fixed: dict[str, TextItemDict]
    """Ready items for the templates without placeholders."""
    elements: dict[tuple[str, bool | None], TextItemDict]
    """Per (Palermo element, False or None), the item saying it is absent or unknown."""
    means_not_required: TextItemDict
    indicator_labels: dict[str, str]
    dimension_labels: tuple[str, ...]
    dimension_items: tuple[dict[str, TextItemDict], ...]
    positive_dimensions: tuple[dict[str, tuple[str, ...]], ...]
    """Per dimension and rule clause, its "positive" text around the indicators' labels (see
    ``_parts_around``)."""
    recruitment_type_labels: tuple[str, ...]
    set_labels: dict[str, str]
    act_labels: dict[str, str]
    means_labels: dict[str, str]
    purpose_labels: dict[str, str]
    form_labels: dict[str, str]
    instrument_titles: dict[str, str]
    questions: tuple[dict[str, NextQuestionDict], ...]
    """Next questions with the interviewer's wording, see ``_question_tables``."""
    questions_again: tuple[dict[str, NextQuestionDict], ...]
    """The same for items the person declined to answer."""

    def item(self, code: str, **values: object) -> TextItemDict:
        return {"code": code, "text": self.templates[code].format(**values)}

    def positive_dimension(
        self, dimension: int, clause: RuleClause, contributing: tuple[str, ...]
    ) -> TextItemDict:
        labels = "; ".join(map(self.indicator_labels.__getitem__, contributing))
        parts = self.positive_dimensions[dimension][clause]
        return {"code": "dimension_positive", "text": labels.join(parts)}

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
    fixed: dict[str, TextItemDict] = {
        code: {"code": code, "text": text} for code, text in templates.items() if "{" not in text
    }
    questions_by_declined = _question_tables(questions)
    return _Texts(
        language=language,
        templates=templates,
        fixed=fixed,
        elements={
            (element, value): fixed[f"palermo_{element}_{palermo_rules.ELEMENT_STATUS[value]}"]
            for element in ("act", "means", "purpose")
            for value in (False, None)
        },
        means_not_required={
            "code": "palermo_means_not_required",
            "text": templates["palermo_means_not_required"].format(
                reference=catalogue.jurisdictions["INT"].child_rule_reference
            ),
        },
        indicator_labels={
            key: value.label[language] for key, value in catalogue.indicators.items()
        },
        dimension_labels=dimension_labels,
        dimension_items=tuple(
            {
                code: {"code": code, "text": templates[code].format(dimension=label)}
                for code in dimension_codes
            }
            for label in dimension_labels
        ),
        positive_dimensions=tuple(
            {
                clause: _parts_around(
                    templates["dimension_positive"],
                    "indicators",
                    dimension=label,
                    rule=templates[f"rule_{clause}"],
                )
                for clause in get_args(RuleClause)
            }
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
        questions=questions_by_declined[False],
        questions_again=questions_by_declined[True],
    )


_HOLE = "\0"


def _parts_around(template: str, hole: str, **values: object) -> tuple[str, ...]:
    """The template filled with ``values`` but for the placeholder ``hole``, as the literal
    parts around it: ``value.join(parts)`` is the template filled with ``hole=value`` too,
    without parsing the template again."""
    for _, name, spec, conversion in Formatter().parse(template):
        if name == hole and (spec or conversion):
            raise CatalogueError(f"{{{hole}}} takes no format in {template!r}")
    return tuple(template.format(**values, **{hole: _HOLE}).split(_HOLE))


def _question_tables(
    wordings: Mapping[str, str],
) -> dict[bool, tuple[dict[str, NextQuestionDict], ...]]:
    """Ready questions for every item id: per previously declined, one table per set of
    outcomes it can change (index: the set's bits)."""
    return {
        declined: tuple(
            {
                item_id: {
                    "id": item_id,
                    "kind": _kind(item_id),
                    "question": wording,
                    "affects": list(affected_outcomes(affects)),
                    "previously_declined": declined,
                }
                for item_id, wording in wordings.items()
            }
            for affects in range(AFFECTS_COUNT)
        )
        for declined in (False, True)
    }


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
    sets_by_id: Mapping[str, _SetIndex]
    regions: _Regions
    catalogue_mask: int
    """Every bit of a mask as wide as the catalogue."""
    tier_shifts: tuple[int, ...]
    """Where each tier starts in the merged order."""
    merged_ids: tuple[_Lookup, ...]
    """Per byte of a mask in merged order, the ids each value selects."""
    merged_items: tuple[tuple[tuple[tuple[str, int, int], ...], ...], ...]
    """``merged_ids`` with each id's dimension and bit in a folded mask: (id, dimension, bit)."""
    dimension_spans: tuple[int, ...]
    """Where each dimension's counts sit in a tally."""
    dimension_ids: tuple[str, ...]
    recruitment: tuple[int, ...]
    exploitation: tuple[int, ...]
    means_dimensions: tuple[int, ...]
    recruitment_types: tuple[str | None, ...]
    forms_showing_purpose: frozenset[str]
    outcomes: OutcomeModel
    texts: Mapping[str, _Texts]
    ruleset: RulesetDict

    def fold(self, mask: int) -> int:
        """A mask in merged order with its tiers ORed: bit i for the i-th indicator of the
        merged order, whatever its strength."""
        folded = 0
        for shift in self.tier_shifts:
            folded |= mask >> shift
        return folded & self.catalogue_mask

    def first_places(self, mask: int, taken: int) -> tuple[int, int]:
        """Keeps each indicator of a mask in merged order at its first place (strongest tier)
        unless ``taken`` already (a folded mask); returns the mask and what is taken now."""
        kept = 0
        for shift in self.tier_shifts:
            tier = (mask >> shift) & self.catalogue_mask & ~taken
            kept |= tier << shift
            taken |= tier
        return kept, taken


def _merged_order(catalogue: Catalogue) -> tuple[list[str], dict[str, int]]:
    """The catalogue's indicators by dimension, then catalogue position: within a strength,
    the order of the questions. Also each indicator's dimension, the same in every set."""
    dimension_ids = [dimension.id for dimension in catalogue.dimensions]
    dimension_of: dict[str, int] = {}
    for indicator_set in catalogue.indicator_sets.values():
        for member in indicator_set.members:
            dimension = dimension_ids.index(member.dimension)
            if dimension_of.setdefault(member.id, dimension) != dimension:
                raise CatalogueError(f"{member.id}: in a different dimension in {indicator_set.id}")
    position = {indicator_id: i for i, indicator_id in enumerate(catalogue.indicators)}
    order = sorted(
        catalogue.indicators,
        key=lambda i: (dimension_of.get(i, len(dimension_ids)), position[i]),
    )
    return order, dimension_of


@cache
def _engine() -> _Engine:
    catalogue = get_catalogue()
    roles = tuple(dimension.role for dimension in catalogue.dimensions)
    recruitment = tuple(i for i, role in enumerate(roles) if role == "recruitment")
    destination = tuple(i for i, role in enumerate(roles) if role == "destination")
    width = len(catalogue.indicators)
    regions = _Regions.above_counts(len(roles), width)
    merged_order, dimension_of = _merged_order(catalogue)
    indexes = {
        item.id: _set_index(catalogue, item, regions, merged_order)
        for item in catalogue.indicator_sets.values()
    }
    # One run of the merged order per tier. Indicators in no set never enter a mask: their
    # dimension does not matter.
    merged_items = [
        (indicator_id, dimension_of.get(indicator_id, -1), 1 << rank)
        for _ in TIER_INDEX
        for rank, indicator_id in enumerate(merged_order)
    ]
    return _Engine(
        catalogue=catalogue,
        sets=MappingProxyType(
            {
                (item.age_group == "child", item.exploitation == "sexual"): indexes[item.id]
                for item in catalogue.indicator_sets.values()
            }
        ),
        sets_by_id=MappingProxyType(indexes),
        regions=regions,
        catalogue_mask=(1 << width) - 1,
        tier_shifts=tuple(tier * width for tier in TIER_INDEX.values()),
        merged_ids=_byte_lookups([indicator_id for indicator_id, _, _ in merged_items]),
        merged_items=_byte_lookups(merged_items),
        dimension_spans=tuple(d * _DIMENSION_SPAN for d in range(len(roles))),
        dimension_ids=tuple(dimension.id for dimension in catalogue.dimensions),
        recruitment=recruitment,
        exploitation=tuple(i for i, role in enumerate(roles) if role == "exploitation"),
        means_dimensions=recruitment + destination,
        recruitment_types=tuple(dimension.recruitment_type for dimension in catalogue.dimensions),
        forms_showing_purpose=frozenset(
            form.id
            for form in catalogue.exploitation_forms.values()
            if form.purpose_evident_from_form
        ),
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
    open_in_question_order: int
    declined_in_question_order: int
    outcome: ScenarioOutcome


def _scenario(
    engine: _Engine,
    child: bool,
    index: _SetIndex,
    answers: Iterable[tuple[str, str]],
    act: bool | None,
    purpose_evident: bool,
) -> _Scenario:
    tally = sum(map(index.tally.__getitem__, answers), index.unanswered)
    known = KNOWN_DIMENSIONS
    dimensions = tuple([known[(tally >> span) & _DIMENSION_KEY] for span in engine.dimension_spans])
    statuses = tuple([dimension.status for dimension in dimensions])
    regions = engine.regions
    mask = engine.catalogue_mask
    # Positional: keyword construction of a named tuple costs three times as much.
    return _Scenario(
        child,
        index,
        dimensions,
        statuses,
        (tally >> regions.yes) & mask,
        (tally >> regions.open) & mask,
        (tally >> regions.open_in_question_order) & mask,
        (tally >> regions.declined_in_question_order) & mask,
        engine.outcomes.known[child, (*statuses, act), purpose_evident],
    )


def _agreed(adult: bool | None, child: bool | None) -> bool | None:
    """A conclusion holds only when both age hypotheses reach it."""
    return adult if adult == child else None


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
    reasons: tuple[TextItemDict, ...]
    questions: tuple[NextQuestionDict, ...]
    """The facts still worth asking about."""


class _Legal(NamedTuple):
    provisions: tuple[LegalProvisionDict, ...]
    conclusion: LegalConclusion
    listed: bool | None
    forms: tuple[LegalFormDict, ...]
    means: tuple[LegalMeansDict, ...]
    notes: tuple[TextItemDict, ...]
    summary: tuple[TextItemDict, ...]
    """The notes the main explanation repeats: the conclusion and how each form is covered."""


class _Evaluation(NamedTuple):
    texts: _Texts
    engine: _Engine
    jurisdiction: Jurisdiction
    set_ids: tuple[str, ...]
    age: int | None
    child: bool | None
    forms: tuple[ExploitationFormId, ...]
    first: _Scenario
    """The scenario that lists the indicators: with two, the adult one (its set has them all)."""
    statuses: tuple[bool | None, ...]
    contributing: tuple[tuple[str, ...], ...]
    ilo: bool | None
    trafficking: bool | None
    palermo: _Palermo
    movement: _Movement
    legal: _Legal
    next_questions: tuple[NextQuestionDict, ...]
    explanation: tuple[TextItemDict, ...]
    provisional_reasons: tuple[TextItemDict, ...]


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
        set_ids = self._evaluation.set_ids
        return set_ids[0] if len(set_ids) == 1 else None

    @property
    def indicator_sets_considered(self) -> tuple[str, ...]:
        return self._evaluation.set_ids

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
            NextQuestion(
                item["id"],
                item["kind"],
                item["question"],
                tuple(item["affects"]),
                item["previously_declined"],
            )
            for item in self._evaluation.next_questions
        )

    @property
    def explanation(self) -> tuple[TextItem, ...]:
        return text_items(self._json()["explanation"])

    @property
    def provisional(self) -> bool:
        return bool(self._evaluation.provisional_reasons)

    @property
    def provisional_reasons(self) -> tuple[TextItem, ...]:
        return text_items(list(self._evaluation.provisional_reasons))

    @property
    def ruleset(self) -> Ruleset:
        return Ruleset(**self._evaluation.engine.ruleset)


def assess(screening_input: ScreeningInput, *, language: str = "en") -> Assessment:
    """Assess a validated screening input; texts in ``language`` (en, pl, uk or ru)."""
    engine = _engine()
    texts = engine.texts.get(language)
    if texts is None:
        raise ValueError(f"unsupported language {language!r}: use one of {', '.join(LANGUAGES)}")
    jurisdiction = screening_input.jurisdiction
    forms = screening_input.exploitation
    person = screening_input.person
    age = None if person is None else person.age
    child = None if age is None else age < ADULT_AGE
    acts = screening_input.act
    act = palermo_rules.act_status(acts)
    purpose_evident = not engine.forms_showing_purpose.isdisjoint(forms)
    answers = screening_input.indicators.items()
    sexual = "sexual" in forms
    scenarios: tuple[_Scenario, ...]
    if child is None:
        adult = _scenario(engine, False, engine.sets[False, sexual], answers, act, purpose_evident)
        minor = _scenario(engine, True, engine.sets[True, sexual], answers, act, purpose_evident)
        scenarios = (adult, minor)
        ilo = _agreed(adult.outcome.ilo, minor.outcome.ilo)
        met = _agreed(adult.outcome.palermo, minor.outcome.palermo)
        trafficking = _agreed(adult.outcome.trafficking, minor.outcome.trafficking)
        means = _agreed(adult.outcome.means, minor.outcome.means)
        purpose = _agreed(adult.outcome.purpose, minor.outcome.purpose)
        statuses = tuple(map(_agreed, adult.statuses, minor.statuses))
    else:
        only = _scenario(engine, child, engine.sets[child, sexual], answers, act, purpose_evident)
        scenarios = (only,)
        outcome = only.outcome
        ilo, met, trafficking = outcome.ilo, outcome.palermo, outcome.trafficking
        means, purpose = outcome.means, outcome.purpose
        statuses = only.statuses
    set_ids = tuple([scenario.set_index.indicator_set.id for scenario in scenarios])
    palermo = _palermo(engine, scenarios, forms, acts, child, act, means, purpose, met)
    possible = trafficking is True
    movement = _movement(texts, screening_input.movement, trafficking)
    legal = _legal(texts, jurisdiction, forms, child, palermo, possible)
    next_questions = _next_questions(
        engine, texts, scenarios, ilo, met, trafficking, movement.questions
    )
    first = scenarios[0]
    contributing = tuple(first.set_index.ids_by_dimension(first.yes_mask))
    fixed = texts.fixed
    explanation = (
        *_set_items(texts, scenarios, set_ids, age, screening_input.indicators),
        *_dimension_items(texts, scenarios, statuses, contributing),
        *_ilo_items(texts, scenarios, acts, ilo),
        *_palermo_items(engine, texts, scenarios, palermo, statuses),
        movement.reasons[-1],
        *_labour_law_item(texts, engine, statuses, trafficking),
        *legal.summary,
        fixed[_HTCDS_CODE[trafficking]],
        fixed["questions_remaining" if next_questions else "no_questions_remaining"],
        fixed["not_formal_identification"],
        fixed["no_single_indicator"],
    )
    disputed = tuple(
        [
            code
            for scenario in scenarios
            for mask, code, _ in scenario.set_index.answered_yes_notes
            if scenario.yes_mask & mask
        ]
    )
    # Positional, in the order of _Evaluation's fields (see _scenario).
    return Assessment(
        _Evaluation(
            texts,
            engine,
            jurisdiction,
            set_ids,
            age,
            child,
            forms,
            first,
            statuses,
            contributing,
            ilo,
            trafficking,
            palermo,
            movement,
            legal,
            next_questions,
            explanation,
            _provisional_reasons(texts.language, set_ids, disputed, jurisdiction, forms, possible),
        )
    )


# ---- the JSON form -------------------------------------------------------------------------


def _render(evaluation: _Evaluation) -> AssessmentDict:
    """The JSON form, in new dicts and lists: the items kept in the evaluation are shared."""
    texts = evaluation.texts
    engine = evaluation.engine
    palermo = evaluation.palermo
    movement = evaluation.movement
    legal = evaluation.legal
    child = evaluation.child
    status_of = palermo_rules.ELEMENT_STATUS
    set_ids = evaluation.set_ids
    statuses = evaluation.statuses
    first = evaluation.first
    next_questions = [question.copy() for question in evaluation.next_questions]
    for question in next_questions:
        question["affects"] = [*question["affects"]]
    return {
        "language": texts.language,
        "jurisdiction": evaluation.jurisdiction,
        "indicator_set": set_ids[0] if len(set_ids) == 1 else None,
        "indicator_sets_considered": [*set_ids],
        "age_at_recruitment": evaluation.age,
        "child": child,
        "exploitation": [*evaluation.forms],
        "dimensions": [
            {
                "id": dimension_id,
                "label": label,
                "status": _DIMENSION_STATUS[status],
                "rule_met": outcome.clause if status else None,
                "contributing": [*contributing],
                "unanswered": [*unanswered],
            }
            for dimension_id, label, status, outcome, contributing, unanswered in zip(
                engine.dimension_ids,
                texts.dimension_labels,
                statuses,
                first.dimensions,
                evaluation.contributing,
                first.set_index.ids_by_dimension(first.open_mask),
                strict=True,
            )
        ],
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
            "acts": [*palermo.acts],
            "means_found": [*palermo.means_found],
            "purposes_found": [*palermo.purposes_found],
        },
        "movement": {
            "classification": movement.classification,
            "smuggling_facts": movement.smuggling_facts,
            "trafficking_finding": evaluation.trafficking,
            "reasons": [item.copy() for item in movement.reasons],
        },
        "legal": {
            "jurisdiction": evaluation.jurisdiction,
            "provisions": [item.copy() for item in legal.provisions],
            "conclusion": legal.conclusion,
            "elements_met": palermo.met,
            "minor_rule_applied": child,
            "form_listed": legal.listed,
            "forms": [item.copy() for item in legal.forms],
            "means": [item.copy() for item in legal.means],
            "notes": [item.copy() for item in legal.notes],
        },
        "htcds_trafficking_status": _HTCDS_STATUS[evaluation.trafficking],
        "next_questions": next_questions,
        "explanation": [item.copy() for item in evaluation.explanation],
        "provisional": bool(evaluation.provisional_reasons),
        "provisional_reasons": [item.copy() for item in evaluation.provisional_reasons],
        "ruleset": engine.ruleset.copy(),
    }


# ---- the indicator set and the dimensions --------------------------------------------------


def _set_items(
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    set_ids: tuple[str, ...],
    age: int | None,
    answers: Mapping[str, str],
) -> tuple[TextItemDict, ...]:
    item = _set_item(texts.language, set_ids, age)
    outside = scenarios[0].set_index.outside
    unused = tuple(i for i in outside if answers.get(i) in ("yes", "no")) if outside else ()
    if not unused:
        return (item,)
    return (
        item,
        texts.item(
            "answers_outside_set",
            set=texts.set_labels[set_ids[0]],
            indicators=texts.labels(texts.indicator_labels, unused, "; "),
        ),
    )


@lru_cache(maxsize=_PIECES)
def _set_item(language: Language, set_ids: tuple[str, ...], age: int | None) -> TextItemDict:
    engine = _engine()
    texts = engine.texts[language]
    if len(set_ids) == 2:
        return texts.item(
            "set_age_unknown",
            adult_set=texts.set_labels[set_ids[0]],
            child_set=texts.set_labels[set_ids[1]],
        )
    child = engine.sets_by_id[set_ids[0]].indicator_set.age_group == "child"
    return texts.item(
        "set_child" if child else "set_adult", age=age, set=texts.set_labels[set_ids[0]]
    )


def _dimension_items(
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    statuses: tuple[bool | None, ...],
    contributing: tuple[tuple[str, ...], ...],
) -> list[TextItemDict]:
    first = scenarios[0]
    needed = first.outcome.affects
    age_unknown = len(scenarios) == 2
    if age_unknown:
        needed = tuple([a | b for a, b in zip(needed, scenarios[1].outcome.affects, strict=True)])
    items: list[TextItemDict] = []
    for d, status in enumerate(statuses):
        if status:
            clause = first.dimensions[d].clause
            assert clause is not None  # a positive dimension met a clause
            items.append(texts.positive_dimension(d, clause, contributing[d]))
            continue
        if status is False:
            code = "dimension_negative"
        elif not needed[d]:
            code = "dimension_not_needed"
        elif age_unknown and any(s.statuses[d] is not None for s in scenarios):
            code = "dimension_depends_on_age"
        else:
            code = "dimension_undetermined"
        items.append(texts.dimension_items[d][code])
    return items


# ---- ILO -----------------------------------------------------------------------------------


def _ilo_items(
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    acts: tuple[ActId, ...] | None,
    ilo: bool | None,
) -> tuple[TextItemDict, ...]:
    language = texts.language
    items = tuple(
        [
            _child_ilo_item(language, acts, s.outcome.exploitation, s.outcome.ilo)
            if s.child
            else _adult_ilo_item(language, s.statuses)
            for s in scenarios
        ]
    )
    if len(scenarios) == 2:
        if ilo is not None:
            items += (texts.fixed["ilo_agreed_across_ages"],)
        elif all(scenario.outcome.ilo is not None for scenario in scenarios):
            items += (texts.fixed["ilo_depends_on_age"],)
    return items


@lru_cache(maxsize=_PIECES)
def _child_ilo_item(
    language: Language,
    acts: tuple[ActId, ...] | None,
    exploitation: bool | None,
    verdict: bool | None,
) -> TextItemDict:
    texts = _engine().texts[language]
    if verdict:
        return texts.item("ilo_child_trafficked", acts=texts.labels(texts.act_labels, acts or ()))
    parts = {"act": palermo_rules.act_status(acts), "exploitation": exploitation}
    return _ilo_parts_item(texts, "child", verdict, parts)


@lru_cache(maxsize=_PIECES)
def _adult_ilo_item(language: Language, statuses: tuple[bool | None, ...]) -> TextItemDict:
    """The adult verdict depends on the dimensions only (neither on the act nor on the forms)."""
    engine = _engine()
    texts = engine.texts[language]
    outcome = engine.outcomes.known[False, (*statuses, None), False]
    if outcome.ilo:
        types = ", ".join(
            texts.recruitment_type_labels[d] for d in engine.recruitment if statuses[d]
        )
        return texts.item("ilo_adult_trafficked", recruitment_types=types)
    parts = {
        "recruitment": outcome.recruitment,
        "exploitation": outcome.exploitation,
        "destination": outcome.destination,
    }
    return _ilo_parts_item(texts, "adult", outcome.ilo, parts)


def _ilo_parts_item(
    texts: _Texts, rule: str, verdict: bool | None, parts: Mapping[str, bool | None]
) -> TextItemDict:
    wanted = False if verdict is False else None
    state = "not_trafficked" if verdict is False else "undetermined"
    names = ", ".join(
        texts.templates[f"part_{name}"] for name, value in parts.items() if value is wanted
    )
    return texts.item(f"ilo_{rule}_{state}", parts=names)


def _labour_law_item(
    texts: _Texts, engine: _Engine, statuses: tuple[bool | None, ...], trafficking: bool | None
) -> tuple[TextItemDict, ...]:
    """Exploitative conditions without trafficking point to labour-law abuse."""
    if trafficking is False and all(statuses[d] for d in engine.exploitation):
        return (texts.fixed["labour_law_abuse"],)
    return ()


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
            purposes = _purposes_of_forms(forms)
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


@lru_cache(maxsize=_PIECES)
def _purposes_of_forms(forms: tuple[ExploitationFormId, ...]) -> tuple[str, ...]:
    return palermo_rules.purposes_found(_engine().catalogue, forms, ())


def _palermo_items(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    palermo: _Palermo,
    statuses: tuple[bool | None, ...],
) -> tuple[TextItemDict, ...]:
    language = texts.language
    elements = texts.elements
    act, purpose = palermo.act, palermo.purpose
    # A child needs no means: for the definition they count as present.
    means = True if palermo.means_required is False else palermo.means
    if palermo.means_required is False:
        means_item = texts.means_not_required
    elif means:
        positive = tuple([d for d in engine.means_dimensions if statuses[d]])
        means_item = _means_present_item(language, palermo.means_found, positive)
    else:
        means_item = elements["means", means]
    if palermo.met:
        met_item = texts.fixed["palermo_met"]
    else:
        both_certain = len(scenarios) == 2 and all(s.outcome.palermo is not None for s in scenarios)
        met_item = _palermo_unmet_item(language, palermo.met, act, means, purpose, both_certain)
    items: tuple[TextItemDict, ...] = (
        _act_present_item(language, palermo.acts) if act else elements["act", act],
        means_item,
        _purpose_present_item(language, palermo.purposes_found)
        if purpose
        else elements["purpose", purpose],
        met_item,
    )
    if palermo.consent_irrelevant:
        child = palermo.means_required is False
        items += (texts.fixed["consent_irrelevant_child" if child else "consent_irrelevant_means"],)
    return items


@lru_cache(maxsize=_PIECES)
def _act_present_item(language: Language, acts: tuple[ActId, ...]) -> TextItemDict:
    texts = _engine().texts[language]
    return texts.item("palermo_act_present", acts=texts.labels(texts.act_labels, acts))


@lru_cache(maxsize=_PIECES)
def _means_present_item(
    language: Language, means_found: tuple[str, ...], dimensions: tuple[int, ...]
) -> TextItemDict:
    texts = _engine().texts[language]
    return texts.item(
        "palermo_means_present",
        means=texts.labels(texts.means_labels, means_found, "; "),
        dimensions=", ".join(texts.dimension_labels[d] for d in dimensions),
    )


@lru_cache(maxsize=_PIECES)
def _purpose_present_item(language: Language, found: tuple[str, ...]) -> TextItemDict:
    texts = _engine().texts[language]
    purposes = texts.labels(texts.purpose_labels, found, "; ") if found else None
    return texts.item(
        "palermo_purpose_present", purposes=purposes or texts.templates["part_exploitation"]
    )


@lru_cache(maxsize=_PIECES)
def _palermo_unmet_item(
    language: Language,
    met: bool | None,
    act: bool | None,
    means: bool | None,
    purpose: bool | None,
    both_certain: bool,
) -> TextItemDict:
    """Which elements are missing, or still unknown."""
    texts = _engine().texts[language]
    if met is None and both_certain:
        return texts.fixed["palermo_depends_on_age"]
    names = [texts.templates[name] for name in ("part_act", "part_means", "part_purpose")]
    wanted = False if met is False else None
    parts = ", ".join(
        n for n, value in zip(names, (act, means, purpose), strict=True) if value is wanted
    )
    return texts.item("palermo_not_met" if met is False else "palermo_undetermined", parts=parts)


# ---- movement ------------------------------------------------------------------------------

_MOVEMENTS: _Memo[tuple[object, ...], _Movement] = _Memo(_PIECES)


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
    return _MOVEMENTS.get(key) or _MOVEMENTS.remember(
        key, _describe_movement(texts, movement, trafficking)
    )


def _describe_movement(
    texts: _Texts, movement: MovementFacts, trafficking: bool | None
) -> _Movement:
    facts = movement_rules.smuggling_facts(movement)
    classification = movement_rules.classify(trafficking, facts.present)
    reasons = [texts.fixed[code] for code in movement_rules.fact_reason_codes(movement)]
    if facts.present is None:
        reasons.append(
            texts.item(
                "movement_smuggling_unknown",
                facts=", ".join(texts.templates[f"fact_{fact}"] for fact in facts.open_facts),
            )
        )
    reasons.append(texts.fixed[_TRAFFICKING_CODE[trafficking]])
    if trafficking is False and movement_rules.control_continued(movement):
        reasons.append(texts.fixed["movement_control_conflict"])
    reasons.append(texts.fixed[f"movement_class_{classification}"])
    table = texts.questions[MOVEMENT]
    return _Movement(
        classification=classification,
        smuggling_facts=palermo_rules.ELEMENT_STATUS[facts.present],
        reasons=tuple(reasons),
        questions=tuple(table[f"movement.{fact}"] for fact in facts.open_facts),
    )


# ---- legal ---------------------------------------------------------------------------------


class _LegalFrame(NamedTuple):
    """What a jurisdiction's legal result says for the recorded forms, whatever the other
    facts, in one language."""

    provisions: tuple[LegalProvisionDict, ...]
    listed: bool | None
    forms: tuple[LegalFormDict, ...]
    form_notes: tuple[TextItemDict, ...]
    conclusions: dict[str, TextItemDict]
    """The conclusion note, by code."""
    minor_rule: TextItemDict
    means: dict[str, LegalMeansDict]
    notes: tuple[tuple[TextItemDict, ...], tuple[TextItemDict, ...]]
    """The jurisdiction's notes, without and with a possible victim of trafficking."""


def _legal(
    texts: _Texts,
    jurisdiction_id: Jurisdiction,
    forms: tuple[ExploitationFormId, ...],
    child: bool | None,
    palermo: _Palermo,
    possible: bool,
) -> _Legal:
    language = texts.language
    frame = _legal_frame(language, jurisdiction_id, forms)
    listed = frame.listed
    conclusion = legal_rules.conclusion(palermo.met, listed)
    if conclusion == "definition_met" and not listed:
        code = "legal_definition_met_form_unrecorded"
    else:
        code = _CONCLUSION_CODE[conclusion]
    conclusion_item = frame.conclusions[code]
    notes: tuple[TextItemDict, ...] = (conclusion_item,)
    if child:
        notes += (frame.minor_rule,)
    means_found = palermo.means_found
    if means_found and not child:
        notes += (_means_references_item(language, jurisdiction_id, means_found),)
    form_notes = frame.form_notes
    # Positional, in the order of _Legal's fields (see _scenario).
    return _Legal(
        frame.provisions,
        conclusion,
        listed,
        frame.forms,
        tuple([frame.means[m] for m in means_found]),
        (*notes, *form_notes, *frame.notes[possible]),
        (conclusion_item, *form_notes),
    )


@lru_cache(maxsize=_PIECES)
def _legal_frame(
    language: Language, jurisdiction_id: Jurisdiction, forms: tuple[ExploitationFormId, ...]
) -> _LegalFrame:
    catalogue = _engine().catalogue
    texts = _engine().texts[language]
    jurisdiction = catalogue.jurisdictions[jurisdiction_id]
    coverage = legal_rules.form_coverage(catalogue, jurisdiction, forms)
    legal_forms: list[LegalFormDict] = []
    form_notes: list[TextItemDict] = []
    for item in coverage:
        label = texts.form_labels[item.form]
        if item.recognition is not None:
            wording = item.recognition.wording[language]
            legal_forms.append(
                {
                    "form": item.form,
                    "label": label,
                    "listed": True,
                    "wording": wording,
                    "note": None,
                }
            )
            form_notes.append(
                texts.item(
                    "legal_form_listed",
                    form=label,
                    instrument=texts.instrument_titles[item.recognition.instrument],
                    wording=wording,
                )
            )
        else:
            note = jurisdiction.unlisted_form_notes[item.form][language]
            legal_forms.append(
                {"form": item.form, "label": label, "listed": False, "wording": None, "note": note}
            )
            form_notes.append(texts.item("legal_form_not_listed", form=label, note=note))
    name = jurisdiction.label[language]
    return _LegalFrame(
        provisions=tuple(
            {"reference": provision.reference, "text": provision.text[language]}
            for provision in jurisdiction.provisions
        ),
        listed=legal_rules.form_listed(coverage),
        forms=tuple(legal_forms),
        form_notes=tuple(form_notes),
        conclusions={
            code: texts.item(code, jurisdiction=name)
            for code in (*_CONCLUSION_CODE.values(), "legal_definition_met_form_unrecorded")
        },
        minor_rule=texts.item("legal_minor_rule", reference=jurisdiction.child_rule_reference),
        means={
            means: {"means": means, "reference": reference}
            for means, reference in jurisdiction.means_references.items()
        },
        notes=(
            tuple(
                {"code": note.code, "text": note.text[language]}
                for note in jurisdiction.notes
                if note.when == "always"
            ),
            tuple(
                {"code": note.code, "text": note.text[language]}
                for note in jurisdiction.notes
                if note.when in ("always", "possible_victim")
            ),
        ),
    )


@lru_cache(maxsize=_PIECES)
def _means_references_item(
    language: Language, jurisdiction_id: Jurisdiction, means_found: tuple[str, ...]
) -> TextItemDict:
    texts = _engine().texts[language]
    references = _engine().catalogue.jurisdictions[jurisdiction_id].means_references
    return texts.item(
        "legal_means_references",
        means="; ".join(f"{texts.means_labels[m]} ({references[m]})" for m in means_found),
    )


# ---- next questions ------------------------------------------------------------------------


def _next_questions(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    ilo: bool | None,
    met: bool | None,
    trafficking: bool | None,
    movement_questions: tuple[NextQuestionDict, ...],
) -> tuple[NextQuestionDict, ...]:
    if len(scenarios) == 1:
        return _questions_for_one_age(engine, texts, scenarios[0], movement_questions)
    return _questions_for_unknown_age(
        engine, texts, scenarios, ilo, met, trafficking, movement_questions
    )


def _relevant_indicators(scenario: _Scenario) -> tuple[int, int, int | None]:
    """The unanswered indicators that could change an outcome, in the set's question order;
    the decisive ones among them; and what they can change when that is the same for all (0
    when there are none, None when it differs between dimensions)."""
    relevant = decisive = 0
    shared: int | None = 0
    for unions, dimension, affects in zip(
        scenario.set_index.question_unions,
        scenario.dimensions,
        scenario.outcome.affects,
        strict=False,  # the outcome's last leaf is the act
    ):
        if affects and dimension.relevant_tiers:
            relevant |= unions[dimension.relevant_tiers]
            decisive |= unions[dimension.relevant_tiers & dimension.decisive_tiers]
            shared = affects if shared in (0, affects) else None
    relevant &= scenario.open_in_question_order
    return relevant, decisive & relevant, shared


def _questions_for_one_age(
    engine: _Engine,
    texts: _Texts,
    scenario: _Scenario,
    movement_questions: tuple[NextQuestionDict, ...],
) -> tuple[NextQuestionDict, ...]:
    """One age hypothesis: the classes in order (see next_questions), the indicators of each
    class from one mask in question order, so already by strength, dimension and position."""
    affects = scenario.outcome.affects
    questions: list[NextQuestionDict] = []
    act_affects = affects[engine.outcomes.act_leaf]
    if act_affects:
        questions.append(texts.questions[act_affects]["act"])
    relevant, decisive, shared = _relevant_indicators(scenario)
    if not relevant:
        return (*questions, *movement_questions)
    index = scenario.set_index
    others = relevant ^ decisive
    declined = scenario.declined_in_question_order
    masks = (decisive & ~declined, others & ~declined, decisive & declined, others & declined)
    for question_class, mask in zip(_INDICATOR_CLASSES, masks, strict=True):
        if question_class == DECLINED_DECISIVE_CLASS:
            questions += movement_questions
        if not mask:
            continue
        tables = (
            texts.questions if question_class < DECLINED_DECISIVE_CLASS else texts.questions_again
        )
        if shared is None:
            pairs = _selected(index.question_pairs, mask)
            questions += [tables[affects[d]][i] for i, d in pairs]
        else:
            questions += map(tables[shared].__getitem__, _selected(index.question_ids, mask))
    return tuple(questions)


def _questions_for_unknown_age(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    ilo: bool | None,
    met: bool | None,
    trafficking: bool | None,
    movement_questions: tuple[NextQuestionDict, ...],
) -> tuple[NextQuestionDict, ...]:
    """Age unknown: the age first, then the items of both hypotheses, each at its most
    decisive place (class, then strength) and with every outcome it can change under either.
    The sets' masks combine in the merged order, which sorts like the sets' question orders."""
    ask = texts.questions
    questions: list[NextQuestionDict] = []
    person = (ILO if ilo is None else 0) | (PALERMO if met is None else 0)
    person |= HTCDS | MOVEMENT if trafficking is None else 0
    if person:
        questions.append(ask[person]["person.age_at_recruitment"])
    act_leaf = engine.outcomes.act_leaf
    act_affects = 0
    for scenario in scenarios:
        act_affects |= scenario.outcome.affects[act_leaf]
    if act_affects:
        questions.append(ask[act_affects]["act"])
    masks = [0, 0, 0, 0]  # per class of _INDICATOR_CLASSES, in merged order
    # Per hypothesis, its relevant indicators (folded) and what each dimension can change.
    relevance: list[tuple[int, tuple[int, ...]]] = []
    shares: set[int | None] = set()
    for scenario in scenarios:
        relevant, decisive, shared = _relevant_indicators(scenario)
        expand = scenario.set_index.expand
        declined = expand(scenario.declined_in_question_order & relevant)
        relevant, decisive = expand(relevant), expand(decisive)
        others = relevant ^ decisive
        masks[0] |= decisive & ~declined
        masks[1] |= others & ~declined
        masks[2] |= decisive & declined
        masks[3] |= others & declined
        relevance.append((engine.fold(relevant), scenario.outcome.affects))
        if shared != 0:
            shares.add(shared)
    # What every indicator can change, when the same for all (None also when it differs).
    shared = shares.pop() if len(shares) == 1 else None
    (adult_relevant, adult_affects), (child_relevant, child_affects) = relevance
    taken = 0
    for question_class, mask in zip(_INDICATOR_CLASSES, masks, strict=True):
        if question_class == DECLINED_DECISIVE_CLASS:
            questions += movement_questions
        if mask:
            mask, taken = engine.first_places(mask, taken)
        if not mask:
            continue
        tables = ask if question_class < DECLINED_DECISIVE_CLASS else texts.questions_again
        if shared is None:
            questions += [
                tables[
                    (adult_affects[d] if adult_relevant & b else 0)
                    | (child_affects[d] if child_relevant & b else 0)
                ][i]
                for i, d, b in _selected(engine.merged_items, mask)
            ]
        else:
            questions += map(tables[shared].__getitem__, _selected(engine.merged_ids, mask))
    return tuple(questions)


def _selected[T](lookups: tuple[tuple[tuple[T, ...], ...], ...], mask: int) -> Iterator[T]:
    """The items a mask selects, in order, through per-byte lookups (see ``_byte_lookups``)."""
    return chain.from_iterable(map(getitem, lookups, mask.to_bytes(len(lookups), "little")))


# ---- provisional ---------------------------------------------------------------------------


@lru_cache(maxsize=_PIECES)
def _provisional_reasons(
    language: Language,
    set_ids: tuple[str, ...],
    disputed: tuple[str, ...],
    jurisdiction_id: Jurisdiction,
    forms: tuple[ExploitationFormId, ...],
    possible: bool,
) -> tuple[TextItemDict, ...]:
    engine = _engine()
    catalogue = engine.catalogue
    texts = engine.texts[language]
    reasons: dict[tuple[str, str], None] = {}
    indexes = [engine.sets_by_id[set_id] for set_id in set_ids]
    for index in indexes:
        for code, reason in index.set_notes:
            reasons[code, reason[language]] = None
        for _, code, reason in index.answered_yes_notes:
            if code in disputed:
                reasons[code, reason[language]] = None
    rule_names = ["dimension_rule"]
    rule_names.extend(
        "child_rule" if index.indicator_set.age_group == "child" else "adult_combination_rule"
        for index in indexes
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
    return tuple({"code": code, "text": text} for code, text in reasons)
