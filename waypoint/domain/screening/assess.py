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
- texts are built once per distinct set of facts they depend on, in bounded memo tables; what
  follows from the outcome of the age hypotheses alone (statuses, verdicts, most of the
  explanation) is one ``_Verdict`` per distinct outcome;
- the pieces of the JSON form (text items, questions, legal texts) are prepared once as
  ``_Piece``: a dict shared between results and never handed out, with its JSON text.
  ``Assessment.to_dict()`` copies the dicts, so that every call returns new dicts and lists;
  ``Assessment.to_json_bytes()`` splices the JSON texts, so a batch builds no dict at all.
"""

import json
import struct
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from itertools import chain
from operator import getitem
from string import Formatter
from types import MappingProxyType
from typing import Any, NamedTuple, cast, get_args

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
    MovementDict,
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
    IloRule,
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


class _OnFirstUse[K: Hashable, V](dict[K, V]):
    """A table whose value for a key is ``make(key)``, worked out on first use: for keys from a
    small set."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self._make(key)
        return value


# ---- pieces of the JSON form ---------------------------------------------------------------

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
"""``_JSON.encode(value)`` is ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``,
the text ``Assessment.to_json_bytes()`` promises (in UTF-8). Pieces are trees of new dicts,
lists and strings, never cyclic: the check for cycles would only cost time."""
_LITERALS: dict[bool | None, bytes] = {True: b"true", False: b"false", None: b"null"}


def _json_bytes(value: object) -> bytes:
    return _JSON.encode(value).encode()


class _Piece[D](bytes):
    """A ready piece of the JSON form, shared between results: the bytes are its JSON text in
    UTF-8, ``data`` its value, copied before it is handed out. Never changed once made. Bytes
    themselves, so that a list of pieces is joined into a JSON array in one C call."""

    data: D

    def __new__(cls, data: D, json: bytes) -> "_Piece[D]":
        piece = super().__new__(cls, json)
        piece.data = data
        return piece


def _piece[D](data: D) -> _Piece[D]:
    return _Piece(data, _json_bytes(data))


_NEW_BYTES = bytes.__new__
_Item = _Piece[TextItemDict]
_Question = _Piece[NextQuestionDict]


def _item(code: str, text: str) -> _Item:
    # Spliced rather than encoded as a dict: texts are made on every new fact combination.
    return _Piece(
        {"code": code, "text": text},
        b'{"code":' + _QUOTED[code] + b',"text":' + _JSON.encode(text).encode() + b"}",
    )


def _json_elements_of(pieces: Iterable[_Piece[Any]]) -> bytes:
    """The pieces as JSON array elements, comma-separated."""
    return b",".join(pieces)


class _JsonStrings(dict[str | None, bytes]):
    """The JSON text of ids and codes (None: null), each encoded on first use. Only strings from
    the catalogue and the vocabularies go in, so it stays small."""

    def __init__(self) -> None:
        super().__init__({None: b"null"})

    def __missing__(self, text: str | None) -> bytes:
        encoded = self[text] = _json_bytes(text)
        return encoded


_QUOTED = _JsonStrings()


class _JsonStringArrays(dict[tuple[str, ...], bytes]):
    """The JSON arrays of ids or codes, each encoded on first use; emptied when full, as the
    order of the forms and acts comes from the input."""

    def __missing__(self, strings: tuple[str, ...]) -> bytes:
        if len(self) >= _PIECES:
            self.clear()
        encoded = self[strings] = b"[" + b",".join(map(_QUOTED.__getitem__, strings)) + b"]"
        return encoded


_STRING_ARRAYS = _JsonStringArrays()


# ---- precomputed indexes -------------------------------------------------------------------

_DIMENSION_SPAN = 32
"""Bits of one dimension in a tally: its unanswered tier counts, then its "yes" tier counts
(``DIMENSION_BITS`` each), then bits that stay 0. A span reads as ``yes << DIMENSION_BITS |
unanswered``, a KNOWN_DIMENSIONS key; as 32 bits, the spans of all dimensions are read at once
(``_Engine.dimension_keys``)."""
if 2 * DIMENSION_BITS > _DIMENSION_SPAN:
    raise CatalogueError("a dimension's tier counts do not fit in 32 bits")


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


class _LazyBits[V](dict[int, V]):
    """From the value of some bits of a mask to ``combine`` of the ids they select (in order),
    each worked out on first use: for many bits, of which few values occur."""

    def __init__(self, ids: tuple[str | None, ...], combine: Callable[[tuple[str, ...]], V]):
        super().__init__()
        self._ids = ids
        """The id of each bit; None for a bit that selects nothing."""
        self._combine = combine

    def __missing__(self, value: int) -> V:
        combined = self[value] = self._combine(
            tuple(i for bit, i in enumerate(self._ids) if value >> bit & 1 and i is not None)
        )
        return combined


type _BitsLookup[V] = tuple[V, ...] | _LazyBits[V]
_EAGER_BITS = 10
"""Up to this many bits, every value is worked out at once, for a tuple lookup."""


def _of_bits[V](
    ids: tuple[str | None, ...], combine: Callable[[tuple[str, ...]], V]
) -> _BitsLookup[V]:
    """From the value of ``len(ids)`` bits to ``combine`` of the ids they select (None: a bit
    selecting nothing)."""
    lazy = _LazyBits(ids, combine)
    if len(ids) > _EAGER_BITS:
        return lazy
    return tuple(lazy[value] for value in range(1 << len(ids)))


def _just_ids(ids: tuple[str, ...]) -> tuple[str, ...]:
    return ids


def _json_elements(ids: tuple[str, ...]) -> bytes:
    """The ids as JSON array elements, comma-separated."""
    return b",".join([_QUOTED[i] for i in ids])


def _json_more_elements(ids: tuple[str, ...]) -> bytes:
    """The ids as JSON array elements that follow others: each after a comma."""
    return b"".join([b"," + _QUOTED[i] for i in ids])


class _Halves(NamedTuple):
    """One dimension's members in a mask in catalogue order: their span cut in two halves,
    which start at bits ``shift`` and ``middle``, and for each half the ids its bits select, as
    a tuple and as JSON array elements: the high half's after the low half's (``high_json``)
    or alone (``high_json_first``). Two small tables rather than one as wide as the span."""

    shift: int
    middle: int
    half_mask: int
    low: _BitsLookup[tuple[str, ...]]
    high: _BitsLookup[tuple[str, ...]]
    low_json: _BitsLookup[bytes]
    high_json: _BitsLookup[bytes]
    high_json_first: _BitsLookup[bytes]


class _JoinedLabels(dict[int, tuple[str, bytes]]):
    """From the value of a half's bits (see ``_Halves``) to the labels of the indicators they
    select, joined by "; " after ``lead`` (nothing when none), as text and escaped for a JSON
    string; each worked out on first use."""

    def __init__(
        self, ids: _BitsLookup[tuple[str, ...]], labels: Mapping[str, str], lead: str
    ) -> None:
        super().__init__()
        self._ids = ids
        self._labels = labels
        self._lead = lead

    def __missing__(self, bits: int) -> tuple[str, bytes]:
        ids = self._ids[bits]
        text = self._lead + "; ".join(map(self._labels.__getitem__, ids)) if ids else ""
        joined = self[bits] = (text, _escaped(text))
        return joined


