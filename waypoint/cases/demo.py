"""Fictional protection cases for `waypoint demo`: one case in every state of the workflow, with
consents, screenings, assessments, support plans, notes, events and deadlines falling due.

Everyone here is invented, and their names say so (Przykładowa, Вигадана, Примеров, Hư Cấu,
გამოგონილი, مثال: "example", "invented", "fiction" in their languages). Emails are at
example.org and phone numbers in the +48 555 range. Everything goes through the case services,
so it is encrypted, indexed for search and in the audit trail like real work; dates are counted
back from `today`, so some deadlines are always due soon and some overdue.
"""

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit import services as audit
from waypoint.cases import services
from waypoint.cases.models import Case, Consent
from waypoint.domain.case_lifecycle import CaseState

DEMO_SOURCE = "waypoint demo"

_LABOUR_SCREENING: dict[str, Any] = {
    "jurisdiction": "PL",
    "person": {"age_at_recruitment": 27},
    "exploitation": ["labour"],
    "act": ["recruitment", "transportation", "harbouring"],
    "indicators": {
        "dr_nature_job_location_employer": "yes",
        "dr_conditions_of_work": "yes",
        "dr_wages_earnings": "yes",
        "cd_confiscation_documents": "yes",
        "cd_debt_bondage": "yes",
        "ex_excessive_hours": "yes",
        "ex_bad_living_conditions": "yes",
        "vd_economic_reasons": "yes",
        "cd_threat_violence": "unknown",
    },
    "movement": {"crossed_border": True, "entry": "regular"},
}
_SEXUAL_EXPLOITATION_SCREENING: dict[str, Any] = {
    "jurisdiction": "PL",
    "person": {"age_at_recruitment": 22},
    "exploitation": ["sexual"],
    "act": ["recruitment", "transfer", "receipt"],
    "indicators": {
        "dr_nature_job_location_employer": "yes",
        "dr_promise_marriage_adoption": "yes",
        "cd_isolation_confinement_surveillance": "yes",
        "cd_threat_violence": "yes",
        "cd_withholding_wages": "yes",
        "cd_forced_tasks_or_clients": "yes",
        "vd_dependency_on_exploiters": "yes",
        "vd_unknown_area": "yes",
    },
    "movement": {"crossed_border": True, "entry": "irregular", "consented_to_movement": True},
}
_UNCLEAR_SCREENING: dict[str, Any] = {
    "jurisdiction": "PL",
    "person": {"age_at_recruitment": 31},
    "exploitation": ["labour"],
    "indicators": {
        "dr_conditions_of_work": "no",
        "dr_wages_earnings": "no",
        "ex_excessive_hours": "yes",
        "cd_confiscation_documents": "no",
        "cd_debt_bondage": "no",
        "cd_threat_violence": "no",
    },
    "movement": {"crossed_border": True, "entry": "regular", "paid_for_movement": True},
}
_VULNERABILITY_FACTORS: list[dict[str, str]] = [
    {
        "factor_id": "financial_resources",
        "direction": "risk",
        "severity": "high",
        "note": "Debt to the recruiter, no savings (fictional).",
    },
    {"factor_id": "legal_status_and_documents", "direction": "risk", "severity": "medium"},
    {"factor_id": "family_support", "direction": "protective", "severity": "medium"},
    {"factor_id": "social_networks", "direction": "protective", "severity": "low"},
]


@dataclass(frozen=True)
class _Event:
    kind: str
    country: str
    city: str
    started_days_ago: int
    ended_days_ago: int | None
    description: str


@dataclass(frozen=True)
class _Support:
    kind: str
    status: str
    due_in_days: int | None
    provider: str
    notes: str = ""


@dataclass(frozen=True)
class _Plan:
    """One fictional case: what is recorded in it, and how far along the workflow it gets.
    Day counts are relative to `today` (negative: in the past)."""

    person: Mapping[str, Any]
    path: tuple[CaseState, ...]
    """The open states the case worker moves the case through, in order."""
    opened_days_ago: int
    jurisdiction: str = "PL"
    closing: tuple[CaseState, str] | None = None
    """A closed state and the reason a supervisor gave for it."""
    closure_requested: tuple[CaseState, str] | None = None
    """A closure the case worker asked for, waiting for a supervisor's decision."""
    consents: tuple[str, ...] = (Consent.Scope.INTERVIEW, Consent.Scope.ASSISTANCE)
    statistics_consent_withdrawn: bool = False
    screening: Mapping[str, Any] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    """HTCDS fields; a deadline fact given as an int is a day count back from today."""
    trafficking_status: tuple[str, str] | None = None
    vulnerability: bool = False
    support: tuple[_Support, ...] = ()
    notes: tuple[str, ...] = ()
    events: tuple[_Event, ...] = ()
    rights_language: str | None = None
    document: tuple[str, bytes] | None = None


