from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.core.form_fields import NumberField
from chiso.units.models import Period, Unit

from .fields import COUNT_FIELDS, OPTIONAL, STANDARD_MAPPING, UNIT_FIELD
from .models import SourceFormat


class ImportForm(forms.Form):
    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.all(), empty_label=None)
    source_format = forms.ModelChoiceField(label=_("Format of the file"), queryset=SourceFormat.objects.all(), empty_label=None)
    file = forms.FileField(label=_("File (CSV or XLSX)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))
    replace_period = forms.BooleanField(
        label=_("Replace the whole period"), required=False,
        help_text=_("Also remove the figures of the units the file does not list. Without it, only the units in the file are added or changed."))


class SourceFormatForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    sheet = forms.CharField(label=_("Sheet (XLSX; empty for the first)"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _header, label in [UNIT_FIELD, *COUNT_FIELDS]:
            self.fields[f"col_{name}"] = forms.CharField(
                label=label, max_length=200, required=name not in OPTIONAL,
                help_text=_("Header in the file; the standard one is “%(header)s”.") % {"header": STANDARD_MAPPING[name]},
            )

    def mapping(self) -> dict[str, str]:
        return {key[4:]: value for key, value in self.cleaned_data.items() if key.startswith("col_") and value}

    @classmethod
    def initial_for(cls, source_format: SourceFormat | None) -> dict:
        mapping = source_format.mapping if source_format else STANDARD_MAPPING
        initial = {f"col_{k}": v for k, v in mapping.items()}
        if source_format:
            initial.update(code=source_format.code, name=source_format.name, sheet=source_format.sheet)
        return initial


class StatEntryForm(forms.Form):
    """One unit's counts for a period, typed the Vietnamese way (1.000 is a thousand)."""

    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.all(), empty_label=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.select_related("block").order_by("code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _header, label in COUNT_FIELDS:
            self.fields[name] = NumberField(label=label, decimals=False, min_value=0, coerce=int, required=name not in OPTIONAL,
                                            help_text=_("Optional: without it the online-payment rate is unknown.") if name in OPTIONAL else "")

    def counts(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name, _h, _l in COUNT_FIELDS}
