"""Calendar arithmetic for legal periods.

A period in days starts the day after the event and ends at the end of its last day, so 30 days
from 1 March end on 31 March. A period in months ends on the day of the last month that has the
same number as the starting day: 15 January + 3 months = 15 April. When the last month has no
such day (30 November + 3 months: there is no 30 February) the jurisdiction's month-end rule
decides: ``last_day_of_month`` (28 or 29 February; Polish Civil Code Art. 112 and Code of
Administrative Procedure Art. 57 §3, EU Regulation 1182/71 Art. 3(2)(c)) or
``first_day_of_next_month`` (1 March). Which rule applies is data, not code.
"""

import calendar
from datetime import date, timedelta
from enum import StrEnum


class MonthEndRule(StrEnum):
    LAST_DAY_OF_MONTH = "last_day_of_month"
    FIRST_DAY_OF_NEXT_MONTH = "first_day_of_next_month"


def add_months(start: date, months: int, rule: MonthEndRule) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day <= last_day:
        return date(year, month, start.day)
    end_of_month = date(year, month, last_day)
    if rule == MonthEndRule.LAST_DAY_OF_MONTH:
        return end_of_month
    return end_of_month + timedelta(days=1)


def add_period(start: date, *, months: int, days: int, rule: MonthEndRule) -> date:
    """The last day of a period of ``months`` then ``days`` counted from ``start``."""
    return add_months(start, months, rule) + timedelta(days=days)


ADULT_AGE_YEARS = 18


def is_minor_on(birth_date: date, on: date, rule: MonthEndRule) -> bool:
    """Whether someone born on ``birth_date`` is under 18 on ``on``.

    The 18th birthday is found with the same month-end rule, so someone born on 29 February
    comes of age on 28 February or 1 March of a common year, as the jurisdiction counts it.
    """
    return on < add_months(birth_date, 12 * ADULT_AGE_YEARS, rule)
