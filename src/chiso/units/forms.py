from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.core.form_fields import DateField
from chiso.frameworks.models import Framework

from .models import Block, Unit, UnitSuccession


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented recipe for one field taking several files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UnitImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Files (CSV or XLSX)"),
        help_text=_("A unit list and, if you have one, a lineage list; or one workbook with both sheets."),
    )


class NamedChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name_vi} ({obj.code})"


class PeriodForm(forms.Form):
    """Kỳ đánh giá: the services decide what is allowed; the form only reads."""

    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Short and without spaces, e.g. 2025; it never changes."))
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    start_date = DateField(label=_("Start date"))
    end_date = DateField(label=_("End date"))
    blocks = NamedChoices(label=_("Blocks assessed"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    frameworks = NamedChoices(label=_("Frameworks that apply"), queryset=None, required=False,
                              widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blocks"].queryset = Block.objects.all()
        self.fields["frameworks"].queryset = Framework.objects.order_by("code")
        if editing:
            del self.fields["code"]
        else:
            del self.fields["reason"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UnitForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40,
                           help_text=_("chiso's own code: unique, never reused, e.g. X-THUCPHAN."))
    block = forms.ModelChoiceField(label=_("Block"), queryset=None)
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    official_code = forms.CharField(label=_("Official code"), max_length=20, required=False,
                                    help_text=_("The statistics office's code (mã ĐVHC), if the unit has one."))
    parent = UnitChoice(label=_("Parent unit"), queryset=None, required=False)
    valid_from = DateField(label=_("Valid from"), required=False)
    valid_to = DateField(label=_("Valid to"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = Block.objects.all()
        # Parents are departments' and districts' level units; the list is the units above communes.
        parents = Unit.objects.exclude(block__code__in=["commune", "commune_pre2025"]).order_by("name_vi")
        if unit is not None:
            parents = parents.exclude(pk=unit.pk)
            del self.fields["code"], self.fields["block"]
        self.fields["parent"].queryset = parents


class UnitEndForm(forms.Form):
    valid_to = DateField(label=_("Last day"))
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    successors = forms.CharField(
        label=_("Successors"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One unit per line: its code, then its share of the comparison baseline (0–1, default 1), "
                    "e.g. X-THUCPHAN 0,6."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = UnitSuccession.Kind.choices

    def clean_successors(self):
        found = []
        for number, line in enumerate(self.cleaned_data["successors"].splitlines(), start=1):
            parts = line.replace(";", " ").split()
            if not parts:
                continue
            unit = Unit.objects.filter(code=parts[0]).first()
            if unit is None:
                raise forms.ValidationError(_("Line %(line)s: no unit has the code %(code)s.") % {"line": number, "code": parts[0]})
            try:
                share = Decimal(parts[1].replace(",", ".")) if len(parts) > 1 else Decimal(1)
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(line)s: '%(share)s' is not a number.") % {"line": number, "share": parts[1]}) from None
            found.append((unit, share))
        return found
