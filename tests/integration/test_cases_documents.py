"""Case documents: the printed rights sheet, the export of everything held about a person (JSON
and PDF) and erasure from a case; each authorised, audited and limited to its own person."""

import json
import re
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.integration.test_cases_support import (
    OPENED_ON,
    PERSON,
    SCREENING,
    Team,
    actions,
    actor_for,
    committed,
    consent_to_interview,
    make_team,
    open_case,
)
from waypoint.accounts.models import Organisation, User
from waypoint.accounts.policy import AccessDenied, Permission
from waypoint.cases import documents, services
from waypoint.cases.models import Case, Document, TraffickingEvent
from waypoint.domain import rights
from waypoint.people import services as people_services
from waypoint.people import storage
from waypoint.people.models import Person

OTHER_PERSON = {
    "given_names": "Иван",
    "family_names": "Примеров",
    "birth_date": "1988-01-23",
    "gender": "Masculine",
    "nationality": "BY",
    "languages": ["ru"],
}
TEXT_BYTES = b"A fictional referral letter.\n"
REFUSED_ROLES = ["org_admin", "data_analyst", "auditor", "trainee"]


# ---- reading the text of a PDF ----------------------------------------------------------------


def _objects(pdf: bytes) -> dict[int, bytes]:
    objects = {
        int(number): body for number, body in re.findall(rb"(\d+) 0 obj\s(.*?)\sendobj", pdf, re.S)
    }
    for body in list(objects.values()):
        if b"/Type /ObjStm" in body:
            data = _stream(body)
            first = int(re.search(rb"/First (\d+)", body).group(1))  # type: ignore[union-attr]
            header = [int(value) for value in data[:first].split()]
            pairs = list(zip(header[::2], header[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - first
                objects[number] = data[first + offset : first + end]
    return objects


def _stream(body: bytes) -> bytes:
    match = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S)
    assert match is not None
    return (
        zlib.decompress(match.group(1))
        if b"/FlateDecode" in body[: match.start()]
        else match.group(1)
    )


def _unicode_maps(objects: dict[int, bytes]) -> dict[str, dict[str, str]]:
    """Each font resource name → its glyph codes' text, from the fonts' ToUnicode maps."""
    maps: dict[str, dict[str, str]] = {}
    for body in objects.values():
        blocks = re.findall(rb"/Font\s*<<(.*?)>>", body, re.S)
        blocks += [
            objects.get(int(number), b"") for number in re.findall(rb"/Font (\d+) 0 R", body)
        ]
        for block in blocks:
            for name, number in re.findall(rb"/([^\s/<>]+)\s+(\d+) 0 R", block):
                reference = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(number), b""))
                if reference is None:
                    continue
                cmap = _stream(objects[int(reference.group(1))]).decode("latin-1")
                mapping: dict[str, str] = {}
                for section in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                    for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", section):
                        mapping[code.lower()] = bytes.fromhex(text).decode("utf-16-be")
                for section in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                    for low, high, start in re.findall(
                        r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", section
                    ):
                        for offset in range(int(high, 16) - int(low, 16) + 1):
                            mapping[f"{int(low, 16) + offset:04x}"] = chr(int(start, 16) + offset)
                maps[name.decode()] = mapping
    return maps


_TEXT_OPERATORS = re.compile(
    r"/([^\s/]+)\s+[\d.]+\s+Tf|(\[.*?\])\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\b(ET|Tm|Td|TD)\b", re.S
)


