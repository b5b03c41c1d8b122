"""Pure reads the case pages need beyond `selectors`: who a case can be assigned to, which
organisations consent to sharing can name, the moves the case workflow offers, and the words
for codes (countries, languages, the screening engine's results) in the language of the page.

Nothing here writes, and nothing here decides access: the policy is only asked what the user
may do, so that a page offers no button its service would refuse.
"""

import gettext
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import pycountry
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import OWN_RECORDS_ONLY, Permission, can
from waypoint.cases.models import Case, CaseStatus, StoredScreening, TraffickingStatus
from waypoint.domain import case_lifecycle
from waypoint.domain.case_lifecycle import CaseState
from waypoint.domain.rights import SUPPORTED_LANGUAGES
from waypoint.domain.screening import get_catalogue
from waypoint.people.data import EXTRA_COUNTRY_CODES

# ---- people who can hold a case -------------------------------------------------------------


def _active_staff(user: User, roles: tuple[str, ...]) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=user.organisation_id, is_active=True, role__in=roles
        ).order_by("last_name", "first_name", "username")
    )


def possible_owners(user: User) -> list[User]:
    """Whom the user may make the owner of a new case: a case worker only themselves (they
    could not see a case owned by someone else), a supervisor anyone who holds cases."""
    if user.role in OWN_RECORDS_ONLY:
        return [user]
    return _active_staff(user, (Role.CASE_WORKER, Role.SUPERVISOR))


def possible_supervisors(user: User) -> list[User]:
    return _active_staff(user, (Role.SUPERVISOR,))


def case_holders(user: User) -> list[User]:
    """Everyone in the organisation who may own a case, for the list's owner filter."""
    return _active_staff(user, (Role.CASE_WORKER, Role.SUPERVISOR))


def other_organisations(user: User) -> list[Organisation]:
    """The organisations consent to sharing can name: every one but the user's own."""
    return list(Organisation.objects.exclude(pk=user.organisation_id).order_by("name"))


# ---- the case workflow ----------------------------------------------------------------------


@dataclass(frozen=True)
class StatusMove:
    to_status: str
    label: str
    needs_decision: bool
    """The user's choice becomes a request that waits for a supervisor's decision."""


def status_moves(user: User, case: Case) -> list[StatusMove]:
    """The statuses the case may move to now (waypoint.domain.case_lifecycle), and whether the
    user's move applies at once or waits for a supervisor."""
    if case.pending_status:
        return []
    current = CaseState(case.status)
    approves = can(user, Permission.APPROVE_CASE_DECISIONS, case)
    return [
        StatusMove(
            to_status=state.value,
            label=str(CaseStatus(state.value).label),
            needs_decision=case_lifecycle.requires_supervisor_approval(current, state)
            and not approves,
        )
        for state in case_lifecycle.allowed_transitions(current)
    ]


# ---- countries and languages ----------------------------------------------------------------


def page_language() -> str:
    """The active language of the interface, as one the product's texts exist in."""
    language = (translation.get_language() or "en").split("-")[0]
    return language if language in SUPPORTED_LANGUAGES else "en"


@cache
def _iso_translation(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str) -> str:
    """The country's name in the page's language; the code itself if it names none."""
    if code == "XK":
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    return _iso_translation("iso3166-1", page_language()).gettext(country.name)


def language_name(code: str) -> str:
    """The language's name (ISO 639-1, -2 or -3 code) in the page's language."""
    found = None
    if len(code) == 2:
        found = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    return _iso_translation("iso639-3", page_language()).gettext(found.name)


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    translated = _iso_translation("iso3166-1", language)
    choices = [
        (country.alpha_2, translated.gettext(country.name)) for country in pycountry.countries
    ]
    choices.extend((code, "Kosovo") for code in sorted(EXTRA_COUNTRY_CODES))
    return tuple(sorted(choices, key=lambda choice: choice[1].casefold()))


def country_choices() -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 countries (and Kosovo), by name in the page's language."""
    return _country_choices(page_language())


@cache
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    translated = _iso_translation("iso639-3", language)
    return tuple(
        sorted(
            (
                (str(item.alpha_3), translated.gettext(item.name))
                for item in pycountry.languages
                if hasattr(item, "alpha_2")
            ),
            key=lambda choice: choice[1].casefold(),
        )
    )


def language_choices() -> tuple[tuple[str, str], ...]:
    """The languages with an ISO 639-1 code, as their ISO 639-3 code (how people's languages
    are stored), by name in the page's language. Other languages are typed as codes."""
    return _language_choices(page_language())


# ---- the screening engine's codes -----------------------------------------------------------

_OUTCOMES: dict[object, Promise] = {
    # ILO verdict
    "trafficked": _("indicates trafficking"),
    "not_trafficked": _("does not indicate trafficking"),
    "undetermined": _("undetermined"),
    # dimension and Palermo element status
    "positive": _("positive"),
    "negative": _("negative"),
    "present": _("present"),
    "absent": _("absent"),
    "unknown": _("not known yet"),
    # movement classification
    "trafficking": _("trafficking"),
    "smuggling": _("smuggling"),
    "smuggled_then_trafficked": _("smuggled, then trafficked"),
    "neither": _("neither trafficking nor smuggling"),
    # HTCDS trafficking status
    "PossibleVictimOfTrafficking": _("possible victim of trafficking"),
    "NotAVictimOfTrafficking": _("not a victim of trafficking"),
    True: _("met"),
    False: _("not met"),
    None: _("undetermined"),
}


@dataclass(frozen=True)
class StatusSuggestion:
    """The HTCDS trafficking status the latest stored screening suggests: an aid to the
    person who decides, never a decision."""

    status: str
    """An HTCDS code, or "" when the screening's result is undetermined."""
    label: object
    recorded_at: datetime


def status_suggestion(screenings: list[StoredScreening]) -> StatusSuggestion | None:
    """The suggestion of the newest of a case's screenings (given newest first), if any."""
    if not screenings:
        return None
    latest = screenings[0]
    result = latest.result  # deferred by the case page: read for this screening only
    code = result.get("htcds_trafficking_status") if isinstance(result, dict) else None
    status = code if isinstance(code, str) else ""
    label: object = (
        TraffickingStatus(status).label if status in TraffickingStatus.values else status
    )
    return StatusSuggestion(status=status, label=label, recorded_at=latest.recorded_at)


def screening_outcome_label(code: object) -> object:
    """The words for a code of a screening's result; an unknown code is shown as it is."""
    try:
        return _OUTCOMES.get(code, code)
    except TypeError:  # a list or another value that cannot be a key
        return code


_PALERMO_ELEMENTS: dict[str, Promise] = {
    "act": _("Palermo: the act"),
    "means": _("Palermo: the means"),
    "purpose": _("Palermo: the purpose of exploitation"),
    "met": _("Palermo: the definition is met"),
}


def palermo_element_label(element: str) -> object:
    return _PALERMO_ELEMENTS.get(element, element)


def dimension_label(dimension_id: str) -> str:
    """The name of an ILO dimension in the page's language."""
    for dimension in get_catalogue().dimensions:
        if dimension.id == dimension_id:
            return dimension.label.get(page_language(), dimension.label.get("en", dimension_id))
    return dimension_id
