"""Which unanswered items could still change an outcome, and in which order to ask them.

Outcomes: the ILO verdict, whether the Palermo elements are met, and the trafficking finding
(either of the two), which decides the suggested HTCDS status and, with the smuggling facts,
the movement classification.

Relevance is exact. Each outcome is a monotone formula over "leaves" (the six dimensions and the
act), so it is evaluated as a truth table over the undecided leaves: a leaf is relevant to an
outcome when some way of answering the other open items makes the outcome depend on it. Within
a dimension, an unanswered indicator is relevant when its strength could flip the dimension rule
(see ``ilo.DimensionOutcome``). Dimensions are disjoint, so the two checks compose.

Decisiveness order (most decisive first; ties keep catalogue order, so the list is deterministic):

1. the person's age, when unknown and some outcome is undetermined: it picks the indicator set
   and whether means are needed at all (listed whenever an outcome is open, which may be more
   often than strictly needed: the adult and child rules are not compared answer by answer);
2. the act, when unknown and it matters: one answer settles an element of every definition;
3. indicators whose "yes" would on its own make their dimension positive, then the others;
   within each, strong before medium before weak, then dimensions in catalogue order;
4. movement facts that could change the smuggling classification, in interview order;
5. indicators the person declined to answer, in the same order as 3: asked again only last.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from waypoint.domain.screening import palermo
from waypoint.domain.screening.ilo import child_rule, combination_rule
from waypoint.domain.screening.vocabulary import DimensionRole, Outcome

OUTCOME_ORDER: tuple[Outcome, ...] = ("ilo", "palermo", "htcds", "movement")
ILO, PALERMO, HTCDS, MOVEMENT = (1 << bit for bit in range(4))
"""Bits of an "affects" set: which outcomes an unanswered item could still change."""
TRAFFICKING = HTCDS | MOVEMENT
"""The trafficking finding decides both the HTCDS status and the movement classification."""
AFFECTS_COUNT = 1 << len(OUTCOME_ORDER)


def affected_outcomes(affects: int) -> tuple[Outcome, ...]:
    return tuple(outcome for bit, outcome in enumerate(OUTCOME_ORDER) if affects >> bit & 1)


# Question classes, most decisive first (see the module docstring).
PERSON_CLASS = 0
ACT_CLASS = 1
DECISIVE_CLASS = 2
INDICATOR_CLASS = 3
MOVEMENT_CLASS = 4
DECLINED_DECISIVE_CLASS = 5
DECLINED_CLASS = 6


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    """Outcomes for one age hypothesis, with, for each leaf, the outcomes it can still change."""

    ilo: bool | None
    palermo: bool | None
    trafficking: bool | None
    recruitment: bool | None
    exploitation: bool | None
    destination: bool | None
    means: bool | None
    purpose: bool | None
    affects: tuple[int, ...]
    """Per leaf, the outcomes (bits) it can still change; 0 when it can change nothing."""
    changing_dimensions: tuple[tuple[int, int], ...]
    """(dimension, its ``affects``) for each dimension that can still change an outcome."""


class OutcomeModel:
    """Truth-table evaluation of the outcome formulas; one instance per catalogue.

    Leaves are the dimensions in catalogue order, then the act.
    """

    def __init__(self, roles: tuple[DimensionRole, ...]) -> None:
        self.leaf_count = len(roles) + 1
        self.act_leaf = len(roles)
        size = 1 << self.leaf_count
        self._full = (1 << size) - 1
        self._projections = tuple(
            sum(1 << row for row in range(size) if row >> leaf & 1)
            for leaf in range(self.leaf_count)
        )
        self._recruitment = tuple(i for i, role in enumerate(roles) if role == "recruitment")
        self._exploitation = tuple(i for i, role in enumerate(roles) if role == "exploitation")
        self._destination = tuple(i for i, role in enumerate(roles) if role == "destination")
        self.known = _KnownOutcomes(self._evaluate)
        """``known[child, leaves, purpose_evident]`` is ``evaluate`` as one dict lookup."""

    def evaluate(
        self, *, child: bool, leaves: tuple[bool | None, ...], purpose_evident: bool
    ) -> ScenarioOutcome:
        return self.known[child, leaves, purpose_evident]

    def _evaluate(
        self, child: bool, leaves: tuple[bool | None, ...], purpose_evident: bool
    ) -> ScenarioOutcome:
        full = self._full
        tables = [
            projection if value is None else (full if value else 0)
            for projection, value in zip(self._projections, leaves, strict=True)
        ]
        recruitment = _union(tables[i] for i in self._recruitment)
        exploitation = _intersection((tables[i] for i in self._exploitation), full)
        destination = _union(tables[i] for i in self._destination)
        act = tables[self.act_leaf]
        means = palermo.means(recruitment, destination)
        purpose = palermo.purpose(exploitation, full if purpose_evident else 0)
        if child:
            ilo = child_rule(act, exploitation)
        else:
            ilo = combination_rule(recruitment, exploitation, destination)
        met = palermo.elements_met(act, means, purpose, child=child)
        trafficking = ilo | met
        affects: list[int] = []
        for leaf, value in enumerate(leaves):
            changed = 0
            if value is None:
                if self._depends(ilo, leaf):
                    changed |= ILO
                if self._depends(met, leaf):
                    changed |= PALERMO
                if self._depends(trafficking, leaf):
                    changed |= TRAFFICKING
            affects.append(changed)
        return ScenarioOutcome(
            ilo=self._value(ilo),
            palermo=self._value(met),
            trafficking=self._value(trafficking),
            recruitment=self._value(recruitment),
            exploitation=self._value(exploitation),
            destination=self._value(destination),
            means=self._value(means),
            purpose=self._value(purpose),
            affects=tuple(affects),
            changing_dimensions=tuple(
                (leaf, changed) for leaf, changed in enumerate(affects[: self.act_leaf]) if changed
            ),
        )

    def _value(self, table: int) -> bool | None:
        if table == self._full:
            return True
        return False if table == 0 else None

    def _depends(self, table: int, leaf: int) -> bool:
        """Whether the outcome differs between the leaf true and false for some other leaves."""
        projection = self._projections[leaf]
        when_true = (table & projection) >> (1 << leaf)
        when_false = table & (self._full ^ projection)
        return when_true != when_false


_OutcomeKey = tuple[bool, tuple[bool | None, ...], bool]


class _KnownOutcomes(dict[_OutcomeKey, ScenarioOutcome]):
    """Outcomes by (child, leaves, purpose evident), each worked out on its first lookup (the
    leaves are three-valued and few, so there are few keys)."""

    def __init__(
        self, evaluate: Callable[[bool, tuple[bool | None, ...], bool], ScenarioOutcome]
    ) -> None:
        super().__init__()
        self._evaluate = evaluate

    def __missing__(self, key: _OutcomeKey) -> ScenarioOutcome:
        outcome = self[key] = self._evaluate(*key)
        return outcome


def _union(tables: Iterable[int]) -> int:
    result = 0
    for table in tables:
        result |= table
    return result


def _intersection(tables: Iterable[int], full: int) -> int:
    result = full
    for table in tables:
        result &= table
    return result
