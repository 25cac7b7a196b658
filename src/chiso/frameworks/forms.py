from django import forms
from django.utils.translation import gettext_lazy as _


class FrameworkImportForm(forms.Form):
    file = forms.FileField(label=_("Framework file (YAML, XLSX or COINr iMeta CSV)"))
    code = forms.CharField(
        label=_("Framework code"), required=False, max_length=40,
        help_text=_("Needed only for a COINr iMeta CSV, which does not name its framework."),
    )
