from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waypoint.domain.deadlines.dates import MonthEndRule, add_months, add_period, is_minor_on

LAST = MonthEndRule.LAST_DAY_OF_MONTH
NEXT = MonthEndRule.FIRST_DAY_OF_NEXT_MONTH


@pytest.mark.parametrize(
    ("start", "months", "rule", "expected"),
    [
        (date(2025, 1, 15), 3, LAST, date(2025, 4, 15)),
        (date(2025, 11, 30), 3, LAST, date(2026, 2, 28)),
        (date(2023, 11, 30), 3, LAST, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, NEXT, date(2026, 3, 1)),
        (date(2023, 11, 30), 3, NEXT, date(2024, 3, 1)),
        (date(2025, 10, 31), 4, LAST, date(2026, 2, 28)),
        (date(2025, 1, 31), 1, LAST, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, LAST, date(2025, 4, 30)),
        (date(2025, 3, 31), 1, NEXT, date(2025, 5, 1)),
        (date(2025, 12, 15), 1, LAST, date(2026, 1, 15)),
        (date(2025, 2, 28), 12, LAST, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, LAST, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, LAST, date(2028, 2, 29)),
        (date(2025, 6, 1), 36, LAST, date(2028, 6, 1)),
        (date(2025, 6, 1), 0, LAST, date(2025, 6, 1)),
    ],
)
def test_add_months(start: date, months: int, rule: MonthEndRule, expected: date) -> None:
    assert add_months(start, months, rule) == expected


def test_a_period_in_days_ends_on_its_last_day() -> None:
    assert add_period(date(2025, 3, 1), months=0, days=30, rule=LAST) == date(2025, 3, 31)


def test_a_period_counts_months_then_days() -> None:
    assert add_period(date(2025, 1, 31), months=1, days=1, rule=LAST) == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("birth", "on", "rule", "minor"),
    [
        (date(2008, 1, 15), date(2026, 1, 14), LAST, True),
        (date(2008, 1, 15), date(2026, 1, 15), LAST, False),
        (date(2008, 2, 29), date(2026, 2, 27), LAST, True),
        (date(2008, 2, 29), date(2026, 2, 28), LAST, False),
        (date(2008, 2, 29), date(2026, 2, 28), NEXT, True),
        (date(2008, 2, 29), date(2026, 3, 1), NEXT, False),
    ],
)
def test_coming_of_age(birth: date, on: date, rule: MonthEndRule, minor: bool) -> None:
    assert is_minor_on(birth, on, rule) is minor


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@given(start=days, months=st.integers(0, 60), rule=st.sampled_from(MonthEndRule))
def test_add_months_lands_in_the_right_month(start: date, months: int, rule: MonthEndRule) -> None:
    end = add_months(start, months, rule)
    month_index = start.year * 12 + start.month - 1 + months
    if end.day == start.day:
        assert end.year * 12 + end.month - 1 == month_index
    elif rule == LAST:
        assert end.year * 12 + end.month - 1 == month_index
        assert (end + timedelta(days=1)).day == 1
    else:
        assert end.day == 1
        assert end.year * 12 + end.month - 1 == month_index + 1


@given(start=days, months=st.integers(0, 60), rule=st.sampled_from(MonthEndRule))
def test_add_months_never_goes_backwards(start: date, months: int, rule: MonthEndRule) -> None:
    assert add_months(start, months, rule) <= add_months(start, months + 1, rule)
