"""The server's own reading of answers: relevance, calculations, repeats, rules, the clean record."""

from pathlib import Path

import pytest
from django.core.cache import caches

from chiso.surveys.collection.evaluation import Evaluation, normalise_input
from chiso.surveys.collection.formdef import Element, FormDef
from chiso.surveys.collection.xlsform import xlsform_parse
from chiso.surveys.queries import units_choices
from chiso.surveys.services import questionnaire_import


def evaluation(survey, answers):
    return Evaluation(survey.version.form, answers, external=units_choices(survey), language="vi")


@pytest.mark.django_db
def test_a_complete_ddci_answer_set_is_valid_and_keeps_one_entry_per_rated_unit(ddci_survey, answers):
    ev = evaluation(ddci_survey, answers())
    assert ev.errors() == {}
    clean = ev.clean()
    assert clean["don_vi_lien_he"] == ["S-TC", "S-XD"]
    assert [e["ma_don_vi"] for e in clean["danh_gia"]] == ["S-TC", "S-XD"]
    assert clean["danh_gia"][1]["ten_don_vi"] == "Sở Xây dựng"
    assert clean["so_lao_dong"] == 12 and clean["danh_gia"][0]["diem_chung"] == 7
    assert ev.rated_units() == ["S-TC", "S-XD"]


@pytest.mark.django_db
def test_units_offered_are_the_periods_units_of_the_block(ddci_survey, make_unit):
    make_unit("X-1", block="commune", name_vi="Xã Một")
    codes = [c.name for c in units_choices(ddci_survey)["units_department.csv"]]
    assert sorted(codes) == ["S-TC", "S-TP", "S-XD"]  # not the dissolved one, not the commune


@pytest.mark.django_db
def test_respondents_read_a_units_list_up_to_a_minute_old_analysis_reads_the_table(ddci_survey, make_unit):
    def codes(**kwargs):
        return sorted(c.name for c in units_choices(ddci_survey, **kwargs)["units_department.csv"])

    assert codes(cached=True) == ["S-TC", "S-TP", "S-XD"]
    make_unit("S-YT", name_vi="Sở Y tế")
    assert codes(cached=True) == ["S-TC", "S-TP", "S-XD"]  # the respondents' copy, for up to a minute
    assert codes() == ["S-TC", "S-TP", "S-XD", "S-YT"]  # analysis and imports: the table as it is
    caches["local"].clear()  # as the minute passing does
    assert codes(cached=True) == ["S-TC", "S-TP", "S-XD", "S-YT"]


@pytest.mark.django_db
def test_required_constraint_and_type_messages(ddci_survey, answers):
    ev = evaluation(ddci_survey, answers(so_lao_dong="200000", nam_thanh_lap="abc", hinh_thuc_lien_he=""))
    errors = ev.errors()
    assert errors["so_lao_dong"] == "Số lao động phải từ 0 đến 100.000."  # the form's constraint_message
    assert "nam_thanh_lap" in errors
    assert "hinh_thuc_lien_he" in errors


@pytest.mark.django_db
def test_relevance_clears_and_requires_follow_up_questions(ddci_survey, answers):
    data = answers(units=("S-TC",))
    data["danh_gia"][0]["chi_phi_khong_chinh_thuc"] = "khong"
    data["danh_gia"][0]["ty_le_chi_phi"] = "2"
    ev = evaluation(ddci_survey, data)
    assert ev.relevant["danh_gia[1]/ty_le_chi_phi"] is False
    assert "ty_le_chi_phi" not in ev.clean()["danh_gia"][0]  # an irrelevant answer is not stored
    data["danh_gia"][0]["chi_phi_khong_chinh_thuc"] = "co"
    data["danh_gia"][0]["ty_le_chi_phi"] = "150"
    assert evaluation(ddci_survey, data).errors() == {"danh_gia[1]/ty_le_chi_phi": "Tỷ lệ phải từ 0 đến 100%."}
    data["danh_gia"][0]["ty_le_chi_phi"] = "1,5"  # a Vietnamese decimal comma
    assert evaluation(ddci_survey, data).clean()["danh_gia"][0]["ty_le_chi_phi"] == 1.5


@pytest.mark.django_db
def test_changing_the_selection_keeps_each_units_answers_with_its_unit(ddci_survey, answers):
    data = answers(units=("S-TC", "S-TP", "S-XD"))
    for entry, score in zip(data["danh_gia"], ("3", "6", "9")):
        entry["diem_chung"] = score
    first = evaluation(ddci_survey, data)
    kept = first.answers
    kept["don_vi_lien_he"] = "S-TC S-XD"  # the respondent went back and dropped S-TP
    second = evaluation(ddci_survey, kept)
    assert [(e["ma_don_vi"], e["diem_chung"]) for e in second.clean()["danh_gia"]] == [("S-TC", 9 - 6), ("S-XD", 9)]


