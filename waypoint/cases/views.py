"""The browser pages of protection cases: the list and the search, registering a person and
opening their case, the due list, and each case's tabs, one URL each.

Each view parses its form, calls one service or selector, and renders or redirects. Showing a
case is audited as a view of it, with the tab looked at (`services.get_case_for_view`). A
refusal is the policy's `AccessDenied`, which the project's 403 handler renders and audits;
wrong input re-renders the page with every error, status 400, and nothing saved; an edit made
on an old version is 409, with both versions side by side to merge.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts.interface import signed_in_user
from waypoint.accounts.models import User
from waypoint.accounts.policy import Permission, authorize, can
from waypoint.audit.services import actor_from_request
from waypoint.cases import documents, page_data, selectors, services
from waypoint.cases.forms import (
    DOCUMENTS_PREFIX,
    CaseDetailsForm,
    CaseFilterForm,
    CaseSearchForm,
    CompareScreeningsForm,
    Conflict,
    ConsentForm,
    DecisionForm,
    DocumentDeletionForm,
    DocumentUploadForm,
    ErasureForm,
    ExportForm,
    IdentityDocumentFormSet,
    NoteForm,
    OpenCaseForm,
    PersonDetailsForm,
    PersonForm,
    ReassignForm,
    RightsGivenForm,
    RightsSheetForm,
    SaveScreeningForm,
    StatusChangeForm,
    SupportItemChangeForm,
    SupportItemForm,
    TraffickingEventChangeForm,
    TraffickingEventForm,
    TraffickingStatusForm,
    VersionedForm,
    VersionOnlyForm,
    VulnerabilityForm,
    WithdrawConsentForm,
    identity_documents,
    with_another_document_row,
)
from waypoint.cases.models import Case, Document, TraffickingEvent
from waypoint.domain.deadlines import DeadlineKind
from waypoint.people import services as people_services

TABS = (
    ("summary", "cases:detail", gettext_lazy("Summary")),
    ("screening", "cases:screening", gettext_lazy("Screening")),
    ("assessment", "cases:assessment", gettext_lazy("Assessment")),
    ("plan", "cases:plan", gettext_lazy("Support plan")),
    ("consent", "cases:consent", gettext_lazy("Consent")),
    ("rights", "cases:rights", gettext_lazy("Rights")),
    ("documents", "cases:documents", gettext_lazy("Documents")),
    ("history", "cases:history", gettext_lazy("History")),
)
TAB_URLS = {name: url for name, url, _label in TABS}
CONFLICT_MESSAGE = gettext_lazy("Someone else changed this case while you were editing")
EVENT_CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this event meanwhile, so it was not removed. Check it as it is now "
    "and remove it again if it should go."
)


def _case(case_id: int) -> Case:
    case = selectors.case_or_none(case_id)
    if case is None:
        raise Http404
    return case


def _may_manage(request: HttpRequest, case: Case) -> None:
    """Refuse whoever may not work on the case before reading what they posted, so that
    wrong input never turns a refusal into a form error."""
    authorize(
        actor_from_request(request),
        signed_in_user(request),
        Permission.MANAGE_CASES,
        case,
        object_type="case",
        object_id=case.pk,
    )


def _missing(request: HttpRequest, case: Case) -> NoReturn:
    """A record the case does not have: whoever may not see the case learns nothing from a
    404, so they are refused first."""
    authorize(
        actor_from_request(request),
        signed_in_user(request),
        Permission.VIEW_PERSONAL_DATA,
        case,
        object_type="case",
        object_id=case.pk,
    )
    raise Http404


def _show_errors(
    form: forms.Form, error: services.CaseError, aliases: Mapping[str, str] | None = None
) -> None:
    """Put each of the service's errors on the field it names, or on the form as a whole."""
    for path, problems in error.errors.items():
        field = (aliases or {}).get(path, path.split(".")[0].split("[")[0])
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _save_on_summary(
    request: HttpRequest,
    case_id: int,
    form: VersionedForm,
    write: Callable[[dict[str, Any]], object],
    *,
    shown: Callable[[VersionedForm], dict[str, Any]],
    shown_in_conflict: Callable[[Conflict], dict[str, Any]],
    success: str,
    aliases: Mapping[str, str] | None = None,
) -> HttpResponse:
    """An edit on the summary tab that carries a version: no change is said so; a save that came
    first is shown beside this one (409); refused values go on their fields (400)."""
    if form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("cases:detail", case_id)
        try:
            write(changes)
        except services.StaleVersionError as error:
            conflict = form.after_conflict(error.current, error.version)
            return _show_tab(request, case_id, "summary", shown_in_conflict(conflict), status=409)
        except services.CaseError as error:
            _show_errors(form, error, aliases)
        else:
            messages.success(request, success)
            return redirect("cases:detail", case_id)
    return _show_tab(request, case_id, "summary", shown(form), status=400)


