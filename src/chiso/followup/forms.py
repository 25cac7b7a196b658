"""Forms of the follow-up pages. They only read input; services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chiso.core.form_fields import DateField, NumberField
from chiso.frameworks.models import Framework
from chiso.services_stats.models import RateTarget
from chiso.units.models import Unit

from .models import Directive, Statistic, Target
from .services import NATIONAL_INDICES

def _whole(**kwargs):
    """A whole number typed the Vietnamese way (Django's own field reads 1.000 as 1)."""
    kwargs.setdefault("widget", forms.TextInput(attrs={"size": 6}))
    return NumberField(decimals=False, coerce=int, **kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DirectiveForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=60, help_text=_("As on the document, e.g. 511/TB-UBND"))
    date = DateField(label=_("Date of issue"))
    issuer = forms.CharField(label=_("Issuer"), max_length=255, initial=_("Provincial People's Committee"))
    summary = forms.CharField(label=_("Abstract"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    number = forms.CharField(label=_("Number in the directive"), max_length=20, required=False)
    text = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=Unit.objects.none(), required=False, empty_label=_("— choose —"))
    cooperating_units = UnitsChoiceField(
        label=_("Cooperating units"), queryset=Unit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}), help_text=_("Hold Ctrl to choose several."),
    )
    deadline = forms.CharField(label=_("Deadline"), max_length=40, required=False,
                               help_text=_("A date (31/03/2023), a quarter (Quý I/2023 or Q1/2023), or “hằng tháng”, “hằng quý”, “hằng năm” for a report every month, quarter or year."))

    def __init__(self, *args, directive: Directive | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.select_related("block").order_by("block__order", "name_vi")
        if directive is not None:
            units = units.filter(pk__in=Unit.objects.active_between(directive.date, directive.date).values("pk"))
        self.fields["lead_unit"].queryset = units
        self.fields["cooperating_units"].queryset = units


class TasksImportForm(forms.Form):
    file = forms.FileField(
        label=_("Table of tasks (XLSX or CSV)"),
        help_text=_("Columns: STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp (separated by “;”), Thời hạn."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ProgressReportForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    percent = _whole(label=_("Progress (%)"), min_value=0, max_value=100)
    evidence = forms.FileField(label=_("Evidence file"), required=False,
                               help_text=_("The document, minutes or photo that shows it (PDF, Word, Excel, image)."))
    evidence_link = forms.URLField(label=_("Or a link to the evidence"), required=False, assume_scheme="https")
    ask_completion = forms.BooleanField(label=_("The task is done: ask the assigning side to confirm it"), required=False)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PlanActionForm(forms.Form):
    text = forms.CharField(label=_("Solution"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner = forms.CharField(label=_("Responsible"), max_length=255, required=False,
                            help_text=_("The office or person in charge, e.g. Phòng Quản lý xây dựng"))
    deadline = DateField(label=_("Deadline"), required=False)


def plan_new_form(choices, data=None):
    """Checkboxes for the indicators (weakest first) and a target value for each."""
    fields = {
        "codes": forms.MultipleChoiceField(
            label=_("Indicators to improve"), required=False, widget=forms.CheckboxSelectMultiple,
            choices=[(c.node.code, c.node.name) for c in choices],
        ),
        "title": forms.CharField(label=_("Title of the plan"), max_length=255, required=False),
    }
    for choice in choices:
        fields[f"target_{choice.node.code}"] = NumberField(label=pgettext_lazy("plan", "Target"), required=False, coerce=float,
                                                           widget=forms.TextInput(attrs={"size": 6}))
    form_class = type("PlanNewForm", (forms.Form,), fields)
    return form_class(data)


class TargetForm(forms.Form):
    title = forms.CharField(label=_("Target, as the directive puts it"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    directive = forms.ModelChoiceField(label=_("Directive"), queryset=Directive.objects.all(), required=False)
    source = forms.ChoiceField(label=_("Actual value from"), choices=Target.Source.choices)
    index_code = forms.ChoiceField(label=_("National index"), choices=[("", "—")] + [(c, c) for c in NATIONAL_INDICES], required=False)
    measure = forms.ChoiceField(label=_("Measure"), choices=Target.Measure.choices)
    component = forms.CharField(label=_("Component (dimension)"), max_length=100, required=False)
    framework = forms.ModelChoiceField(label=_("Framework (index run)"), queryset=Framework.objects.all(), required=False)
    unit = UnitChoiceField(label=_("Unit (index run)"), queryset=Unit.objects.select_related("block"), required=False)
    node_code = forms.CharField(label=_("Indicator or pillar code (index run)"), max_length=60, required=False)
    statistic = forms.ModelChoiceField(label=_("Statistic series"), queryset=Statistic.objects.all(), required=False)
    rate = forms.ChoiceField(label=_("One-stop-shop rate (for the province, or the unit above)"), required=False, choices=[])
    baseline_year = _whole(label=_("Baseline year"), min_value=2000, max_value=2100, grouped=False, required=False)
    baseline_value = NumberField(label=_("Baseline value (blank: read from the data)"), required=False, coerce=float)
    target_year = _whole(label=_("Target year"), min_value=2000, max_value=2100, grouped=False)
    rule = forms.ChoiceField(label=_("Rule"), choices=Target.Rule.choices)
    amount = NumberField(label=_("Amount (ranks, points or the threshold)"), required=False, coerce=float)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rate"].choices = [("", "—"), *RateTarget.Measure.choices]


class StatisticForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    unit_of_measure = forms.CharField(label=_("Unit of measure"), max_length=60, required=False)
    higher_is_better = forms.BooleanField(label=_("Higher is better"), required=False, initial=True)
    index_code = forms.ChoiceField(label=_("Stands for a national index (until its publication is imported)"),
                                   choices=[("", "—")] + [(c, c) for c in NATIONAL_INDICES], required=False)
    measure = forms.ChoiceField(label=_("Measure"), choices=[("", "—")] + list(Statistic.Measure.choices), required=False)


class StatisticValueForm(forms.Form):
    statistic = forms.ModelChoiceField(label=_("Statistic series"), queryset=Statistic.objects.all())
    year = _whole(label=_("Year"), min_value=2000, max_value=2100, grouped=False)
    value = NumberField(label=_("Value"), coerce=float)
    provisional = forms.BooleanField(label=_("Provisional (estimate)"), required=False)
    source = forms.CharField(label=_("Source"), max_length=255, help_text=_("The report, decision or publication the value comes from."))
