"""What keeps the case pages fast at a million cases must not change what they show: the
exploitation filter (the case's own array on PostgreSQL, the mirror rows on SQLite) combined
with the others, the choice lists written in Python, and the queries of the busiest pages."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from tests.integration.test_cases_support import Team, actor_for, make_team, open_case
from tests.integration.test_cases_views_support import World, make_world, sign_in, text
from waypoint.accounts.models import Organisation, User
from waypoint.cases import page_data, selectors, services
from waypoint.cases.models import Case
from waypoint.cases.vocabularies import ControlMethod
from waypoint.cases.widgets import LongCheckboxSelectMultiple, LongSelect, LongSelectMultiple

TODAY = date(2026, 11, 30)
DUE_SOON = date(2026, 9, 10)  # a presumed victim's certificate issued then is due soon on TODAY
NOT_DUE_YET = date(2026, 11, 20)


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


def details(case: Case, user: User, **fields: Any) -> Case:
    return services.update_case_details(
        actor_for(user), user, case, expected_version=case.version, **fields
    )


def found(user: User, **filters: Any) -> set[str]:
    return {row.code for row in selectors.case_list(user, today=TODAY, **filters).items}


def test_the_exploitation_filter_finds_any_of_a_cases_types_with_the_other_filters(
    team: Team,
) -> None:
    worker, supervisor = team.case_worker, team.supervisor
    both = details(
        open_case(worker),
        worker,
        exploitation_types=["ForcedLabour", "Servitude"],
        presumption_certificate_issued_on=DUE_SOON,
    )
    labour = details(
        open_case(worker),
        worker,
        exploitation_types=["ForcedLabour"],
        presumption_certificate_issued_on=DUE_SOON,
    )
    later = details(
        open_case(worker),
        worker,
        exploitation_types=["Servitude"],
        presumption_certificate_issued_on=NOT_DUE_YET,
    )
    presumed = details(
        open_case(worker),
        worker,
        exploitation_types=["Servitude"],
        presumption_certificate_issued_on=DUE_SOON,
    )
    services.change_status(
        actor_for(worker),
        worker,
        presumed,
        to_status="presumed_victim",
        reason="",
        expected_version=presumed.version,
    )

    assert found(supervisor, exploitation_type="Servitude") == {
        both.code,
        later.code,
        presumed.code,
    }
    assert found(supervisor, exploitation_type="ForcedLabour", deadline="due_soon") == {
        both.code,
        labour.code,
    }
    assert found(
        supervisor, exploitation_type="Servitude", deadline="due_soon", status="screening"
    ) == {both.code}
    assert found(
        supervisor, exploitation_type="Servitude", deadline="due_soon", status="presumed_victim"
    ) == {presumed.code}
    assert found(worker, exploitation_type="Servitude", deadline="due_soon", owner=worker.pk) == {
        both.code,
        presumed.code,
    }
    assert found(supervisor, exploitation_type="ChildLabour") == set()

    details(both, worker, exploitation_types=["ForcedLabour"])
    assert found(supervisor, exploitation_type="Servitude") == {later.code, presumed.code}


# ---- choice lists -----------------------------------------------------------------------------

CHOICES: dict[str, Callable[[], list[Any]]] = {
    "countries": lambda: [("", gettext_lazy("Not known")), *page_data.country_choices()],
    "vocabulary": lambda: ControlMethod.choices,
    "groups and escaping": lambda: [
        ("g<1>", [("a", "A & B"), ("b", mark_safe("<b>B</b>"))]),
        ("c", 'C "q"'),
        (None, "-"),
    ],
    "numbers": lambda: [(1, "one"), (2, "two")],
}
VALUES = ["PL", ["PL", "UA"], ["a", "c"], [2], None, "", [ControlMethod.choices[3][0]]]
ATTRS = [
    {},
    {"id": "id_f", "size": 6, "class": "wide"},
    {"id": "id_f", "aria-describedby": 'help "f"', "required": False, "disabled": True},
]


@pytest.mark.parametrize(
    ("django_widget", "widget"),
    [
        (forms.Select, LongSelect),
        (forms.SelectMultiple, LongSelectMultiple),
        (forms.CheckboxSelectMultiple, LongCheckboxSelectMultiple),
    ],
)
@pytest.mark.parametrize("choice_list", CHOICES)
def test_long_choice_lists_are_written_exactly_as_django_writes_them(
    django_widget: type[forms.widgets.ChoiceWidget],
    widget: type[forms.widgets.ChoiceWidget],
    choice_list: str,
) -> None:
    choices = CHOICES[choice_list]()
    for value in VALUES:
        for attrs in ATTRS:
            expected = django_widget(attrs=dict(attrs), choices=choices).render(
                "f", value, attrs={"aria-invalid": "true"}
            )
            written = widget(attrs=dict(attrs), choices=choices).render(
                "f", value, attrs={"aria-invalid": "true"}
            )
            assert written == expected, (value, attrs)


# ---- queries of the busiest pages --------------------------------------------------------------


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    return make_world(alpha, beta, make_user)


def test_the_filtered_list_and_both_due_pages_take_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    worker, supervisor = world.alpha.case_worker, world.alpha.supervisor
    soon = date.today() + timedelta(days=3)
    for index in range(30):
        case = open_case(worker, supervisor=supervisor)
        details(case, worker, exploitation_types=["SexualExploitation"])
        services.add_support_item(
            actor_for(worker), worker, case, kind="Legal", due_on=soon + timedelta(days=index % 3)
        )
    as_worker, as_supervisor = sign_in(worker), sign_in(supervisor)
    filtered = "/cases/?status=screening&exploitation_type=SexualExploitation&deadline=due_soon"
    with django_assert_max_num_queries(9):
        response = as_supervisor.get(filtered)
    assert "30 cases" in text(response.content)
    with django_assert_max_num_queries(10):
        response = as_worker.get("/due/")
    assert text(response.content).count("Due soon</span>") == 30
    with django_assert_max_num_queries(10):
        response = as_supervisor.get("/due/?scope=organisation")
    assert text(response.content).count("Due soon</span>") == 30
