"""`waypoint seed_cases --count N`: many fictional cases, fast, for measuring Waypoint at scale.

Rows are written with bulk inserts in batches (one transaction each), not through the services:
a million cases through the services would take days. What the services would store is still
stored: every person has a distinct invented name and birth date, encrypted like any other, and
its blind index, so that search by name and birth date finds exactly one person; every case has
its HTCDS coded fields, an exploitation row per type and its deadline facts, with the nearest
deadline and its alert date computed by the deadline rules. The address (one invented value)
is the same for everybody. One `cases.seed` event goes to the audit trail.

Like `waypoint demo`, it refuses to run outside debug mode unless told `--allow-production`.
"""

import random
import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from waypoint.accounts.models import Organisation, OrganisationKind, Role, User
from waypoint.audit import services as audit
from waypoint.cases import selectors
from waypoint.cases.models import Case, CaseExploitation, CaseStatus
from waypoint.domain import deadlines
from waypoint.domain.case_lifecycle import CLOSED_STATES, CaseState
from waypoint.people.crypto import normalise
from waypoint.people.fields import EncryptedTextField
from waypoint.people.indexes import Kind, full_name, name_and_birth_date_digest
from waypoint.people.models import BlindIndex, Gender, Person

DEFAULT_ORGANISATION = "Scale Test Organisation (fictional)"
DEFAULT_BATCH_SIZE = 5_000
DEFAULT_CASE_WORKERS = 50
ADDRESS = "ul. Zmyślona 0, 00-000 Nigdzie (fictional address)"
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def _words(text: str) -> list[str]:
    return text.split()


# Invented names: common given names with family names built from invented stems and
# endings, so that no combination names a real person by design.
_LATIN_GIVEN = _words(
    "Anna Maria Zofia Ewa Olga Iwona Joanna Agata Ioana Elena Amira Dilnoza Fatima Grace Lina "
    "Nadia Rosa Sara Tamara Vera Jan Piotr Tomasz Adam Marek Pavel Andrei Kofi Amadou Aziz "
    "Bogdan Daniel Emil Farid Gheorghe Ilie Jonas Karim Luca Omar"
)
_LATIN_STEMS = _words(
    "Przykład Zmyśl Wymyśl Fikcj Testow Wzor Próbk Szablon Makiet Pozor Umown Obraz Wizj "
    "Exempl Fictiv Modell Muster Beispiel Esempi Ejempl Namun Misol Proov Prób"
)
_LATIN_ENDINGS = _words(
    "owski owska ak ek ik uk czyk ewicz escu eanu ov ova enko ić ović ani ini oni ez ès ius "
    "ens ers man mann berg feld"
)
_CYRILLIC_GIVEN = _words(
    "Олена Оксана Ірина Марина Ольга Наталія Анастасія Людмила Тетяна Світлана Іван Тарас "
    "Богдан Петро Андрій Олег Сергій Дмитро Юрій Михайло Анна Мария Елена Татьяна Иван Пётр "
    "Сергей Алексей Николай"
)
_CYRILLIC_STEMS = _words(
    "Вигадан Уявн Пример Образц Вымышлен Сочин Неіснуюч Зразк Шаблон Макет Пробн Услов "
    "Модел Тестов Видум Придум Мнім Мнимов Фиктив Эталон"
)
_CYRILLIC_ENDINGS = _words("енко ук юк ко ов ова ев ева ін іна ин ина ський ська ский ская")
_NATIONALITIES = ("UA", "UA", "UA", "BY", "MD", "RO", "VN", "GE", "UZ", "PL", "SY", "NG")
_GENDERS = (Gender.FEMININE, Gender.FEMININE, Gender.MASCULINE, Gender.UNKNOWN)
_STATUS_WEIGHTS = {
    CaseState.SCREENING: 15,
    CaseState.PRESUMED_VICTIM: 15,
    CaseState.IDENTIFIED: 10,
    CaseState.ASSISTED: 20,
    CaseState.FOLLOW_UP: 10,
    CaseState.CLOSED: 15,
    CaseState.CLOSED_NOT_VICTIM: 8,
    CaseState.CLOSED_REFERRED: 7,
}
_EXPLOITATION_WEIGHTS = {
    "ForcedLabour": 45,
    "SexualExploitation": 30,
    "Servitude": 8,
    "ForcedBegging": 5,
    "ForcedMarriage": 4,
    "ChildLabour": 4,
    "Other": 4,
}
_PERMIT_MONTHS = (6, 12, 24, 36)
# Of the open cases that are past screening, how many wait for a supervisor to approve closure.
_PENDING_CLOSURE_SHARE = 0.02


