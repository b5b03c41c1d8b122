from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from waypoint.domain.deadlines import (
    AgeBasis,
    CaseFacts,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    FactsError,
    Milestone,
    Period,
    ResidencePermit,
    RuleBook,
    SupportPlanItem,
    UnknownJurisdictionError,
    deadlines,
    due_soon_or_overdue,
    rule_book,
    supported_jurisdictions,
)

ADULT = date(1990, 5, 5)
CHILD = date(2010, 5, 5)


def only(facts: CaseFacts, jurisdiction: str, today: date, kind: DeadlineKind) -> Deadline:
    found = [item for item in deadlines(facts, jurisdiction, today=today) if item.kind == kind]
    assert len(found) == 1
    return found[0]


def test_supported_jurisdictions() -> None:
    assert supported_jurisdictions() == ("EU_COE", "PL")


def test_unknown_jurisdiction_lists_the_supported_ones() -> None:
    with pytest.raises(UnknownJurisdictionError, match="'DE'; supported: EU_COE, PL"):
        deadlines(CaseFacts(), "DE", today=date(2025, 1, 1))


def test_no_facts_no_deadlines() -> None:
    assert deadlines(CaseFacts(), "PL", today=date(2025, 1, 1)) == []


def test_polish_certificate_lasts_three_months_for_an_adult() -> None:
    facts = CaseFacts(birth_date=ADULT, presumed_victim_certificate=Milestone(date(2025, 1, 15)))
    deadline = only(facts, "PL", date(2025, 1, 20), DeadlineKind.PRESUMED_VICTIM_CERTIFICATE)
    assert deadline.due_on == date(2025, 4, 15)
    assert deadline.status == DeadlineStatus.UPCOMING
    assert deadline.age_basis == AgeBasis.ADULT
    assert "Art. 170" in (deadline.legal_reference or "")
    assert deadline.label.pl.startswith("Upływ ważności zaświadczenia")


def test_polish_certificate_lasts_four_months_for_a_minor() -> None:
    facts = CaseFacts(birth_date=CHILD, presumed_victim_certificate=Milestone(date(2025, 1, 15)))
    deadline = only(facts, "PL", date(2025, 1, 20), DeadlineKind.PRESUMED_VICTIM_CERTIFICATE)
    assert deadline.due_on == date(2025, 5, 15)
    assert deadline.age_basis == AgeBasis.MINOR


def test_minority_is_judged_on_the_issue_date() -> None:
    turns_18 = date(2007, 3, 1)
    issued_day_before = Milestone(date(2025, 2, 28))
    issued_on_birthday = Milestone(date(2025, 3, 1))
    before = CaseFacts(birth_date=turns_18, presumed_victim_certificate=issued_day_before)
    on = CaseFacts(birth_date=turns_18, presumed_victim_certificate=issued_on_birthday)
    kind = DeadlineKind.PRESUMED_VICTIM_CERTIFICATE
    assert only(before, "PL", date(2025, 3, 1), kind).due_on == date(2025, 6, 28)
    assert only(on, "PL", date(2025, 3, 1), kind).due_on == date(2025, 6, 1)


def test_certificate_issued_at_the_end_of_november_ends_at_the_end_of_february() -> None:
    facts = CaseFacts(birth_date=ADULT, presumed_victim_certificate=Milestone(date(2025, 11, 30)))
    kind = DeadlineKind.PRESUMED_VICTIM_CERTIFICATE
    assert only(facts, "PL", date(2025, 12, 1), kind).due_on == date(2026, 2, 28)
    leap = CaseFacts(birth_date=ADULT, presumed_victim_certificate=Milestone(date(2023, 11, 30)))
    assert only(leap, "PL", date(2023, 12, 1), kind).due_on == date(2024, 2, 29)


