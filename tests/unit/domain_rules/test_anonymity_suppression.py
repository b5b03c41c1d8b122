from collections.abc import Hashable
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.domain.anonymity import (
    CTDC_K,
    PublishedCell,
    SuppressedTable,
    Suppression,
    suppress,
)

type Table = list[tuple[tuple[Hashable, ...], int]]


def by_key(cells: tuple[PublishedCell, ...]) -> dict[tuple[Hashable, ...], PublishedCell]:
    return {cell.key: cell for cell in cells}


def possible_values(table: Table, published: SuppressedTable) -> dict[str, set[int]]:
    """For every withheld value, the values it takes in tables that agree with what is published.

    A brute-force reader: every withheld cell is tried at its true count and one either side, the
    totals are recomputed, and tables that contradict a published total are discarded. A value
    with two or more possibilities cannot be worked out.
    """
    true = dict(table)
    two_way = len(next(iter(true))) == 2
    cells = [cell.key for cell in published.cells]
    withheld = [key for key in cells if by_key(published.cells)[key].count is None]
    fixed = {cell.key: cell.count for cell in published.cells if cell.count is not None}
    totals = [*published.row_totals, *published.column_totals]
    seen: dict[str, set[int]] = {f"cell {key}": set() for key in withheld}
    seen.update(
        {
            f"total {total.key} {index}": set()
            for index, total in enumerate(totals)
            if total.count is None
        }
    )
    if published.grand_total.count is None:
        seen["grand"] = set()
    choices = [range(max(0, true.get(key, 0) - 1), true.get(key, 0) + 2) for key in withheld]
    for combination in product(*choices):
        values = dict(fixed) | dict(zip(withheld, combination, strict=True))
        computed = []
        if two_way:
            for total in published.row_totals:
                computed.append(sum(v for k, v in values.items() if k[0] == total.key[0]))
            for total in published.column_totals:
                computed.append(sum(v for k, v in values.items() if k[1] == total.key[0]))
        grand = sum(values.values())
        consistent = all(
            total.count is None or total.count == value
            for total, value in zip(totals, computed, strict=True)
        ) and (published.grand_total.count in (None, grand))
        if not consistent:
            continue
        for key in withheld:
            seen[f"cell {key}"].add(values[key])
        for index, (total, value) in enumerate(zip(totals, computed, strict=True)):
            if total.count is None:
                seen[f"total {total.key} {index}"].add(value)
        if published.grand_total.count is None:
            seen["grand"].add(grand)
    return seen


def assert_safe(table: Table, k: int) -> SuppressedTable:
    published = suppress(table, k)
    for cell in published.all_published():
        assert cell.count is None or cell.count >= k, cell
        assert (cell.count is None) == (cell.suppression is not None)
    exposed = {
        name: values
        for name, values in possible_values(table, published).items()
        if len(values) < 2
    }
    assert not exposed, f"withheld values can be worked out: {exposed}"
    return published


def test_ctdc_threshold() -> None:
    assert CTDC_K == 11


def test_one_way_table_hides_a_second_cell_next_to_a_small_one() -> None:
    table: Table = [(("UA",), 3), (("VN",), 30), (("NG",), 40)]
    published = assert_safe(table, 11)
    assert [cell.count for cell in published.cells] == [None, None, 40]
    assert [cell.suppression for cell in published.cells] == [
        Suppression.PRIMARY,
        Suppression.COMPLEMENTARY,
        None,
    ]
    assert published.grand_total == PublishedCell((), 73, None)
    assert published.row_totals == published.column_totals == ()


def test_one_way_table_without_small_cells_is_published_whole() -> None:
    published = assert_safe([(("a",), 11), (("b",), 12)], 11)
    assert [cell.count for cell in published.cells] == [11, 12]
    assert published.grand_total.count == 23


def test_a_single_small_cell_withholds_the_grand_total_too() -> None:
    published = assert_safe([(("a",), 3)], 11)
    assert published.cells[0].suppression == Suppression.PRIMARY
    assert published.grand_total.suppression == Suppression.PRIMARY


def test_two_way_table_suppresses_the_cheapest_rectangle() -> None:
    table: Table = [
        (("PL", "F"), 20),
        (("PL", "M"), 3),
        (("UA", "F"), 15),
        (("UA", "M"), 30),
        (("VN", "F"), 12),
        (("VN", "M"), 40),
    ]
    published = assert_safe(table, 11)
    cells = by_key(published.cells)
    assert cells[("PL", "M")].suppression == Suppression.PRIMARY
    complementary = {
        key for key, cell in cells.items() if cell.suppression == Suppression.COMPLEMENTARY
    }
    # UA (15 + 30) is a cheaper partner than VN (12 + 40).
    assert complementary == {("PL", "F"), ("UA", "F"), ("UA", "M")}
    assert [total.count for total in published.row_totals] == [23, 45, 52]
    assert [total.key for total in published.column_totals] == [("F",), ("M",)]
    assert published.grand_total.count == 120


