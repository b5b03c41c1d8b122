"""Small-cell suppression of a one- or two-way table of counts before it is published.

A table is a sequence of ``(group key, count)`` rows. Every key has one component (a list of
categories) or two (a row category and a column category); a two-way table is completed with zero
cells for the combinations it does not list. The table is published with its totals: the grand
total and, for a two-way table, every row and column total.

1. **Primary suppression**: every cell and every total below ``k`` is withheld (a total is a group
   of people too).
2. **Complementary suppression**: while some withheld value could be worked out exactly from what
   is published (cells, totals, and the fact that counts are never negative), more values are
   withheld: the cheapest rectangle of cells (fewest totals, then the smallest sum of counts)
   that hides the exposed value. One always exists: the rectangle through the exposed value's
   row total, column total and the grand total lets it rise, so at worst totals are withheld.

Guarantee: for every withheld value there is another table of non-negative whole counts that
agrees with everything published and differs in that value. Not guaranteed: how wide the range
of possible values is (a reader may learn that a withheld count is one of a few values).

How exposure is decided: write the table with its totals as an extended grid whose every line sums
to zero (cells and the grand total positive, row and column totals negated). The published values
are fixed; the withheld ones can only move together along a cycle of withheld positions that
alternately rises and falls in each line it crosses, and a count can fall only if it is above zero.
A withheld value is safe exactly when such a feasible cycle passes through it, which is a path
search in a directed graph whose nodes are the grid's lines.
"""

from collections import deque
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

CTDC_K = 11
"""The threshold of the Counter Trafficking Data Collaborative's k-anonymised global dataset."""

type GroupKey = tuple[Hashable, ...]
type _Position = tuple[int, int]
type _Node = tuple[str, int]


class Suppression(StrEnum):
    PRIMARY = "primary"
    COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class PublishedCell:
    """A cell or a total as published: ``count`` is ``None`` when it is withheld.

    A row total's key is ``(row,)``, a column total's ``(column,)``, the grand total's ``()``.
    """

    key: GroupKey
    count: int | None
    suppression: Suppression | None


@dataclass(frozen=True)
class SuppressedTable:
    k: int
    cells: tuple[PublishedCell, ...]
    row_totals: tuple[PublishedCell, ...]
    column_totals: tuple[PublishedCell, ...]
    grand_total: PublishedCell

    def all_published(self) -> Iterator[PublishedCell]:
        yield from self.cells
        yield from self.row_totals
        yield from self.column_totals
        yield self.grand_total


@dataclass(frozen=True)
class _Grid:
    """The table with its totals; index ``n_rows`` / ``n_columns`` is the line of totals.

    ``hidden`` holds positions never published: a one-way table is one row whose column totals
    are its cells and whose row total is the grand total.
    """

    row_keys: tuple[Hashable, ...]
    column_keys: tuple[Hashable, ...]
    values: dict[_Position, int]
    hidden: frozenset[_Position]
    two_way: bool

    @property
    def n_rows(self) -> int:
        return len(self.row_keys)

    @property
    def n_columns(self) -> int:
        return len(self.column_keys)

    def is_total(self, position: _Position) -> bool:
        return position[0] == self.n_rows or position[1] == self.n_columns

    def is_line_total(self, position: _Position) -> bool:
        return (position[0] == self.n_rows) != (position[1] == self.n_columns)

    def can_rise(self, position: _Position) -> bool:
        # Row and column totals enter the grid negated: their entry rises when the count falls.
        return not self.is_line_total(position) or self.values[position] > 0

    def can_fall(self, position: _Position) -> bool:
        return self.is_line_total(position) or self.values[position] > 0

    def key(self, position: _Position) -> GroupKey:
        row, column = position
        parts: list[Hashable] = []
        if self.two_way and row < self.n_rows:
            parts.append(self.row_keys[row])
        if column < self.n_columns:
            parts.append(self.column_keys[column])
        return tuple(parts)


