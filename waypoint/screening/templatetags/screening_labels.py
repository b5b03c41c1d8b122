"""Words for the engine's codes (verdicts, statuses, classifications) in the active language."""

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()

_LABELS: dict[object, Promise] = {
    # ILO verdict
    "trafficked": _("indicates trafficking"),
    "not_trafficked": _("does not indicate trafficking"),
    "undetermined": _("undetermined"),
    # dimension status
    "positive": _("positive"),
    "negative": _("negative"),
    # Palermo element status
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
    # legal conclusion
    "definition_met": _("the legal definition is met"),
    "definition_not_met": _("the legal definition is not met"),
    "needs_legal_assessment": _("needs a legal assessment"),
    # Palermo definition met
    True: _("met"),
    False: _("not met"),
    None: _("undetermined"),
}


@register.filter
def outcome_label(code: object) -> object:
    """The translated words for an engine code; an unknown code is shown as it is."""
    return _LABELS.get(code, code)


# Badge colours (app.css): what points towards trafficking, away from it, or is still open.
_BADGES: dict[object, str] = {
    "trafficked": "positive",
    "positive": "positive",
    "present": "positive",
    "trafficking": "positive",
    "smuggled_then_trafficked": "positive",
    "PossibleVictimOfTrafficking": "positive",
    "definition_met": "positive",
    True: "positive",
    "not_trafficked": "negative",
    "negative": "negative",
    "absent": "negative",
    "neither": "negative",
    "NotAVictimOfTrafficking": "negative",
    "definition_not_met": "negative",
    False: "negative",
}


@register.filter
def outcome_badge(code: object) -> str:
    """The badge class for an engine code: badge-positive, -negative or -undetermined."""
    return f"badge badge-{_BADGES.get(code, 'undetermined')}"
