"""Filters for the return pages: country names in the page's language, scores and money."""

from decimal import Decimal

from django import template

from waypoint.returns.iso import country_name as iso_country_name
from waypoint.returns.texts import page_language

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return iso_country_name(code, page_language()) if code else ""


@register.filter
def score(value: float | None) -> str:
    """A score in [0, 1] with two decimals, or a dash when there is none."""
    return "—" if value is None else f"{value:.2f}"


@register.filter
def money(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):,.2f}".replace(",", "\u202f")
