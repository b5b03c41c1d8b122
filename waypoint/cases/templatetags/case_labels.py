"""Words for the codes a case stores (statuses, scopes, countries, languages, the screening
engine's results) in the language of the page."""

from django import template

from waypoint.cases import page_data
from waypoint.cases.models import CaseStatus, Consent
from waypoint.domain import vulnerability
from waypoint.domain.rights.texts import LocalizedText
from waypoint.people.data import DocumentType

register = template.Library()


@register.filter
def case_status(code: str) -> object:
    return CaseStatus(code).label if code in CaseStatus.values else code


@register.filter
def consent_scope(code: str) -> object:
    return Consent.Scope(code).label if code in Consent.Scope.values else code


@register.filter
def document_type(code: str) -> object:
    return DocumentType(code).label if code in DocumentType.values else code


@register.filter
def country(code: str) -> str:
    return page_data.country_name(code) if code else ""


@register.filter
def language(code: str) -> str:
    return page_data.language_name(code) if code else ""


@register.filter
def in_page_language(text: LocalizedText) -> str:
    return text.in_language(page_data.page_language())


@register.filter
def factor_label(factor_id: str) -> str:
    try:
        factor = vulnerability.catalogue().factor(factor_id)
    except ValueError:
        return factor_id
    return factor.label.in_language(page_data.page_language())


@register.filter
def level_label(level: str) -> str:
    labels = vulnerability.catalogue().levels
    return labels[vulnerability.Level(level)].in_language(page_data.page_language())


@register.filter
def severity_label(severity: str) -> str:
    labels = vulnerability.catalogue().severities
    return labels[vulnerability.Severity(severity)].in_language(page_data.page_language())


@register.filter
def summary_text(summary: dict[str, object]) -> object:
    """The stored vulnerability summary's plain text in the page's language."""
    texts = summary.get("text")
    if not isinstance(texts, dict):
        return ""
    return texts.get(page_data.page_language()) or texts.get("en", "")


@register.filter
def outcome(code: object) -> object:
    """The words for a screening result's code; an unknown code is shown as it is."""
    return page_data.screening_outcome_label(code)


@register.filter
def verdict_badge(code: object) -> str:
    return {"trafficked": "badge-positive", "not_trafficked": "badge-negative"}.get(
        str(code), "badge-undetermined"
    )


@register.filter
def dimension(dimension_id: str) -> str:
    return page_data.dimension_label(dimension_id)


@register.filter
def palermo_element(element: str) -> object:
    return page_data.palermo_element_label(element)
