from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.audit.models import Outcome


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), max_length=150, required=False)
    action = forms.CharField(label=_("Action"), max_length=80, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("Any")), *Outcome.choices], required=False
    )
    object_type = forms.CharField(label=_("Object type"), max_length=80, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=64, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
