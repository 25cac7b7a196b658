from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chiso.core.uploads import ACCEPT
from chiso.units.models import Unit

from .models import Feedback, FeedbackType, Rating

TEXT_MAX = 5000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class FeedbackForm(forms.Form):
    """The public form. `website` is a honeypot: hidden from people, filled in by robots."""

    filer_kind = forms.ChoiceField(label=_("You are"), choices=Feedback.FilerKind.choices, widget=forms.RadioSelect,
                                   initial=Feedback.FilerKind.BUSINESS)
    type = forms.ModelChoiceField(label=_("Topic"), queryset=FeedbackType.objects.filter(active=True), empty_label=None)
    unit = UnitChoiceField(label=_("Unit concerned (if you know it)"), queryset=Unit.objects.none(), required=False,
                           empty_label=_("I do not know"))
    title = forms.CharField(label=pgettext_lazy("feedback", "Title"), max_length=200)
    text = forms.CharField(label=_("Describe the issue and what you propose"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 8, "maxlength": TEXT_MAX}))
    on_behalf_of = forms.CharField(label=_("Members on whose behalf the association files"), max_length=255, required=False,
                                   help_text=_("For example: 12 member businesses in road transport."))
    files = MultipleFileField(label=_("Attachments (PDF, JPG, PNG, DOCX, XLSX)"), required=False,
                              help_text=_("At most 3 files of 5 MB each. Documents may carry their author's name in their properties."))
    anonymous = forms.BooleanField(label=_("File anonymously (you give no contact details; you follow the answer with the tracking code)"),
                                   required=False)
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Business or association"), max_length=255, required=False)
    tax_code = forms.CharField(label=_("Tax code"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    consent_publish = forms.BooleanField(
        label=_("The question and its answer may be published, without my identity"), required=False, initial=True)
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    CONTACT_FIELDS = ("name", "organisation", "tax_code", "email", "phone", "address")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.all()

    def clean(self):
        data = super().clean()
        if not data.get("anonymous") and not any(data.get(f) for f in self.CONTACT_FIELDS):
            raise forms.ValidationError(_("Give at least one way to contact you, or tick “File anonymously”."))
        return data

    @property
    def contact(self) -> dict:
        return {f: self.cleaned_data.get(f, "") for f in self.CONTACT_FIELDS}


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class RatingForm(forms.Form):
    answered = forms.UUIDField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(label=_("How satisfied are you with this answer?"), choices=Rating.Score.choices,
                                   coerce=int, widget=forms.RadioSelect)


class RouteForm(forms.Form):
    unit = UnitChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    note = forms.CharField(label=_("Note for the unit"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.all()


class SplitForm(forms.Form):
    PARTS = 4

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.PARTS + 1):
            self.fields[f"unit_{i}"] = UnitChoiceField(label=_("Part %(n)s: unit") % {"n": i}, queryset=units, required=False)
            self.fields[f"text_{i}"] = forms.CharField(label=_("Part %(n)s: what this unit must answer") % {"n": i},
                                                       required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def parts(self):
        return [(self.cleaned_data.get(f"unit_{i}"), self.cleaned_data.get(f"text_{i}", "")) for i in range(1, self.PARTS + 1)
                if self.cleaned_data.get(f"unit_{i}")]


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Number of the feedback it repeats (e.g. PA-2023-00012)"), max_length=20)
    note = forms.CharField(label=_("Note"), required=False)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the filer sees it)"), widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=pgettext_lazy("feedback", "Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))


class PublishForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the question to publish (remove anything that identifies the filer)"),
                              widget=forms.Textarea(attrs={"rows": 4}))