def test_unknown_birth_date_shows_the_shorter_adult_period() -> None:
    facts = CaseFacts(presumed_victim_certificate=Milestone(date(2025, 1, 15)))
    deadline = only(facts, "PL", date(2025, 1, 20), DeadlineKind.PRESUMED_VICTIM_CERTIFICATE)
    assert deadline.due_on == date(2025, 4, 15)
    assert deadline.age_basis == AgeBasis.UNKNOWN_ADULT_PERIOD_USED


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2025, 3, 24), DeadlineStatus.UPCOMING),
        (date(2025, 3, 25), DeadlineStatus.DUE_SOON),
        (date(2025, 4, 15), DeadlineStatus.DUE_SOON),
        (date(2025, 4, 16), DeadlineStatus.OVERDUE),
    ],
)
def test_certificate_status_uses_its_reminder_window(today: date, status: DeadlineStatus) -> None:
    facts = CaseFacts(birth_date=ADULT, presumed_victim_certificate=Milestone(date(2025, 1, 15)))
    kind = DeadlineKind.PRESUMED_VICTIM_CERTIFICATE
    assert only(facts, "PL", today, kind).status == status


def test_a_followed_up_certificate_is_met_even_after_expiry() -> None:
    facts = CaseFacts(
        birth_date=ADULT,
        presumed_victim_certificate=Milestone(date(2025, 1, 15), followed_up_on=date(2025, 4, 1)),
    )
    kind = DeadlineKind.PRESUMED_VICTIM_CERTIFICATE
    assert only(facts, "PL", date(2025, 9, 1), kind).status == DeadlineStatus.MET


def test_poland_has_no_separate_reflection_period() -> None:
    facts = CaseFacts(reasonable_grounds=Milestone(date(2025, 3, 1)))
    assert deadlines(facts, "PL", today=date(2025, 3, 2)) == []


def test_council_of_europe_reflection_period_is_at_least_30_days() -> None:
    facts = CaseFacts(reasonable_grounds=Milestone(date(2025, 3, 1)))
    deadline = only(facts, "EU_COE", date(2025, 3, 2), DeadlineKind.REFLECTION_PERIOD)
    assert deadline.due_on == date(2025, 3, 31)
    assert deadline.status == DeadlineStatus.UPCOMING
    assert deadline.legal_reference == "CETS 197 Art. 13"
    assert deadline.age_basis is None
    # Days are counted without a month-end rule, and the 30 days are confirmed.
    assert not deadline.provisional
    assert only(facts, "EU_COE", date(2025, 3, 21), DeadlineKind.REFLECTION_PERIOD).status == (
        DeadlineStatus.DUE_SOON
    )


def test_residence_permit_expires_after_its_duration() -> None:
    facts = CaseFacts(residence_permit=ResidencePermit(date(2025, 8, 31), duration_months=6))
    deadline = only(facts, "PL", date(2025, 9, 1), DeadlineKind.RESIDENCE_PERMIT)
    assert deadline.due_on == date(2026, 2, 28)
    assert deadline.status == DeadlineStatus.UPCOMING
    assert deadline.provisional
    assert "Art. 176" in (deadline.legal_reference or "")


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 12, 1), DeadlineStatus.UPCOMING),
        (date(2026, 12, 2), DeadlineStatus.DUE_SOON),
        (date(2027, 2, 1), DeadlineStatus.OVERDUE),
    ],
)
def test_residence_permit_reminder_window(today: date, status: DeadlineStatus) -> None:
    facts = CaseFacts(residence_permit=ResidencePermit(date(2025, 1, 31), duration_months=24))
    deadline = only(facts, "PL", today, DeadlineKind.RESIDENCE_PERMIT)
    assert deadline.due_on == date(2027, 1, 31)
    assert deadline.status == status


def test_a_renewal_application_meets_the_permit_deadline() -> None:
    permit = ResidencePermit(date(2025, 1, 31), 12, renewal_applied_on=date(2025, 12, 1))
    facts = CaseFacts(residence_permit=permit)
    assert only(facts, "PL", date(2026, 3, 1), DeadlineKind.RESIDENCE_PERMIT).status == (
        DeadlineStatus.MET
    )


@pytest.mark.parametrize("months", [5, 37])
def test_polish_permit_outside_six_months_to_three_years_is_refused(months: int) -> None:
    facts = CaseFacts(residence_permit=ResidencePermit(date(2025, 1, 1), duration_months=months))
    with pytest.raises(FactsError, match="outside the range 6 to 36 months"):
        deadlines(facts, "PL", today=date(2025, 1, 2))