class _DimensionLabels(NamedTuple):
    """One dimension's members in a mask in catalogue order, as their labels in one language:
    the halves of ``_Halves``, the high half's labels after the low half's (``high``) or alone
    (``high_first``)."""

    shift: int
    middle: int
    half_mask: int
    low: _JoinedLabels
    high: _JoinedLabels
    high_first: _JoinedLabels


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
    dimension_unions: tuple[int, ...]
    """Per bit set of dimensions, the mask of their members."""
    halves: tuple[_Halves, ...]
    question_unions: tuple[tuple[int, ...], ...]
    """Per dimension, in question order, the mask of every combination of tiers (index: bit
    set of tiers)."""
    second_class: int
    """Where a second mask in question order starts when two are put in one int, at a byte."""
    question_ids: tuple[_Lookup, ...]
    """Per byte of two masks in question order put in one int (see ``second_class``), the
    ids each value selects."""
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
            low[(mask >> shift) & half_mask] + high[(mask >> middle) & half_mask]
            for shift, middle, half_mask, low, high, _, _, _ in self.halves
        ]

    def add_dimensions_json(
        self,
        parts: list[bytes],
        heads: tuple[Mapping[RuleClause | bool | None, bytes], ...],
        statuses: tuple[bool | None, ...],
        outcomes: tuple[DimensionOutcome, ...],
        yes_mask: int,
        open_mask: int,
    ) -> None:
        """Adds to ``parts`` the elements of the result's JSON list of dimensions: each its
        head by rule met or status (see ``_Texts.dimension_heads``), then its members set in
        ``yes_mask`` (contributing) and in ``open_mask`` (unanswered), masks in catalogue
        order."""
        for head, status, outcome, (shift, middle, mask, _, _, low, high, high_first) in zip(
            heads, statuses, outcomes, self.halves, strict=True
        ):
            yes_low = (yes_mask >> shift) & mask
            open_low = (open_mask >> shift) & mask
            parts += (
                head[status and outcome.clause],
                low[yes_low],
                (high if yes_low else high_first)[(yes_mask >> middle) & mask],
                b'],"unanswered":[',
                low[open_low],
                (high if open_low else high_first)[(open_mask >> middle) & mask],
                b"]}",
            )

    def expand(self, mask: int) -> int:
        """A mask in question order, in the engine's merged order."""
        if not mask:
            return 0
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
    ids_in_question_order = _byte_lookups(in_question_order)
    return _SetIndex(
        indicator_set=indicator_set,
        tally=tally,
        unanswered=unanswered,
        outside=tuple(i for i in catalogue.indicators if i not in bit),
        dimension_unions=tuple(
            sum(mask for d, mask in enumerate(dimension_masks) if dimensions_set >> d & 1)
            for dimensions_set in range(1 << len(dimension_masks))
        ),
        halves=tuple(_halves(mask, ids_by_position) for mask in dimension_masks),
        question_unions=tuple(
            tuple(mask_of(question_bit, d, tiers) for tiers in range(8)) for d in dimensions
        ),
        second_class=8 * len(ids_in_question_order),
        question_ids=ids_in_question_order * 2,
        question_pairs=_byte_lookups([(i, dimension_of[i]) for i in in_question_order]) * 2,
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


def _halves(mask: int, ids_by_position: list[str]) -> _Halves:
    """The span of ``mask`` cut in two halves (see ``_Halves``)."""
    shift = max((mask & -mask).bit_length() - 1, 0)
    half = (mask.bit_length() - shift + 1) // 2
    low, high = (
        tuple(ids_by_position[start + j] if mask >> (start + j) & 1 else None for j in range(half))
        for start in (shift, shift + half)
    )
    return _Halves(
        shift,
        shift + half,
        (1 << half) - 1,
        _of_bits(low, _just_ids),
        _of_bits(high, _just_ids),
        _of_bits(low, _json_elements),
        _of_bits(high, _json_more_elements),
        _of_bits(high, _json_elements),
    )


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
    """Everything a result says in one language, prepared once as pieces of the JSON form."""

    language: Language
    templates: dict[str, str]
    fixed: dict[str, _Item]
    """Ready items for the templates without placeholders."""
    elements: dict[tuple[str, bool | None], _Item]
    """Per (Palermo element, False or None), the item saying it is absent or unknown."""
    means_not_required: _Item
    indicator_labels: dict[str, str]
    dimension_labels: tuple[str, ...]
    dimension_items: tuple[dict[str, _Item], ...]
    positive_dimensions: tuple[dict[str, tuple[str, ...]], ...]
    """Per dimension and rule clause, its "positive" text around the indicators' labels (see
    ``_parts_around``)."""
    positive_dimensions_json: tuple[dict[str, tuple[bytes, ...]], ...]
    """The same parts escaped for a JSON string (``_escaped``)."""
    member_labels: _OnFirstUse[str, tuple[_DimensionLabels, ...]]
    """Per indicator set, per dimension, its members' labels (the indicators a positive
    dimension names)."""
    dimension_heads: tuple[dict[RuleClause | bool | None, bytes], ...]
    """Per dimension and its rule met when positive, its status otherwise, the JSON text of the
    dimension up to the ids of its contributing indicators; after the first, from the comma
    that separates it from the dimension before."""
    json_heads: _OnFirstUse[tuple[Jurisdiction, tuple[str, ...]], bytes]
    """Per (jurisdiction, indicator sets), the JSON text of a result up to the age."""
    recruitment_type_labels: tuple[str, ...]
    set_labels: dict[str, str]
    act_labels: dict[str, str]
    means_labels: dict[str, str]
    purpose_labels: dict[str, str]
    form_labels: dict[str, str]
    instrument_titles: dict[str, str]
    questions: tuple[dict[str, _Question], ...]
    """Next questions with the interviewer's wording, see ``_question_tables``."""
    questions_again: tuple[dict[str, _Question], ...]
    """The same for items the person declined to answer."""

    def item(self, code: str, **values: object) -> _Item:
        return _item(code, self.templates[code].format(**values))

    def positive_dimension(
        self, set_id: str, dimension: int, clause: RuleClause | None, yes_mask: int
    ) -> _Item:
        """The text of a positive dimension, naming its indicators answered "yes" (in
        ``yes_mask``, in catalogue order)."""
        assert clause is not None  # a positive dimension met a clause
        shift, middle, half_mask, low, high, high_first = self.member_labels[set_id][dimension]
        low_bits = (yes_mask >> shift) & half_mask
        low_text, low_json = low[low_bits]
        high_text, high_json = (high if low_bits else high_first)[(yes_mask >> middle) & half_mask]
        labels = low_text + high_text
        labels_json = low_json + high_json
        # Built without _Piece.__new__: one Python call less for every positive dimension.
        piece: _Item = _NEW_BYTES(
            _Piece,
            b'{"code":"dimension_positive","text":"'
            + labels_json.join(self.positive_dimensions_json[dimension][clause])
            + b'"}',
        )
        piece.data = {
            "code": "dimension_positive",
            "text": labels.join(self.positive_dimensions[dimension][clause]),
        }
        return piece

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
    fixed = {code: _item(code, text) for code, text in templates.items() if "{" not in text}
    questions_by_declined = _question_tables(questions)
    positive_dimensions = tuple(
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
    )
    indicator_labels = {key: value.label[language] for key, value in catalogue.indicators.items()}
    rules_met: list[tuple[bool | None, RuleClause | None]] = [(False, None), (None, None)]
    rules_met.extend((True, clause) for clause in get_args(RuleClause))
    return _Texts(
        language=language,
        templates=templates,
        fixed=fixed,
        elements={
            (element, value): fixed[f"palermo_{element}_{palermo_rules.ELEMENT_STATUS[value]}"]
            for element in ("act", "means", "purpose")
            for value in (False, None)
        },
        means_not_required=_item(
            "palermo_means_not_required",
            templates["palermo_means_not_required"].format(
                reference=catalogue.jurisdictions["INT"].child_rule_reference
            ),
        ),
        indicator_labels=indicator_labels,
        member_labels=_OnFirstUse(partial(_member_labels, indicator_labels)),
        dimension_labels=dimension_labels,
        dimension_items=tuple(
            {code: _item(code, templates[code].format(dimension=label)) for code in dimension_codes}
            for label in dimension_labels
        ),
        positive_dimensions=positive_dimensions,
        positive_dimensions_json=tuple(
            {clause: tuple(map(_escaped, parts)) for clause, parts in by_clause.items()}
            for by_clause in positive_dimensions
        ),
        dimension_heads=tuple(
            {
                rule_met or status: (b"," if position else b"")
                + _json_head(
                    {
                        "id": dimension.id,
                        "label": label,
                        "status": _DIMENSION_STATUS[status],
                        "rule_met": rule_met,
                    },
                    "contributing",
                )
                + b"["
                for status, rule_met in rules_met
            }
            for position, (dimension, label) in enumerate(
                zip(catalogue.dimensions, dimension_labels, strict=True)
            )
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
        json_heads=_OnFirstUse(partial(_json_result_head, language)),
        questions=questions_by_declined[False],
        questions_again=questions_by_declined[True],
    )


def _member_labels(labels: Mapping[str, str], set_id: str) -> tuple[_DimensionLabels, ...]:
    return tuple(
        _DimensionLabels(
            halves.shift,
            halves.middle,
            halves.half_mask,
            _JoinedLabels(halves.low, labels, ""),
            _JoinedLabels(halves.high, labels, "; "),
            _JoinedLabels(halves.high, labels, ""),
        )
        for halves in _engine().sets_by_id[set_id].halves
    )


def _json_result_head(
    language: Language, jurisdiction_and_sets: tuple[Jurisdiction, tuple[str, ...]]
) -> bytes:
    jurisdiction, set_ids = jurisdiction_and_sets
    head = {
        "language": language,
        "jurisdiction": jurisdiction,
        "indicator_set": set_ids[0] if len(set_ids) == 1 else None,
        "indicator_sets_considered": set_ids,
    }
    return _json_head(head, "age_at_recruitment")


def _escaped(text: str) -> bytes:
    """``text`` as inside a JSON string: escaping works character by character, so escaped
    parts concatenate to the escaped whole."""
    return _json_bytes(text)[1:-1]


def _json_head(data: Mapping[str, object], key: str) -> bytes:
    """The JSON text of the object ``data`` followed by ``key``, up to ``key``'s value: the rest
    is spliced in."""
    return _json_bytes(data)[: -len(b"}")] + b"," + _QUOTED[key] + b":"


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
) -> dict[bool, tuple[dict[str, _Question], ...]]:
    """Ready questions for every item id: per previously declined, one table per set of
    outcomes it can change (index: the set's bits)."""
    return {
        declined: tuple(
            {
                item_id: _piece(
                    {
                        "id": item_id,
                        "kind": _kind(item_id),
                        "question": wording,
                        "affects": list(affected_outcomes(affects)),
                        "previously_declined": declined,
                    }
                )
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


class _BothAges(NamedTuple):
    """The adult and the child set's tallies side by side in one int, the child's ``shift``
    bits up, so that an input of unknown age has its answers counted once for both. A sum of
    such ints holds both sums exactly, as the adult's stays below ``1 << shift``."""

    adult: _SetIndex
    child: _SetIndex
    tally: dict[tuple[str, str], int]
    unanswered: int
    shift: int
    adult_part: int
    """The bits of the adult's tally: ``(1 << shift) - 1``."""


def _both_ages(adult: _SetIndex, child: _SetIndex, shift: int) -> _BothAges:
    return _BothAges(
        adult,
        child,
        {key: value + (child.tally[key] << shift) for key, value in adult.tally.items()},
        adult.unanswered + (child.unanswered << shift),
        shift,
        (1 << shift) - 1,
    )


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
    dimension_keys: Callable[[bytes], tuple[int, ...]]
    """From a tally's bytes (little-endian), each dimension's span: its KNOWN_DIMENSIONS key."""
    tally_bytes: int
    """How many bytes hold a tally."""
    both_ages: Mapping[bool, "_BothAges"]
    """Per sexual exploitation recorded, the adult and the child set counted together."""
    dimension_ids: tuple[str, ...]
    recruitment: tuple[int, ...]
    exploitation: tuple[int, ...]
    means_dimensions: tuple[int, ...]
    recruitment_types: tuple[str | None, ...]
    forms_showing_purpose: frozenset[str]
    outcomes: OutcomeModel
    texts: Mapping[str, _Texts]
    ruleset: _Piece[RulesetDict]

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
    sets = {
        (item.age_group == "child", item.exploitation == "sexual"): indexes[item.id]
        for item in catalogue.indicator_sets.values()
    }
    tally_bytes = -(-(regions.declined_in_question_order + width) // 8)
    return _Engine(
        catalogue=catalogue,
        sets=MappingProxyType(sets),
        sets_by_id=MappingProxyType(indexes),
        regions=regions,
        catalogue_mask=(1 << width) - 1,
        tier_shifts=tuple(tier * width for tier in TIER_INDEX.values()),
        merged_ids=_byte_lookups([indicator_id for indicator_id, _, _ in merged_items]),
        merged_items=_byte_lookups(merged_items),
        dimension_keys=struct.Struct(f"<{len(roles)}I").unpack_from,
        tally_bytes=tally_bytes,
        both_ages=MappingProxyType(
            {
                sexual: _both_ages(sets[False, sexual], sets[True, sexual], 8 * tally_bytes)
                for sexual in (False, True)
            }
        ),
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
        ruleset=_piece(
            {
                "version": RULESET_VERSION,
                "catalogue_version": catalogue.version,
                "catalogue_sha256": catalogue.sha256,
            }
        ),
    )


# ---- one age hypothesis --------------------------------------------------------------------

_OutcomeKey = tuple[bool, tuple[bool | None, ...], bool]
"""(child, the dimensions' statuses and the act, whether a recorded form shows the purpose):
what ``OutcomeModel.known`` reads the outcome of one age hypothesis from."""


@dataclass(slots=True)
class _Scenario:
    """What the answers say under one age hypothesis. Not frozen: it is built for every
    assessment, and a frozen dataclass is slow to build."""

    child: bool
    set_index: _SetIndex
    dimensions: tuple[DimensionOutcome, ...]
    statuses: tuple[bool | None, ...]
    yes_mask: int
    open_mask: int
    open_in_question_order: int
    declined_in_question_order: int
    outcome_key: _OutcomeKey
    outcome: ScenarioOutcome


def _scenario(
    engine: _Engine,
    child: bool,
    index: _SetIndex,
    tally: int,
    act: bool | None,
    purpose_evident: bool,
) -> _Scenario:
    """One age hypothesis from the tally of the answers in its set (see ``_SetIndex.tally``)."""
    dimensions = tuple(
        map(
            KNOWN_DIMENSIONS.__getitem__,
            engine.dimension_keys(tally.to_bytes(engine.tally_bytes, "little")),
        )
    )
    statuses = tuple([dimension.status for dimension in dimensions])
    key = (child, (*statuses, act), purpose_evident)
    regions = engine.regions
    mask = engine.catalogue_mask
    return _Scenario(
        child,
        index,
        dimensions,
        statuses,
        (tally >> regions.yes) & mask,
        (tally >> regions.open) & mask,
        (tally >> regions.open_in_question_order) & mask,
        (tally >> regions.declined_in_question_order) & mask,
        key,
        engine.outcomes.known[key],
    )


def _agreed(adult: bool | None, child: bool | None) -> bool | None:
    """A conclusion holds only when both age hypotheses reach it."""
    return adult if adult == child else None


# ---- the verdict ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Verdict:
    """What a result says, in one language, given only how each age hypothesis came out (its
    ``_OutcomeKey``): all but the ids and the texts that name indicators, acts, means or
    purposes. Worked out once per distinct outcome (see ``_verdict``) and shared between
    results, so never changed; not frozen, as a frozen dataclass of this size is slow to
    build."""

    child: bool | None
    statuses: tuple[bool | None, ...]
    """Per dimension, as both hypotheses agree."""
    ilo: bool | None
    ilo_rule: IloRule
    recruitment_types: tuple[str, ...]
    act: bool | None
    means: bool | None
    purpose: bool | None
    met: bool | None
    means_required: bool | None
    consent_irrelevant: bool | None
    trafficking: bool | None
    means_evidence: tuple[int, ...]
    """Per hypothesis, the bit set of its positive dimensions that evidence the means."""
    positive_means: tuple[int, ...]
    """The positive dimensions that evidence the means, as both hypotheses agree."""
    dimension_items: tuple[_Item | None, ...]
    """Per dimension, its explanation; None when positive."""
    positive_dimensions: tuple[int, ...]
    """The dimensions whose explanation is None in ``dimension_items``."""
    ilo_items: tuple[_Item, ...] | None
    """None when the child rule's "trafficked" item is among them: it names the acts."""
    ilo_parts: tuple[_Item | None, ...]
    """The same items, None standing for the child rule's "trafficked" item."""
    act_item: _Item | None
    """None when the act is present: that item names the acts."""
    means_item: _Item | None
    """None when the means are present: that item names them."""
    purpose_item: _Item | None
    """None when the purpose is present: that item names it."""
    conclusion_items: tuple[_Item, ...]
    """Whether the Palermo elements are met, and consent."""
    labour_law_items: tuple[_Item, ...]
    htcds_item: _Item
    ilo_json: bytes
    palermo_json: bytes
    """The JSON text of the result's ``palermo`` up to the list of acts."""


_VERDICTS: _Memo[tuple[object, ...], _Verdict] = _Memo(_PIECES)


def _verdict(
    engine: _Engine, texts: _Texts, scenarios: tuple[_Scenario, ...], act: bool | None
) -> _Verdict:
    """``_judge``, memoised: its outcome keys hold everything it reads."""
    key = (texts.language, *[scenario.outcome_key for scenario in scenarios])
    return _VERDICTS.get(key) or _VERDICTS.remember(key, _judge(engine, texts, scenarios, act))


def _judge(
    engine: _Engine, texts: _Texts, scenarios: tuple[_Scenario, ...], act: bool | None
) -> _Verdict:
    outcomes = [scenario.outcome for scenario in scenarios]
    child: bool | None
    if len(scenarios) == 1:
        child = scenarios[0].child
        statuses = scenarios[0].statuses
        only = outcomes[0]
        ilo, met, trafficking = only.ilo, only.palermo, only.trafficking
        means, purpose = only.means, only.purpose
    else:
        child = None
        adult, minor = outcomes
        statuses = tuple(map(_agreed, scenarios[0].statuses, scenarios[1].statuses))
        ilo = _agreed(adult.ilo, minor.ilo)
        met = _agreed(adult.palermo, minor.palermo)
        trafficking = _agreed(adult.trafficking, minor.trafficking)
        means = _agreed(adult.means, minor.means)
        purpose = _agreed(adult.purpose, minor.purpose)
    means_required = None if child is None else not child
    consent_irrelevant = palermo_rules.consent_irrelevant(child, means)
    ilo_rule: IloRule = "adult_and_child" if child is None else ("child" if child else "adult")
    recruitment_types = tuple(
        kind
        for kind, status in zip(engine.recruitment_types, statuses, strict=True)
        if kind is not None and status
    )
    ilo_parts = _ilo_items(texts, scenarios, ilo, act)
    dimension_items = _dimension_items(texts, scenarios, statuses)
    conclusion_items = _palermo_conclusion_items(
        texts, scenarios, met, act, means, purpose, means_required, consent_irrelevant
    )
    # Exploitative conditions without trafficking point to labour-law abuse.
    labour_law = trafficking is False and all(statuses[d] for d in engine.exploitation)
    return _Verdict(
        child=child,
        statuses=statuses,
        ilo=ilo,
        ilo_rule=ilo_rule,
        recruitment_types=recruitment_types,
        act=act,
        means=means,
        purpose=purpose,
        met=met,
        means_required=means_required,
        consent_irrelevant=consent_irrelevant,
        trafficking=trafficking,
        means_evidence=tuple(
            sum(1 << d for d in engine.means_dimensions if scenario.statuses[d])
            for scenario in scenarios
        ),
        positive_means=tuple(d for d in engine.means_dimensions if statuses[d]),
        dimension_items=dimension_items,
        positive_dimensions=tuple(d for d, item in enumerate(dimension_items) if item is None),
        ilo_items=None if None in ilo_parts else tuple(filter(None, ilo_parts)),
        ilo_parts=ilo_parts,
        act_item=None if act else texts.elements["act", act],
        means_item=(
            texts.means_not_required
            if means_required is False
            else (None if means else texts.elements["means", means])
        ),
        purpose_item=None if purpose else texts.elements["purpose", purpose],
        conclusion_items=conclusion_items,
        labour_law_items=(texts.fixed["labour_law_abuse"],) if labour_law else (),
        htcds_item=texts.fixed[_HTCDS_CODE[trafficking]],
        ilo_json=_ilo_json(ilo, ilo_rule, recruitment_types),
        palermo_json=_palermo_json(act, means, purpose, met, means_required, consent_irrelevant),
    )


@lru_cache(maxsize=_PIECES)
def _ilo_json(ilo: bool | None, rule: IloRule, recruitment_types: tuple[str, ...]) -> bytes:
    return _json_bytes(
        {"verdict": _ILO_VERDICT[ilo], "rule": rule, "recruitment_types": recruitment_types}
    )


@lru_cache(maxsize=_PIECES)
def _palermo_json(
    act: bool | None,
    means: bool | None,
    purpose: bool | None,
    met: bool | None,
    means_required: bool | None,
    consent_irrelevant: bool | None,
) -> bytes:
    """The JSON text of a result's ``palermo`` up to the list of acts."""
    status_of = palermo_rules.ELEMENT_STATUS
    head = {
        "act": status_of[act],
        "means": status_of[means],
        "purpose": status_of[purpose],
        "met": met,
        "means_required": means_required,
        "consent_irrelevant": consent_irrelevant,
    }
    return _json_head(head, "acts")


# ---- the result ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Movement:
    classification: MovementClassification
    smuggling_facts: ElementStatus
    reasons: tuple[_Item, ...]
    questions: tuple[_Question, ...]
    """The facts still worth asking about."""
    json: bytes
    """The JSON text of the result's ``movement``."""


@dataclass(slots=True)
class _Evaluation:
    """Everything a result says, as the renderers read it. Not frozen, for the same reason as
    ``_Scenario``."""

    texts: _Texts
    engine: _Engine
    jurisdiction: Jurisdiction
    set_ids: tuple[str, ...]
    age: int | None
    forms: tuple[ExploitationFormId, ...]
    first: _Scenario
    """The scenario that lists the indicators: with two, the adult one (its set has them all)."""
    verdict: _Verdict
    acts: tuple[ActId, ...]
    means_found: tuple[str, ...]
    purposes_found: tuple[str, ...]
    movement: _Movement
    legal: "_LegalFrame"
    legal_means: tuple[_Piece[LegalMeansDict], ...]
    legal_notes: tuple[_Item, ...]
    next_questions: tuple[_Question, ...]
    explanation: tuple[_Item, ...]
    provisional_reasons: _Piece[tuple[TextItemDict, ...]]
    rendered: list[AssessmentDict]
    """The JSON form the properties read, built on first use."""


@dataclass(frozen=True, slots=True, eq=False)
class Assessment:
    """The result of one screening.

    ``to_dict()`` gives its JSON form (docs/screening.md), a new dict at each call: compare
    results through it. ``to_json_bytes()`` gives the same as compact JSON text. The properties
    give the same content as typed, immutable objects.
    """

    _evaluation: _Evaluation

    def to_dict(self) -> AssessmentDict:
        return _render(self._evaluation)

    def to_json_bytes(self) -> bytes:
        """The JSON form as UTF-8 JSON text: ``json.dumps(self.to_dict(), ensure_ascii=False,
        separators=(",", ":")).encode()``, spliced from JSON text prepared once, without
        building the dicts (batch screening writes it)."""
        return _render_json(self._evaluation)

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

    def _data(self) -> AssessmentDict:
        rendered = self._evaluation.rendered
        if not rendered:
            rendered.append(_render(self._evaluation))
        return rendered[0]

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
        return self._evaluation.verdict.child

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
            for item in self._data()["dimensions"]
        )

    @property
    def ilo(self) -> IloResult:
        ilo = self._data()["ilo"]
        return IloResult(ilo["verdict"], ilo["rule"], tuple(ilo["recruitment_types"]))

    @property
    def palermo(self) -> PalermoResult:
        palermo = self._data()["palermo"]
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
        movement = self._data()["movement"]
        return MovementResult(
            classification=movement["classification"],
            smuggling_facts=movement["smuggling_facts"],
            trafficking_finding=movement["trafficking_finding"],
            reasons=text_items(movement["reasons"]),
        )

    @property
    def legal(self) -> LegalResult:
        legal = self._data()["legal"]
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
        return _HTCDS_STATUS[self._evaluation.verdict.trafficking]

    @property
    def next_questions(self) -> tuple[NextQuestion, ...]:
        return tuple(
            NextQuestion(
                question.data["id"],
                question.data["kind"],
                question.data["question"],
                tuple(question.data["affects"]),
                question.data["previously_declined"],
            )
            for question in self._evaluation.next_questions
        )

    @property
    def explanation(self) -> tuple[TextItem, ...]:
        return text_items(self._data()["explanation"])

    @property
    def provisional(self) -> bool:
        return bool(self._evaluation.provisional_reasons.data)

    @property
    def provisional_reasons(self) -> tuple[TextItem, ...]:
        return text_items(list(self._evaluation.provisional_reasons.data))

    @property
    def ruleset(self) -> Ruleset:
        return Ruleset(**self._evaluation.engine.ruleset.data)


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
    acts = screening_input.act
    act = palermo_rules.act_status(acts)
    purpose_evident = not engine.forms_showing_purpose.isdisjoint(forms)
    answers = screening_input.indicators.items()
    sexual = "sexual" in forms
    scenarios: tuple[_Scenario, ...]
    set_ids: tuple[str, ...]
    if age is None:
        both = engine.both_ages[sexual]
        tallies = sum(map(both.tally.__getitem__, answers), both.unanswered)
        adult_tally = tallies & both.adult_part
        adult = _scenario(engine, False, both.adult, adult_tally, act, purpose_evident)
        minor = _scenario(engine, True, both.child, tallies >> both.shift, act, purpose_evident)
        scenarios = (adult, minor)
        set_ids = (both.adult.indicator_set.id, both.child.indicator_set.id)
    else:
        child = age < ADULT_AGE
        index = engine.sets[child, sexual]
        tally = sum(map(index.tally.__getitem__, answers), index.unanswered)
        only = _scenario(engine, child, index, tally, act, purpose_evident)
        scenarios = (only,)
        set_ids = (index.indicator_set.id,)
    verdict = _verdict(engine, texts, scenarios, act)
    first = scenarios[0]
    language = texts.language
    means_found = _means_found(scenarios, verdict.means_evidence) if verdict.means else ()
    purposes_found = _purposes_found(first, forms) if verdict.purpose else ()
    possible = verdict.trafficking is True
    movement = _movement(texts, screening_input.movement, verdict.trafficking)
    legal = _legal_frame(language, jurisdiction, forms)
    met = verdict.met
    legal_notes = legal.conclusion_notes[met, verdict.child is True]
    if means_found and not verdict.child:
        legal_notes += (_means_references_item(language, jurisdiction, means_found),)
    next_questions = _next_questions(engine, texts, scenarios, verdict, movement.questions)
    fixed = texts.fixed
    explanation = (
        *_set_items(texts, first, set_ids, age, screening_input.indicators),
        *_dimension_texts(texts, first, verdict),
        *(verdict.ilo_items or _ilo_texts(language, verdict.ilo_parts, acts)),
        verdict.act_item or _act_present_item(language, acts or ()),
        verdict.means_item or _means_present_item(language, means_found, verdict.positive_means),
        verdict.purpose_item or _purpose_present_item(language, purposes_found),
        *verdict.conclusion_items,
        movement.reasons[-1],
        *verdict.labour_law_items,
        *legal.summaries[met],
        verdict.htcds_item,
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
    # Positional, in the order of _Evaluation's fields.
    return Assessment(
        _Evaluation(
            texts,
            engine,
            jurisdiction,
            set_ids,
            age,
            forms,
            first,
            verdict,
            acts or (),
            means_found,
            purposes_found,
            movement,
            legal,
            tuple([legal.means[m] for m in means_found]),
            (*legal_notes, *legal.form_notes, *legal.notes[possible]),
            next_questions,
            explanation,
            _provisional_reasons(language, set_ids, disputed, jurisdiction, forms, possible),
            [],
        )
    )


# ---- the JSON form -------------------------------------------------------------------------


def _render(evaluation: _Evaluation) -> AssessmentDict:
    """The JSON form, in new dicts and lists: the pieces kept in the evaluation are shared."""
    texts = evaluation.texts
    engine = evaluation.engine
    verdict = evaluation.verdict
    movement = evaluation.movement
    legal = evaluation.legal
    child = verdict.child
    met = verdict.met
    status_of = palermo_rules.ELEMENT_STATUS
    set_ids = evaluation.set_ids
    first = evaluation.first
    index = first.set_index
    next_questions = [question.data.copy() for question in evaluation.next_questions]
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
                verdict.statuses,
                first.dimensions,
                index.ids_by_dimension(first.yes_mask),
                index.ids_by_dimension(first.open_mask),
                strict=True,
            )
        ],
        "ilo": {
            "verdict": _ILO_VERDICT[verdict.ilo],
            "rule": verdict.ilo_rule,
            "recruitment_types": [*verdict.recruitment_types],
        },
        "palermo": {
            "act": status_of[verdict.act],
            "means": status_of[verdict.means],
            "purpose": status_of[verdict.purpose],
            "met": met,
            "means_required": verdict.means_required,
            "consent_irrelevant": verdict.consent_irrelevant,
            "acts": [*evaluation.acts],
            "means_found": [*evaluation.means_found],
            "purposes_found": [*evaluation.purposes_found],
        },
        "movement": {
            "classification": movement.classification,
            "smuggling_facts": movement.smuggling_facts,
            "trafficking_finding": verdict.trafficking,
            "reasons": [item.data.copy() for item in movement.reasons],
        },
        "legal": {
            "jurisdiction": evaluation.jurisdiction,
            "provisions": [item.copy() for item in legal.provisions.data],
            "conclusion": legal.conclusions[met],
            "elements_met": met,
            "minor_rule_applied": child,
            "form_listed": legal.listed,
            "forms": [item.copy() for item in legal.forms.data],
            "means": [item.data.copy() for item in evaluation.legal_means],
            "notes": [item.data.copy() for item in evaluation.legal_notes],
        },
        "htcds_trafficking_status": _HTCDS_STATUS[verdict.trafficking],
        "next_questions": next_questions,
        "explanation": [item.data.copy() for item in evaluation.explanation],
        "provisional": bool(evaluation.provisional_reasons.data),
        "provisional_reasons": [item.copy() for item in evaluation.provisional_reasons.data],
        "ruleset": engine.ruleset.data.copy(),
    }


def _render_json(evaluation: _Evaluation) -> bytes:
    """``_render``'s result as ``_JSON`` would write it, spliced from the pieces' JSON texts;
    what no piece holds is encoded here, key for key in the same order. The parts are joined
    once: joining the long arrays on their own first would copy them once more."""
    texts = evaluation.texts
    verdict = evaluation.verdict
    legal = evaluation.legal
    first = evaluation.first
    age = evaluation.age
    reasons = evaluation.provisional_reasons
    parts = [
        texts.json_heads[evaluation.jurisdiction, evaluation.set_ids],
        b"null" if age is None else b"%d" % age,
        b',"child":',
        _LITERALS[verdict.child],
        b',"exploitation":',
        _STRING_ARRAYS[evaluation.forms],
        b',"dimensions":[',
    ]
    first.set_index.add_dimensions_json(
        parts,
        texts.dimension_heads,
        verdict.statuses,
        first.dimensions,
        first.yes_mask,
        first.open_mask,
    )
    parts += (
        b'],"ilo":',
        verdict.ilo_json,
        b',"palermo":',
        verdict.palermo_json,
        _STRING_ARRAYS[evaluation.acts],
        b',"means_found":',
        _STRING_ARRAYS[evaluation.means_found],
        b',"purposes_found":',
        _STRING_ARRAYS[evaluation.purposes_found],
        b'},"movement":',
        evaluation.movement.json,
        b',"legal":',
        legal.json_heads[verdict.met, verdict.child],
        b"[",
        _json_elements_of(evaluation.legal_means),
        b'],"notes":[',
        _json_elements_of(evaluation.legal_notes),
        b']},"htcds_trafficking_status":',
        _QUOTED[_HTCDS_STATUS[verdict.trafficking]],
        b',"next_questions":[',
        _json_elements_of(evaluation.next_questions),
        b'],"explanation":[',
        _json_elements_of(evaluation.explanation),
        b'],"provisional":',
        _LITERALS[bool(reasons.data)],
        b',"provisional_reasons":',
        reasons,
        b',"ruleset":',
        evaluation.engine.ruleset,
        b"}",
    )
    return b"".join(parts)


# ---- the indicator set and the dimensions --------------------------------------------------


def _set_items(
    texts: _Texts,
    first: _Scenario,
    set_ids: tuple[str, ...],
    age: int | None,
    answers: Mapping[str, str],
) -> tuple[_Item, ...]:
    item = _set_item(texts.language, set_ids, age)
    outside = first.set_index.outside
    unused = tuple([i for i in outside if answers.get(i) in ("yes", "no")]) if outside else ()
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
def _set_item(language: Language, set_ids: tuple[str, ...], age: int | None) -> _Item:
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
    texts: _Texts, scenarios: tuple[_Scenario, ...], statuses: tuple[bool | None, ...]
) -> tuple[_Item | None, ...]:
    """Per dimension, its explanation item; None when positive (see ``_dimension_texts``)."""
    needed = scenarios[0].outcome.affects
    age_unknown = len(scenarios) == 2
    if age_unknown:
        needed = tuple([a | b for a, b in zip(needed, scenarios[1].outcome.affects, strict=True)])
    items: list[_Item | None] = []
    for d, status in enumerate(statuses):
        if status:
            items.append(None)
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
    return tuple(items)


def _dimension_texts(texts: _Texts, first: _Scenario, verdict: _Verdict) -> list[_Item]:
    """The verdict's dimension items, with the text of each positive dimension, which names
    its indicators answered "yes", in place of its None."""
    items = [*verdict.dimension_items]
    set_id = first.set_index.indicator_set.id
    yes_mask = first.yes_mask
    dimensions = first.dimensions
    for d in verdict.positive_dimensions:
        items[d] = texts.positive_dimension(set_id, d, dimensions[d].clause, yes_mask)
    # Every None stood for a positive dimension, and each was replaced above.
    return cast("list[_Item]", items)


# ---- ILO -----------------------------------------------------------------------------------


def _ilo_items(
    texts: _Texts, scenarios: tuple[_Scenario, ...], ilo: bool | None, act: bool | None
) -> tuple[_Item | None, ...]:
    """The ILO items; None stands for the child rule's "trafficked" item, which names the
    acts."""
    language = texts.language
    items: tuple[_Item | None, ...] = tuple(
        [
            (None if s.outcome.ilo else _child_ilo_item(language, act, s.outcome.exploitation))
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


def _ilo_texts(
    language: Language, items: tuple[_Item | None, ...], acts: tuple[ActId, ...] | None
) -> tuple[_Item, ...]:
    """The verdict's ILO items, with the child rule's "trafficked" item, which names the acts."""
    return tuple([item or _child_trafficked_item(language, acts or ()) for item in items])


@lru_cache(maxsize=_PIECES)
def _child_trafficked_item(language: Language, acts: tuple[ActId, ...]) -> _Item:
    texts = _engine().texts[language]
    return texts.item("ilo_child_trafficked", acts=texts.labels(texts.act_labels, acts))


@lru_cache(maxsize=_PIECES)
def _child_ilo_item(language: Language, act: bool | None, exploitation: bool | None) -> _Item:
    """The child rule's item when it does not find trafficking (an act AND exploitation)."""
    verdict = False if act is False or exploitation is False else None
    parts = {"act": act, "exploitation": exploitation}
    return _ilo_parts_item(_engine().texts[language], "child", verdict, parts)


@lru_cache(maxsize=_PIECES)
def _adult_ilo_item(language: Language, statuses: tuple[bool | None, ...]) -> _Item:
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
) -> _Item:
    wanted = False if verdict is False else None
    state = "not_trafficked" if verdict is False else "undetermined"
    names = ", ".join(
        texts.templates[f"part_{name}"] for name, value in parts.items() if value is wanted
    )
    return texts.item(f"ilo_{rule}_{state}", parts=names)


# ---- Palermo -------------------------------------------------------------------------------


def _means_found(scenarios: tuple[_Scenario, ...], evidence: tuple[int, ...]) -> tuple[str, ...]:
    """The means evidenced by "yes" answers in positive means dimensions (``evidence``: per
    hypothesis, the bit set of those dimensions)."""
    found = 0
    for scenario, dimensions in zip(scenarios, evidence, strict=True):
        found |= scenario.yes_mask & scenario.set_index.dimension_unions[dimensions]
    return tuple([m for m, mask in scenarios[0].set_index.means_masks if found & mask])


def _purposes_found(first: _Scenario, forms: tuple[ExploitationFormId, ...]) -> tuple[str, ...]:
    """The purposes of the forms recorded, or, with none, those evidenced by "yes" answers."""
    if forms:
        return _purposes_of_forms(forms)
    yes_mask = first.yes_mask
    return tuple([p for p, mask in first.set_index.purpose_masks if yes_mask & mask])


@lru_cache(maxsize=_PIECES)
def _purposes_of_forms(forms: tuple[ExploitationFormId, ...]) -> tuple[str, ...]:
    return palermo_rules.purposes_found(_engine().catalogue, forms, ())


def _palermo_conclusion_items(
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    met: bool | None,
    act: bool | None,
    means: bool | None,
    purpose: bool | None,
    means_required: bool | None,
    consent_irrelevant: bool | None,
) -> tuple[_Item, ...]:
    if met:
        met_item = texts.fixed["palermo_met"]
    else:
        both_certain = len(scenarios) == 2 and all(s.outcome.palermo is not None for s in scenarios)
        # A child needs no means: for the definition they count as present.
        needed_means = True if means_required is False else means
        met_item = _palermo_unmet_item(
            texts.language, met, act, needed_means, purpose, both_certain
        )
    if not consent_irrelevant:
        return (met_item,)
    child = means_required is False
    return (
        met_item,
        texts.fixed["consent_irrelevant_child" if child else "consent_irrelevant_means"],
    )


@lru_cache(maxsize=_PIECES)
def _act_present_item(language: Language, acts: tuple[ActId, ...]) -> _Item:
    texts = _engine().texts[language]
    return texts.item("palermo_act_present", acts=texts.labels(texts.act_labels, acts))


@lru_cache(maxsize=_PIECES)
def _means_present_item(
    language: Language, means_found: tuple[str, ...], dimensions: tuple[int, ...]
) -> _Item:
    texts = _engine().texts[language]
    return texts.item(
        "palermo_means_present",
        means=texts.labels(texts.means_labels, means_found, "; "),
        dimensions=", ".join(texts.dimension_labels[d] for d in dimensions),
    )


@lru_cache(maxsize=_PIECES)
def _purpose_present_item(language: Language, found: tuple[str, ...]) -> _Item:
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
) -> _Item:
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
    smuggling = palermo_rules.ELEMENT_STATUS[facts.present]
    data: MovementDict = {
        "classification": classification,
        "smuggling_facts": smuggling,
        "trafficking_finding": trafficking,
        "reasons": [item.data for item in reasons],
    }
    return _Movement(
        classification=classification,
        smuggling_facts=smuggling,
        reasons=tuple(reasons),
        questions=tuple(table[f"movement.{fact}"] for fact in facts.open_facts),
        json=_json_bytes(data),
    )


# ---- legal ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LegalFrame:
    """What a jurisdiction's legal result says for the recorded forms, whatever the other
    facts, in one language; per Palermo conclusion (``met``) where it depends on it."""

    provisions: _Piece[tuple[LegalProvisionDict, ...]]
    listed: bool | None
    forms: _Piece[tuple[LegalFormDict, ...]]
    form_notes: tuple[_Item, ...]
    conclusions: dict[bool | None, LegalConclusion]
    conclusion_notes: dict[tuple[bool | None, bool], tuple[_Item, ...]]
    """Per (met, child), the first notes: the conclusion, and the minor rule for a child. The
    means found follow, then the notes on the forms, then ``notes``."""
    summaries: dict[bool | None, tuple[_Item, ...]]
    """The notes the main explanation repeats: the conclusion and how each form is covered."""
    means: dict[str, _Piece[LegalMeansDict]]
    notes: tuple[tuple[_Item, ...], tuple[_Item, ...]]
    """The jurisdiction's notes, without and with a possible victim of trafficking."""
    json_heads: _OnFirstUse[tuple[bool | None, bool | None], bytes]
    """Per (met, child), the JSON text of the result's ``legal`` up to the means."""


@lru_cache(maxsize=_PIECES)
def _legal_frame(
    language: Language, jurisdiction_id: Jurisdiction, forms: tuple[ExploitationFormId, ...]
) -> _LegalFrame:
    catalogue = _engine().catalogue
    texts = _engine().texts[language]
    jurisdiction = catalogue.jurisdictions[jurisdiction_id]
    coverage = legal_rules.form_coverage(catalogue, jurisdiction, forms)
    legal_forms: list[LegalFormDict] = []
    form_notes: list[_Item] = []
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
    listed = legal_rules.form_listed(coverage)
    provisions: _Piece[tuple[LegalProvisionDict, ...]] = _piece(
        tuple(
            {"reference": provision.reference, "text": provision.text[language]}
            for provision in jurisdiction.provisions
        )
    )
    legal_forms_piece = _piece(tuple(legal_forms))
    conclusions: dict[bool | None, LegalConclusion] = {}
    conclusion_items: dict[bool | None, _Item] = {}
    for met in (True, False, None):
        conclusion = conclusions[met] = legal_rules.conclusion(met, listed)
        if conclusion == "definition_met" and not listed:
            code = "legal_definition_met_form_unrecorded"
        else:
            code = _CONCLUSION_CODE[conclusion]
        conclusion_items[met] = texts.item(code, jurisdiction=name)
    minor_rule = texts.item("legal_minor_rule", reference=jurisdiction.child_rule_reference)

    def json_head(met_and_child: tuple[bool | None, bool | None]) -> bytes:
        met, child = met_and_child
        return b"".join(
            (
                b'{"jurisdiction":',
                _QUOTED[jurisdiction_id],
                b',"provisions":',
                provisions,
                b',"conclusion":',
                _QUOTED[conclusions[met]],
                b',"elements_met":',
                _LITERALS[met],
                b',"minor_rule_applied":',
                _LITERALS[child],
                b',"form_listed":',
                _LITERALS[listed],
                b',"forms":',
                legal_forms_piece,
                b',"means":',
            )
        )

    return _LegalFrame(
        provisions=provisions,
        listed=listed,
        forms=legal_forms_piece,
        form_notes=tuple(form_notes),
        conclusions=conclusions,
        conclusion_notes={
            (met, child): (item, minor_rule) if child else (item,)
            for met, item in conclusion_items.items()
            for child in (True, False)
        },
        summaries={met: (item, *form_notes) for met, item in conclusion_items.items()},
        means={
            means: _piece({"means": means, "reference": reference})
            for means, reference in jurisdiction.means_references.items()
        },
        notes=(
            tuple(
                _item(note.code, note.text[language])
                for note in jurisdiction.notes
                if note.when == "always"
            ),
            tuple(
                _item(note.code, note.text[language])
                for note in jurisdiction.notes
                if note.when in ("always", "possible_victim")
            ),
        ),
        json_heads=_OnFirstUse(json_head),
    )


@lru_cache(maxsize=_PIECES)
def _means_references_item(
    language: Language, jurisdiction_id: Jurisdiction, means_found: tuple[str, ...]
) -> _Item:
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
    verdict: _Verdict,
    movement_questions: tuple[_Question, ...],
) -> tuple[_Question, ...]:
    if len(scenarios) == 1:
        return _questions_for_one_age(engine, texts, scenarios[0], movement_questions)
    return _questions_for_unknown_age(engine, texts, scenarios, verdict, movement_questions)