def pdf_text(pdf: bytes) -> str:
    """The text WeasyPrint drew, in drawing order, with runs of whitespace as one space.
    (No PDF library is installed: this reads the fonts' ToUnicode maps and the text operators
    of the page content, which is all WeasyPrint writes.)"""
    objects = _objects(pdf)
    maps = _unicode_maps(objects)
    pieces: list[str] = []
    for body in objects.values():
        if b"stream" not in body or b"/Length1" in body or b"/ObjStm" in body:
            continue
        try:
            content = _stream(body).decode("latin-1")
        except zlib.error:
            continue
        font: dict[str, str] = {}
        for match in _TEXT_OPERATORS.finditer(content):
            font_name, array, single, positioning = match.groups()
            if font_name:
                font = maps.get(font_name, {})
            elif positioning:
                pieces.append(" ")
            else:
                for chunk in re.findall(r"<([0-9a-fA-F]*)>", array or f"<{single}>"):
                    pieces.extend(
                        font.get(chunk[index : index + 4].lower(), "")
                        for index in range(0, len(chunk), 4)
                    )
    return " ".join("".join(pieces).split())


# ---- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


@pytest.fixture
def other_team(beta: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(beta, make_user)


@pytest.fixture
def case(team: Team) -> Case:
    return open_case(team.case_worker, supervisor=team.supervisor)


def _version(case: Case) -> int:
    return Case.objects.get(pk=case.pk).version


@pytest.fixture
def recorded_case(team: Team, case: Case) -> Case:
    """A case with something of every kind recorded in it."""
    worker, actor = team.case_worker, actor_for(team.case_worker)
    consent_to_interview(case, worker)
    services.save_screening(actor, worker, case, raw_input=SCREENING)
    services.update_case_details(
        actor,
        worker,
        case,
        expected_version=_version(case),
        exploitation_types=["ForcedLabour"],
        control_methods=["DebtBondage"],
        presumption_certificate_issued_on=OPENED_ON,
    )
    services.record_vulnerability_assessment(
        actor,
        worker,
        case,
        factors=[{"factor_id": "financial_resources", "direction": "risk", "severity": "high"}],
    )
    services.add_support_item(
        actor, worker, case, kind="Legal", provider="Fictional clinic", due_on=date(2026, 12, 1)
    )
    services.add_note(actor, worker, case, body="Nota: spotkanie w schronisku (fikcja).")
    with committed():
        services.upload_document(
            actor,
            worker,
            case,
            filename="skierowanie.txt",
            content_type="text/plain",
            content=TEXT_BYTES,
        )
    services.record_rights_information(actor, worker, case, language="uk", given_on=OPENED_ON)
    TraffickingEvent.objects.create(
        case=case, kind="Recruitment", country="UA", city="Вигадане", started_on=date(2025, 5, 1)
    )
    services.change_status(
        actor, worker, case, to_status="presumed_victim", reason="", expected_version=_version(case)
    )
    return Case.objects.get(pk=case.pk)


# ---- the rights sheet -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "pl", "uk", "ru"])
def test_rights_sheet_is_a_pdf_in_the_persons_language(
    team: Team, case: Case, language: str
) -> None:
    pdf = documents.rights_sheet_pdf(
        actor_for(team.case_worker), team.case_worker, case, language=language
    )
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    sheet = rights.rights_sheet("PL", language)
    assert sheet.title in text
    for item in sheet.items:
        assert item.title in text
        assert all(reference in text for reference in item.legal_references)
    assert case.code in text
    assert team.organisation.name in text
    # Nothing about the person but the case code.
    assert PERSON["given_names"] not in text
    assert PERSON["family_names"] not in text
    assert PERSON["birth_date"] not in text


def test_rights_sheet_in_ukrainian_and_russian_has_its_cyrillic_title(
    team: Team, case: Case
) -> None:
    for language, title in (
        ("uk", "Ваші права в Польщі як особи, яка могла стати жертвою торгівлі людьми"),
        ("ru", "Ваши права в Польше как лица, которое могло стать жертвой торговли людьми"),
    ):
        pdf = documents.rights_sheet_pdf(
            actor_for(team.case_worker), team.case_worker, case, language=language
        )
        assert title in pdf_text(pdf)


def test_rights_sheet_marks_every_provisional_item(team: Team, case: Case) -> None:
    sheet = rights.rights_sheet("PL", "en")
    provisional = [item for item in sheet.items if item.provisional]
    assert provisional, "the catalogue has provisional items"
    text = pdf_text(
        documents.rights_sheet_pdf(
            actor_for(team.case_worker), team.case_worker, case, language="en"
        )
    )
    # The label is printed in capitals (CSS text-transform).
    assert text.count("PROVISIONAL:") == len(provisional)
    assert text.count("has not yet been confirmed by a legal expert") == len(provisional)


def test_rights_sheet_follows_the_case_jurisdiction(team: Team) -> None:
    case = open_case(team.case_worker, jurisdiction="EU_COE")
    text = pdf_text(
        documents.rights_sheet_pdf(
            actor_for(team.case_worker), team.case_worker, case, language="pl"
        )
    )
    assert rights.rights_sheet("EU_COE", "pl").title in text
    assert rights.rights_sheet("PL", "pl").title not in text
    assert documents.rights_jurisdiction("PL") == "PL"
    assert documents.rights_jurisdiction("EU_COE") == "EU_COE"
    # A jurisdiction without a sheet of its own gets the common European minimum.
    assert documents.rights_jurisdiction("DE") == "EU_COE"


def test_rights_sheet_is_audited(team: Team, case: Case) -> None:
    documents.rights_sheet_pdf(actor_for(team.supervisor), team.supervisor, case, language="ru")
    [event] = actions("case.rights_sheet")
    assert event.object_id == str(case.pk)
    assert event.actor_id == team.supervisor.pk
    assert event.details == {
        "language": "ru",
        "jurisdiction": "PL",
        "catalogue_version": rights.rights_sheet("PL", "ru").catalogue_version,
    }


@pytest.mark.parametrize("language", ["de", "", "ukr", "EN"])
def test_rights_sheet_in_an_unsupported_language_is_refused_clearly(
    team: Team, case: Case, language: str
) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        documents.rights_sheet_pdf(
            actor_for(team.case_worker), team.case_worker, case, language=language
        )
    assert list(refused.value.errors) == ["language"]
    assert "supported: en, pl, uk, ru" in str(refused.value)
    assert actions("case.rights_sheet") == []


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_rights_sheet_is_refused_to_roles_without_personal_data(
    team: Team, case: Case, role: str
) -> None:
    user = team.by_role(role)
    with pytest.raises(AccessDenied) as refused:
        documents.rights_sheet_pdf(actor_for(user), user, case, language="en")
    assert refused.value.permission == Permission.VIEW_PERSONAL_DATA
    assert actions("case.rights_sheet") == []


def test_rights_sheet_is_refused_to_other_organisations_and_unassigned_workers(
    team: Team, other_team: Team, case: Case
) -> None:
    for user in (other_team.supervisor, other_team.case_worker, team.colleague):
        with pytest.raises(AccessDenied):
            documents.rights_sheet_pdf(actor_for(user), user, case, language="en")


def test_pdfs_use_the_packaged_fonts_and_open_nothing_else(
    team: Team, recorded_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []
    original = documents.PackagedFontsOnly.fetch

    def spy(self: documents.PackagedFontsOnly, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(documents.PackagedFontsOnly, "fetch", spy)
    worker = team.case_worker
    services.add_note(
        actor_for(worker),
        worker,
        recorded_case,
        body='<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://example.org/x.css">',
    )
    documents.export_person_data(actor_for(worker), worker, recorded_case, fmt="pdf")
    documents.rights_sheet_pdf(actor_for(worker), worker, recorded_case, language="uk")
    assert {Path(url).name for url in fetched} == {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}
    fetcher = documents.PackagedFontsOnly()
    for url in (
        "file:///etc/passwd",
        "http://example.org/x.css",
        (documents.FONTS_DIR / ".." / ".." / ".." / "documents.py").resolve().as_uri(),
        (documents.FONTS_DIR / "LICENSE-DejaVu.txt").as_uri()[:-4] + "missing.ttf",
    ):
        with pytest.raises(ValueError, match="only open the packaged fonts"):
            fetcher.fetch(url)
    assert (documents.FONTS_DIR / "LICENSE-DejaVu.txt").exists()


# ---- the export -------------------------------------------------------------------------------


def export_json(user: User, case: Case) -> dict[str, Any]:
    filename, content_type, content = documents.export_person_data(
        actor_for(user), user, case, fmt="json"
    )
    assert filename == f"{case.person.reference}.json"
    assert content_type == "application/json"
    return json.loads(content)


def test_json_export_holds_everything_recorded_about_the_person(
    team: Team, recorded_case: Case
) -> None:
    exported = export_json(team.case_worker, recorded_case)
    assert exported["format"] == "waypoint.person_export"
    assert exported["organisation"] == team.organisation.name
    person = exported["person"]
    assert person["reference"] == recorded_case.person.reference
    assert (person["given_names"], person["family_names"]) == ("Olena", "Kovalenko")
    assert person["birth_date"] == "1994-03-12"
    assert person["languages"] == ["ukr"]
    [case] = exported["cases"]
    assert case["code"] == recorded_case.code
    assert case["status"] == "presumed_victim"
    assert case["htcds_status"] == "Active"
    assert case["htcds"]["exploitation_types"] == ["ForcedLabour"]
    assert case["htcds"]["control_methods"] == ["DebtBondage"]
    assert case["deadline_facts"]["presumption_certificate_issued_on"] == OPENED_ON.isoformat()
    [change] = case["status_history"]
    assert (change["from_status"], change["to_status"]) == ("screening", "presumed_victim")
    assert [consent["scope"] for consent in case["consents"]] == ["interview"]
    [screening] = case["screenings"]
    assert screening["answers"]["indicators"] == SCREENING["indicators"]
    assert screening["result"]["ilo"]["verdict"] == screening["verdict"]
    [assessment] = case["vulnerability_assessments"]
    assert assessment["factors"][0]["factor_id"] == "financial_resources"
    assert case["support_plan"][0]["provider"] == "Fictional clinic"
    assert [note["body"] for note in case["notes"]] == ["Nota: spotkanie w schronisku (fikcja)."]
    [document] = case["documents"]
    assert document["filename"] == "skierowanie.txt"
    assert document["size"] == len(TEXT_BYTES)
    assert "content" not in document
    assert case["rights_given"][0]["language"] == "uk"
    assert case["trafficking_events"][0]["city"] == "Вигадане"
    assert exported["other_cases_not_included"] == 0


def test_json_export_lists_events_as_the_case_page_does(team: Team, recorded_case: Case) -> None:
    undated = TraffickingEvent.objects.create(
        case=recorded_case, kind="Transit", country="DE", started_on=None
    )
    earlier = TraffickingEvent.objects.create(
        case=recorded_case, kind="Recruitment", country="UA", started_on=date(2024, 1, 1)
    )
    [case] = export_json(team.case_worker, recorded_case)["cases"]
    exported = [(event["kind"], event["started_on"]) for event in case["trafficking_events"]]
    assert exported == [
        (earlier.kind, "2024-01-01"),
        ("Recruitment", "2025-05-01"),
        (undated.kind, None),
    ]


def test_json_export_is_stable_with_iso_dates_and_names_no_staff(
    team: Team, recorded_case: Case
) -> None:
    _name, _type, content = documents.export_person_data(
        actor_for(team.case_worker), team.case_worker, recorded_case, fmt="json"
    )
    text = content.decode()
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert date.fromisoformat(data["cases"][0]["opened_on"]) == OPENED_ON
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", data["cases"][0]["notes"][0]["written_at"]
    )
    for staff in (team.case_worker, team.supervisor):
        assert staff.username not in text


def test_json_export_holds_every_case_of_the_person_and_nothing_of_anyone_else(
    team: Team, recorded_case: Case
) -> None:
    worker = team.case_worker
    second = Case.objects.create(
        organisation=team.organisation,
        person=recorded_case.person,
        owner=worker,
        opened_on=date(2026, 11, 1),
    )
    someone_else = open_case(worker, person=OTHER_PERSON)
    services.add_note(actor_for(worker), worker, someone_else, body="Про іншу людину.")
    exported = export_json(worker, recorded_case)
    assert [case["code"] for case in exported["cases"]] == [recorded_case.code, second.code]
    text = json.dumps(exported, ensure_ascii=False)
    for other in ("Иван", "Примеров", "1988-01-23", "Про іншу людину.", someone_else.code):
        assert other not in text


def test_export_leaves_out_the_cases_the_exporter_may_not_see(
    team: Team, recorded_case: Case
) -> None:
    Case.objects.create(
        organisation=team.organisation,
        person=recorded_case.person,
        owner=team.colleague,
        opened_on=date(2026, 11, 1),
    )
    as_worker = export_json(team.case_worker, recorded_case)
    assert [case["code"] for case in as_worker["cases"]] == [recorded_case.code]
    assert as_worker["other_cases_not_included"] == 1
    as_supervisor = export_json(team.supervisor, recorded_case)
    assert len(as_supervisor["cases"]) == 2
    assert as_supervisor["other_cases_not_included"] == 0


def test_pdf_export_has_headings_in_the_users_language_and_data_as_recorded(
    team: Team, recorded_case: Case
) -> None:
    filename, content_type, pdf = documents.export_person_data(
        actor_for(team.case_worker), team.case_worker, recorded_case, fmt="pdf", language="uk"
    )
    assert filename == f"{recorded_case.person.reference}.pdf"
    assert content_type == "application/pdf"
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for heading in ("Персональні дані, які зберігає організація", "Особа", "Згоди", "Нотатки"):
        assert heading in text
    for recorded in ("Olena", "Kovalenko", "1994-03-12", recorded_case.code, "Вигадане"):
        assert recorded in text
    assert "Nota: spotkanie w schronisku (fikcja)." in text


def test_pdf_export_headings_follow_the_active_language(team: Team, recorded_case: Case) -> None:
    from django.utils import translation

    with translation.override("ru"):
        _name, _type, pdf = documents.export_person_data(
            actor_for(team.case_worker), team.case_worker, recorded_case, fmt="pdf"
        )
    assert "Персональные данные, которые хранит организация" in pdf_text(pdf)


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_export_is_audited_with_its_format(team: Team, recorded_case: Case, fmt: str) -> None:
    documents.export_person_data(
        actor_for(team.supervisor), team.supervisor, recorded_case, fmt=fmt
    )
    [event] = actions("person.export")
    assert event.object_type == "person"
    assert event.object_id == str(recorded_case.person_id)
    assert event.actor_id == team.supervisor.pk
    assert event.details == {
        "reference": recorded_case.person.reference,
        "format": fmt,
        "case_id": recorded_case.pk,
        "cases": 1,
    }


def test_export_in_an_unknown_format_is_refused(team: Team, case: Case) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        documents.export_person_data(actor_for(team.case_worker), team.case_worker, case, fmt="xml")
    assert list(refused.value.errors) == ["fmt"]
    assert actions("person.export") == []


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_export_is_refused_to_roles_without_personal_data(
    team: Team, case: Case, role: str
) -> None:
    user = team.by_role(role)
    with pytest.raises(AccessDenied):
        documents.export_person_data(actor_for(user), user, case, fmt="json")
    assert actions("person.export") == []


def test_export_is_refused_to_other_organisations_and_unassigned_workers(
    team: Team, other_team: Team, case: Case
) -> None:
    for user in (other_team.supervisor, team.colleague):
        with pytest.raises(AccessDenied):
            documents.export_person_data(actor_for(user), user, case, fmt="json")
    assert actions("person.export") == []


def test_export_of_an_erased_person_is_refused(team: Team, case: Case) -> None:
    documents.erase_person_data(
        actor_for(team.supervisor), team.supervisor, case, reason="person_request"
    )
    with pytest.raises(services.CaseRuleError) as refused:
        documents.export_person_data(actor_for(team.supervisor), team.supervisor, case, fmt="json")
    assert list(refused.value.errors) == ["person"]
    assert "erased" in str(refused.value)
    assert actions("person.export") == []


# ---- erasure ----------------------------------------------------------------------------------


def raw_column(model: Any, column: str, pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_erasure_leaves_a_tombstone_and_blanks_document_fingerprints(
    team: Team, recorded_case: Case
) -> None:
    document = Document.objects.get(case=recorded_case)
    assert document.sha256
    assert storage.path_for(document.storage_id).exists()
    with committed():
        person = documents.erase_person_data(
            actor_for(team.supervisor), team.supervisor, recorded_case, reason="consent_withdrawn"
        )
    assert person.is_erased
    assert raw_column(Person, "given_names", person.pk) is None
    tombstone = Case.objects.get(pk=recorded_case.pk)
    assert (tombstone.code, tombstone.status) == (recorded_case.code, "presumed_victim")
    assert tombstone.exploitation_types == ["ForcedLabour"]
    document.refresh_from_db()
    assert document.sha256 == ""
    assert (document.content_type, document.size) == ("text/plain", len(TEXT_BYTES))
    assert not storage.path_for(document.storage_id).exists()
    [erased] = actions("person.erase")
    assert erased.details["reason"] == "consent_withdrawn"
    [from_case] = actions("case.erase_person")
    assert from_case.object_id == str(recorded_case.pk)
    assert from_case.details == {"person_id": person.pk, "reason": "consent_withdrawn"}


def test_fingerprints_go_whichever_way_the_person_is_erased(
    team: Team, recorded_case: Case
) -> None:
    # The receiver is connected by the app: erasing through the people services blanks them too.
    people_services.erase_person(
        actor_for(team.supervisor), team.supervisor, recorded_case.person, reason="duplicate"
    )
    assert list(Document.objects.values_list("sha256", flat=True)) == [""]


def test_erasure_keeps_other_peoples_fingerprints(team: Team, recorded_case: Case) -> None:
    worker = team.case_worker
    other = open_case(worker, person=OTHER_PERSON)
    services.upload_document(
        actor_for(worker), worker, other, filename="x.txt", content_type="", content=TEXT_BYTES
    )
    documents.erase_person_data(
        actor_for(team.supervisor), team.supervisor, recorded_case, reason="person_request"
    )
    assert Document.objects.get(case=other).sha256 != ""


@pytest.mark.parametrize("role", ["case_worker", *REFUSED_ROLES])
def test_erasure_is_for_supervisors_only(team: Team, case: Case, role: str) -> None:
    user = team.by_role(role)
    with pytest.raises(AccessDenied) as refused:
        documents.erase_person_data(actor_for(user), user, case, reason="person_request")
    assert refused.value.permission == Permission.APPROVE_CASE_DECISIONS
    assert not Person.objects.get(pk=case.person_id).is_erased


def test_erasure_is_refused_to_another_organisations_supervisor(
    other_team: Team, case: Case
) -> None:
    with pytest.raises(AccessDenied):
        documents.erase_person_data(
            actor_for(other_team.supervisor), other_team.supervisor, case, reason="person_request"
        )
    assert not Person.objects.get(pk=case.person_id).is_erased


def test_erasure_needs_a_fixed_reason_and_happens_once(team: Team, case: Case) -> None:
    supervisor = team.supervisor
    with pytest.raises(services.CaseInputError) as refused:
        documents.erase_person_data(actor_for(supervisor), supervisor, case, reason="Olena asked")
    assert list(refused.value.errors) == ["reason"]
    documents.erase_person_data(actor_for(supervisor), supervisor, case, reason="person_request")
    with pytest.raises(services.CaseRuleError) as twice:
        documents.erase_person_data(
            actor_for(supervisor), supervisor, case, reason="person_request"
        )
    assert list(twice.value.errors) == ["person"]
    assert len(actions("person.erase")) == 1