def test_eu_permit_has_a_minimum_but_no_maximum() -> None:
    long_permit = CaseFacts(residence_permit=ResidencePermit(date(2025, 1, 1), 60))
    assert only(long_permit, "EU_COE", date(2025, 1, 2), DeadlineKind.RESIDENCE_PERMIT).due_on == (
        date(2030, 1, 1)
    )
    short_permit = CaseFacts(residence_permit=ResidencePermit(date(2025, 1, 1), 3))
    with pytest.raises(FactsError, match="6 to unlimited"):
        deadlines(short_permit, "EU_COE", today=date(2025, 1, 2))


def test_support_plan_items_follow_their_due_dates() -> None:
    facts = CaseFacts(
        support_plan_items=(
            SupportPlanItem("housing", date(2025, 6, 30)),
            SupportPlanItem("medical", date(2025, 6, 5)),
            SupportPlanItem("legal", date(2025, 5, 30)),
            SupportPlanItem("documents", date(2025, 5, 1), completed_on=date(2025, 4, 28)),
        )
    )
    found = deadlines(facts, "PL", today=date(2025, 6, 1))
    assert [(item.subject, item.status) for item in found] == [
        ("documents", DeadlineStatus.MET),
        ("legal", DeadlineStatus.OVERDUE),
        ("medical", DeadlineStatus.DUE_SOON),
        ("housing", DeadlineStatus.UPCOMING),
    ]
    assert all(item.legal_reference is None for item in found)
    assert all(item.kind == DeadlineKind.SUPPORT_PLAN_ITEM for item in found)


def test_due_soon_or_overdue_keeps_only_what_needs_action() -> None:
    facts = CaseFacts(
        birth_date=ADULT,
        presumed_victim_certificate=Milestone(date(2025, 1, 15)),
        support_plan_items=(
            SupportPlanItem("legal", date(2025, 3, 30)),
            SupportPlanItem("housing", date(2025, 6, 30)),
            SupportPlanItem("documents", date(2025, 3, 1), completed_on=date(2025, 3, 1)),
        ),
    )
    urgent = due_soon_or_overdue(facts, "PL", today=date(2025, 4, 1))
    assert [(item.kind, item.subject) for item in urgent] == [
        (DeadlineKind.SUPPORT_PLAN_ITEM, "legal"),
        (DeadlineKind.PRESUMED_VICTIM_CERTIFICATE, None),
    ]


def test_every_deadline_is_sorted_by_date() -> None:
    facts = CaseFacts(
        birth_date=ADULT,
        presumed_victim_certificate=Milestone(date(2025, 1, 15)),
        residence_permit=ResidencePermit(date(2025, 1, 10), 6),
        support_plan_items=(SupportPlanItem("a", date(2025, 2, 1)),),
    )
    found = deadlines(facts, "PL", today=date(2025, 1, 20))
    assert [item.due_on for item in found] == sorted(item.due_on for item in found)
    assert [item.kind for item in found] == [
        DeadlineKind.SUPPORT_PLAN_ITEM,
        DeadlineKind.PRESUMED_VICTIM_CERTIFICATE,
        DeadlineKind.RESIDENCE_PERMIT,
    ]


def test_rule_data_records_provenance() -> None:
    book = rule_book()
    for rules in book.jurisdictions.values():
        assert rules.month_end.sources
        for rule in (
            rules.presumed_victim_certificate,
            rules.reflection_period,
            rules.residence_permit,
        ):
            assert rule is None or rule.sources
        assert rules.support_plan_item.sources


def test_a_period_needs_a_length() -> None:
    with pytest.raises(ValueError, match="months or days"):
        Period()


def test_a_rule_book_missing_a_label_is_refused() -> None:
    with pytest.raises(ValueError, match="no label for"):
        RuleBook(version="x", labels={}, jurisdictions={})


def test_a_rule_book_with_a_negative_window_is_refused() -> None:
    data = {
        "version": "x",
        "labels": {kind: {"en": "a", "pl": "a", "uk": "a", "ru": "a"} for kind in DeadlineKind},
        "jurisdictions": {
            "XX": {
                "name": {"en": "a", "pl": "a", "uk": "a", "ru": "a"},
                "month_end": {"rule": "last_day_of_month", "provisional": True, "sources": []},
                "due_soon_window_days": -1,
                "support_plan_item": {"provisional": True, "sources": []},
            }
        },
    }
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        TypeAdapter(RuleBook).validate_python(data)