def _person(
    given: str,
    family: str,
    *,
    born: str,
    gender: str,
    nationality: str,
    languages: list[str],
    email: str,
    phone: str,
    latin: str = "",
    citizenships: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "given_names": given,
        "family_names": family,
        # The Latin spelling of a name in another script, so that it can be searched as typed.
        "other_names": [latin] if latin else [],
        "birth_date": born,
        "gender": gender,
        "nationality": nationality,
        "citizenships": citizenships or [nationality],
        "languages": languages,
        "email": f"{email}@example.org",
        "phone": phone,
        "address": "ul. Przykładowa 1/2, 00-000 Warszawa (fictional address)",
    }


_F, _M = "Feminine", "Masculine"

# Two casts of invented people, one per demo organisation, in the order of _plans().
_PEOPLE: tuple[tuple[dict[str, Any], ...], ...] = (
    (
        _person(
            "Оксана",
            "Вигадана",
            born="1996-08-02",
            gender=_F,
            nationality="UA",
            languages=["uk", "ru"],
            email="oksana.vyhadana",
            phone="+48555010101",
            latin="Oksana Vyhadana",
        ),
        _person(
            "Иван",
            "Примеров",
            born="1988-01-23",
            gender=_M,
            nationality="BY",
            languages=["ru"],
            email="ivan.primerov",
            phone="+48555010102",
            latin="Ivan Primerov",
        ),
        _person(
            "Thị Hư Cấu",
            "Nguyễn",
            born="2010-05-09",
            gender=_F,
            nationality="VN",
            languages=["vi"],
            email="hu.cau.nguyen",
            phone="+48555010103",
        ),
        _person(
            "Марина",
            "Вымышленная",
            born="1990-09-09",
            gender=_F,
            nationality="MD",
            languages=["ru", "ro"],
            email="marina.vymyshlennaya",
            phone="+48555010104",
            latin="Marina Vymyshlennaya",
        ),
        _person(
            "Ioana",
            "Exemplu",
            born="1985-02-28",
            gender=_F,
            nationality="RO",
            languages=["ro"],
            email="ioana.exemplu",
            phone="+48555010105",
        ),
        _person(
            "Jan",
            "Testowy",
            born="1979-12-01",
            gender=_M,
            nationality="PL",
            languages=["pl"],
            email="jan.testowy",
            phone="+48555010106",
        ),
        _person(
            "Kofi",
            "Fiktif",
            born="1992-10-10",
            gender=_M,
            nationality="GH",
            languages=["en"],
            email="kofi.fiktif",
            phone="+48555010107",
        ),
        _person(
            "مريم",
            "مثال",
            born="1999-06-14",
            gender=_F,
            nationality="SY",
            languages=["ar", "en"],
            email="maryam.mithal",
            phone="+48555010108",
            latin="Maryam Mithal",
        ),
        _person(
            "Тарас",
            "Неіснуючий",
            born="1983-07-07",
            gender=_M,
            nationality="UA",
            languages=["uk"],
            email="taras.neisnuiuchyi",
            phone="+48555010109",
            latin="Taras Neisnuiuchyi",
        ),
        _person(
            "ნინო",
            "გამოგონილი",
            born="1993-11-30",
            gender=_F,
            nationality="GE",
            languages=["ka", "ru"],
            email="nino.gamogonili",
            phone="+48555010110",
            latin="Nino Gamogonili",
        ),
        _person(
            "Zofia",
            "Przykładowa",
            born="1997-03-03",
            gender=_F,
            nationality="PL",
            languages=["pl"],
            email="zofia.przykladowa",
            phone="+48555010111",
        ),
    ),
    (
        _person(
            "Анастасія",
            "Уявна",
            born="1994-02-11",
            gender=_F,
            nationality="UA",
            languages=["uk"],
            email="anastasiia.uiavna",
            phone="+48555020101",
            latin="Anastasiia Uiavna",
        ),
        _person(
            "Пётр",
            "Образцов",
            born="1986-05-19",
            gender=_M,
            nationality="BY",
            languages=["ru"],
            email="piotr.obraztsov",
            phone="+48555020102",
            latin="Piotr Obraztsov",
        ),
        _person(
            "Văn Mẫu",
            "Trần",
            born="2009-12-20",
            gender=_M,
            nationality="VN",
            languages=["vi"],
            email="van.mau.tran",
            phone="+48555020103",
        ),
        _person(
            "Людмила",
            "Сочинённая",
            born="1989-04-04",
            gender=_F,
            nationality="MD",
            languages=["ru", "ro"],
            email="liudmila.sochinionnaia",
            phone="+48555020104",
            latin="Liudmila Sochinionnaia",
        ),
        _person(
            "Elena",
            "Fictivă",
            born="1987-08-15",
            gender=_F,
            nationality="RO",
            languages=["ro"],
            email="elena.fictiva",
            phone="+48555020105",
        ),
        _person(
            "Krzysztof",
            "Zmyślony",
            born="1981-03-21",
            gender=_M,
            nationality="PL",
            languages=["pl"],
            email="krzysztof.zmyslony",
            phone="+48555020106",
        ),
        _person(
            "Amadou",
            "Exemple",
            born="1995-01-30",
            gender=_M,
            nationality="SN",
            languages=["fr", "wo"],
            email="amadou.exemple",
            phone="+48555020107",
        ),
        _person(
            "فاطمة",
            "خيالية",
            born="2000-07-07",
            gender=_F,
            nationality="IQ",
            languages=["ar"],
            email="fatima.khayaliya",
            phone="+48555020108",
            latin="Fatima Khayaliya",
        ),
        _person(
            "Богдан",
            "Вигаданий",
            born="1984-09-12",
            gender=_M,
            nationality="UA",
            languages=["uk", "ru"],
            email="bohdan.vyhadanyi",
            phone="+48555020109",
            latin="Bohdan Vyhadanyi",
        ),
        _person(
            "თამარ",
            "ფიქტიური",
            born="1992-12-05",
            gender=_F,
            nationality="GE",
            languages=["ka"],
            email="tamar.pikturi",
            phone="+48555020110",
            latin="Tamar Pikturi",
        ),
        _person(
            "Aziz",
            "Namunov",
            born="1998-06-06",
            gender=_M,
            nationality="UZ",
            languages=["uz", "ru"],
            email="aziz.namunov",
            phone="+48555020111",
        ),
    ),
)

