"""Indicators from answers: rules as data, shares, means, medians, weights, minimum answers, runs."""

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiso.accounts.models import Role
from chiso.core.tabular import ImportFailed
from chiso.frameworks.demo import DATA
from chiso.frameworks.models import Framework
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndicatorValue
from chiso.indices.services import indicator_value_set, run_create
from chiso.surveys.fieldwork.indicators import answers_matrix, indicator_rules_import, indicator_table, indicator_values_write
from chiso.surveys.models import IndicatorRule, SurveyAnalysis
from chiso.surveys.fieldwork.quality import response_decide
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.fieldwork.weighting import survey_weights
from chiso.units.models import Block, Unit

from tests.surveys.conftest import ddci_answers

pytestmark = pytest.mark.django_db

RULES = """indicator,question,statistic,values,exclude
tr4,minh_bach,share,4 5,
tc1,so_lan_di_lai,share,> 2,
ic1,chi_phi_khong_chinh_thuc,share,co,khong_tra_loi
pr1,nang_dong,mean,,
tc4,so_lan_di_lai,median,,
"""


@pytest.fixture
def framework(db):
    path = DATA / "ddci_departments.yaml"
    framework_import(file_name=path.name, content=path.read_bytes(), by=None)
    return Framework.objects.get(code="DDCI-SO")


def _entry(likert, visits, informal="khong"):
    return {"minh_bach": likert, "nang_dong": likert, "canh_tranh": "3", "so_lan_di_lai": visits,
            "chi_phi_khong_chinh_thuc": informal, "diem_chung": "6"}


def _rate(store, survey, unit, likert, visits, informal="khong", key="", **more):
    return store(survey, ddci_answers(units=(unit,), danh_gia=[_entry(likert, visits, informal)], **more), key=key or f"{unit}-{likert}-{visits}-{informal}-{more}")


def test_rules_are_imported_as_data_and_bad_rules_refused_whole(ddci_survey, framework):
    rows = indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    assert [r.indicator for r in rows] == ["tr4", "tc1", "ic1", "pr1", "tc4"]
    bad = """chỉ tiêu,câu hỏi,phép tính,giá trị
tr4,khong_co,share,4 5
xx9,minh_bach,share,4 5
tr1,minh_bach,share,6 7
tr2,loai_hinh,mean,
tr3,minh_bach,ratio,4
"""
    with pytest.raises(ImportFailed) as failure:
        indicator_rules_import(survey=ddci_survey, framework=framework, file_name="bad.csv", content=bad.encode())
    problems = {(p.row, p.column): p.message for p in failure.value.problems}
    assert "khong_co" in problems[(2, "câu hỏi")]
    assert "xx9" in problems[(3, "chỉ tiêu")]
    assert "6 7" in problems[(4, "giá trị")]
    assert (5, "phép tính") in problems and (6, "phép tính") in problems
    assert IndicatorRule.objects.filter(survey=ddci_survey).count() == 5  # the earlier rules stay


def test_an_unknown_or_missing_rules_column_is_named_with_the_accepted_headers(ddci_survey, framework):
    unknown = "Chỉ tiêu,Câu hỏi,Phép tính,Đơn vị tính\ntr4,minh_bach,share,%\n"
    with pytest.raises(ImportFailed) as failure:
        indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=unknown.encode())
    [problem] = failure.value.problems
    assert problem.row == 1 and "“Đơn vị tính”" in problem.message and "Giá trị" in problem.message  # the headers it takes
    missing = "Chỉ tiêu,Giá trị\ntr4,4 5\n"
    with pytest.raises(ImportFailed) as failure:
        indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=missing.encode())
    [problem] = failure.value.problems
    assert "question" in problem.message and "statistic" in problem.message  # both missing columns, in one message


