"""Forms of the secretariat's survey pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.units.forms import MultipleFileField, MultipleFileInput
from chiso.units.models import Period

from .models import QuestionnaireVersion, Survey

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class QuestionnaireUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm (XLSX)"),
        help_text=_("Made in Excel, KoboToolbox or ODK: sheets survey, choices and settings."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )


class SurveyForm(forms.ModelForm):
    opens_at = forms.DateTimeField(label=_("Opens at"), input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput())

    class Meta:
        model = Survey
        fields = ["code", "title_vi", "title_en", "period", "version", "opens_at", "closes_at", "open_link"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
        self.fields["version"].queryset = QuestionnaireVersion.objects.select_related("questionnaire").defer("xlsform", "survey")

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The survey must close after it opens."))
        return data


class ExtendForm(forms.Form):
    closes_at = forms.DateTimeField(label=_("New closing time"), input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class VersionForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Questionnaire version"), queryset=QuestionnaireVersion.objects.none())

    def __init__(self, *args, survey=None, **kwargs):
        super().__init__(*args, **kwargs)
        if survey is not None:
            self.fields["version"].queryset = QuestionnaireVersion.objects.filter(questionnaire=survey.version.questionnaire).defer("xlsform", "survey")


class InvitationsForm(forms.Form):
    labels = forms.CharField(
        label=_("One invitation per line"),
        help_text=_("A label each, for your own follow-up (e.g. a reference number from the sample list). Labels are never shown with answers."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
    )

    def clean_labels(self):
        labels = [line.strip() for line in self.cleaned_data["labels"].splitlines() if line.strip()]
        if not labels:
            raise forms.ValidationError(_("Write at least one line."))
        if len(labels) > 5000:
            raise forms.ValidationError(_("At most 5,000 invitations at a time."))
        return labels


class ResponsesImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Export files (CSV or XLSX)"),
        help_text=_("KoboToolbox: XLSX export with XML values and headers (one sheet per repeat). ODK Central: the CSV files of the export, main table and repeats."),
        widget=MultipleFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