_S = CaseState


def _plans(people: tuple[dict[str, Any], ...]) -> list[_Plan]:
    (uk_woman, ru_man, minor, ru_woman, ro_woman, pl_man, en_man, ar_woman, uk_man, ka_woman,
     extra) = people  # fmt: skip
    labour = {
        "exploitation_types": ["ForcedLabour"],
        "forced_labour_industry": "F",
        "recruitment_methods": ["ThroughAnOnlineAdvertisement"],
        "control_methods": ["DebtBondage", "WithholdsDocuments", "ExcessiveWorkingHours"],
        "relationship_to_trafficker": "Unaquainted",
        "perpetrator_roles": ["RecruiterOrIntermediary", "Exploiter"],
    }
    return [
        _Plan(
            person=uk_woman,
            path=(),
            opened_days_ago=6,
            consents=(Consent.Scope.INTERVIEW, Consent.Scope.STATISTICS),
            screening=_SEXUAL_EXPLOITATION_SCREENING,
            details={
                "exploitation_types": ["SexualExploitation"],
                "sexual_exploitation_types": ["Prostitution"],
                "recruitment_methods": ["ThroughOnlineSocialNetworks"],
                "control_methods": ["PsychologicalAbuse", "TakesEarnings"],
                "age_when_trafficked": 22,
            },
            notes=("First meeting at the drop-in centre; an interpreter was present (fiction).",),
            events=(
                _Event(
                    "Recruitment",
                    "UA",
                    "Вигадане місто",
                    420,
                    None,
                    "Met a 'modelling agent' online (fictional).",
                ),
                _Event(
                    "Exploitation",
                    "PL",
                    "Fikcyjne Miasto",
                    300,
                    20,
                    "Flat rented by the exploiters (fictional).",
                ),
            ),
        ),
        _Plan(
            person=ru_man,
            path=(_S.PRESUMED_VICTIM,),
            opened_days_ago=85,
            consents=(
                Consent.Scope.INTERVIEW,
                Consent.Scope.ASSISTANCE,
                Consent.Scope.STATISTICS,
            ),
            screening=_LABOUR_SCREENING,
            # The certificate runs out in about ten days: due soon.
            details={**labour, "presumption_certificate_issued_on": 80, "age_when_trafficked": 36},
            trafficking_status=("PossibleVictimOfTrafficking", "Police"),
            notes=("Presumption certificate issued by the Border Guard (fictional).",),
            events=(
                _Event(
                    "Recruitment",
                    "BY",
                    "Примерный город",
                    200,
                    None,
                    "Job offer at a building site (fictional).",
                ),
                _Event("Exploitation", "PL", "Przykładowo", 150, 90, "Building site (fictional)."),
            ),
            rights_language="ru",
        ),
        _Plan(
            person=minor,
            path=(_S.PRESUMED_VICTIM, _S.IDENTIFIED),
            opened_days_ago=140,
            screening={**_LABOUR_SCREENING, "person": {"age_at_recruitment": 15}},
            # A child's certificate lasts four months; this one ran out about ten days ago.
            details={
                "exploitation_types": ["ForcedLabour", "ChildLabour"],
                "forced_labour_industry": "S",
                "control_methods": ["WithholdsDocuments", "PhysicalThreats"],
                "relationship_to_trafficker": "Acquainted",
                "age_when_trafficked": 15,
                "presumption_certificate_issued_on": 130,
            },
            trafficking_status=("ActualVictimOfTrafficking", "CourtOrProsecution"),
            vulnerability=True,
            support=(
                _Support("Education", "in_progress", 20, "Fictional public school"),
                _Support(
                    "SocialCare",
                    "planned",
                    5,
                    "Fictional family court guardian",
                    "Appoint a legal guardian (fiction).",
                ),
            ),
            notes=("Legal guardian requested from the family court (fictional).",),
            events=(_Event("Transit", "DE", "Beispielstadt", 160, 158, "Bus journey (fiction)."),),
            rights_language="en",
        ),
        _Plan(
            person=ru_woman,
            path=(_S.PRESUMED_VICTIM, _S.IDENTIFIED, _S.ASSISTED),
            opened_days_ago=230,
            consents=(
                Consent.Scope.INTERVIEW,
                Consent.Scope.ASSISTANCE,
                Consent.Scope.STATISTICS,
            ),
            statistics_consent_withdrawn=True,
            screening=_SEXUAL_EXPLOITATION_SCREENING,
            # The residence permit runs out in about a month: a new one must be applied for.
            details={
                "exploitation_types": ["SexualExploitation", "Servitude"],
                "sexual_exploitation_types": ["PrivateSexualServices"],
                "control_methods": ["SexualAbuse", "PhysicalAbuse", "WithholdsDocuments"],
                "presumption_certificate_issued_on": 225,
                "presumption_certificate_followed_up_on": 180,
                "residence_permit_issued_on": 150,
                "residence_permit_months": 6,
            },
            trafficking_status=("ActualVictimOfTrafficking", "Police"),
            vulnerability=True,
            support=(
                _Support(
                    "Accommodation",
                    "in_progress",
                    -3,
                    "Fictional shelter",
                    "Move to long-term housing is overdue (fiction).",
                ),
                _Support(
                    "Legal",
                    "planned",
                    4,
                    "Fictional legal clinic",
                    "Residence permit application (fiction).",
                ),
                _Support("Psychological", "done", -40, "Fictional counselling service"),
            ),
            notes=(
                "Residence permit application to be prepared with the lawyer (fictional).",
                "Спокойная беседа, переводчик не нужен (вымышленная запись).",
            ),
            events=(
                _Event("Recruitment", "MD", "Exemplu", 500, None, "Promise of a job (fiction)."),
                _Event("Exploitation", "PL", "Zmyślonów", 420, 240, "Private flat (fiction)."),
            ),
            rights_language="ru",
            document=("skierowanie-przyklad.txt", b"Fictional referral letter.\n"),
        ),
        _Plan(
            person=ro_woman,
            path=(_S.PRESUMED_VICTIM, _S.IDENTIFIED, _S.ASSISTED, _S.FOLLOW_UP),
            opened_days_ago=400,
            details={**labour, "forced_labour_industry": "A"},
            trafficking_status=("ActualVictimOfTrafficking", "NGO"),
            support=(
                _Support(
                    "Livelihood",
                    "planned",
                    30,
                    "Fictional job centre",
                    "Follow-up call about the new job (fiction).",
                ),
            ),
            notes=("Follow-up visit: working and housed (fictional).",),
            rights_language="en",
        ),
        _Plan(
            person=pl_man,
            path=(_S.PRESUMED_VICTIM, _S.IDENTIFIED, _S.ASSISTED),
            opened_days_ago=600,
            closing=(_S.CLOSED, "Support plan completed; the person moved away (fictional)."),
            details=labour,
            trafficking_status=("ActualVictimOfTrafficking", "CourtOrProsecution"),
            notes=("Final meeting held (fictional).",),
            rights_language="pl",
        ),
        _Plan(
            person=en_man,
            path=(),
            opened_days_ago=45,
            screening=_UNCLEAR_SCREENING,
            closing=(
                _S.CLOSED_NOT_VICTIM,
                "Hard working conditions but no coercion or deception (fictional).",
            ),
            trafficking_status=("NotAVictimOfTrafficking", "NGO"),
            notes=("Referred to the labour inspectorate instead (fictional).",),
        ),
        _Plan(
            person=ar_woman,
            path=(_S.PRESUMED_VICTIM,),
            opened_days_ago=70,
            closing=(
                _S.CLOSED_REFERRED,
                "Referred to a specialised shelter in another city (fictional).",
            ),
            details={"exploitation_types": ["ForcedMarriage"]},
            events=(_Event("Recruitment", "TR", "Örnek", 365, None, "Arranged 'marriage'."),),
        ),
        _Plan(
            person=uk_man,
            path=(_S.PRESUMED_VICTIM, _S.IDENTIFIED, _S.ASSISTED),
            opened_days_ago=320,
            closure_requested=(_S.CLOSED, "The person returned home safely (fictional)."),
            details={**labour, "forced_labour_industry": "C"},
            trafficking_status=("ActualVictimOfTrafficking", "Police"),
            support=(_Support("Financial", "done", -10, "Fictional return programme"),),
            notes=("Asked for closure: the person has returned (fictional).",),
            rights_language="uk",
        ),
        _Plan(
            person=ka_woman,
            path=(_S.PRESUMED_VICTIM,),
            opened_days_ago=30,
            jurisdiction="EU_COE",
            # The recovery and reflection period (at least 30 days) ends in about five days.
            details={
                "exploitation_types": ["Servitude"],
                "control_methods": ["WithholdsDocuments", "WithholdsNecessities"],
                "reasonable_grounds_on": 25,
            },
            trafficking_status=("PossibleVictimOfTrafficking", "NGO"),
            vulnerability=True,
            events=(_Event("Exploitation", "DE", "Beispielstadt", 200, 35, "Domestic work."),),
            rights_language="ru",
        ),
        _Plan(
            person=extra,
            path=(),
            opened_days_ago=0,
            consents=(),
            support=(_Support("Interpreter", "planned", 2, "Fictional interpreters' guild"),),
            notes=("Opened today after a call to the helpline (fictional).",),
        ),
    ]


