"""Forms of the assessment pages: they validate input; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.accounts.models import Role, User
from chiso.core.form_fields import NumberField
from chiso.core.uploads import ACCEPT
from chiso.formats.numbers import shown
from chiso.frameworks.models import Framework, FrameworkVersion
from chiso.indices.models import IndexRun
from chiso.units.models import Block, Period, Unit


def _when(label, required=True, help_text=""):
    return forms.DateTimeField(
        label=label, required=required, localize=True, help_text=help_text,
        widget=forms.DateTimeInput(attrs={"placeholder": "31/01/2024 17:00"}),
    )


def _points(label, required=False, max_value=Decimal("99999.99")):
    """Points typed the Vietnamese way (1,5; 1.000 is a thousand), two decimals at most."""
    return NumberField(label=label, required=required, min_value=0, max_value=max_value, decimal_places=2,
                       widget=forms.TextInput(attrs={"size": 5, "class": "points"}))


def _whole(**kwargs):
    """A whole number typed the Vietnamese way: 1.000 is a thousand (Django's own field reads it as 1)."""
    kwargs.setdefault("widget", forms.TextInput(attrs={"size": 5}))
    return NumberField(decimals=False, coerce=int, **kwargs)


class ScheduleForm(forms.Form):
    self_assessment_due = _when(_("Self-assessments due"))
    appraisal_due = _when(_("Appraisal due"), required=False)
    council_due = _when(_("Council decision due"), required=False)
    explanation_days = _whole(
        label=_("Working days a unit has to explain"), min_value=1, max_value=60, required=False,
        help_text=_("Weekends and public holidays do not count. Empty: the framework's number (5 unless it says otherwise)."),
    )
    council_size = _whole(label=_("Members of the appraisal council"), min_value=1, max_value=99, initial=9)
    quorum_percent = _whole(
        label=_("Quorum: more than this many per cent of the members present"), min_value=0, max_value=99, initial=50,
        help_text=_("50 means more than half. A decision also needs more than half of the members present voting for it."),
    )


class CycleForm(ScheduleForm):
    version = forms.ModelChoiceField(
        FrameworkVersion.objects.filter(framework__method=Framework.Method.POINTS).select_related("framework"),
        label=_("Framework version"),
    )
    period = forms.ModelChoiceField(Period.objects.all(), label=_("Period"))
    block = forms.ModelChoiceField(Block.objects.all(), label=_("Block"))
    title = forms.CharField(label=_("Title"), required=False, max_length=255,
                            help_text=_("e.g. Chỉ số CCHC năm 2023 của các sở, ban, ngành"))

    field_order = ["version", "period", "block", "title"]


class ScheduleChangeForm(ScheduleForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)


class SelfAssessForm(forms.Form):
    points = _points(_("Points claimed"))
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_explanation = forms.CharField(label=_("Why the evidence is missing"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class AppraiseForm(forms.Form):
    points = _points(_("Appraised points"))
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    comment = forms.CharField(label=_("Comment (the reason, needed when the points differ from the claim)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    explanation_request = forms.CharField(label=_("Ask the unit to explain"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class ExplainForm(forms.Form):
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class CouncilAdjustForm(forms.Form):
    points = _points(_("Council points"))
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    number = forms.CharField(label=_("Document number (số hiệu)"), max_length=100, widget=forms.TextInput(attrs={"placeholder": "123/QĐ-STC"}))
    date = forms.DateField(label=_("Date issued"), localize=True, widget=forms.DateInput(attrs={"placeholder": "13/03/2023"}))
    title = forms.CharField(label=_("Title (trích yếu)"), required=False, max_length=500)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, DOCX, XLSX, JPG, PNG)"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}))
    until = _when(_("The unit may submit until"), required=False,
                  help_text=_("Only for a self-assessment not yet appraised."))


class BonusPenaltyForm(forms.Form):
    """One points field per bonus or penalty reason of the framework, with its maximum."""

    note = forms.CharField(label=_("Note (e.g. the document the council relied on)"), required=False, max_length=1000)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules or {}
        for rule in self.rules.values():
            for reason in rule.reasons:
                field = _points(reason.name, max_value=reason.maximum)
                field.help_text = _("at most %(max)s") % {"max": shown(reason.maximum)} + (
                    " · " + str(_("to be confirmed against the decision")) if reason.to_confirm else "")
                self.fields[f"r_{reason.code}"] = field
        self.order_fields([*(f for f in self.fields if f.startswith("r_")), "note"])

    @staticmethod
    def initial_from(assessment) -> dict:
        chosen = assessment.bonus_penalty or {}
        # stored plain ("1.5"); the inputs show them the Vietnamese way (1,5)
        return {f"r_{code}": Decimal(str(value)) for values in chosen.values() for code, value in values.items()}

    def points(self) -> dict:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("r_") and value}

    def fields_of(self, kind: str):
        rule = self.rules.get(kind)
        return [self[f"r_{r.code}"] for r in rule.reasons] if rule else []

    @property
    def bonus_fields(self):
        return self.fields_of("bonus")

    @property
    def penalty_fields(self):
        return self.fields_of("penalty")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class UnitAddForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"))
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class ExtendForm(forms.Form):
    working_days = _whole(label=_("More working days"), min_value=1, max_value=60, initial=3)
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class AcceptForm(forms.Form):
    under = forms.ChoiceField(label=_("Accept the claims of"), required=False)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under"].choices = [("", _("the whole unit")), *criteria]


class DecisionForm(forms.Form):
    meeting_date = forms.DateField(label=_("Meeting date"), localize=True, widget=forms.DateInput(attrs={"placeholder": "13/03/2023"}))
    minutes_number = forms.CharField(label=_("Minutes number"), required=False, max_length=100)
    members_present = forms.CharField(label=_("Members present (one name a line)"), widget=forms.Textarea(attrs={"rows": 5}))
    votes_for = _whole(label=_("Votes for"), min_value=0, max_value=999)
    votes_against = _whole(label=_("Votes against"), min_value=0, max_value=999, initial=0)
    votes_abstain = _whole(label=_("Abstentions"), min_value=0, max_value=999, initial=0)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("I confirm the decision: the points of these units are then locked."))

    def __init__(self, *args, assessments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"] = forms.ModelMultipleChoiceField(
            assessments, label=_("Units the decision covers"), widget=forms.CheckboxSelectMultiple,
        )
        self.fields["assessments"].label_from_instance = lambda a: a.unit.name
        self.fields["confirm"] = self.fields.pop("confirm")  # last, next to the button

    def clean_members_present(self):
        return [line.strip() for line in self.cleaned_data["members_present"].splitlines() if line.strip()]


class SurveyForm(forms.Form):
    run = forms.ModelChoiceField(IndexRun.objects.none(), label=_("Published survey index run"))

    def __init__(self, *args, runs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].queryset = runs if runs is not None else IndexRun.objects.none()


class PublishForm(forms.Form):
    confirm = forms.BooleanField(label=_("The council has decided every unit's points and I want to publish the results."))
    reason = forms.CharField(label=_("Reason (needed when publishing again)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AffiliationForm(forms.Form):
    user = forms.ModelChoiceField(User.objects.filter(role=Role.APPRAISER, is_active=True), label=_("Appraiser"))
    unit = forms.ModelChoiceField(Unit.objects.all(), label=_("Unit"))
    note = forms.CharField(label=_("Note"), required=False, max_length=255, help_text=_("e.g. works there; came from there in 2023"))