def _relevant_indicators(scenario: _Scenario) -> tuple[int, int, int | None]:
    """The unanswered indicators that could change an outcome, in the set's question order;
    the decisive ones among them; and what they can change when that is the same for all (0
    when there are none, None when it differs between dimensions)."""
    relevant = decisive = 0
    shared: int | None = 0
    unions = scenario.set_index.question_unions
    dimensions = scenario.dimensions
    for d, affects in scenario.outcome.changing_dimensions:
        dimension = dimensions[d]
        tiers = dimension.relevant_tiers
        if tiers:
            relevant |= unions[d][tiers]
            decisive |= unions[d][tiers & dimension.decisive_tiers]
            shared = affects if shared in (0, affects) else None
    relevant &= scenario.open_in_question_order
    return relevant, decisive & relevant, shared


def _questions_for_one_age(
    engine: _Engine,
    texts: _Texts,
    scenario: _Scenario,
    movement_questions: tuple[_Question, ...],
) -> tuple[_Question, ...]:
    """One age hypothesis: the classes in order (see next_questions), the indicators of each
    class from one mask in question order, so already by strength, dimension and position."""
    affects = scenario.outcome.affects
    questions: list[_Question] = []
    act_affects = affects[engine.outcomes.act_leaf]
    if act_affects:
        questions.append(texts.questions[act_affects]["act"])
    relevant, decisive, shared = _relevant_indicators(scenario)
    if not relevant:
        return (*questions, *movement_questions)
    index = scenario.set_index
    others = relevant ^ decisive
    declined = scenario.declined_in_question_order
    # Each pair of classes in one mask, the second class above the first, so that one pass
    # over the lookups lists both in order.
    above = index.second_class
    first_asked = decisive & ~declined | (others & ~declined) << above
    asked_again = decisive & declined | (others & declined) << above
    if first_asked:
        questions += _indicator_questions(texts.questions, index, first_asked, shared, affects)
    questions += movement_questions
    if asked_again:
        questions += _indicator_questions(
            texts.questions_again, index, asked_again, shared, affects
        )
    return tuple(questions)


