"""The reintegration plan's money, monitoring scores and their flags, encryption and erasure."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from tests.integration.test_returns_support import (
    ALL_GOOD_ANSWERS,
    WORSE_ANSWERS,
    actor_for,
    days_ago,
    events,
    make_case,
    start,
    verified,
    walk_to,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import AccessDenied
from waypoint.people import services as people_services
from waypoint.returns import selectors, services
from waypoint.returns.models import (
    AssistanceItem,
    CounsellingSession,
    Declaration,
    MonitoringVisit,
    Return,
    RiskAssessment,
    TravelPlan,
)


@pytest.fixture
def worker(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.CASE_WORKER))


@pytest.fixture
def supervisor(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.SUPERVISOR))


@pytest.fixture
def arrived(worker: User, supervisor: User) -> Return:
    return walk_to("arrived", worker, supervisor, start(worker, make_case(worker, supervisor)))


def add_item(worker: User, return_: Return, **changes: str) -> AssistanceItem:
    values = {
        "kind": "vocational_training",
        "dimension": "economic",
        "level": "individual",
        "budget": "800.00",
        "currency": "EUR",
        "status": "approved",
    }
    values.update(changes)
    return services.add_assistance_item(
        actor_for(worker), worker, return_, details=services.AssistanceDetails(**values)
    )


def visit(worker: User, return_: Return, answers: dict[str, str], days: int) -> MonitoringVisit:
    return services.record_monitoring_visit(
        actor_for(worker),
        worker,
        return_,
        visited_on=days_ago(days),
        mode="in_person",
        answers=answers,
        notes="She opened a small tailoring shop.",
    )


def test_budgets_are_totalled_per_currency_and_never_added_across_them(
    arrived: Return, worker: User
) -> None:
    grant = add_item(worker, arrived, kind="business_start_up_grant", budget="1500.00")
    add_item(worker, arrived, kind="school_fees", dimension="social", budget="250.50")
    fees = add_item(worker, arrived, kind="housing_support", budget="9000", currency="UAH")
    cancelled = add_item(worker, arrived, kind="medical_care", budget="400", currency="USD")
    services.record_disbursement(
        actor_for(worker), worker, grant, amount="500", paid_on=days_ago(2)
    )
    services.record_disbursement(
        actor_for(worker), worker, fees, amount="3000", paid_on=days_ago(1)
    )
    services.record_disbursement(
        actor_for(worker), worker, cancelled, amount="100.00", paid_on=days_ago(1)
    )
    services.update_assistance_status(actor_for(worker), worker, cancelled, status="cancelled")
    totals = {
        total.currency: (total.budget, total.disbursed, total.remaining)
        for total in selectors.budget_totals(selectors.assistance_items_of(arrived))
    }
    assert totals == {
        "EUR": (Decimal("1750.50"), Decimal("500.00"), Decimal("1250.50")),
        "UAH": (Decimal("9000.00"), Decimal("3000.00"), Decimal("6000.00")),
        "USD": (Decimal("100.00"), Decimal("100.00"), Decimal("0.00")),
    }


def test_a_payment_stays_within_the_budget_of_an_approved_item(
    arrived: Return, worker: User
) -> None:
    item = add_item(worker, arrived, budget="300.00")
    services.record_disbursement(actor_for(worker), worker, item, amount="200", paid_on=days_ago(1))
    with pytest.raises(services.ReturnRuleError, match=r"100\.00 EUR"):
        services.record_disbursement(
            actor_for(worker), worker, item, amount="100.01", paid_on=days_ago(1)
        )
    planned = add_item(worker, arrived, status="planned")
    with pytest.raises(services.ReturnRuleError, match="approved"):
        services.record_disbursement(
            actor_for(worker), worker, planned, amount="1", paid_on=days_ago(1)
        )
    with pytest.raises(services.ReturnInputError) as refused:
        services.record_disbursement(
            actor_for(worker), worker, item, amount="0.001", paid_on=days_ago(-1)
        )
    assert set(refused.value.errors) == {"amount", "paid_on"}
    assert item.disbursements.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", "EURO"), ("currency", "XAU"), ("budget", "-5"), ("budget", "12.345"),
     ("budget", "lots"), ("kind", "lottery_ticket"), ("dimension", "spiritual"),
     ("level", "global")],
)  # fmt: skip
def test_an_assistance_item_with_a_wrong_value_is_refused_whole(
    arrived: Return, worker: User, field: str, value: str
) -> None:
    with pytest.raises(services.ReturnInputError) as refused:
        add_item(worker, arrived, **{field: value})
    assert list(refused.value.errors) == [field]
    assert not AssistanceItem.objects.exists()


def test_monitoring_scores_each_visit_and_flags_a_falling_score(
    arrived: Return, worker: User
) -> None:
    first = visit(worker, arrived, ALL_GOOD_ANSWERS, 20)
    assert first.provisional is True
    assert first.label_id == "high"
    assert first.composite == pytest.approx(1.0, abs=0.05)
    assert Return.objects.get(pk=arrived.pk).needs_attention_since is None

    visit(worker, arrived, WORSE_ANSWERS, 10)
    flagged = Return.objects.get(pk=arrived.pk)
    assert flagged.needs_attention_since is not None
    assert flagged.attention_reasons == ["composite_fell", "dimension_fell"]
    [flag] = events("return.attention.flag")
    assert flag.details["reasons"] == ["composite_fell", "dimension_fell"]

    history = selectors.score_history(selectors.visits_of(flagged), chart_id="chart")
    assert history.provisional
    assert [visit.number for visit in history.visits] == [1, 2]
    assert history.visits[1].flags == (
        "Economic fell from 0.95 to 0.07",
        "Overall score fell from 0.98 to 0.69",
    )
    assert history.chart is not None
    assert "<svg" in history.chart


def test_a_re_trafficking_answer_puts_the_return_on_the_due_list_until_reviewed(
    arrived: Return, worker: User, supervisor: User, alpha: Organisation,
    make_user: Callable[..., User],
) -> None:  # fmt: skip
    assert selectors.returns_needing_attention(worker) == []
    visit(worker, arrived, {**ALL_GOOD_ANSWERS, "wish_to_migrate_again": "yes_at_any_cost"}, 5)
    [item] = selectors.returns_needing_attention(worker)
    assert (item.return_id, item.case_id, item.reasons) == (
        arrived.pk,
        arrived.case_id,
        ("re_trafficking_risk",),
    )
    assert [item.return_id for item in selectors.returns_needing_attention(supervisor)] == [
        arrived.pk
    ]
    colleague = verified(make_user(alpha, Role.CASE_WORKER, username="colleague"))
    assert selectors.returns_needing_attention(colleague) == []

    services.acknowledge_attention(actor_for(worker), worker, arrived)
    assert selectors.returns_needing_attention(worker) == []
    [acknowledged] = events("return.attention.acknowledge")
    assert acknowledged.details["reasons"] == ["re_trafficking_risk"]
    with pytest.raises(services.ReturnRuleError):
        services.acknowledge_attention(actor_for(worker), worker, arrived)


def test_monitoring_answers_are_checked_and_visits_wait_for_arrival(
    worker: User, supervisor: User, arrived: Return
) -> None:
    with pytest.raises(services.ReturnInputError) as refused:
        services.record_monitoring_visit(
            actor_for(worker),
            worker,
            arrived,
            visited_on=days_ago(1),
            mode="telepathy",
            answers={"debt": "no_idea", "favourite_colour": "blue"},
        )
    assert set(refused.value.errors) == {"mode", "answers.debt", "answers.favourite_colour"}
    with pytest.raises(services.ReturnInputError, match="arrival"):
        visit(worker, arrived, ALL_GOOD_ANSWERS, 200)
    earlier = start(worker, make_case(worker, supervisor, given_names="Ivanna"))
    with pytest.raises(services.ReturnRuleError, match="after arrival"):
        visit(worker, earlier, ALL_GOOD_ANSWERS, 1)
    assert not MonitoringVisit.objects.exists()
    assert not events("return.monitoring.record")


def test_what_describes_the_person_is_encrypted_at_rest_and_kept_out_of_the_audit_trail(
    arrived: Return, worker: User
) -> None:
    visit(worker, arrived, ALL_GOOD_ANSWERS, 5)
    secrets = ("talked through", "recruiter lives", "Lviv", "tailoring", "Kovalenko")
    tables = [
        (CounsellingSession, "notes"),
        (RiskAssessment, "details"),
        (TravelPlan, "itinerary"),
        (Declaration, "content"),
        (MonitoringVisit, "answers"),
        (MonitoringVisit, "notes"),
    ]
    with connection.cursor() as cursor:
        for model, column in tables:
            cursor.execute(f"SELECT {column} FROM {model._meta.db_table}")
            stored = " ".join(str(row[0]) for row in cursor.fetchall())
            assert stored
            for secret in secrets:
                assert secret.casefold() not in stored.casefold(), (model, column)
    audit_text = " ".join(
        str(event.details) for event in events("return.start") + events("return.counselling.record")
    )
    for secret in secrets:
        assert secret not in audit_text
    assert CounsellingSession.objects.get().notes.startswith("Talked through")


def test_erasing_the_person_empties_everything_encrypted_in_their_returns(
    arrived: Return, worker: User, supervisor: User
) -> None:
    visit(worker, arrived, ALL_GOOD_ANSWERS, 5)
    people_services.erase_person(
        actor_for(supervisor),
        supervisor,
        arrived.case.person,
        reason=people_services.ErasureReason.PERSON_REQUEST,
    )
    assert CounsellingSession.objects.get().notes is None
    assert Declaration.objects.get().content == {}
    assert RiskAssessment.objects.get().details == {}
    assert TravelPlan.objects.get().itinerary is None
    erased_visit = MonitoringVisit.objects.get()
    assert erased_visit.answers == {}
    assert erased_visit.composite is not None, "the scores stay for statistics"
    page = selectors.return_page(supervisor, arrived, today=timezone.localdate())
    assert page.history.visits[0].flags == ()


def test_only_the_assigned_case_worker_writes_to_a_return(
    arrived: Return, alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    colleague = verified(make_user(alpha, Role.CASE_WORKER, username="colleague"))
    stranger = verified(make_user(beta, Role.SUPERVISOR, username="stranger"))
    for user in (colleague, stranger):
        with pytest.raises(AccessDenied):
            visit(user, arrived, ALL_GOOD_ANSWERS, 1)
        with pytest.raises(AccessDenied):
            add_item(user, arrived)
    assert not MonitoringVisit.objects.exists()


def test_an_item_without_a_dimension_gets_the_one_its_kind_usually_serves(
    arrived: Return, worker: User
) -> None:
    fees = add_item(worker, arrived, kind="school_fees", dimension="")
    counselling = add_item(worker, arrived, kind="counselling", dimension="")
    assert (fees.dimension, counselling.dimension) == ("social", "psychosocial")