@dataclass(frozen=True)
class SeedResult:
    organisation: Organisation
    created: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def _distinct(names: Iterable[str]) -> list[str]:
    """The names, without any that search would take for one already listed."""
    return list({normalise(name): name for name in reversed(list(names))}.values())[::-1]


class _Names:
    """Distinct invented full names, drawn without repetition from every combination of a
    given name, an optional second given name and a family name, in two scripts."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.scripts = [
            (
                _distinct(_LATIN_GIVEN),
                _distinct(s + e for s in _LATIN_STEMS for e in _LATIN_ENDINGS),
            ),
            (
                _distinct(_CYRILLIC_GIVEN),
                _distinct(s + e for s in _CYRILLIC_STEMS for e in _CYRILLIC_ENDINGS),
            ),
        ]
        self.sizes = [len(given) * (len(given) + 1) * len(family) for given, family in self.scripts]

    @property
    def capacity(self) -> int:
        return sum(self.sizes)

    def draw(self, count: int) -> Iterator[tuple[str, str]]:
        if count > self.capacity:
            raise CommandError(f"At most {self.capacity} distinct invented names can be made.")
        for index in self.rng.sample(range(self.capacity), count):
            yield self._name(index)

    def _name(self, index: int) -> tuple[str, str]:
        script = 0
        while index >= self.sizes[script]:
            index -= self.sizes[script]
            script += 1
        given, family = self.scripts[script]
        index, family_index = divmod(index, len(family))
        first, second = divmod(index, len(given) + 1)
        names = given[first] if second == len(given) else f"{given[first]} {given[second]}"
        return names, family[family_index]


def _codes(rng: random.Random, prefix: str, count: int, taken: set[str]) -> list[str]:
    codes: list[str] = []
    while len(codes) < count:
        code = prefix + "".join(rng.choices(_CODE_ALPHABET, k=8))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def _unused_codes(rng: random.Random, prefix: str, count: int, model: Any, field: str) -> list[str]:
    """Random codes not used by any stored row (codes are unique across organisations)."""
    taken: set[str] = set()
    codes: list[str] = []
    while len(codes) < count:
        drawn = _codes(rng, prefix, count - len(codes), taken)
        stored = set(model.objects.filter(**{f"{field}__in": drawn}).values_list(field, flat=True))
        codes.extend(code for code in drawn if code not in stored)
    return codes


def _weighted(rng: random.Random, weights: dict[Any, int], count: int) -> list[Any]:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def _staff(organisation: Organisation, case_workers: int) -> tuple[User, list[User]]:
    prefix = f"seed{organisation.pk}"
    supervisor, _ = User.objects.get_or_create(
        username=f"{prefix}-supervisor",
        defaults={
            "organisation": organisation,
            "role": Role.SUPERVISOR,
            "first_name": "Supervisor",
            "last_name": "(fictional)",
            "password": make_password(None),
        },
    )
    existing = set(
        User.objects.filter(username__startswith=f"{prefix}-worker-").values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create(
        User(
            username=f"{prefix}-worker-{number:03d}",
            organisation=organisation,
            role=Role.CASE_WORKER,
            first_name=f"Worker {number:03d}",
            last_name="(fictional)",
            email=f"{prefix}-worker-{number:03d}@example.org",
            password=make_password(None),
        )
        for number in range(1, case_workers + 1)
        if f"{prefix}-worker-{number:03d}" not in existing
    )
    workers = list(
        User.objects.filter(
            organisation=organisation,
            role=Role.CASE_WORKER,
            username__startswith=f"{prefix}-worker-",
        ).order_by("username")[:case_workers]
    )
    return supervisor, workers


class _CaseFactory:
    """The coded fields of one fictional case, consistent with its status: deadline facts for
    the stages that have them, the nearest deadline and alert date as the services compute."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def values(self, status: CaseState, birth_date: date) -> dict[str, Any]:
        rng = self.rng
        opened_on = self.days_ago(0, 1500)
        values: dict[str, Any] = {"status": status.value, "opened_on": opened_on}
        types = _weighted(rng, _EXPLOITATION_WEIGHTS, 2)
        values["exploitation_types"] = types[:1] if rng.random() < 0.8 else sorted(set(types))
        if status != CaseState.SCREENING:
            values["trafficking_status"] = (
                "NotAVictimOfTrafficking"
                if status == CaseState.CLOSED_NOT_VICTIM
                else rng.choice(("PossibleVictimOfTrafficking", "ActualVictimOfTrafficking"))
            )
            values["age_when_trafficked"] = rng.randint(14, 50)
        if status in CLOSED_STATES:
            values["closed_on"] = min(self.today, opened_on + timedelta(rng.randint(10, 400)))
            return values
        facts = self._facts(status, values, birth_date)
        open_deadlines = [
            item
            for item in deadlines.deadlines(facts, "PL", today=self.today)
            if item.status != deadlines.DeadlineStatus.MET
        ]
        if open_deadlines:
            values["next_deadline_on"] = min(item.due_on for item in open_deadlines)
            values["deadline_alert_on"] = min(
                selectors.alert_date("PL", item) for item in open_deadlines
            )
        if status in (CaseState.ASSISTED, CaseState.IDENTIFIED) and (
            rng.random() < _PENDING_CLOSURE_SHARE
        ):
            values["pending_status"] = CaseStatus.CLOSED
        return values

    def _facts(
        self, status: CaseState, values: dict[str, Any], birth_date: date
    ) -> deadlines.CaseFacts:
        """Deadline facts as a working organisation has them: most deadlines met or ahead,
        a few due soon, and about one open case in thirty overdue."""
        rng = self.rng
        certificate = permit = None
        if status == CaseState.PRESUMED_VICTIM:
            # A certificate lasts three months (four for a child): issued up to 100 days ago.
            issued = self.days_ago(1, 100)
            values["presumption_certificate_issued_on"] = issued
            certificate = deadlines.Milestone(on=issued)
        elif status == CaseState.IDENTIFIED:
            issued = self.days_ago(30, 400)
            decided = issued + timedelta(days=rng.randint(0, 80))
            followed_up = decided if decided <= self.today and rng.random() >= 0.1 else None
            values["presumption_certificate_issued_on"] = issued
            values["presumption_certificate_followed_up_on"] = followed_up
            certificate = deadlines.Milestone(on=issued, followed_up_on=followed_up)
        elif status in (CaseState.ASSISTED, CaseState.FOLLOW_UP) and rng.random() < 0.7:
            months = rng.choice(_PERMIT_MONTHS)
            issued = self.days_ago(0, months * 30 + 45)
            expires_in = (issued + timedelta(days=months * 30) - self.today).days
            # Near or past expiry, most people have applied for the next permit already.
            renewal = issued if expires_in < 60 and rng.random() < 0.8 else None
            values["residence_permit_issued_on"] = issued
            values["residence_permit_months"] = months
            values["residence_permit_renewal_applied_on"] = renewal
            permit = deadlines.ResidencePermit(
                issued_on=issued, duration_months=months, renewal_applied_on=renewal
            )
        return deadlines.CaseFacts(
            birth_date=birth_date,
            presumed_victim_certificate=certificate,
            residence_permit=permit,
        )