def _indicator_questions(
    tables: tuple[dict[str, _Question], ...],
    index: _SetIndex,
    classes: int,
    shared: int | None,
    affects: tuple[int, ...],
) -> Iterable[_Question]:
    """The questions on the indicators of two classes (see ``_questions_for_one_age``), each
    from the table of what it can change: ``shared`` when that is the same for all,
    otherwise its dimension's."""
    if shared is None:
        pairs = _selected(index.question_pairs, classes)
        return [tables[affects[d]][i] for i, d in pairs]
    return map(tables[shared].__getitem__, _selected(index.question_ids, classes))


def _questions_for_unknown_age(
    engine: _Engine,
    texts: _Texts,
    scenarios: tuple[_Scenario, ...],
    verdict: _Verdict,
    movement_questions: tuple[_Question, ...],
) -> tuple[_Question, ...]:
    """Age unknown: the age first, then the items of both hypotheses, each at its most
    decisive place (class, then strength) and with every outcome it can change under either.
    The sets' masks combine in the merged order, which sorts like the sets' question orders."""
    ask = texts.questions
    questions: list[_Question] = []
    person = (ILO if verdict.ilo is None else 0) | (PALERMO if verdict.met is None else 0)
    person |= HTCDS | MOVEMENT if verdict.trafficking is None else 0
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
) -> _Piece[tuple[TextItemDict, ...]]:
    """Why the result is provisional: the sets and rules used, then the legal facts used."""
    rules = _provisional_rules(language, set_ids, disputed)
    legal = _provisional_legal_facts(language, jurisdiction_id, forms, possible)
    if not legal.data:
        return rules
    # A legal fact's text names the fact: it never repeats the reason of a set or a rule.
    return _Piece(rules.data + legal.data, rules[: -len(b"]")] + b"," + legal[1:])


@lru_cache(maxsize=_PIECES)
def _provisional_rules(
    language: Language, set_ids: tuple[str, ...], disputed: tuple[str, ...]
) -> _Piece[tuple[TextItemDict, ...]]:
    engine = _engine()
    catalogue = engine.catalogue
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
    return _piece(tuple({"code": code, "text": text} for code, text in reasons))


@lru_cache(maxsize=_PIECES)
def _provisional_legal_facts(
    language: Language,
    jurisdiction_id: Jurisdiction,
    forms: tuple[ExploitationFormId, ...],
    possible: bool,
) -> _Piece[tuple[TextItemDict, ...]]:
    engine = _engine()
    catalogue = engine.catalogue
    texts = engine.texts[language]
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
    texts_of_facts = {f"{fact}: {to_check.reason[language]}": None for fact in facts}
    return _piece(tuple({"code": to_check.code, "text": text} for text in texts_of_facts))
