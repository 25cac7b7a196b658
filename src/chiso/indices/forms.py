from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.frameworks.models import FrameworkVersion
from chiso.units.models import Block, Period


class RunForm(forms.Form):
    version = forms.ModelChoiceField(FrameworkVersion.objects.select_related("framework"), label=_("Framework version"))
    period = forms.ModelChoiceField(Period.objects.all(), label=_("Period"))
    block = forms.ModelChoiceField(Block.objects.all(), label=_("Block"))


class PublishForm(forms.Form):
    confirm = forms.BooleanField(label=_("I have checked the results and want to publish them."))
    reason = forms.CharField(label=_("Reason (needed when publishing again)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NationalImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    index_code = forms.ChoiceField(label=_("Index"), choices=[("", "—"), ("PCI", "PCI"), ("PAPI", "PAPI"), ("PAR", "PAR Index"), ("SIPAS", "SIPAS")], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2005, max_value=2100)
    replace_period = forms.BooleanField(
        label=_("Replace the whole period"), required=False,
        help_text=_("Also remove the results of the provinces the file does not list, for each index and year in the "
                    "file (the trail keeps them). Without it, only the provinces in the file are added or changed."))


class ValuesImportForm(forms.Form):
    version = forms.ModelChoiceField(FrameworkVersion.objects.select_related("framework"), label=_("Framework version"))
    period = forms.ModelChoiceField(Period.objects.all(), label=_("Period"))
    file = forms.FileField(label=_("File (CSV or XLSX): a uCode column, then one column per indicator"))
    source = forms.CharField(label=_("Source of the values"), max_length=255,
                             help_text=_("e.g. the appraisal council's minutes, a statistics report, a survey"))
    replace_period = forms.BooleanField(
        label=_("Replace the whole period"), required=False,
        help_text=_("Also withdraw the values of the file's indicators in this period that the file does not give "
                    "(they stay on record). Without it, only the values in the file are added or changed."))
    numbers = forms.ChoiceField(
        label=_("How numbers are written"), required=False, initial="auto", widget=forms.RadioSelect,
        choices=[("auto", _("Detect automatically")), ("vi", _("Vietnamese (1.234,5)")), ("intl", _("International (1,234.5)"))],
        help_text=_("Numbers typed as text in the file: 0,5 and 1.000 (a thousand) the Vietnamese way, 0.5 and 1,000 the "
                    "international way (COINr's files). Numbers an Excel sheet stores as numbers are read as they are."))

    def clean_numbers(self):
        return self.cleaned_data.get("numbers") or "auto"
