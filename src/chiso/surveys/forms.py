"""Forms of the secretariat's survey pages."""

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.frameworks.models import Framework
from chiso.units.forms import MultipleFileField, MultipleFileInput
from chiso.units.models import Period

from chiso.surveys.collection.media import media_refusal
from chiso.surveys.models import QuestionnaireVersion, SampleFrame, Survey

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
    # issue 20: unticked (a form sent without it) keeps the survey anonymous (Survey.anonymous)
    not_anonymous = forms.BooleanField(
        label=_("Not anonymous: the questionnaire may ask for a location, a photo, a recording or a file"), required=False,
        help_text=_("These answers identify a respondent. Leave unticked for an anonymous survey."),
    )

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
        if data.get("version") is not None:  # issue 20: media and location questions
            refusal = media_refusal(anonymous=not data.get("not_anonymous"), form=QuestionnaireVersion.objects.get(pk=data["version"].pk).form)
            if refusal:
                self.add_error("not_anonymous", refusal)
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


class AnonymityForm(forms.Form):
    not_anonymous = forms.BooleanField(
        label=_("Not anonymous: the questionnaire may ask for a location, a photo, a recording or a file"), required=False,
        help_text=_("These answers identify a respondent. Leave unticked for an anonymous survey."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


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


# --- Surveys II: frames, samples, contact, analysis ------------------------------------------

class FrameUploadForm(forms.Form):
    name = forms.CharField(label=_("Name of the frame"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=SampleFrame.Kind.choices)
    duplicates = forms.ChoiceField(
        label=_("Rows with the same tax code"),
        choices=[("merge", _("Merge them when they agree, report them when they differ")), ("report", _("Report every repeat"))],
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Columns: tax code, name, legal form, sector (VSIC), size, commune, address, e-mail, phone. Vietnamese headers work too."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


STRATA_CHOICES = [("sector", _("Sector (VSIC section)")), ("size", _("Size")), ("commune", _("Commune"))]


class SampleForm(forms.Form):
    frame = forms.ModelChoiceField(label=_("Sample frame"), queryset=None)
    strata = forms.MultipleChoiceField(label=_("Strata"), choices=STRATA_CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    allocation = forms.ChoiceField(
        label=_("Sample size"), choices=[("proportional", _("Proportional: one total, shared by stratum size")), ("set", _("Set per stratum"))],
        widget=forms.RadioSelect, initial="proportional",
    )
    size = forms.IntegerField(label=_("Total sample size"), min_value=1, required=False)
    sizes = forms.CharField(
        label=_("Size per stratum"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One stratum a line, e.g. “C · nhỏ = 12”."),
    )
    replacement_ratio = forms.FloatField(label=_("Replacements per sampled business"), initial=0.5, min_value=0, max_value=10)
    seed = forms.IntegerField(label=_("Random seed"), required=False, help_text=_("Left empty, a random seed is chosen and recorded."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frame"].queryset = SampleFrame.objects.all()

    def clean(self):
        data = super().clean()
        if data.get("allocation") == "proportional" and not data.get("size"):
            self.add_error("size", _("Give the total sample size."))
        if data.get("allocation") == "set" and not (data.get("sizes") or "").strip():
            self.add_error("sizes", _("Give the size of each stratum."))
        return data


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255, required=False)
    # The printed letter's official heading (the letter's form only).
    issuer = forms.CharField(label=_("Issuing body"), max_length=255, required=False)
    reference = forms.CharField(label=_("Number and symbol"), max_length=100, required=False)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args, letter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("subject",) if letter else ("issuer", "reference", "place"):
            del self.fields[name]


class AnalysisForm(forms.Form):
    min_cell = forms.IntegerField(label=_("Anonymity threshold k"), min_value=2, max_value=100)
    min_answers_per_unit = forms.IntegerField(label=_("Minimum answers per rated unit"), min_value=1, max_value=100000)
    quality = forms.CharField(label=_("Data quality rules (YAML)"), required=False, widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}))
    weighting = forms.CharField(label=_("Weighting (YAML)"), required=False, widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"}))

    def _yaml(self, name):
        text = self.cleaned_data.get(name) or ""
        try:
            value = yaml.safe_load(text) if text.strip() else {}
        except yaml.YAMLError as error:
            raise forms.ValidationError(_("This is not valid YAML: %(error)s") % {"error": error}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write a mapping of settings, one per line."))
        return value

    def clean_quality(self):
        return self._yaml("quality")

    def clean_weighting(self):
        return self._yaml("weighting")


class RulesUploadForm(forms.Form):
    framework = forms.ModelChoiceField(label=_("Framework"), queryset=None)
    file = forms.FileField(label=_("Rules (CSV or XLSX)"), help_text=_("Columns: indicator, question, statistic, values, exclude."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.all()


class DecisionForm(forms.Form):
    include = forms.TypedChoiceField(label=_("Decision"), choices=[("1", _("Include")), ("0", _("Exclude"))], coerce=lambda v: v == "1")
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV (zip)"), ("xlsx", "Excel (XLSX)"), ("sav", "SPSS (.sav, zip)"), ("dta", "Stata (.dta, zip)")])
    include_text = forms.BooleanField(label=_("Include free-text answers (they may name a business: check before sharing)"), required=False)