def test_missing_combinations_are_zero_cells() -> None:
    table: Table = [(("PL", "F"), 20), (("UA", "M"), 30), (("UA", "F"), 25), (("PL", "M"), 40)]
    published = assert_safe(table[:3], 11)
    assert by_key(published.cells)[("PL", "M")] == PublishedCell(
        ("PL", "M"), None, Suppression.PRIMARY
    )


def test_small_totals_are_withheld() -> None:
    table: Table = [(("a", "x"), 2), (("a", "y"), 3), (("b", "x"), 50), (("b", "y"), 60)]
    published = assert_safe(table, 11)
    assert published.row_totals[0].suppression == Suppression.PRIMARY
    # Published, row b's total would give row a's away: 115 - 110 = 5.
    assert published.row_totals[1].suppression == Suppression.COMPLEMENTARY
    assert [total.count for total in published.column_totals] == [52, 63]
    assert published.grand_total.count == 115


def test_a_zero_column_is_protected_through_the_totals() -> None:
    table: Table = [(("a", "x"), 0), (("a", "y"), 5), (("b", "x"), 0), (("b", "y"), 5)]
    published = assert_safe(table, 1)
    assert published.column_totals[0].suppression == Suppression.PRIMARY


def test_a_single_row_two_way_table() -> None:
    assert_safe([(("a", "x"), 2), (("a", "y"), 30), (("a", "z"), 40)], 11)


def test_larger_table_keeps_big_cells() -> None:
    table: Table = [
        ((row, column), 100 + row * 10 + column) for row in range(4) for column in range(4)
    ]
    table[5] = ((1, 1), 4)
    published = suppress(table, 11)
    assert sum(cell.count is None for cell in published.cells) == 4
    assert all(total.count is not None for total in published.row_totals)


@pytest.mark.parametrize(
    ("table", "k", "message"),
    [
        ([], 11, "no rows"),
        ([(("a",), 1), (("a", "b"), 2)], 11, "same number of components"),
        ([(("a", "b", "c"), 1)], 11, "1 or 2"),
        ([(("a",), -1)], 11, "whole number >= 0"),
        ([(("a",), True)], 11, "whole number >= 0"),
        ([(("a",), 1.5)], 11, "whole number >= 0"),
        ([(("a",), 1), (("a",), 2)], 11, "more than once"),
        ([(("a",), 1)], 0, "at least 1"),
        ([(("a",), 1)], True, "at least 1"),
    ],
)
def test_invalid_input(table: Table, k: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(table, k)


counts = st.one_of(st.integers(0, 4), st.integers(5, 40))


@st.composite
def two_way_tables(draw: st.DrawFn) -> Table:
    rows = draw(st.integers(1, 3))
    columns = draw(st.integers(1, 3))
    return [
        ((f"r{row}", f"c{column}"), draw(counts))
        for row in range(rows)
        for column in range(columns)
    ]


@st.composite
def one_way_tables(draw: st.DrawFn) -> Table:
    size = draw(st.integers(1, 6))
    return [((f"g{index}",), draw(counts)) for index in range(size)]


@settings(max_examples=60, deadline=None)
@given(table=two_way_tables(), k=st.integers(1, 15))
def test_two_way_suppression_never_reveals_a_withheld_value(table: Table, k: int) -> None:
    assert_safe(table, k)


@settings(max_examples=100, deadline=None)
@given(table=one_way_tables(), k=st.integers(1, 15))
def test_one_way_suppression_never_reveals_a_withheld_value(table: Table, k: int) -> None:
    assert_safe(table, k)


@given(table=two_way_tables(), k=st.integers(1, 15))
def test_suppression_keeps_every_published_count_true(table: Table, k: int) -> None:
    published = suppress(table, k)
    true = dict(table)
    for cell in published.cells:
        if cell.count is not None:
            assert cell.count == true[cell.key]
    if published.grand_total.count is not None:
        assert published.grand_total.count == sum(true.values())


def test_the_brute_force_reader_works_out_a_lone_withheld_cell() -> None:
    table: Table = [(("a",), 3), (("b",), 30)]
    primary_only = SuppressedTable(
        k=11,
        cells=(PublishedCell(("a",), None, Suppression.PRIMARY), PublishedCell(("b",), 30, None)),
        row_totals=(),
        column_totals=(),
        grand_total=PublishedCell((), 33, None),
    )
    assert possible_values(table, primary_only) == {"cell ('a',)": {3}}
