"""Choice widgets that write their options in Python, for the case pages' long lists.

Django renders each option through template includes of its own (an <option>, or a checkbox
in its label): a list of the 250 countries takes several milliseconds, and the forms of a case's
summary have about a thousand options. These widgets write exactly the HTML of Django's
templates with one string join.
"""

import html
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe

Option = dict[str, Any]
OptGroups = Iterable[tuple[Any, list[Option], int]]


def _escaped(value: object) -> str:
    """What `conditional_escape` returns, without its wrapper for lazy arguments, which costs
    ten times the escaping itself."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attributes(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select_option(option: Option) -> str:
    """As django/forms/widgets/select_option.html writes it."""
    return (
        f'<option value="{_escaped(option["value"])}"{_attributes(option["attrs"])}>'
        f"{_escaped(option['label'])}</option>\n"
    )


def _input_option(option: Option) -> str:
    """As django/forms/widgets/checkbox_option.html (and radio_option.html) write it: the
    input wrapped in its label."""
    attrs = option["attrs"]
    label_for = f' for="{_escaped(attrs["id"])}"' if attrs.get("id") else ""
    value = "" if option["value"] is None else f' value="{_escaped(option["value"])}"'
    return (
        f'<label{label_for}><input type="{_escaped(option["type"])}" '
        f'name="{_escaped(option["name"])}"{value}{_attributes(attrs)}>\n'
        f" {_escaped(option['label'])}</label>\n\n"
    )


def select_options(optgroups: OptGroups) -> SafeString:
    """The <option>s and <optgroup>s, as django/forms/widgets/select.html writes them."""
    parts = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
        parts.extend(f"\n  {_select_option(option)}" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 -- every value written is escaped above


def input_options(optgroups: OptGroups) -> SafeString:
    """The labelled inputs, as django/forms/widgets/multiple_input.html writes them."""
    parts = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f"\n  <div><label>{_escaped(group_name)}</label>")
        parts.extend(f"<div>\n    {_input_option(option)}</div>" for option in options)
        if group_name:
            parts.append("\n  </div>")
    return mark_safe("".join(parts))  # noqa: S308 -- every value written is escaped above


class LongSelect(forms.Select):
    template_name = "cases/widgets/select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["options_html"] = select_options(context["widget"].pop("optgroups"))
        return context


class LongSelectMultiple(LongSelect, forms.SelectMultiple):
    pass


class LongCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    template_name = "cases/widgets/multiple_input.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["options_html"] = input_options(context["widget"].pop("optgroups"))
        return context