@pytest.mark.django_db
def test_a_forged_unit_code_is_rejected(ddci_survey, answers):
    errors = evaluation(ddci_survey, answers(units=("S-TC", "S-FAKE"))).errors()
    assert errors["don_vi_lien_he"] == "S-FAKE không nằm trong các lựa chọn."  # Vietnamese by default
    errors = evaluation(ddci_survey, answers(units=("S-TC", "S-CU"))).errors()  # dissolved before the period
    assert "S-CU" in errors["don_vi_lien_he"]


@pytest.mark.django_db
def test_more_units_than_the_constraint_allows(ddci_survey, answers, make_unit):
    make_unit("S-YT", name_vi="Sở Y tế")
    errors = evaluation(ddci_survey, answers(units=("S-TC", "S-TP", "S-XD", "S-YT"))).errors()
    assert errors["don_vi_lien_he"] == "Vui lòng chọn tối đa 3."


@pytest.mark.django_db
def test_a_tampered_computed_value_is_detected(ddci_survey, answers):
    ev = evaluation(ddci_survey, answers())
    assert ev.tampered({"danh_gia[1]/ma_don_vi": "S-TC"}) == {}
    assert "danh_gia[1]/ma_don_vi" in ev.tampered({"danh_gia[1]/ma_don_vi": "S-TP"})
    assert "danh_gia_count" in ev.tampered({"danh_gia_count": "7"})


@pytest.mark.django_db
def test_choice_filter_and_select_multiple_other(make_survey, make_unit, period):
    make_unit("X-A", block="commune", name_vi="Xã A")
    path = Path(__file__).resolve().parents[3] / "docs" / "examples" / "ddci_communes.xlsx"
    survey = make_survey(questionnaire_import(file_name=path.name, content=path.read_bytes(), by=None).version)
    ev = Evaluation(survey.version.form, {"nganh_nghe": "du_lich", "nganh_chi_tiet": "che_bien", "can_cai_thien": "khac"}, external=units_choices(survey))
    element = survey.version.form.elements["nganh_chi_tiet"]
    assert [c.name for c in ev.choices(element, "nganh_chi_tiet")] == ["homestay", "lu_hanh"]
    errors = ev.errors()
    assert errors["nganh_chi_tiet"] == "che_bien không nằm trong các lựa chọn."
    assert "can_cai_thien_khac" in errors  # relevant through selected(), and required


@pytest.mark.django_db
def test_repeat_count_from_an_integer_and_nested_groups(blocks, xlsform):
    content = xlsform(
        [
            ("integer", "n", "How many?", "", ""),
            ("begin_repeat", "person", "Person", "${n}", ""),
            ("begin_group", "details", "Details", "", ""),
            ("integer", "age", "Age", "", ""),
            ("end_group", "", "", "", ""),
            ("end_repeat", "", "", "", ""),
            ("calculate", "total", "", "", "sum(${age})"),
        ],
        survey_header=("type", "name", "label", "repeat_count", "calculation"),
    )
    form = FormDef(xlsform_parse("f.xlsx", content).survey)
    ev = Evaluation(form, {"n": "2", "person": [{"age": "30"}, {"age": "12"}, {"age": "99"}]})
    assert ev.entries["person"] == 2
    assert ev.values["person[2]/age"] == "12"
    assert ev.values["total"] == "42"
    assert ev.clean()["person"] == [{"age": 30}, {"age": 12}]


@pytest.mark.django_db
def test_a_draft_keeps_what_the_form_computed_and_a_stale_value_is_computed_again(blocks, xlsform):
    content = xlsform(
        [
            ("calculate", "double_total", "", "", "${total} * 2"),  # refers forward: needs a second pass
            ("integer", "n", "How many?", "", ""),
            ("begin_repeat", "person", "Person", "${n}", ""),
            ("calculate", "number", "", "", "position(..)"),
            ("integer", "age", "Age", "", ""),
            ("end_repeat", "", "", "", ""),
            ("calculate", "total", "", "", "sum(${age})"),
        ],
        survey_header=("type", "name", "label", "repeat_count", "calculation"),
    )
    form = FormDef(xlsform_parse("f.xlsx", content).survey)
    first = Evaluation(form, {"n": "2", "person": [{"age": "30"}, {"age": "12"}]})
    kept = first.answers_computed()
    assert kept["total"] == "42" and kept["double_total"] == "84" and [p["number"] for p in kept["person"]] == ["1", "2"]
    assert Evaluation(form, kept).clean() == first.clean()
    # the respondent removed the first person and changed an age: every stored value is computed again
    kept["person"] = kept["person"][1:] + [{"age": "1"}]
    kept["person"][0]["age"] = "20"
    again = Evaluation(form, kept)
    assert again.values["person[1]/number"] == "1" and again.values["total"] == "21" and again.values["double_total"] == "42"


@pytest.mark.parametrize(
    "kind, raw, expected",
    [("decimal", "1,5", "1.5"), ("integer", "1 200", "1200"), ("date", "13/03/2025", "2025-03-13"), ("select_multiple", "a b a", "a b"), ("integer", 7.0, "7")],
)
def test_input_is_tidied_like_a_form_would(kind, raw, expected):
    assert normalise_input(Element(name="x", type=kind, raw={}), raw) == expected
