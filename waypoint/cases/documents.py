"""Documents made from a case: the printed rights sheet, the export of everything held about a
person (JSON or PDF), and the erasure of that person's data; and the check that the uploaded
documents' rows and their stored files still match (`waypoint check_documents`).

Each function acting for a user asks the policy first and writes its audit event in one
transaction; the PDF is rendered afterwards, outside it, so that a long layout never holds the
database's write lock. The PDFs are laid out by WeasyPrint in the packaged DejaVu Sans fonts
(`static/cases/fonts`), so Cyrillic and the other scripts print the same on a server without
system fonts; the renderer may open those fonts and nothing else.

Texts printed for a person (labels, headings) are kept here in every language the rights
catalogue speaks, like the domain's own texts, so a sheet is never half in another language.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from urllib.request import url2pathname
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from waypoint.accounts.models import User
from waypoint.accounts.policy import Permission, authorize, can
from waypoint.audit import services as audit
from waypoint.cases import selectors
from waypoint.cases.models import (
    Case,
    Consent,
    Document,
    Note,
    RightsInformation,
    StatusChange,
    StoredScreening,
    SupportItem,
    TraffickingEvent,
    VulnerabilityAssessment,
)
from waypoint.cases.services import CaseInputError, CaseRuleError
from waypoint.domain import rights
from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES, LocalizedText, check_language
from waypoint.people import services as people_services
from waypoint.people import storage
from waypoint.people.models import Person

ExportFormat = Literal["json", "pdf"]
EXPORT_FORMATS: tuple[str, ...] = ("json", "pdf")
# The rights of a case whose jurisdiction has no sheet of its own: the common European minimum
# (EU directives and the Council of Europe Convention, CETS 197).
GENERIC_RIGHTS_JURISDICTION = "EU_COE"
EXPORT_FORMAT_VERSION = 1
JSON_CONTENT_TYPE = "application/json"
PDF_CONTENT_TYPE = "application/pdf"

_STATIC_DIR = Path(__file__).resolve().parent / "static" / "cases"
FONTS_DIR = _STATIC_DIR / "fonts"
STYLESHEET = _STATIC_DIR / "pdf" / "print.css"


# ---- rendering ------------------------------------------------------------------------------


class PackagedFontsOnly(URLFetcher):
    """WeasyPrint may fetch the packaged fonts and nothing else: no network, no other file,
    whatever a recorded value might contain."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(url2pathname(parts.path)).resolve()
        if parts.scheme != "file" or not path.is_relative_to(FONTS_DIR) or not path.is_file():
            raise ValueError(f"PDF rendering may only open the packaged fonts, not {url!r}")
        return super().fetch(url, headers)


def render_pdf(
    template_name: str, context: Mapping[str, Any], *, extra_stylesheets: Sequence[Path] = ()
) -> bytes:
    """A PDF in the packaged DejaVu fonts (Latin and Cyrillic on any machine), laid out by the
    shared print stylesheet and any extra ones."""
    html = render_to_string(template_name, dict(context))
    fetcher = PackagedFontsOnly(allowed_protocols=("file",), fail_on_errors=True)
    # The stylesheet's @font-face rules are read only with a font configuration to add them to.
    fonts = FontConfiguration()
    stylesheets = [
        CSS(filename=str(path), url_fetcher=fetcher, font_config=fonts)
        for path in (STYLESHEET, *extra_stylesheets)
    ]
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )
    assert pdf is not None
    return pdf


def _label(text: LocalizedText, language: str) -> str:
    return text.in_language(language)


def _labels(texts: Mapping[str, LocalizedText], language: str) -> dict[str, str]:
    return {key: _label(text, language) for key, text in texts.items()}


