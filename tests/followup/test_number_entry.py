"""Follow-up targets, baselines, plan targets and statistic values typed the Vietnamese way
(issue 18, point 6): 1.000 is a thousand, 1,5 one and a half, 1.234,5 works, 1.5 is refused with a
message showing how to write it, and a value shown in an input reads back exactly."""

import pytest
from django.urls import reverse
from django.utils import translation

from chiso.followup.forms import ProgressReportForm, StatisticValueForm, TargetForm, plan_new_form
from chiso.followup.models import ImprovementPlan, Target
from chiso.followup.services import statistic_create

TARGET = {"title": "Tỷ lệ hồ sơ trực tuyến", "source": "statistic", "measure": "score", "target_year": "2025", "rule": "at_least"}


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


class Choice:
    def __init__(self, code):
        self.node = type("Node", (), {"code": code, "name": code})()


def _forms(text):
    """(form, field) pairs with `text` typed in each number field of the follow-up forms."""
    return [
        (TargetForm({**TARGET, "baseline_value": text}), "baseline_value"),
        (TargetForm({**TARGET, "amount": text}), "amount"),
        (plan_new_form([Choice("i1")], {"codes": ["i1"], "target_i1": text}), "target_i1"),
        (StatisticValueForm({"year": "2024", "value": text, "source": "Báo cáo"}), "value"),
    ]


@pytest.mark.parametrize(("text", "value"), [("1.000", 1000.0), ("1.000.000", 1_000_000.0), ("1,5", 1.5), ("1.234,5", 1234.5),
                                              ("0,25", 0.25), ("-2,5", -2.5)])
def test_values_are_read_the_vietnamese_way(text, value):
    for form, field in _forms(text):
        form.is_valid()
        assert field not in form.errors, (field, form.errors)
        assert form.cleaned_data[field] == value and isinstance(form.cleaned_data[field], float)


def test_an_ambiguous_value_is_refused_with_the_way_to_write_it():
    for form, field in _forms("1.5"):
        assert not form.is_valid()
        message = " ".join(form.errors[field])
        assert "Hãy viết 1,5" in message and "dấu phẩy" in message, (field, message)
    for form, field in _forms("1,234.5"):
        assert not form.is_valid() and "1.234,5" in " ".join(form.errors[field])
    for form, field in _forms("1e3"):  # never read as an exponent
        assert not form.is_valid() and field in form.errors


def test_values_in_the_inputs_are_written_the_vietnamese_way_and_read_back():
    for value, expected in ((0.5, "0,5"), (1234.5, "1.234,5"), (1e-7, "0,0000001"), (1e21, "1.000.000.000.000.000.000.000")):
        form = TargetForm(initial={"baseline_value": value, "amount": value})
        assert form["baseline_value"].value() == expected and f'value="{expected}"' in str(form["amount"])
        again = TargetForm({**TARGET, "baseline_value": expected})
        again.is_valid()
        assert again.cleaned_data["baseline_value"] == value


# --- through the pages ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_target_and_a_statistic_value_through_the_pages(secretariat, client):
    client.force_login(secretariat)
    firms = statistic_create(code="ho-so", name_vi="Hồ sơ trực tuyến", unit_of_measure="hồ sơ", by=None)
    url = reverse("followup:targets")
    data = {**TARGET, "statistic": str(firms.pk), "baseline_year": "2023"}
    refused = client.post(url, {**data, "baseline_value": "12.5", "amount": "1.000"})
    assert refused.status_code == 400 and "Hãy viết 12,5" in refused.content.decode() and not Target.objects.exists()
    assert 'value="12.5"' in refused.content.decode()  # what was typed stays, for the person to correct
    response = client.post(url, {**data, "baseline_value": "1.234,5", "amount": "1.500"})
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.baseline_value, target.amount) == (1234.5, 1500.0)
    statistics = reverse("followup:statistics")
    refused = client.post(statistics, {"form": "value", "v-statistic": firms.pk, "v-year": "2024", "v-value": "2.5", "v-source": "BC 12"})
    assert "Hãy viết 2,5" in refused.content.decode() and not firms.values.exists()
    client.post(statistics, {"form": "value", "v-statistic": firms.pk, "v-year": "2024", "v-value": "12.345", "v-source": "BC 12"})
    assert firms.values.get().value == 12345.0


@pytest.mark.django_db
def test_a_plan_target_through_the_page(ddci_runs, units, officers, client):
    run_2022, _ = ddci_runs
    client.force_login(officers["S-XD"])
    url = f"{reverse('followup:plan_new')}?run={run_2022.pk}&unit=S-XD"
    refused = client.post(url, {"codes": ["i1"], "target_i1": "45.5"})
    assert refused.status_code == 400 and "Hãy viết 45,5" in refused.content.decode() and not ImprovementPlan.objects.exists()
    client.post(url, {"codes": ["i1", "i3"], "target_i1": "1.000", "target_i3": "65,25"})  # i3: lower is better
    plan = ImprovementPlan.objects.get()
    assert plan.items.get(code="i1").target_value == 1000.0 and plan.items.get(code="i3").target_value == 65.25


def test_whole_numbers_and_years():
    """Django's own integer field reads 1.000 as 1: progress and years are read the Vietnamese way."""
    form = ProgressReportForm({"percent": "1.000"})
    form.is_valid()
    assert "không lớn hơn 100" in " ".join(form.errors["percent"])
    form = ProgressReportForm({"percent": "75"})
    form.is_valid()
    assert form.cleaned_data["percent"] == 75
    form = TargetForm({**TARGET, "target_year": "1.999"})
    form.is_valid()
    assert "không nhỏ hơn 2000" in " ".join(form.errors["target_year"])  # a year is shown without a point
    form = TargetForm(initial={"target_year": 2025, "baseline_year": 2023})
    assert 'value="2025"' in str(form["target_year"]) and form["baseline_year"].value() == "2023"
    form = StatisticValueForm({"year": "2024", "value": "5", "source": "BC"})
    form.is_valid()
    assert form.cleaned_data["year"] == 2024 and isinstance(form.cleaned_data["year"], int)