def _signed_in(user: User) -> User:
    """The user as the services see someone who passed the second factor. The demo is loaded
    by an operator at the command line, where no one signs in."""
    acting = copy.copy(user)
    acting.is_verified = lambda: True  # type: ignore[attr-defined]
    return acting


def _actor(user: User) -> audit.Actor:
    return audit.Actor(
        user_id=user.pk,
        username=user.username,
        organisation_id=user.organisation_id,
        extra={"source": DEMO_SOURCE},
    )


def _version(case: Case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def _details(values: Mapping[str, Any], today: date) -> dict[str, Any]:
    return {
        name: today - timedelta(days=value) if name.endswith("_on") else value
        for name, value in values.items()
    }


def _record_event(actor: audit.Actor, worker: User, case: Case, event: _Event, today: date) -> None:
    services.add_trafficking_event(
        actor,
        worker,
        case,
        kind=event.kind,
        country=event.country,
        city=event.city,
        started_on=today - timedelta(days=event.started_days_ago),
        ended_on=today - timedelta(days=event.ended_days_ago)
        if event.ended_days_ago is not None
        else None,
        description=event.description,
        today=today,
    )


def _load(plan: _Plan, worker: User, supervisor: User, today: date) -> Case:
    as_worker, as_supervisor = _actor(worker), _actor(supervisor)
    opened_on = today - timedelta(days=plan.opened_days_ago)
    case = services.open_case(
        as_worker,
        worker,
        person_data=plan.person,
        owner=worker,
        supervisor=supervisor,
        jurisdiction=plan.jurisdiction,
        opened_on=opened_on,
    )
    language = plan.person["languages"][0]
    for scope in plan.consents:
        services.record_consent(
            as_worker,
            worker,
            case,
            scope=scope,
            given=True,
            explained_in_language=language,
            recorded_on=opened_on,
        )
    if plan.statistics_consent_withdrawn:
        services.withdraw_consent(as_worker, worker, case, scope=Consent.Scope.STATISTICS)
    if plan.screening is not None:
        if Consent.Scope.INTERVIEW not in plan.consents:
            raise ValueError("A demo screening needs the person's consent to the interview.")
        services.save_screening(as_worker, worker, case, raw_input=dict(plan.screening))
    if plan.details:
        services.update_case_details(
            as_worker,
            worker,
            case,
            expected_version=_version(case),
            **_details(plan.details, today),
        )
    if plan.trafficking_status is not None:
        status, decided_by = plan.trafficking_status
        services.record_trafficking_status(
            as_worker,
            worker,
            case,
            status=status,
            decided_by=decided_by,
            expected_version=_version(case),
        )
    for event in plan.events:
        _record_event(as_worker, worker, case, event, today)
    if plan.vulnerability:
        services.record_vulnerability_assessment(
            as_worker, worker, case, factors=_VULNERABILITY_FACTORS
        )
    for item in plan.support:
        due_on = today + timedelta(days=item.due_in_days) if item.due_in_days is not None else None
        services.add_support_item(
            as_worker,
            worker,
            case,
            kind=item.kind,
            provider=item.provider,
            status=item.status,
            starts_on=min(opened_on, due_on) if due_on else opened_on,
            due_on=due_on,
            notes=item.notes,
        )
    for body in plan.notes:
        services.add_note(as_worker, worker, case, body=body)
    if plan.rights_language is not None:
        services.record_rights_information(
            as_worker, worker, case, language=plan.rights_language, given_on=opened_on
        )
    if plan.document is not None:
        filename, content = plan.document
        services.upload_document(
            as_worker, worker, case, filename=filename, content_type="", content=content
        )
    for state in plan.path:
        services.change_status(
            as_worker,
            worker,
            case,
            to_status=state,
            reason="",
            expected_version=_version(case),
        )
    if plan.closing is not None:
        state, reason = plan.closing
        services.change_status(
            as_supervisor,
            supervisor,
            case,
            to_status=state,
            reason=reason,
            expected_version=_version(case),
        )
    if plan.closure_requested is not None:
        state, reason = plan.closure_requested
        services.change_status(
            as_worker,
            worker,
            case,
            to_status=state,
            reason=reason,
            expected_version=_version(case),
        )
    return Case.objects.get(pk=case.pk)


def _cast_for(organisation: Organisation) -> tuple[dict[str, Any], ...]:
    # Alternate casts, so that the two demo organisations do not hold the same people.
    return _PEOPLE[organisation.pk % len(_PEOPLE)]


@transaction.atomic
def load_demo_cases(
    organisation: Organisation, users_by_role: Mapping[str, User], *, today: date
) -> list[Case]:
    """Fictional cases in every state for the organisation, owned by its case worker and
    supervised by its supervisor. Nothing is added (and [] returned) if the organisation has
    cases already, so that `waypoint demo` can run again without duplicating them."""
    if Case.objects.filter(organisation=organisation).exists():
        return []
    worker = _signed_in(users_by_role[Role.CASE_WORKER])
    supervisor = _signed_in(users_by_role[Role.SUPERVISOR])
    return [_load(plan, worker, supervisor, today) for plan in _plans(_cast_for(organisation))]