def _localised_date(day: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def page_language() -> str:
    """The active language, if the printed texts speak it; else English."""
    language = (translation.get_language() or "en")[:2]
    return language if language in SUPPORTED_LANGUAGES else "en"


def _checked_language(language: str) -> str:
    try:
        return check_language(language)
    except rights.UnsupportedLanguageError as error:
        raise CaseInputError.at("language", str(error)) from None


def _case_for(actor: audit.Actor, user: User, permission: Permission, case: Case) -> Case:
    """The case as stored now, if the policy lets the user act on it."""
    fresh = Case.objects.select_related("person", "organisation").get(pk=case.pk)
    authorize(actor, user, permission, fresh, object_type="case", object_id=case.pk)
    return fresh


# ---- the rights sheet -----------------------------------------------------------------------

_SHEET_LABELS = {
    "case": LocalizedText(en="Case", pl="Sprawa", uk="Справа", ru="Дело"),
    "organisation": LocalizedText(
        en="Organisation", pl="Organizacja", uk="Організація", ru="Организация"
    ),
    "date": LocalizedText(en="Date", pl="Data", uk="Дата", ru="Дата"),
    "legal_references": LocalizedText(
        en="Legal references", pl="Podstawa prawna", uk="Правова основа", ru="Правовая основа"
    ),
    "provisional": LocalizedText(
        en="Provisional:", pl="Wstępnie:", uk="Попередньо:", ru="Предварительно:"
    ),
    "provisional_explained": LocalizedText(
        en=(
            "this information has not yet been confirmed by a legal expert. Ask your support "
            "worker whether it applies to you."
        ),
        pl=(
            "ta informacja nie została jeszcze potwierdzona przez prawnika. Zapytaj osobę, "
            "która Ci pomaga, czy dotyczy Ciebie."
        ),
        uk=(
            "цю інформацію ще не підтвердив юрист. Запитайте працівника, який вам допомагає, "
            "чи стосується вона вас."
        ),
        ru=(
            "эта информация ещё не подтверждена юристом. Спросите сотрудника, который вам "
            "помогает, относится ли она к вам."
        ),
    ),
    "catalogue_version": LocalizedText(
        en="Version of this information",
        pl="Wersja tej informacji",
        uk="Версія цієї інформації",
        ru="Версия этой информации",
    ),
}


def rights_jurisdiction(case_jurisdiction: str) -> str:
    """The rights catalogue's jurisdiction for a case: its own if the catalogue has it,
    otherwise the common European minimum."""
    if case_jurisdiction in rights.supported_jurisdictions():
        return case_jurisdiction
    return GENERIC_RIGHTS_JURISDICTION


def rights_sheet_pdf(actor: audit.Actor, user: User, case: Case, *, language: str) -> bytes:
    """The person's rights under the case's jurisdiction, in their language (en, pl, uk, ru),
    as a PDF to hand over. It names the case by its code only: nothing else about the person."""
    with transaction.atomic():
        fresh = _case_for(actor, user, Permission.VIEW_PERSONAL_DATA, case)
        language = _checked_language(language)
        sheet = rights.rights_sheet(rights_jurisdiction(fresh.jurisdiction), language)
        audit.record(
            actor,
            "case.rights_sheet",
            object_type="case",
            object_id=case.pk,
            details={
                "language": language,
                "jurisdiction": sheet.jurisdiction,
                "catalogue_version": sheet.catalogue_version,
            },
        )
    context = {
        "language": language,
        "title": sheet.title,
        "reference": fresh.code,
        "sheet": sheet,
        "case_code": fresh.code,
        "organisation_name": fresh.organisation.name,
        "date": _localised_date(timezone.localdate(), language),
        "labels": _labels(_SHEET_LABELS, language),
    }
    return render_pdf("cases/pdf/rights_sheet.html", context)


# ---- everything held about a person ---------------------------------------------------------

_EXPORT_LABELS = {
    "export_title": LocalizedText(
        en="Personal data held by the organisation",
        pl="Dane osobowe przechowywane przez organizację",
        uk="Персональні дані, які зберігає організація",
        ru="Персональные данные, которые хранит организация",
    ),
    "person_reference": LocalizedText(
        en="Person reference",
        pl="Identyfikator osoby",
        uk="Ідентифікатор особи",
        ru="Идентификатор лица",
    ),
    "organisation": _SHEET_LABELS["organisation"],
    "exported_on": LocalizedText(
        en="Exported", pl="Data eksportu", uk="Дата експорту", ru="Дата экспорта"
    ),
    "export_notice": LocalizedText(
        en=(
            "Everything recorded about this person in the cases below, decrypted, as it was "
            "recorded. The staff who recorded it are not named: the audit trail shows who did "
            "what. Keep this document as safe as the record itself."
        ),
        pl=(
            "Wszystko, co zapisano o tej osobie w poniższych sprawach, w postaci "
            "odszyfrowanej, tak jak zostało zapisane. Pracownicy, którzy to zapisali, nie są "
            "wymienieni: kto co zrobił, pokazuje dziennik audytu. Chroń ten dokument tak samo "
            "jak samą dokumentację."
        ),
        uk=(
            "Усе, що записано про цю особу в наведених нижче справах, у розшифрованому "
            "вигляді, так, як це було записано. Працівників, які це записали, не названо: хто "
            "що зробив, видно з журналу аудиту. Зберігайте цей документ так само надійно, як "
            "і саму справу."
        ),
        ru=(
            "Всё, что записано об этом лице в перечисленных ниже делах, в расшифрованном "
            "виде, так, как это было записано. Сотрудники, сделавшие записи, не названы: кто "
            "что сделал, видно из журнала аудита. Храните этот документ так же надёжно, как "
            "и само дело."
        ),
    ),
    "cases_not_included": LocalizedText(
        en="Other cases of this person that you may not see, not included",
        pl="Inne sprawy tej osoby, do których nie masz dostępu (nieuwzględnione)",
        uk="Інші справи цієї особи, до яких ви не маєте доступу (не включено)",
        ru="Другие дела этого лица, к которым у вас нет доступа (не включены)",
    ),
    "person": LocalizedText(en="Person", pl="Osoba", uk="Особа", ru="Лицо"),
    "case": _SHEET_LABELS["case"],
    "none_recorded": LocalizedText(
        en="Nothing recorded.",
        pl="Nic nie zapisano.",
        uk="Нічого не записано.",
        ru="Ничего не записано.",
    ),
    "no_cases": LocalizedText(en="No cases.", pl="Brak spraw.", uk="Справ немає.", ru="Дел нет."),
}

# The headings of a case's parts, in the order they are printed; the keys are the export's.
_CASE_SECTIONS = {
    "status_history": LocalizedText(
        en="Status history", pl="Historia statusu", uk="Історія статусу", ru="История статуса"
    ),
    "consents": LocalizedText(en="Consents", pl="Zgody", uk="Згоди", ru="Согласия"),
    "screenings": LocalizedText(
        en="Screenings", pl="Wywiady przesiewowe", uk="Скринінги", ru="Скрининги"
    ),
    "vulnerability_assessments": LocalizedText(
        en="Vulnerability assessments",
        pl="Oceny podatności na zagrożenia",
        uk="Оцінки вразливості",
        ru="Оценки уязвимости",
    ),
    "support_plan": LocalizedText(
        en="Support plan", pl="Plan wsparcia", uk="План підтримки", ru="План поддержки"
    ),
    "notes": LocalizedText(en="Notes", pl="Notatki", uk="Нотатки", ru="Заметки"),
    "documents": LocalizedText(
        en="Documents (details only, not the files)",
        pl="Dokumenty (tylko dane o plikach, bez plików)",
        uk="Документи (лише відомості про файли, без файлів)",
        ru="Документы (только сведения о файлах, без файлов)",
    ),
    "rights_given": LocalizedText(
        en="Rights information given",
        pl="Przekazane informacje o prawach",
        uk="Надана інформація про права",
        ru="Предоставленная информация о правах",
    ),
    "trafficking_events": LocalizedText(
        en="Trafficking events",
        pl="Zdarzenia związane z handlem ludźmi",
        uk="Події, пов'язані з торгівлею людьми",
        ru="События, связанные с торговлей людьми",
    ),
}

# Coded HTCDS fields and the facts the deadlines run from: plain columns of the case.
_HTCDS_FIELDS = (
    "trafficking_status",
    "trafficking_status_decided_by",
    "recruitment_methods",
    "control_methods",
    "exploitation_types",
    "forced_labour_industry",
    "sexual_exploitation_types",
    "relationship_to_trafficker",
    "perpetrator_roles",
    "age_when_trafficked",
)
_DEADLINE_FACT_FIELDS = (
    "presumption_certificate_issued_on",
    "presumption_certificate_followed_up_on",
    "reasonable_grounds_on",
    "reasonable_grounds_followed_up_on",
    "residence_permit_issued_on",
    "residence_permit_months",
    "residence_permit_renewal_applied_on",
    "next_deadline_on",
)


def _person_record(person: Person) -> dict[str, Any]:
    return {
        "reference": person.reference,
        **people_services.person_data(person).as_dict(),
        "photo": person.photo,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


def _status_change(change: StatusChange) -> dict[str, Any]:
    return {
        "changed_at": change.changed_at,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "reason": change.reason,
        "approved_by_supervisor": change.approved_by_id is not None,
    }


def _consent(consent: Consent) -> dict[str, Any]:
    return {
        "scope": consent.scope,
        "given": consent.given,
        "shared_with": consent.shared_with.name if consent.shared_with else None,
        "explained_in_language": consent.explained_in_language,
        "recorded_on": consent.recorded_on,
        "withdrawn_at": consent.withdrawn_at,
    }


def _screening(screening: StoredScreening) -> dict[str, Any]:
    return {
        "recorded_at": screening.recorded_at,
        "verdict": screening.verdict,
        "ruleset_version": screening.ruleset_version,
        "catalogue_sha256": screening.catalogue_sha256,
        "answers": screening.answers,
        "result": screening.result,
    }


def _vulnerability(assessment: VulnerabilityAssessment) -> dict[str, Any]:
    return {
        "assessed_at": assessment.assessed_at,
        "factors": assessment.factors,
        "summary": assessment.summary,
    }


def _without_bookkeeping(details: dict[str, Any]) -> dict[str, Any]:
    """A record's values for the person: the row id and the edit version mean nothing to them."""
    return {key: value for key, value in details.items() if key not in {"id", "version"}}


def _support_item(item: SupportItem) -> dict[str, Any]:
    return _without_bookkeeping(selectors.support_item_details(item))


def _note(note: Note) -> dict[str, Any]:
    return {"written_at": note.written_at, "body": note.body}


def _document(document: Document) -> dict[str, Any]:
    return {
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at,
    }


def _rights_given(given: RightsInformation) -> dict[str, Any]:
    return {
        "jurisdiction": given.jurisdiction,
        "language": given.language,
        "catalogue_version": given.catalogue_version,
        "given_on": given.given_on,
    }


def _event(event: TraffickingEvent) -> dict[str, Any]:
    return _without_bookkeeping(selectors.event_details(event))


def _case_record(case: Case) -> dict[str, Any]:
    return {
        "code": case.code,
        "status": case.status,
        "htcds_status": selectors.htcds_status_of(case),
        "jurisdiction": case.jurisdiction,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "closure_reason": case.closure_reason,
        "pending_status": case.pending_status,
        "pending_reason": case.pending_reason,
        "htcds": {name: getattr(case, name) for name in _HTCDS_FIELDS},
        "deadline_facts": {name: getattr(case, name) for name in _DEADLINE_FACT_FIELDS},
        "status_history": [_status_change(item) for item in case.status_changes.all()],
        "consents": [_consent(item) for item in case.consents.all()],
        "screenings": [_screening(item) for item in case.screenings.all()],
        "vulnerability_assessments": [_vulnerability(item) for item in case.vulnerability.all()],
        "support_plan": [_support_item(item) for item in case.support_items.all()],
        "notes": [_note(item) for item in case.notes.all()],
        "documents": [_document(item) for item in case.documents.all()],
        "rights_given": [_rights_given(item) for item in case.rights_given.all()],
        "trafficking_events": [_event(item) for item in case.events.all()],
    }


def _cases_of(person: Person, organisation_id: int) -> QuerySet[Case]:
    """Every case of the person in the organisation, with everything recorded in it, oldest
    record first: eleven queries whatever the number of cases."""
    return (
        Case.objects.filter(person=person, organisation_id=organisation_id)
        .order_by("opened_on", "id")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("changed_at", "id")),
            Prefetch(
                "consents",
                queryset=Consent.objects.select_related("shared_with").order_by(
                    "recorded_on", "id"
                ),
            ),
            Prefetch("screenings", queryset=StoredScreening.objects.order_by("recorded_at", "id")),
            Prefetch(
                "vulnerability",
                queryset=VulnerabilityAssessment.objects.order_by("assessed_at", "id"),
            ),
            Prefetch("support_items", queryset=SupportItem.objects.order_by("created_at", "id")),
            Prefetch("notes", queryset=Note.objects.order_by("written_at", "id")),
            Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "id")),
            Prefetch("rights_given", queryset=RightsInformation.objects.order_by("given_on", "id")),
            Prefetch("events", queryset=TraffickingEvent.objects.order_by(*selectors.EVENT_ORDER)),
        )
    )


