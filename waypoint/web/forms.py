from django import forms
from django.utils.translation import gettext_lazy as _


class DueScopeForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Whose deadlines"),
        required=False,
        choices=[("mine", _("My cases")), ("organisation", _("The whole organisation"))],
    )