def seed_cases(
    *,
    organisation_name: str,
    count: int,
    case_workers: int = DEFAULT_CASE_WORKERS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed: int | None = None,
    today: date | None = None,
    progress: Any = None,
) -> SeedResult:
    """Create `count` fictional people, each with one case, in the named organisation (made if
    missing), owned by ~`case_workers` fictional case workers."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 -- fictional data, repeatable with --seed
    today = today or timezone.localdate()
    organisation, _ = Organisation.objects.get_or_create(
        name=organisation_name, defaults={"kind": OrganisationKind.NGO, "country": "PL"}
    )
    supervisor, workers = _staff(organisation, case_workers)
    names = _Names(rng).draw(count)
    factory = _CaseFactory(rng, today)
    writers = _Writers.create()
    created = 0
    while created < count:
        size = min(batch_size, count - created)
        with transaction.atomic():
            batch = list(islice(names, size))
            _seed_batch(writers, organisation, supervisor, workers, batch, factory)
        created += size
        if progress is not None:
            progress(created, time.perf_counter() - started)
    audit.record(
        audit.Actor(username="waypoint seed_cases"),
        "cases.seed",
        object_type="organisation",
        object_id=organisation.pk,
        organisation_id=organisation.pk,
        details={"cases": created, "case_workers": len(workers)},
    )
    return SeedResult(organisation, created, time.perf_counter() - started)


class Ciphertext(str):
    """A value encrypted already, for an encrypted column: written as it is."""


class _RowWriter:
    """Writes many rows of a model at once: COPY on PostgreSQL, one `executemany` on SQLite,
    each column's values converted the way the model field would. `bulk_create` spends most of
    its time compiling SQL row by row; this makes seeding a million cases a matter of minutes.
    Columns left out get their field's default (`auto_now` ones: now)."""

    def __init__(self, model: type[Model]) -> None:
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(str(field.column)) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model, quoted; every value is a parameter.
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        now = timezone.now()
        self.columns = [
            (field.attname, _converter(field), _default(field, now)) for field in fields
        ]

    def write(self, rows: list[dict[str, Any]]) -> None:
        values = [
            tuple(
                convert(row[name]) if name in row else default
                for name, convert, default in self.columns
            )
            for row in rows
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The driver's own cursor: Django's wrapper has no COPY.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, values)


