"""Whether a set of records is k-anonymous over its quasi-identifiers.

Records are k-anonymous when every combination of quasi-identifier values that occurs is shared
by at least ``k`` records. A missing value is a value of its own (CTDC writes it as -99 or leaves
it empty), so a record without a quasi-identifier still has to hide among ``k`` others.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class KAnonymityCheck:
    k: int
    quasi_identifiers: tuple[str, ...]
    satisfied: bool
    smallest_group_size: int | None
    """``None`` when there are no records."""
    small_groups: tuple[tuple[tuple[Hashable, ...], int], ...]
    """Every combination shared by fewer than ``k`` records, with its size, smallest first."""


def k_anonymous(
    records: Iterable[Mapping[str, Hashable]], quasi_identifiers: Sequence[str], k: int
) -> KAnonymityCheck:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}.")
    if not quasi_identifiers:
        raise ValueError("At least one quasi-identifier is needed.")
    names = tuple(quasi_identifiers)
    groups = Counter(tuple(record.get(name) for name in names) for record in records)
    small = sorted(
        ((values, size) for values, size in groups.items() if size < k),
        key=lambda group: (group[1], repr(group[0])),
    )
    return KAnonymityCheck(
        k=k,
        quasi_identifiers=names,
        satisfied=not small,
        smallest_group_size=min(groups.values(), default=None),
        small_groups=tuple(small),
    )
