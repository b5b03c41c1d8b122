"""ILO/EC indicator rules: when a dimension is positive, and when dimensions add up to trafficking.

A dimension is positive (``True``) when its "yes" answers already meet the dimension rule,
negative (``False``) when even turning every unanswered indicator into "yes" could not meet it,
and undetermined (``None``) otherwise. The combination rules are plain boolean formulas over the
dimensions; ``next_questions.OutcomeModel`` evaluates them three-valued.
"""

from dataclasses import dataclass
from functools import cache

from waypoint.domain.screening.vocabulary import RuleClause, Strength

TIERS: tuple[Strength, ...] = ("strong", "medium", "weak")
TIER_INDEX: dict[Strength, int] = {tier: index for index, tier in enumerate(TIERS)}

Counts = tuple[int, int, int]


def rule_clause(strong: int, medium: int, weak: int) -> RuleClause | None:
    """The first clause of the dimension rule that these counts meet, if any."""
    if strong >= 2:
        return "two_strong"
    if strong >= 1 and medium + weak >= 1:
        return "strong_and_other"
    if medium >= 3:
        return "three_medium"
    if medium >= 2 and weak >= 1:
        return "two_medium_one_weak"
    return None


@dataclass(frozen=True, slots=True)
class DimensionOutcome:
    """What the answers so far say about one dimension.

    ``relevant_tiers``: bit set of the strengths (bit 0 strong, 1 medium, 2 weak) whose
    unanswered indicators could still flip the dimension in some completion of the other
    answers. ``decisive_tiers``: strengths for which one more "yes" alone makes it positive.
    """

    status: bool | None
    clause: RuleClause | None
    relevant_tiers: int
    decisive_tiers: int


# Tier counts are packed into one int, TIER_BITS per tier, so that one dimension's counts can
# be summed in C over many answers and used directly as a memo key.
TIER_BITS = 5
DIMENSION_BITS = 3 * TIER_BITS
_TIER_FIELD = (1 << TIER_BITS) - 1
DIMENSION_FIELD = (1 << DIMENSION_BITS) - 1


def tier_weight(tier: int) -> int:
    """What one indicator of this tier adds to a packed count."""
    return 1 << (tier * TIER_BITS)


def unpack(packed: int) -> Counts:
    return (
        packed & _TIER_FIELD,
        (packed >> TIER_BITS) & _TIER_FIELD,
        (packed >> (2 * TIER_BITS)) & _TIER_FIELD,
    )


class _KnownDimensions(dict[int, DimensionOutcome]):
    """Outcomes by ``yes << DIMENSION_BITS | unanswered`` (packed counts), each worked out on its
    first lookup (the key space is small: it is bounded by the sizes of the dimensions)."""

    def __missing__(self, key: int) -> DimensionOutcome:
        outcome = self[key] = evaluate_dimension(
            unpack(key >> DIMENSION_BITS), unpack(key & DIMENSION_FIELD)
        )
        return outcome


KNOWN_DIMENSIONS = _KnownDimensions()
"""``KNOWN_DIMENSIONS[key]`` is ``evaluate_packed`` as one dict lookup, for hot loops."""


def evaluate_packed(yes: int, unanswered: int) -> DimensionOutcome:
    """``evaluate_dimension`` on packed counts, memoised in KNOWN_DIMENSIONS."""
    return KNOWN_DIMENSIONS[yes << DIMENSION_BITS | unanswered]


def evaluate_dimension(yes: Counts, unanswered: Counts) -> DimensionOutcome:
    """Apply the dimension rule to the counts of "yes" and of unanswered indicators per tier."""
    # Counts above these caps change nothing in the rule (the unanswered ones keep one more, as a
    # flip is tested with one indicator set aside), so capping keeps the memo small.
    return _evaluate_capped(
        (min(yes[0], 2), min(yes[1], 3), min(yes[2], 1)),
        (min(unanswered[0], 3), min(unanswered[1], 4), min(unanswered[2], 2)),
    )


@cache
def _evaluate_capped(yes: Counts, unanswered: Counts) -> DimensionOutcome:
    clause = rule_clause(*yes)
    if clause is not None:
        return DimensionOutcome(True, clause, 0, 0)
    upper = (yes[0] + unanswered[0], yes[1] + unanswered[1], yes[2] + unanswered[2])
    if rule_clause(*upper) is None:
        return DimensionOutcome(False, None, 0, 0)
    relevant = sum(
        1 << tier for tier in range(3) if unanswered[tier] and _can_flip(yes, unanswered, tier)
    )
    decisive = sum(
        1 << tier
        for tier in range(3)
        if unanswered[tier] and rule_clause(*_plus_one(yes, tier)) is not None
    )
    return DimensionOutcome(None, None, relevant, decisive)


def _plus_one(counts: Counts, tier: int) -> Counts:
    return (counts[0] + (tier == 0), counts[1] + (tier == 1), counts[2] + (tier == 2))


def _can_flip(yes: Counts, unanswered: Counts, tier: int) -> bool:
    """Whether some answers to the other open indicators leave the rule unmet, yet met with one
    more "yes" of this tier."""
    others = (unanswered[0] - (tier == 0), unanswered[1] - (tier == 1), unanswered[2] - (tier == 2))
    for strong in range(yes[0], yes[0] + others[0] + 1):
        for medium in range(yes[1], yes[1] + others[1] + 1):
            for weak in range(yes[2], yes[2] + others[2] + 1):
                counts = (strong, medium, weak)
                if rule_clause(*counts) is None and rule_clause(*_plus_one(counts, tier)):
                    return True
    return False


def combination_rule[T: (bool, int)](recruitment: T, exploitation: T, destination: T) -> T:
    """Adults: (deceptive OR coercive recruitment OR recruitment by abuse of vulnerability) AND
    exploitative conditions AND (coercion OR abuse of vulnerability at destination).

    ``recruitment`` and ``destination`` are the OR of their dimensions. Works on booleans and on
    truth tables (ints used as bit sets), which is how the outcome model evaluates it.
    """
    return recruitment & exploitation & destination


def child_rule[T: (bool, int)](act: T, exploitation: T) -> T:
    """Children [unconfirmed wording; Palermo Art. 3(c)]: an act (recruitment, transportation,
    transfer, harbouring or receipt) AND positive exploitative conditions; no means."""
    return act & exploitation