def test_shares_means_and_medians_per_unit_with_minimum_answers(ddci_survey, framework, store):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=3)
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    _rate(store, ddci_survey, "S-TC", "5", "1")
    _rate(store, ddci_survey, "S-TC", "4", "3", informal="co")
    _rate(store, ddci_survey, "S-TC", "2", "4", informal="khong_tra_loi")
    _rate(store, ddci_survey, "S-TC", "1", "6")
    _rate(store, ddci_survey, "S-XD", "5", "0")
    _rate(store, ddci_survey, "S-XD", "5", "1")
    table = indicator_table(survey=ddci_survey, framework=framework)
    rows = {u["unit"]: u for u in table.units}
    tc = rows["S-TC"]
    assert tc["n"] == 4 and not tc["below_minimum"]
    assert tc["values"]["tr4"] == pytest.approx(50.0)  # 5 and 4 agree out of 4
    assert tc["values"]["tc1"] == pytest.approx(75.0)  # 3, 4, 6 visits are more than 2
    assert tc["values"]["ic1"] == pytest.approx(100 / 3)  # "prefer not to say" left out: 1 of 3
    assert tc["values"]["pr1"] == pytest.approx(3.0)
    assert tc["values"]["tc4"] == pytest.approx(3.5)
    assert rows["S-XD"]["below_minimum"] and rows["S-XD"]["values"]["tr4"] is None and rows["S-XD"]["n"] == 2
    assert rows["S-TP"]["n"] == 0 and rows["S-TP"]["below_minimum"]
    respondents = [r for r in table.respondents if r[1] == "S-TC" and r[2] == "tr4"]
    assert sorted(r[3] for r in respondents) == [0.0, 0.0, 1.0, 1.0] and all(r[4] == 1.0 for r in respondents)


def test_excluded_responses_are_left_out(ddci_survey, framework, store, make_user):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=1)
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    _rate(store, ddci_survey, "S-TC", "5", "1")
    bad = _rate(store, ddci_survey, "S-TC", "1", "1")
    assert {u["unit"]: u for u in indicator_table(survey=ddci_survey, framework=framework).units}["S-TC"]["values"]["tr4"] == 50.0
    response_decide(response=bad, include=False, reason="Trùng", by=make_user("phantich", Role.ANALYST))
    table = indicator_table(survey=ddci_survey, framework=framework)
    assert {u["unit"]: u for u in table.units}["S-TC"]["values"]["tr4"] == 100.0 and table.excluded == 1


def test_weights_post_stratify_and_rake_respondents_to_the_frame(ddci_survey, framework, store, make_frame):
    sample_draw(survey=ddci_survey, frame=make_frame(40), strata=[], size=10, seed=1, by=None)  # sectors C and G, half each
    spec = {"variables": [{"question": "nganh_nghe", "frame_field": "sector", "map": {"C": "cong_nghiep", "G": "thuong_mai"}}]}
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=1, weighting={"method": "poststratification", **spec})
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    # three industrial firms agree, one trading firm disagrees, one tourism firm cannot be weighted
    for n in range(3):
        _rate(store, ddci_survey, "S-TC", "5", "1", key=f"c{n}", nganh_nghe="cong_nghiep")
    _rate(store, ddci_survey, "S-TC", "1", "1", key="g", nganh_nghe="thuong_mai")
    _rate(store, ddci_survey, "S-TP", "1", "1", key="d", nganh_nghe="du_lich")
    table = indicator_table(survey=ddci_survey, framework=framework)
    assert table.weighting == "poststratification" and table.unclassified == 1
    # each sector is half the frame: the trading firm weighs as much as the three others together
    assert {u["unit"]: u for u in table.units}["S-TC"]["values"]["tr4"] == pytest.approx(50.0)
    weights = sorted({round(r[4], 6) for r in table.respondents if r[1] == "S-TC"})
    assert weights == [pytest.approx(2 / 3), pytest.approx(2.0)]
    SurveyAnalysis.objects.filter(survey=ddci_survey).update(weighting={"method": "raking", **spec})
    assert {u["unit"]: u for u in indicator_table(survey=ddci_survey, framework=framework).units}["S-TC"]["values"]["tr4"] == pytest.approx(50.0)
    SurveyAnalysis.objects.filter(survey=ddci_survey).update(weighting={"method": "raking", "variables": [{"question": "khong_co", "frame_field": "sector", "map": {}}]})
    with pytest.raises(ValidationError):
        survey_weights(ddci_survey, [("x", {})])