def _converter(field: Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, EncryptedTextField):
        return lambda value: (
            value if value is None or isinstance(value, Ciphertext) else field.get_prep_value(value)
        )
    kind = field.get_internal_type()
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        return lambda value: None if value is None else ops.adapt_json_value(value, encoder)
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    return lambda value: value


def _default(field: Field, now: datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _converter(field)(now)
    # An empty string for text columns without a default, as the model would save.
    return _converter(field)(field.get_default())


@dataclass
class _Writers:
    people: _RowWriter
    blind_indexes: _RowWriter
    cases: _RowWriter
    exploitation_rows: _RowWriter
    address: Ciphertext
    """The one invented address, encrypted once for everybody."""

    @classmethod
    def create(cls) -> "_Writers":
        address_field = Person._meta.get_field("address")
        assert isinstance(address_field, EncryptedTextField)
        return cls(
            people=_RowWriter(Person),
            blind_indexes=_RowWriter(BlindIndex),
            cases=_RowWriter(Case),
            exploitation_rows=_RowWriter(CaseExploitation),
            address=Ciphertext(address_field.get_prep_value(ADDRESS)),
        )


def _seed_batch(
    writers: _Writers,
    organisation: Organisation,
    supervisor: User,
    workers: list[User],
    names: list[tuple[str, str]],
    factory: _CaseFactory,
) -> None:
    rng = factory.rng
    size = len(names)
    birth_dates = [factory.days_ago(16 * 365, 60 * 365) for _ in range(size)]
    references = _unused_codes(rng, "P-", size, Person, "reference")
    writers.people.write(
        [
            {
                "organisation_id": organisation.pk,
                "reference": reference,
                "given_names": given,
                "family_names": family,
                "birth_date": born.isoformat(),
                "address": writers.address,
                "gender": rng.choice(_GENDERS),
                "nationality": rng.choice(_NATIONALITIES),
                "created_by_id": supervisor.pk,
            }
            for reference, (given, family), born in zip(references, names, birth_dates, strict=True)
        ]
    )
    person_ids = dict(
        Person.objects.filter(reference__in=references).values_list("reference", "id")
    )
    writers.blind_indexes.write(
        [
            {
                "person_id": person_ids[reference],
                "organisation_id": organisation.pk,
                "kind": Kind.NAME_AND_BIRTH_DATE,
                "digest": name_and_birth_date_digest(
                    organisation.pk, full_name(given, family), born
                ),
            }
            for reference, (given, family), born in zip(references, names, birth_dates, strict=True)
        ]
    )
    statuses = _weighted(rng, _STATUS_WEIGHTS, size)
    codes = _unused_codes(rng, "C-", size, Case, "code")
    cases = []
    for reference, code, status, born in zip(references, codes, statuses, birth_dates, strict=True):
        owner = rng.choice(workers)
        values = factory.values(status, born)
        if values.get("pending_status"):
            values["pending_requested_by_id"] = owner.pk
        cases.append(
            {
                "organisation_id": organisation.pk,
                "person_id": person_ids[reference],
                "code": code,
                "owner_id": owner.pk,
                "supervisor_id": supervisor.pk,
                "jurisdiction": "PL",
                **values,
            }
        )
    writers.cases.write(cases)
    case_ids = dict(Case.objects.filter(code__in=codes).values_list("code", "id"))
    writers.exploitation_rows.write(
        [
            {
                "case_id": case_ids[case["code"]],
                "organisation_id": organisation.pk,
                "exploitation_type": kind,
            }
            for case in cases
            for kind in case["exploitation_types"]
        ]
    )


class Command(BaseCommand):
    help = "Create many fictional cases quickly (bulk inserts), to measure Waypoint at scale."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many cases to add.")
        parser.add_argument("--organisation-name", default=DEFAULT_ORGANISATION)
        parser.add_argument("--case-workers", type=int, default=DEFAULT_CASE_WORKERS)
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--seed", type=int, default=None, help="Random seed, to repeat a run.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Add fictional cases even though debug mode is off.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Seeded cases are for test machines (WAYPOINT_DEBUG=1). "
                "Use --allow-production to add them anyway."
            )
        if options["count"] < 1 or options["case_workers"] < 1 or options["batch_size"] < 1:
            raise CommandError("--count, --case-workers and --batch-size must be at least 1.")

        def progress(done: int, seconds: float) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {done} cases, {done / seconds:,.0f}/s")

        result = seed_cases(
            organisation_name=options["organisation_name"],
            count=options["count"],
            case_workers=options["case_workers"],
            batch_size=options["batch_size"],
            seed=options["seed"],
            progress=progress,
        )
        self.stdout.write(
            f"Added {result.created} fictional cases to {result.organisation.name} "
            f"in {result.seconds:.1f} s ({result.rate:,.0f} cases/s)."
        )
