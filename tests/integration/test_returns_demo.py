"""`load_demo_returns` fills an organisation with fictional returns in every stage."""

from collections.abc import Callable

from django.utils import timezone

from tests.integration.test_returns_support import events
from waypoint.accounts.models import Organisation, Role, User
from waypoint.returns import selectors
from waypoint.returns.demo import load_demo_returns
from waypoint.returns.models import MonitoringVisit, Return
from waypoint.returns.vocabularies import Stage


def test_demo_returns_cover_every_stage_with_monitoring_histories(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    users = {role: make_user(alpha, role) for role in Role}
    today = timezone.localdate()
    added = load_demo_returns(alpha, users, today=today)

    assert added == Return.objects.filter(organisation=alpha).count()
    assert set(Return.objects.values_list("stage", flat=True)) == set(Stage.values)
    for record in Return.objects.filter(stage__in=["monitoring", "completed"]):
        assert MonitoringVisit.objects.filter(return_record=record).count() >= 2
    flagged = Return.objects.exclude(needs_attention_since=None)
    assert {tuple(record.attention_reasons) for record in flagged} == {
        ("composite_fell", "dimension_fell", "re_trafficking_risk"),
        ("composite_fell", "dimension_fell"),
    }
    blocked = [
        record
        for record in Return.objects.filter(stage="approved")
        if selectors.high_risk_unresolved(selectors.risk_assessments_of(record))
    ]
    assert blocked, "one approved return waits for a supervisor's decision on a high risk"
    assert not MonitoringVisit.objects.filter(visited_on__gt=today).exists()
    assert events("return.start")[0].details["code"].startswith("R-")
    assert all(event.details.get("via") == "waypoint demo" for event in events("return.start"))

    supervisor = users[Role.SUPERVISOR]
    supervisor.is_verified = lambda: True  # type: ignore[method-assign]
    overview = selectors.programme_overview(supervisor, today=today)
    assert overview.completed.value == 3

    assert load_demo_returns(alpha, users, today=today) == 0
    assert Return.objects.count() == added