def test_values_are_written_with_the_survey_as_source_and_feed_a_run(ddci_survey, framework, store, make_user):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=2)
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    for n, (likert, visits) in enumerate([("5", "1"), ("4", "2"), ("2", "5"), ("1", "6")]):
        informal = "khong" if n < 2 else "co"
        _rate(store, ddci_survey, "S-TC" if n < 2 else "S-XD", likert, visits, informal)
        _rate(store, ddci_survey, "S-TC" if n < 2 else "S-XD", likert, visits, informal, key=f"again{n}")
    _rate(store, ddci_survey, "S-TP", "5", "0")
    computation = indicator_values_write(survey=ddci_survey, framework=framework, by=make_user("phantich", Role.ANALYST))
    # the pillars no question covers get hard data, as a province would enter them
    for code in ("pb1", "bs1", "li1", "ld1"):
        for unit_code, value in (("S-TC", 80.0), ("S-XD", 40.0)):
            indicator_value_set(by=None, framework=framework, period=ddci_survey.period, unit=Unit.objects.get(code=unit_code), code=code, value=value, source="Sở Kế hoạch")
    value = IndicatorValue.objects.get(framework=framework, period=ddci_survey.period, unit__code="S-TC", code="tr4")
    assert value.value == 100.0 and value.source == "Khảo sát ddci-test (4 phiếu)" and value.entered_by.username == "phantich"
    below = IndicatorValue.objects.get(framework=framework, period=ddci_survey.period, unit__code="S-TP", code="tr4")
    assert below.value is None and "dưới mức tối thiểu 2" in below.source
    assert [u["unit"] for u in computation.units if u["below_minimum"]] == ["S-TP"]
    version = framework.versions.order_by("-number").first()
    run = run_create(by=None, version=version, period=ddci_survey.period, block=Block.objects.get(code="department"))
    ranks = dict(run.scores.filter(code="DDCI").values_list("unit__code", "rank"))
    assert ranks == {"S-TC": 1, "S-XD": 2}  # S-TP, under the minimum, has no value and is not ranked


def test_the_indicator_pages(ddci_survey, framework, store, make_user):
    client = Client()
    client.force_login(make_user("phantich", Role.ANALYST))
    page = client.post(f"/surveys/{ddci_survey.code}/indicators/", {"framework": framework.pk,
                                                                   "file": _upload("rules.csv", RULES.replace("tr4,minh_bach", "tr4,khong_co"))})
    assert page.status_code == 400 and "khong_co" in page.content.decode()
    client.post(f"/surveys/{ddci_survey.code}/indicators/", {"framework": framework.pk, "file": _upload("rules.csv", RULES)})
    _rate(store, ddci_survey, "S-TC", "5", "1")
    page = client.get(f"/surveys/{ddci_survey.code}/indicators/").content.decode()
    assert "tr4" in page and "dưới mức tối thiểu" in page
    # Each rule in words: the question's label and each counted choice with its label, not codes only.
    assert "4 (Đồng ý), 5 (Hoàn toàn đồng ý)" in page and "co (Có)" in page and "công khai đầy đủ" in page
    csv = client.get(f"/surveys/{ddci_survey.code}/indicators/respondents.csv?framework=DDCI-SO").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "response_id,unit,indicator,value,weight" and ",S-TC,tr4,1.0,1.0" in csv
    assert client.post(f"/surveys/{ddci_survey.code}/indicators/write/", {"framework": "DDCI-SO"}).status_code == 302
    assert IndicatorValue.objects.filter(framework=framework, source__startswith="Khảo sát ddci-test").exists()


def _upload(name, text):
    return SimpleUploadedFile(name, text.encode())


def test_a_survey_without_answers_marks_every_unit_and_scores_none(ddci_survey, framework):
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    table = indicator_table(survey=ddci_survey, framework=framework)
    assert table.responses == 0 and list(table.respondents) == []
    assert all(u["below_minimum"] and set(u["values"].values()) == {None} for u in table.units)
    with pytest.raises(ValidationError):
        indicator_table(survey=ddci_survey, framework=Framework.objects.create(code="EMPTY", name_vi="Trống"))


def test_a_unit_rated_twice_in_one_response_counts_once_with_the_later_answer():
    """answers_matrix lays out the answers for the survey's table and for the bootstrap alike: one
    row per response and unit; where an imported response rates a unit twice, for each rule the
    later answer counts (an earlier answer stays where the later entry left the question blank)."""
    row = np.array([0, 0, 1, 0, 0])  # row 0: one response's two entries about one unit
    rule = np.array([0, 1, 0, 0, 2])
    value = np.array([1.0, 2.0, 3.0, 5.0, 7.0])  # the second entry answers rules 0 and 2, not rule 1
    X = answers_matrix(row, rule, value, (2, 3))
    assert X[0].tolist() == [5.0, 2.0, 7.0]
    assert X[1, 0] == 3.0 and np.isnan(X[1, 1:]).all()
    assert np.isnan(answers_matrix(row[:0], rule[:0], value[:0], (0, 3))).shape == (0, 3)