def _download(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


# ---- the tabs of a case ---------------------------------------------------------------------


def _viewed_page(request: HttpRequest, case_id: int, tab: str) -> selectors.CasePage:
    case = services.get_case_for_view(
        actor_from_request(request), signed_in_user(request), case_id, section=tab
    )
    return selectors.case_page(case)


def _summary_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    case = page.case
    person = people_services.person_data(case.person)
    return {
        "person": person,
        "person_form": PersonDetailsForm(
            initial={**PersonDetailsForm.initial_from(person), "version": case.person.version}
        ),
        "details_form": CaseDetailsForm(initial=selectors.case_details(case)),
        "trafficking_form": TraffickingStatusForm(initial=selectors.case_details(case)),
        "suggestion": page_data.status_suggestion(page.screenings),
        "export_form": ExportForm(),
        "may_erase": can(user, Permission.APPROVE_CASE_DECISIONS, case),
        "events": selectors.events_of(case),
        "event_form": TraffickingEventForm(),
    }


def _screening_choices(page: selectors.CasePage) -> list[tuple[int, str]]:
    return [
        (
            screening.pk,
            f"{timezone.localtime(screening.recorded_at):%Y-%m-%d %H:%M} · "
            f"{page_data.screening_outcome_label(screening.verdict)} · "
            f"{screening.ruleset_version}",
        )
        for screening in page.screenings
    ]


def _screening_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    choices = _screening_choices(page)
    initial = {"older": choices[-1][0], "newer": choices[0][0]} if choices else {}
    consent = page.consent_state.get("interview")
    interview_consent = consent is not None and consent.in_effect
    return {
        "compare_form": CompareScreeningsForm(initial=initial, screenings=choices),
        "interview_consent": interview_consent,
        "may_rescreen": interview_consent and can(user, Permission.MANAGE_CASES, page.case),
    }


def _assessment_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    stored = page.vulnerability.factors if page.vulnerability else []
    return {"form": VulnerabilityForm(initial=VulnerabilityForm.initial_from(stored))}


def _plan_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    return {"form": SupportItemForm()}


def _consent_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    organisations = page_data.other_organisations(user)
    names: dict[int | None, str] = {item.pk: item.name for item in organisations}
    return {
        "form": ConsentForm(organisations=organisations),
        "current_consents": [
            (current, names.get(current.shared_with_id, ""))
            for current in page.consent_state.values()
        ],
        "consent_records": [
            (consent, names.get(consent.shared_with_id, "")) for consent in page.consents
        ],
    }


def _rights_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    language = page_data.page_language()
    return {
        "sheet_form": RightsSheetForm(initial={"language": language}, auto_id="sheet_%s"),
        "form": RightsGivenForm(initial={"language": language}),
    }


def _documents_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    return {"form": DocumentUploadForm(), "max_document_bytes": settings.MAX_DOCUMENT_BYTES}


def _reassign_form(user: User, data: QueryDict | None = None, **kwargs: Any) -> ReassignForm:
    return ReassignForm(
        data,
        owners=page_data.possible_owners(user),
        supervisors=page_data.possible_supervisors(user),
        **kwargs,
    )


def _history_forms(page: selectors.CasePage, user: User) -> dict[str, Any]:
    case = page.case
    may_reassign = can(user, Permission.ASSIGN_CASES, case)
    return {
        "note_form": NoteForm(),
        "status_form": StatusChangeForm(
            initial={"version": case.version}, moves=page_data.status_moves(user, case)
        ),
        "decision_form": DecisionForm(),
        "may_reassign": may_reassign,
        "assignment_form": _reassign_form(
            user,
            initial={
                "owner": case.owner_id,
                "supervisor": case.supervisor_id,
                "version": case.version,
            },
        )
        if may_reassign
        else None,
        "assignment_changes": selectors.assignment_changes_of(case),
    }


TAB_FORMS: dict[str, Callable[[selectors.CasePage, User], dict[str, Any]]] = {
    "summary": _summary_forms,
    "screening": _screening_forms,
    "assessment": _assessment_forms,
    "plan": _plan_forms,
    "consent": _consent_forms,
    "rights": _rights_forms,
    "documents": _documents_forms,
    "history": _history_forms,
}


def _support_rows(
    page: selectors.CasePage, changed: tuple[int, SupportItemChangeForm] | None
) -> list[tuple[Any, SupportItemChangeForm, str]]:
    """Each support item, its change form and the status of its deadline, if it has one."""
    deadline_status = {
        deadline.subject: deadline.status.value
        for deadline in page.deadlines
        if deadline.kind == DeadlineKind.SUPPORT_PLAN_ITEM
    }
    rows = []
    for item in page.support_items:
        form = (
            changed[1]
            if changed and changed[0] == item.pk
            else SupportItemChangeForm(
                initial=selectors.support_item_details(item), prefix=f"item-{item.pk}"
            )
        )
        rows.append((item, form, deadline_status.get(str(item.pk), "")))
    return rows


@dataclass(frozen=True)
class OpenEvent:
    """The one trafficking event whose forms the summary shows: asked for with its "Edit"
    link, or just posted, with the forms as they were posted and any conflict."""

    event_id: int
    change_form: VersionedForm | None = None
    removal_form: VersionOnlyForm | None = None
    conflict: Conflict | None = None


@dataclass(frozen=True)
class EventForms:
    """A trafficking event with its forms, to change it and to remove it."""

    event: TraffickingEvent
    change_form: VersionedForm
    removal_form: VersionOnlyForm
    conflict: Conflict | None


def _event_forms(event: TraffickingEvent, opened: OpenEvent) -> EventForms:
    """The event's forms as it is now; a form just posted keeps what was posted."""
    change_form = opened.change_form
    if change_form is None:
        change_form = TraffickingEventChangeForm(
            initial=selectors.event_details(event), prefix=f"event-{event.pk}"
        )
    removal_form = opened.removal_form
    if removal_form is None:
        removal_form = VersionOnlyForm(
            initial={"version": event.version}, prefix=f"remove-{event.pk}"
        )
    return EventForms(event, change_form, removal_form, opened.conflict)


def _open_event_forms(
    events: list[TraffickingEvent], opened: OpenEvent | None
) -> EventForms | None:
    """The forms of the event that is open, if it is still there. Only that one event's forms
    are rendered: a change form, with its list of countries, takes milliseconds per event."""
    if opened is None:
        return None
    return next(
        (_event_forms(event, opened) for event in events if event.pk == opened.event_id), None
    )


def _document_rows(
    documents: list[Document], deletion: tuple[int, DocumentDeletionForm] | None
) -> list[tuple[Document, DocumentDeletionForm]]:
    """Each document with its deletion form; the one just posted keeps what was posted."""
    return [
        (
            document,
            deletion[1]
            if deletion and deletion[0] == document.pk
            else DocumentDeletionForm(prefix=f"delete-{document.pk}"),
        )
        for document in documents
    ]


def _tab_page(
    request: HttpRequest,
    page: selectors.CasePage,
    tab: str,
    shown: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    case = page.case
    context: dict[str, Any] = {
        "page": page,
        "case": case,
        "tab": tab,
        "tabs": [(name, reverse(url, args=[case.pk]), label) for name, url, label in TABS],
        "may_manage": can(user, Permission.MANAGE_CASES, case),
        "may_decide": can(user, Permission.APPROVE_CASE_DECISIONS, case),
        **TAB_FORMS[tab](page, user),
        **(shown or {}),
    }
    if tab == "plan":
        context["support_rows"] = _support_rows(page, context.get("changed_item"))
    if tab == "summary":
        context["event_forms"] = _open_event_forms(context["events"], context.get("opened_event"))
    if tab == "documents":
        context["document_rows"] = _document_rows(page.documents, context.get("document_deletion"))
    return render(request, f"cases/{tab}.html", context, status=status)


def _show_tab(
    request: HttpRequest,
    case_id: int,
    tab: str,
    shown: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return _tab_page(request, _viewed_page(request, case_id, tab), tab, shown, status=status)


def _handle(
    request: HttpRequest,
    case_id: int,
    tab: str,
    form: forms.Form,
    write: Callable[[Case], object],
    *,
    success: str,
    form_name: str = "form",
    aliases: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Validate the form, run the write, and go back to the tab, or show what is wrong."""
    case = _case(case_id)
    if form.is_valid():
        try:
            write(case)
        except services.CaseError as error:
            _show_errors(form, error, aliases)
        else:
            messages.success(request, success)
            return redirect(TAB_URLS[tab], case_id)
    return _show_tab(request, case_id, tab, {form_name: form}, status=400)


# ---- lists ----------------------------------------------------------------------------------


def _page_query(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return query.urlencode()


@login_required
@never_cache
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    authorize(actor_from_request(request), user, Permission.VIEW_PERSONAL_DATA, object_type="case")
    form = CaseFilterForm(request.GET, owners=page_data.case_holders(user))
    context: dict[str, Any] = {"form": form, "search_form": CaseSearchForm()}
    if not form.is_valid():
        return render(request, "cases/list.html", context, status=400)
    filters = form.cleaned_data
    found = selectors.case_list(
        user,
        status=filters["status"] or None,
        owner=filters["owner"],
        deadline=filters["deadline"] or None,
        exploitation_type=filters["exploitation_type"] or None,
        page=filters["page"] or 1,
    )
    last_page = max(1, -(-found.count // found.page_size))
    context.update(
        found=found,
        today=timezone.localdate(),
        may_open=can(user, Permission.MANAGE_CASES),
        previous_query=_page_query(request, found.page - 1) if found.page > 1 else "",
        next_query=_page_query(request, found.page + 1) if found.page < last_page else "",
        last_page=last_page,
    )
    return render(request, "cases/list.html", context)


@login_required
@never_cache
@require_POST
def search(request: HttpRequest) -> HttpResponse:
    """Exact search by name and date of birth; a POST so that no name is in a URL or log."""
    user = signed_in_user(request)
    authorize(actor_from_request(request), user, Permission.VIEW_PERSONAL_DATA, object_type="case")
    form = CaseSearchForm(request.POST)
    if form.is_valid():
        try:
            found = services.search_cases(actor_from_request(request), user, **form.cleaned_data)
        except services.CaseError as error:
            _show_errors(form, error)
        else:
            return render(request, "cases/search.html", {"search_form": form, "rows": found})
    return render(request, "cases/search.html", {"search_form": form, "rows": None}, status=400)


# ---- opening a case -------------------------------------------------------------------------


def _open_case_errors(
    error: services.CaseError,
    person_form: PersonForm,
    documents_formset: forms.BaseFormSet,
    case_form: OpenCaseForm,
) -> None:
    """Each error of the service on its field: `person.identity_documents[1].number` on the
    second document's number, `person.languages[0]` on the languages, `owner` on the owner."""
    for path, problems in error.errors.items():
        target: forms.Form = case_form
        field: str | None = path.split("[")[0]
        if path.startswith("person."):
            target, field = person_form, path.removeprefix("person.").split("[")[0]
            if field.startswith("identity_documents"):
                position = path.split("[")[1].split("]")[0] if "[" in path else ""
                part = path.rsplit(".", 1)[-1]
                if position.isdigit() and int(position) < len(documents_formset.forms):
                    target = documents_formset.forms[int(position)]
                    field = part
        for problem in problems:
            target.add_error(field if field in target.fields else None, problem)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    authorize(actor_from_request(request), user, Permission.MANAGE_CASES, object_type="case")
    owners, supervisors = page_data.possible_owners(user), page_data.possible_supervisors(user)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    adding_row = data is not None and "add_document" in data
    if data is not None and adding_row:
        data = with_another_document_row(data)
    person_form = PersonForm(data)
    documents_formset = IdentityDocumentFormSet(data, prefix=DOCUMENTS_PREFIX)
    case_form = OpenCaseForm(
        data,
        owners=owners,
        supervisors=supervisors,
        initial={"owner": user.pk, "jurisdiction": user.organisation.country},
    )
    context = {
        "person_form": person_form,
        "documents_formset": documents_formset,
        "case_form": case_form,
    }
    if data is None or adding_row:
        return render(request, "cases/open.html", context)
    if person_form.is_valid() and documents_formset.is_valid() and case_form.is_valid():
        try:
            case = services.open_case(
                actor_from_request(request),
                user,
                person_data=person_form.person_data(identity_documents(documents_formset)),
                owner=case_form.member("owner") or user,
                supervisor=case_form.member("supervisor"),
                jurisdiction=case_form.cleaned_data["jurisdiction"],
                opened_on=case_form.cleaned_data["opened_on"],
            )
        except services.CaseError as error:
            _open_case_errors(error, person_form, documents_formset, case_form)
        else:
            messages.success(request, _("Case %(code)s was opened.") % {"code": case.code})
            return redirect("cases:detail", case.pk)
    return render(request, "cases/open.html", context, status=400)


# ---- summary --------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _show_tab(request, case_id, "summary")


@login_required
@never_cache
@require_POST
def update_details(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = CaseDetailsForm(request.POST)
    return _save_on_summary(
        request,
        case_id,
        form,
        lambda changes: services.update_case_details(
            actor_from_request(request),
            signed_in_user(request),
            case,
            expected_version=form.cleaned_data["version"],
            **changes,
        ),
        shown=lambda shown_form: {"details_form": shown_form},
        shown_in_conflict=lambda conflict: {"details_form": conflict.form, "conflict": conflict},
        success=_("The case details were saved."),
    )


def _person_errors(form: PersonDetailsForm, error: services.CaseError) -> None:
    """Each of the service's errors on its field: `person.phone` on the phone; a language
    code that is wrong is one typed in by hand, so `person.languages[2]` goes on those."""
    for path, problems in error.errors.items():
        field = path.removeprefix("person.").split("[")[0].split(".")[0]
        if field == "languages":
            field = "other_languages"
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@login_required
@never_cache
@require_POST
def update_person(request: HttpRequest, case_id: int) -> HttpResponse:
    """Correct the person's data, with the person's version as the lock."""
    case = _case(case_id)
    _may_manage(request, case)
    form = PersonDetailsForm(request.POST)
    if form.is_valid():
        if not form.changes():
            messages.info(request, _("Nothing was changed."))
            return redirect("cases:detail", case_id)
        # The identity documents are not on this form: they are kept as stored. Had anyone
        # changed them since the form was read, the person's version says so.
        stored = people_services.person_data(case.person)
        documents = [document.as_dict() for document in stored.identity_documents]
        try:
            services.update_person_details(
                actor_from_request(request),
                signed_in_user(request),
                case,
                data=form.person_data(documents),
                expected_version=form.cleaned_data["version"],
            )
        except people_services.StaleVersionError as error:
            conflict = form.after_conflict(
                PersonDetailsForm.initial_from(error.current), error.current_version
            )
            return _show_tab(
                request,
                case_id,
                "summary",
                {"person_form": conflict.form, "person_conflict": conflict},
                status=409,
            )
        except services.CaseError as error:
            _person_errors(form, error)
        else:
            messages.success(request, _("The person's data was saved."))
            return redirect("cases:detail", case_id)
    return _show_tab(request, case_id, "summary", {"person_form": form}, status=400)


@login_required
@never_cache
@require_POST
def record_trafficking_status(request: HttpRequest, case_id: int) -> HttpResponse:
    """The HTCDS trafficking status a person or body decided, with the case's version."""
    case = _case(case_id)
    _may_manage(request, case)
    form = TraffickingStatusForm(request.POST)
    return _save_on_summary(
        request,
        case_id,
        form,
        lambda changes: services.record_trafficking_status(
            actor_from_request(request),
            signed_in_user(request),
            case,
            status=form.cleaned_data["trafficking_status"],
            decided_by=form.cleaned_data["trafficking_status_decided_by"],
            expected_version=form.cleaned_data["version"],
        ),
        shown=lambda shown_form: {"trafficking_form": shown_form},
        shown_in_conflict=lambda conflict: {
            "trafficking_form": conflict.form,
            "trafficking_conflict": conflict,
        },
        success=_("The trafficking status was recorded."),
        aliases={"status": "trafficking_status", "decided_by": "trafficking_status_decided_by"},
    )


@login_required
@never_cache
@require_POST
def export(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            exported = documents.export_person_data(
                actor_from_request(request),
                signed_in_user(request),
                case,
                fmt=form.cleaned_data["format"],
            )
        except services.CaseError as error:
            _show_errors(form, error, {"fmt": "format"})
        else:
            return _download(*exported)
    return _show_tab(request, case_id, "summary", {"export_form": form}, status=400)


# ---- trafficking events (on the summary) ----------------------------------------------------


def _event(request: HttpRequest, case: Case, event_id: int) -> TraffickingEvent:
    event = selectors.event_of(case, event_id)
    if event is None:
        _missing(request, case)
    return event


@login_required
@never_cache
@require_POST
def add_event(request: HttpRequest, case_id: int) -> HttpResponse:
    _may_manage(request, _case(case_id))
    form = TraffickingEventForm(request.POST)
    return _handle(
        request,
        case_id,
        "summary",
        form,
        lambda case: services.add_trafficking_event(
            actor_from_request(request),
            signed_in_user(request),
            case,
            **form.cleaned_data,
            today=timezone.localdate(),
        ),
        success=_("The event was recorded."),
        form_name="event_form",
    )


@login_required
@never_cache
@require_GET
def edit_event(request: HttpRequest, case_id: int, event_id: int) -> HttpResponse:
    """The forms to change or remove one event, for who may change it. htmx fetches them alone
    into the summary, under the event's row; without JavaScript the "Edit" link opens the
    summary with them."""
    case = _case(case_id)
    _may_manage(request, case)
    event = _event(request, case, event_id)
    if request.headers.get("HX-Request") == "true":
        services.record_case_view(
            actor_from_request(request), signed_in_user(request), case, section="events"
        )
        response = render(
            request,
            "cases/_event_edit_form.html",
            {"case": case, "event_forms": _event_forms(event, OpenEvent(event_id))},
        )
    else:
        response = _show_tab(request, case_id, "summary", {"opened_event": OpenEvent(event_id)})
    # One URL answers with a fragment or with the page: a cache must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@never_cache
@require_POST
def update_event(request: HttpRequest, case_id: int, event_id: int) -> HttpResponse:
    case = _case(case_id)
    _may_manage(request, case)
    event = _event(request, case, event_id)
    form = TraffickingEventChangeForm(request.POST, prefix=f"event-{event_id}")
    return _save_on_summary(
        request,
        case_id,
        form,
        lambda changes: services.update_trafficking_event(
            actor_from_request(request),
            signed_in_user(request),
            event,
            expected_version=form.cleaned_data["version"],
            today=timezone.localdate(),
            **changes,
        ),
        shown=lambda shown_form: {"opened_event": OpenEvent(event_id, change_form=shown_form)},
        shown_in_conflict=lambda conflict: {
            "opened_event": OpenEvent(event_id, change_form=conflict.form, conflict=conflict)
        },
        success=_("The event was saved."),
    )


@login_required
@never_cache
@require_POST
def remove_event(request: HttpRequest, case_id: int, event_id: int) -> HttpResponse:
    case = _case(case_id)
    _may_manage(request, case)
    event = _event(request, case, event_id)
    form = VersionOnlyForm(request.POST, prefix=f"remove-{event_id}")
    if form.is_valid():
        try:
            services.remove_trafficking_event(
                actor_from_request(request),
                signed_in_user(request),
                event,
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersionError:
            messages.error(request, EVENT_CONFLICT_MESSAGE)
            return _show_tab(
                request, case_id, "summary", {"opened_event": OpenEvent(event_id)}, status=409
            )
        messages.success(request, _("The event was removed."))
        return redirect("cases:detail", case_id)
    return _show_tab(
        request,
        case_id,
        "summary",
        {"opened_event": OpenEvent(event_id, removal_form=form)},
        status=400,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, case_id: int) -> HttpResponse:
    """Erasure of the person's data, after a confirmation step (supervisors)."""
    user = signed_in_user(request)
    case = services.get_case_for_view(actor_from_request(request), user, case_id, section="erasure")
    authorize(
        actor_from_request(request),
        user,
        Permission.APPROVE_CASE_DECISIONS,
        case,
        object_type="case",
        object_id=case.pk,
    )
    data = request.POST if request.method == "POST" else None
    form = ErasureForm(data, case_code=case.code)
    if request.method == "POST" and form.is_valid():
        try:
            documents.erase_person_data(
                actor_from_request(request), user, case, reason=form.cleaned_data["reason"]
            )
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The person's data was erased."))
            return redirect("cases:detail", case_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/erase.html", {"case": case, "form": form}, status=status)


# ---- screening ------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def screening(request: HttpRequest, case_id: int) -> HttpResponse:
    return _show_tab(request, case_id, "screening")


@login_required
@never_cache
@require_GET
def compare_screenings(request: HttpRequest, case_id: int) -> HttpResponse:
    page = _viewed_page(request, case_id, "screening")
    form = CompareScreeningsForm(request.GET, screenings=_screening_choices(page))
    if not form.is_valid():
        return _tab_page(request, page, "screening", {"compare_form": form}, status=400)
    older = selectors.screening_of(page.case, form.cleaned_data["older"])
    newer = selectors.screening_of(page.case, form.cleaned_data["newer"])
    if older is None or newer is None:
        raise Http404
    comparison = selectors.compare_screenings(older, newer)
    return _tab_page(request, page, "screening", {"compare_form": form, "comparison": comparison})


@login_required
@never_cache
@require_POST
def save_screening(request: HttpRequest, case_id: int) -> HttpResponse:
    """Keep an interview run from this case (posted by the screening outcome page)."""
    case = _case(case_id)
    form = SaveScreeningForm(request.POST, case_code=case.code)
    if form.is_valid():
        try:
            services.save_screening(
                actor_from_request(request),
                signed_in_user(request),
                case,
                raw_input=form.cleaned_data["screening_input"],
                language=page_data.page_language(),
            )
        except services.CaseError as error:
            # The answers are not fields of this form: each problem names its answer's path.
            for path, problems in error.errors.items():
                form.add_error(
                    None, [f"{path}: {problem}" if path else problem for problem in problems]
                )
        else:
            messages.success(
                request, _("The screening was saved into case %(code)s.") % {"code": case.code}
            )
            return redirect("cases:screening", case_id)
    return _show_tab(request, case_id, "screening", {"save_form": form}, status=400)


@login_required
@never_cache
@require_POST
def rescreen(request: HttpRequest, case_id: int, screening_id: int) -> HttpResponse:
    """Assess a stored screening's answers again with today's rules, keep that as a new
    screening, and show the two side by side."""
    case = _case(case_id)
    _may_manage(request, case)
    stored = selectors.screening_of(case, screening_id)
    if stored is None:
        raise Http404
    try:
        again = services.rescreen_with_current_rules(
            actor_from_request(request),
            signed_in_user(request),
            stored,
            language=page_data.page_language(),
        )
    except services.CaseError as error:
        problems = [
            f"{path}: {problem}" if path else problem
            for path, found in error.errors.items()
            for problem in found
        ]
        return _show_tab(request, case_id, "screening", {"rescreen_errors": problems}, status=400)
    messages.success(
        request,
        _(
            "The screening was assessed again with the current rules (%(version)s) and kept "
            "as a new screening; below, the two are compared."
        )
        % {"version": again.ruleset_version},
    )
    query = QueryDict(mutable=True)
    query.update({"older": str(stored.pk), "newer": str(again.pk)})
    return redirect(f"{reverse('cases:compare_screenings', args=[case_id])}?{query.urlencode()}")


# ---- assessment, plan, consent, rights, documents -------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        return _show_tab(request, case_id, "assessment")
    form = VulnerabilityForm(request.POST)
    recorded = form.factors() if form.is_valid() else []
    aliases = {
        f"factors[{position}].{part}": f"{factor['factor_id']}-{part}"
        for position, factor in enumerate(recorded)
        for part in ("direction", "severity", "note")
    }
    return _handle(
        request,
        case_id,
        "assessment",
        form,
        lambda case: services.record_vulnerability_assessment(
            actor_from_request(request), signed_in_user(request), case, factors=recorded
        ),
        success=_("The vulnerability assessment was recorded."),
        aliases=aliases,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        return _show_tab(request, case_id, "plan")
    form = SupportItemForm(request.POST)
    return _handle(
        request,
        case_id,
        "plan",
        form,
        lambda case: services.add_support_item(
            actor_from_request(request), signed_in_user(request), case, **form.cleaned_data
        ),
        success=_("The support item was added to the plan."),
    )


@login_required
@never_cache
@require_POST
def update_support_item(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    case = _case(case_id)
    item = selectors.support_item_of(case, item_id)
    if item is None:
        _missing(request, case)
    form = SupportItemChangeForm(request.POST, prefix=f"item-{item_id}")
    if form.is_valid():
        try:
            services.update_support_item(
                actor_from_request(request),
                signed_in_user(request),
                item,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except services.StaleVersionError as error:
            conflict = form.after_conflict(error.current, error.version)
            return _show_tab(
                request,
                case_id,
                "plan",
                {
                    "changed_item": (item_id, conflict.form),
                    "conflict": conflict,
                    "conflict_item": item_id,
                },
                status=409,
            )
        except services.CaseError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The support item was saved."))
            return redirect("cases:plan", case_id)
    return _show_tab(request, case_id, "plan", {"changed_item": (item_id, form)}, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        return _show_tab(request, case_id, "consent")
    form = ConsentForm(
        request.POST, organisations=page_data.other_organisations(signed_in_user(request))
    )
    return _handle(
        request,
        case_id,
        "consent",
        form,
        lambda case: services.record_consent(
            actor_from_request(request),
            signed_in_user(request),
            case,
            scope=form.cleaned_data["scope"],
            given=form.cleaned_data["given"],
            explained_in_language=form.cleaned_data["explained_in_language"],
            recorded_on=form.cleaned_data["recorded_on"],
            shared_with=form.organisation(),
        ),
        success=_("The consent was recorded."),
    )


@login_required
@never_cache
@require_POST
def withdraw_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    form = WithdrawConsentForm(request.POST)

    def write(case: Case) -> object:
        shared_with = form.cleaned_data["shared_with"]
        return services.withdraw_consent(
            actor_from_request(request),
            signed_in_user(request),
            case,
            scope=form.cleaned_data["scope"],
            shared_with=selectors.organisation_or_none(shared_with) if shared_with else None,
        )

    return _handle(
        request,
        case_id,
        "consent",
        form,
        write,
        success=_("The consent was withdrawn, with effect from now."),
        form_name="withdraw_form",
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def rights(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        return _show_tab(request, case_id, "rights")
    form = RightsGivenForm(request.POST)
    return _handle(
        request,
        case_id,
        "rights",
        form,
        lambda case: services.record_rights_information(
            actor_from_request(request),
            signed_in_user(request),
            case,
            language=form.cleaned_data["language"],
            given_on=form.cleaned_data["given_on"],
        ),
        success=_("It was recorded that the person was given the rights sheet."),
    )


@login_required
@never_cache
@require_GET
def rights_sheet(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = RightsSheetForm(request.GET, auto_id="sheet_%s")
    if not form.is_valid():
        return _show_tab(request, case_id, "rights", {"sheet_form": form}, status=400)
    language = form.cleaned_data["language"]
    pdf = documents.rights_sheet_pdf(
        actor_from_request(request), signed_in_user(request), case, language=language
    )
    return _download(f"rights-{case.code}-{language}.pdf", "application/pdf", pdf)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_documents(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "GET":
        return _show_tab(request, case_id, "documents")
    form = DocumentUploadForm(request.POST, request.FILES)

    def write(case: Case) -> object:
        upload = form.cleaned_data["file"]
        return services.upload_document(
            actor_from_request(request),
            signed_in_user(request),
            case,
            filename=upload.name or "",
            content_type=upload.content_type or "",
            content=upload.read(),
        )

    return _handle(
        request,
        case_id,
        "documents",
        form,
        write,
        success=_("The document was uploaded."),
        aliases={"filename": "file", "content": "file", "content_type": "file"},
    )


@login_required
@never_cache
@require_GET
def download_document(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = _case(case_id)
    document = selectors.document_of(case, document_id)
    if document is None:
        _missing(request, case)
    content = services.document_content(
        actor_from_request(request), signed_in_user(request), document
    )
    if content is None:
        return render(
            request,
            "web/error.html",
            {
                "title": _("Document unavailable"),
                "message": _(
                    "The file of this document is missing from storage. The problem was logged; "
                    "ask your administrator to restore it from a backup."
                ),
            },
            status=404,
        )
    return _download(*content)


@login_required
@never_cache
@require_POST
def delete_document(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = _case(case_id)
    _may_manage(request, case)
    if selectors.document_of(case, document_id) is None:
        _missing(request, case)
    form = DocumentDeletionForm(request.POST, prefix=f"delete-{document_id}")
    if not form.is_valid():
        return _show_tab(
            request, case_id, "documents", {"document_deletion": (document_id, form)}, status=400
        )
    services.delete_document(
        actor_from_request(request), signed_in_user(request), case, document_id=document_id
    )
    messages.success(request, _("The document was deleted."))
    return redirect("cases:documents", case_id)


# ---- history: notes and status --------------------------------------------------------------


@login_required
@never_cache
@require_GET
def history(request: HttpRequest, case_id: int) -> HttpResponse:
    return _show_tab(request, case_id, "history")


@login_required
@never_cache
@require_POST
def add_note(request: HttpRequest, case_id: int) -> HttpResponse:
    form = NoteForm(request.POST)
    return _handle(
        request,
        case_id,
        "history",
        form,
        lambda case: services.add_note(
            actor_from_request(request),
            signed_in_user(request),
            case,
            body=form.cleaned_data["body"],
        ),
        success=_("The note was added."),
        form_name="note_form",
    )


@login_required
@never_cache
@require_POST
def change_status(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    user = signed_in_user(request)
    form = StatusChangeForm(request.POST, moves=page_data.status_moves(user, case))
    if form.is_valid():
        try:
            outcome = services.change_status(
                actor_from_request(request),
                user,
                case,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersionError:
            messages.error(request, CONFLICT_MESSAGE)
            return _show_tab(request, case_id, "history", status=409)
        except services.CaseError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("The status was changed.")
                if outcome.applied
                else _("Your request to close the case waits for a supervisor's decision."),
            )
            return redirect("cases:history", case_id)
    return _show_tab(request, case_id, "history", {"status_form": form}, status=400)


@login_required
@never_cache
@require_POST
def decide_closure(request: HttpRequest, case_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    return _handle(
        request,
        case_id,
        "history",
        form,
        lambda case: services.decide_pending_status(
            actor_from_request(request),
            signed_in_user(request),
            case,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        ),
        success=_("Your decision on the closure was recorded."),
        form_name="decision_form",
    )


@login_required
@never_cache
@require_POST
def reassign(request: HttpRequest, case_id: int) -> HttpResponse:
    """Hand the case to another owner or supervisor (supervisors)."""
    case = _case(case_id)
    user = signed_in_user(request)
    authorize(
        actor_from_request(request),
        user,
        Permission.ASSIGN_CASES,
        case,
        object_type="case",
        object_id=case.pk,
    )
    form = _reassign_form(user, request.POST)
    if form.is_valid():
        try:
            services.reassign_case(
                actor_from_request(request),
                user,
                case,
                owner_id=form.cleaned_data["owner"],
                supervisor_id=form.cleaned_data["supervisor"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersionError:
            messages.error(request, CONFLICT_MESSAGE)
            return _show_tab(request, case_id, "history", status=409)
        except services.CaseError as error:
            _show_errors(form, error, {"owner_id": "owner", "supervisor_id": "supervisor"})
        else:
            messages.success(request, _("The case was handed over."))
            return redirect("cases:history", case_id)
    return _show_tab(request, case_id, "history", {"assignment_form": form}, status=400)