def person_export_data(user: User, person: Person) -> dict[str, Any]:
    """Everything held about the person in the user's organisation, decrypted: the person's
    data and every case of theirs the user may see, with all that was recorded in it. Staff
    are not named. The caller has checked access and writes the audit event."""
    cases = list(_cases_of(person, user.organisation_id))
    visible = [case for case in cases if can(user, Permission.VIEW_PERSONAL_DATA, case)]
    return {
        "format": "waypoint.person_export",
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "organisation": user.organisation.name,
        "person": _person_record(person),
        "cases": [_case_record(case) for case in visible],
        "other_cases_not_included": len(cases) - len(visible),
    }


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def export_json(data: Mapping[str, Any]) -> bytes:
    """Stable JSON: keys sorted, dates and times in ISO 8601, text in UTF-8."""
    text = json.dumps(data, default=_json_value, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode()


@dataclass(frozen=True)
class _Row:
    label: str
    text: str
    block: bool
    """Structured data (screening answers, a summary): printed as indented JSON."""


def _plain(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _row(label: str, value: object) -> _Row:
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return _Row(label, ", ".join(_plain(item) for item in value) or "—", block=False)
    if isinstance(value, dict | list):
        text = json.dumps(value, default=_json_value, ensure_ascii=False, indent=2, sort_keys=True)
        return _Row(label, text, block=True)
    return _Row(label, _plain(value), block=False)


def _rows(record: Mapping[str, Any], *, skip: Iterable[str] = ()) -> list[_Row]:
    skipped = set(skip)
    rows: list[_Row] = []
    for key, value in record.items():
        if key in skipped:
            continue
        if isinstance(value, dict) and key in ("htcds", "deadline_facts"):
            rows.extend(_row(f"{key}.{inner}", item) for inner, item in value.items())
        else:
            rows.append(_row(key, value))
    return rows


def _export_pdf(data: Mapping[str, Any], language: str) -> bytes:
    cases = [
        {
            "code": case["code"],
            "rows": _rows(case, skip=_CASE_SECTIONS),
            "sections": [
                {
                    "heading": _label(heading, language),
                    "records": [_rows(record) for record in case[key]],
                }
                for key, heading in _CASE_SECTIONS.items()
            ],
        }
        for case in data["cases"]
    ]
    exported_at = timezone.localtime(data["exported_at"])
    context = {
        "language": language,
        "title": _label(_EXPORT_LABELS["export_title"], language),
        "reference": data["person"]["reference"],
        "organisation_name": data["organisation"],
        "exported_at": exported_at.strftime("%Y-%m-%d %H:%M"),
        "person_rows": _rows(data["person"]),
        "cases": cases,
        "other_cases_not_included": data["other_cases_not_included"],
        "labels": _labels(_EXPORT_LABELS, language),
    }
    return render_pdf("cases/pdf/person_export.html", context)


def export_person_data(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    fmt: str,
    language: str | None = None,
) -> tuple[str, str, bytes]:
    """Everything held about the case's person, as (file name, content type, bytes): JSON with
    stable keys and ISO dates, or a PDF whose headings are in `language` (default: the active
    language) and whose data are as recorded. Refused once the person is erased."""
    if fmt not in EXPORT_FORMATS:
        raise CaseInputError.at(
            "fmt",
            _("%(value)r is not one of: %(choices)s.")
            % {"value": fmt, "choices": ", ".join(EXPORT_FORMATS)},
        )
    language = _checked_language(language or page_language())
    with transaction.atomic():
        fresh = _case_for(actor, user, Permission.VIEW_PERSONAL_DATA, case)
        person = fresh.person
        if person.is_erased:
            raise CaseRuleError.at("person", _("This person's data was erased."))
        data = person_export_data(user, person)
        audit.record(
            actor,
            "person.export",
            object_type="person",
            object_id=person.pk,
            details={
                "reference": person.reference,
                "format": fmt,
                "case_id": fresh.pk,
                "cases": len(data["cases"]),
            },
        )
    if fmt == "json":
        return f"{person.reference}.json", JSON_CONTENT_TYPE, export_json(data)
    return f"{person.reference}.pdf", PDF_CONTENT_TYPE, _export_pdf(data, language)


# ---- erasure --------------------------------------------------------------------------------


@transaction.atomic
def erase_person_data(actor: audit.Actor, user: User, case: Case, *, reason: str) -> Person:
    """Erase the case's person and everything encrypted in their cases, leaving the tombstone
    (see docs/data-protection.md). Supervisors only; `reason` is a people.ErasureReason code."""
    fresh = _case_for(actor, user, Permission.APPROVE_CASE_DECISIONS, case)
    if reason not in people_services.ErasureReason.values:
        raise CaseInputError.at(
            "reason",
            _("%(value)r is not one of: %(choices)s.")
            % {"value": reason, "choices": ", ".join(people_services.ErasureReason.values)},
        )
    try:
        person = people_services.erase_person(actor, user, fresh.person, reason=reason)
    except people_services.PersonAlreadyErasedError as error:
        raise CaseRuleError.at("person", str(error)) from None
    audit.record(
        actor,
        "case.erase_person",
        object_type="case",
        object_id=case.pk,
        details={"person_id": person.pk, "reason": reason},
    )
    return person


def blank_document_fingerprints(sender: object, *, person: Person, **kwargs: object) -> None:
    """`person_erased` receiver: a document's SHA-256 would tell whether someone holds a copy
    of the file, so an erased person's documents keep only their type and size."""
    Document.objects.filter(case__person_id=person.pk).update(sha256="")


# ---- the stored files and the rows that name them -------------------------------------------

# Documents read per round trip while comparing, and ids per `IN (...)` when checking again
# (far under SQLite's limit on query parameters).
_DOCUMENT_CHUNK = 2_000
_ID_BATCH = 500


@dataclass(frozen=True)
class DocumentRow:
    """A document by its ids alone: nothing that names the person or the file."""

    document_id: int
    case_id: int
    organisation_id: int


@dataclass(frozen=True)
class OrphanFile:
    """A stored file no document needs: no row names it, or the row that does belongs to an
    erased person, whose files the erasure deletes."""

    storage_id: UUID
    modified_at: datetime
    erased_document: DocumentRow | None = None

    @property
    def reason(self) -> str:
        return "person_erased" if self.erased_document else "no_document"


@dataclass
class DocumentFilesReport:
    documents: int
    files: int
    documents_without_file: list[DocumentRow]
    orphan_files: list[OrphanFile]
    deleted: list[OrphanFile] = field(default_factory=list)
    too_recent: list[OrphanFile] = field(default_factory=list)
    """Orphans written within the grace period, kept."""
    not_deleted: list[tuple[OrphanFile, str]] = field(default_factory=list)
    """Orphans whose deletion failed, with the error."""
    deletion_refused: bool = False
    """No row names any stored file: the wrong database or folder, so nothing was deleted."""

    @property
    def clean(self) -> bool:
        return not self.documents_without_file and not self.orphan_files


def check_document_files(
    actor: audit.Actor, *, delete_orphans_older_than: timedelta | None = None
) -> DocumentFilesReport:
    """Compare the document rows with the stored files: the documents whose file is missing
    (an erased person's documents have none, rightly) and the files no document needs.

    With `delete_orphans_older_than`, delete the orphan files last written longer ago than
    that, each with its audit event; younger ones are kept, as a safety margin for an upload
    being committed at this very moment. Rows are never deleted. Should no row name any stored
    file, which is what the wrong database or folder looks like, nothing is deleted."""
    # The files are listed before the rows are read: a file is written only once its row is
    # committed, so the row of every listed file, if it still has one, is among those read.
    files = {stored.storage_id: stored for stored in storage.stored_files()}
    listed = len(files)
    documents = 0
    unfound: list[tuple[DocumentRow, UUID]] = []
    orphans: list[OrphanFile] = []
    rows = (
        Document.objects.order_by("pk")
        .values_list(
            "pk", "case_id", "case__organisation_id", "storage_id", "case__person__erased_at"
        )
        .iterator(chunk_size=_DOCUMENT_CHUNK)
    )
    for document_id, case_id, organisation_id, storage_id, erased_at in rows:
        documents += 1
        row = DocumentRow(document_id, case_id, organisation_id)
        stored = files.pop(storage_id, None)
        if stored is None and erased_at is None:
            unfound.append((row, storage_id))
        elif stored is not None and erased_at is not None:
            orphans.append(OrphanFile(storage_id, stored.modified_at, erased_document=row))
    named = listed - len(files)
    orphans.extend(OrphanFile(stored.storage_id, stored.modified_at) for stored in files.values())
    orphans.sort(key=lambda orphan: str(orphan.storage_id))
    report = DocumentFilesReport(
        documents=documents,
        files=listed,
        documents_without_file=_still_without_file(unfound),
        orphan_files=orphans,
    )
    if delete_orphans_older_than is not None and orphans:
        if named == 0:
            report.deletion_refused = True
        else:
            _delete_orphan_files(actor, report, timezone.now() - delete_orphans_older_than)
    return report


def _still_without_file(unfound: list[tuple[DocumentRow, UUID]]) -> list[DocumentRow]:
    """Of the documents found without their file, those still without it and still there: an
    upload committed while the files were listed has its file written just after, and a
    document deleted meanwhile has taken its file along. The file is looked for first, so
    that a document deleted in between is not found either."""
    unwritten = [row for row, storage_id in unfound if not storage.exists(storage_id)]
    remaining: set[int] = set()
    for start in range(0, len(unwritten), _ID_BATCH):
        batch = [row.document_id for row in unwritten[start : start + _ID_BATCH]]
        remaining.update(
            Document.objects.filter(pk__in=batch, case__person__erased_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
    return [row for row in unwritten if row.document_id in remaining]


def _delete_orphan_files(actor: audit.Actor, report: DocumentFilesReport, cutoff: datetime) -> None:
    for orphan in report.orphan_files:
        if orphan.modified_at >= cutoff:
            report.too_recent.append(orphan)
            continue
        try:
            if _delete_orphan_file(actor, orphan):
                report.deleted.append(orphan)
        except OSError as error:
            report.not_deleted.append((orphan, error.strerror or type(error).__name__))


def _delete_orphan_file(actor: audit.Actor, orphan: OrphanFile) -> bool:
    """Delete the file with its audit event, in one transaction: should the event not be
    written, the file stays. False, and no event, if the file went meanwhile (with the deletion
    of its row, committed just before)."""
    document = orphan.erased_document
    ids = {"document_id": document.document_id, "case_id": document.case_id} if document else {}
    with transaction.atomic():
        audit.record(
            actor,
            "document.delete_orphan_file",
            object_type="document_file",
            object_id=orphan.storage_id,
            organisation_id=document.organisation_id if document else None,
            details={
                "reason": orphan.reason,
                "modified_at": orphan.modified_at.isoformat(),
                **ids,
            },
        )
        deleted = storage.delete(orphan.storage_id)
        if not deleted:
            transaction.set_rollback(True)
    return deleted