def suppress(table: Iterable[tuple[GroupKey, int]], k: int) -> SuppressedTable:
    """Withhold every cell and total below ``k``, and enough others that none can be worked out."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}.")
    grid = _build_grid(list(table))
    published = [position for position in grid.values if position not in grid.hidden]
    primary = {position for position in published if grid.values[position] < k}
    withheld = primary | grid.hidden
    while (exposed := _first_exposed(grid, withheld)) is not None:
        withheld |= _cover(grid, withheld, exposed)

    def publish(position: _Position) -> PublishedCell:
        if position not in withheld:
            return PublishedCell(grid.key(position), grid.values[position], None)
        reason = Suppression.PRIMARY if position in primary else Suppression.COMPLEMENTARY
        return PublishedCell(grid.key(position), None, reason)

    cells = tuple(
        publish((row, column)) for row in range(grid.n_rows) for column in range(grid.n_columns)
    )
    if grid.two_way:
        row_totals = tuple(publish((row, grid.n_columns)) for row in range(grid.n_rows))
        column_totals = tuple(publish((grid.n_rows, column)) for column in range(grid.n_columns))
    else:
        row_totals = column_totals = ()
    return SuppressedTable(
        k=k,
        cells=cells,
        row_totals=row_totals,
        column_totals=column_totals,
        grand_total=publish((grid.n_rows, grid.n_columns)),
    )


def _build_grid(rows: list[tuple[GroupKey, int]]) -> _Grid:
    if not rows:
        raise ValueError("The table has no rows.")
    widths = {len(key) for key, _ in rows}
    if len(widths) != 1 or not widths <= {1, 2}:
        raise ValueError(
            "Every group key must have the same number of components, 1 or 2; "
            f"found {sorted(widths)}."
        )
    counts: dict[GroupKey, int] = {}
    for key, count in rows:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"The count of {key!r} must be a whole number >= 0, not {count!r}.")
        if key in counts:
            raise ValueError(f"The group {key!r} appears more than once.")
        counts[key] = count
    two_way = widths == {2}
    if two_way:
        row_keys = tuple(dict.fromkeys(key[0] for key in counts))
        column_keys = tuple(dict.fromkeys(key[1] for key in counts))
        interior = {
            (row, column): counts.get((row_key, column_key), 0)
            for row, row_key in enumerate(row_keys)
            for column, column_key in enumerate(column_keys)
        }
    else:
        row_keys = ((),)
        column_keys = tuple(key[0] for key in counts)
        interior = {(0, column): count for column, count in enumerate(counts.values())}
    n_rows, n_columns = len(row_keys), len(column_keys)
    values = dict(interior)
    for row in range(n_rows):
        values[(row, n_columns)] = sum(interior[(row, column)] for column in range(n_columns))
    for column in range(n_columns):
        values[(n_rows, column)] = sum(interior[(row, column)] for row in range(n_rows))
    values[(n_rows, n_columns)] = sum(interior.values())
    hidden: frozenset[_Position] = (
        frozenset()
        if two_way
        else frozenset({(0, n_columns)} | {(n_rows, column) for column in range(n_columns)})
    )
    return _Grid(row_keys, column_keys, values, hidden, two_way)


def _first_exposed(grid: _Grid, withheld: set[_Position]) -> _Position | None:
    for position in sorted(withheld - grid.hidden):
        if not _can_change(grid, withheld, position):
            return position
    return None


def _can_change(grid: _Grid, withheld: set[_Position], target: _Position) -> bool:
    """Whether some feasible cycle of withheld positions passes through ``target``."""
    row, column = target
    others = withheld - {target}
    if grid.can_rise(target) and _has_path(grid, others, ("column", column), ("row", row)):
        return True
    return grid.can_fall(target) and _has_path(grid, others, ("row", row), ("column", column))


def _has_path(grid: _Grid, withheld: set[_Position], start: _Node, goal: _Node) -> bool:
    # A rising entry leads from its row to its column, a falling one from its column to its row.
    successors: dict[_Node, list[_Node]] = {}
    for row, column in withheld:
        if grid.can_rise((row, column)):
            successors.setdefault(("row", row), []).append(("column", column))
        if grid.can_fall((row, column)):
            successors.setdefault(("column", column), []).append(("row", row))
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for successor in successors.get(node, ()):
            if successor not in seen:
                seen.add(successor)
                queue.append(successor)
    return False


def _cover(grid: _Grid, withheld: set[_Position], exposed: _Position) -> set[_Position]:
    """The cheapest set of further positions to withhold so that ``exposed`` is safe."""
    row, column = exposed
    candidates: list[tuple[tuple[int, int, int, _Position], set[_Position]]] = []
    for other_row in range(grid.n_rows + 1):
        for other_column in range(grid.n_columns + 1):
            if other_row == row or other_column == column:
                continue
            corners = {(row, other_column), (other_row, column), (other_row, other_column)}
            added = corners - withheld
            if added:
                cost = (
                    sum(grid.is_total(position) for position in added),
                    sum(grid.values[position] for position in added),
                    len(added),
                    (other_row, other_column),
                )
                candidates.append((cost, added))
    ordered = sorted(candidates, key=lambda candidate: candidate[0])
    return next(added for _, added in ordered if _can_change(grid, withheld | added, exposed))
