"""Sampling uncertainty of a run built from survey answers: the bootstrap over respondents."""

import numpy as np
import pytest
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.frameworks.demo import DATA
from chiso.frameworks.models import Framework
from chiso.frameworks.services import framework_import
from chiso.indices.models import RunUncertainty
from chiso.indices.services import indicator_value_set, run_create, run_publish
from chiso.jobs.models import Job
from chiso.surveys.fieldwork.respondent_tables import thaw
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.fieldwork.sampling_error import (bootstrap_indicators, run_computations, run_respondents, run_sampling_compute,
                                                    run_survey_sources)
from chiso.surveys.fieldwork.indicators import indicator_rules_import, indicator_table, indicator_values_write, weighted_median
from chiso.surveys.models import Response, SurveyAnalysis
from chiso.units.models import Block, Unit

from tests.surveys.conftest import ddci_answers

pytestmark = pytest.mark.django_db

RULES = """indicator,question,statistic,values,exclude
tr4,minh_bach,share,4 5,
tc1,so_lan_di_lai,share,> 2,
pr1,nang_dong,mean,,
tc4,so_lan_di_lai,median,,
"""
HARD = ("pb1", "bs1", "li1", "ld1", "ic1")  # indicators no rule covers: hard data, as a province enters it


@pytest.fixture
def framework(db):
    path = DATA / "ddci_departments.yaml"
    framework_import(file_name=path.name, content=path.read_bytes(), by=None)
    return Framework.objects.get(code="DDCI-SO")


def _rate(store, survey, unit, likert, visits, key, **more):
    entry = {"minh_bach": likert, "nang_dong": likert, "canh_tranh": "3", "so_lan_di_lai": visits,
             "chi_phi_khong_chinh_thuc": "khong", "diem_chung": "6"}
    return store(survey, ddci_answers(units=(unit,), danh_gia=[entry], **more), key=key)


def _run(survey, framework, hard=None):
    indicator_values_write(survey=survey, framework=framework)
    hard = hard or {"S-TC": 80.0, "S-XD": 50.0, "S-TP": 50.0}
    for code in HARD:
        for unit_code, value in hard.items():
            indicator_value_set(by=None, framework=framework, period=survey.period, unit=Unit.objects.get(code=unit_code), code=code,
                                value=value, source="Sở Kế hoạch")
    version = framework.versions.order_by("-number").first()
    return run_create(by=None, version=version, period=survey.period, block=Block.objects.get(code="department"))


def _close_pair(store, survey, copies=1):
    """S-XD and S-TP: mixed answers, nearly the same on average; S-TC: everyone delighted."""
    for c in range(copies):
        for n, (likert, visits) in enumerate([("5", "1"), ("4", "3"), ("2", "5"), ("1", "1"), ("3", "2")]):
            _rate(store, survey, "S-XD", likert, visits, key=f"xd{c}-{n}")
        for n, (likert, visits) in enumerate([("4", "1"), ("5", "3"), ("1", "5"), ("2", "2"), ("3", "1")]):
            _rate(store, survey, "S-TP", likert, visits, key=f"tp{c}-{n}")
        for n in range(4):
            _rate(store, survey, "S-TC", "5", "1", key=f"tc{c}-{n}")


@pytest.fixture
def rated(ddci_survey, framework, store):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=3)
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    _close_pair(store, ddci_survey)
    return ddci_survey


def test_nominal_scores_are_the_runs_and_a_clear_leader_keeps_rank_one(rated, framework):
    run = _run(rated, framework)
    assert run_survey_sources(run) == [rated]
    analysis = run_sampling_compute(run=run, n=400, seed=1)
    assert analysis.kind == RunUncertainty.Kind.SAMPLING and analysis.replications == 400
    scores = dict(run.scores.filter(code="DDCI").values_list("unit__code", "value"))
    for code, stats in analysis.ranks.items():
        assert stats["score"] == pytest.approx(scores[code], abs=1e-6)  # the bootstrap starts from the run itself
    leader = analysis.ranks["S-TC"]
    assert leader["nominal"] == leader["q5"] == leader["q95"] == 1  # everyone delighted: no doubt at all
    assert leader["score_low"] == pytest.approx(leader["score_high"])
    assert analysis.ranks["S-XD"]["respondents"] == 5 and analysis.ranks["S-TC"]["respondents"] == 4
    assert analysis.ranks["S-XD"]["q5"] == 2 and analysis.ranks["S-XD"]["q95"] == 3  # five answers cannot separate them
    assert ["S-TP", "S-XD"] in [sorted(g) for g in analysis.groups]
    assert analysis.spec["surveys"] == [rated.code] and analysis.spec["stratified"] is False
    again = run_sampling_compute(run=run, n=400, seed=1)
    assert again.ranks == analysis.ranks and again.groups == analysis.groups  # a seed makes it reproducible


def test_a_published_run_is_resampled_as_it_was_after_the_survey_gains_answers(rated, framework, store):
    """The run's value rows name the computation that produced them; its respondent table is
    frozen with it, so new answers (and a new computation) change nothing for the old run."""
    run = _run(rated, framework)
    run_publish(run=run, by=None)
    first = run_sampling_compute(run=run, n=300, seed=7)
    assert first.spec["frozen"] is True and first.spec["computations"] == [rated.indicator_computations.get().pk]
    for n in range(6):  # S-XD's later respondents are all delighted; the survey's values move
        _rate(store, rated, "S-XD", "5", "1", key=f"late-{n}")
    indicator_values_write(survey=rated, framework=framework)
    assert rated.indicator_computations.count() == 2
    again = run_sampling_compute(run=run, n=300, seed=7)
    assert again.ranks == first.ranks and again.groups == first.groups
    assert again.ranks["S-XD"]["respondents"] == 5  # not 11: the run's respondents
    newer = run_sampling_compute(run=_run(rated, framework), n=300, seed=7)
    assert newer.ranks["S-XD"]["respondents"] == 11


def test_the_frozen_table_names_no_response_and_keeps_no_arrival_order(rated, framework):
    computation = indicator_values_write(survey=rated, framework=framework)
    table = thaw(computation.respondents)
    assert table.responses == Response.objects.filter(survey=rated).count() == 14
    assert sorted(set(table.rows["response"].tolist())) == list(range(14))  # numbers, not ids
    assert not {str(r) for r in Response.objects.values_list("pk", flat=True)} & {str(x) for x in table.rows["response"].tolist()}
    units = table.rows["unit"].tolist()
    assert units == sorted(units)  # sorted by unit, then by the random number: nothing of the order of arrival
    assert table.codes == ["tr4", "tc1", "pr1", "tc4"] and table.statistics == ["share", "share", "mean", "median"]


def test_intervals_collapse_when_every_respondent_answers_alike(ddci_survey, framework, store):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=3)
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    for unit, likert in (("S-TC", "5"), ("S-XD", "3"), ("S-TP", "1")):
        for n in range(4):
            _rate(store, ddci_survey, unit, likert, "2", key=f"{unit}-{n}")
    analysis = run_sampling_compute(run=_run(ddci_survey, framework), n=100, seed=2)
    for stats in analysis.ranks.values():
        assert stats["q5"] == stats["q95"] == stats["nominal"]
        assert stats["score_low"] == pytest.approx(stats["score"]) and stats["score_high"] == pytest.approx(stats["score"])


def test_intervals_shrink_as_the_sample_grows(ddci_survey, framework, store):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=3)
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    _close_pair(store, ddci_survey, copies=1)
    small = run_sampling_compute(run=_run(ddci_survey, framework), n=1000, seed=3).ranks["S-XD"]
    for c in range(1, 8):  # the same answers from eight times as many respondents, for every unit
        for n, (likert, visits) in enumerate([("5", "1"), ("4", "3"), ("2", "5"), ("1", "1"), ("3", "2")]):
            _rate(store, ddci_survey, "S-XD", likert, visits, key=f"xd-more{c}-{n}")
        for n, (likert, visits) in enumerate([("4", "1"), ("5", "3"), ("1", "5"), ("2", "2"), ("3", "1")]):
            _rate(store, ddci_survey, "S-TP", likert, visits, key=f"tp-more{c}-{n}")
    large = run_sampling_compute(run=_run(ddci_survey, framework), n=1000, seed=3).ranks["S-XD"]
    assert large["respondents"] == 40 and small["respondents"] == 5
    # about 1/√8 of the width, as for a mean (min-max over three units blurs it a little)
    assert large["score_high"] - large["score_low"] < 0.6 * (small["score_high"] - small["score_low"])


def test_strata_and_weights_from_the_sample_and_the_weighting(ddci_survey, framework, store, make_frame):
    sample_draw(survey=ddci_survey, frame=make_frame(40), strata=["sector"], size=10, seed=1, by=None)
    spec = {"method": "poststratification",
            "variables": [{"question": "nganh_nghe", "frame_field": "sector", "map": {"C": "cong_nghiep", "G": "thuong_mai"}}]}
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=3, weighting=spec)
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=RULES.encode())
    for unit in ("S-TC", "S-XD", "S-TP"):
        for n, (likert, sector) in enumerate([("5", "cong_nghiep"), ("4", "cong_nghiep"), ("5", "cong_nghiep"), ("1", "thuong_mai"), ("2", "thuong_mai")]):
            _rate(store, ddci_survey, unit, likert if unit != "S-TP" else str(6 - int(likert)), "2", key=f"{unit}{n}", nganh_nghe=sector)
    run = _run(ddci_survey, framework)
    analysis = run_sampling_compute(run=run, n=200, seed=4)
    assert analysis.spec["stratified"] is True
    scores = dict(run.scores.filter(code="DDCI").values_list("unit__code", "value"))
    assert all(analysis.ranks[c]["score"] == pytest.approx(scores[c], abs=1e-6) for c in scores)  # weighted, as the run


def test_the_weighted_median_is_the_surveys_own():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 10, size=(50, 9)).astype(float)
    w = rng.uniform(0.5, 2.0, size=(50, 9))
    x[3, 2] = np.nan
    batch = weighted_median(x, w, equal=False)
    for r in range(50):
        keep = ~np.isnan(x[r])
        order = np.argsort(x[r][keep], kind="stable")
        xs, cumulative = x[r][keep][order], np.cumsum(w[r][keep][order])
        assert batch[r] == xs[np.searchsorted(cumulative, cumulative[-1] / 2)]  # where half the weight is reached
        assert batch[r] == weighted_median(x[r][keep], w[r][keep])  # one row, the survey's own computation
    assert np.array_equal(weighted_median(x[:, :4], np.ones((50, 4)), equal=True), np.nanmedian(x[:, :4], axis=1))
    assert weighted_median(np.array([1.0, 2, 3, 4]), np.ones(4)) == 2.5  # equal weights: the plain median


def test_the_bootstrap_computes_each_indicator_as_the_survey_table_does(ddci_survey, framework, store, make_frame):
    """The bootstrap's statistics on the respondents as they are, not redrawn, are the unit ×
    indicator table's, with unequal weights: a share, a mean, a weighted median, and a median
    whose answers weigh alike in a unit whose other respondents weigh differently."""
    sample_draw(survey=ddci_survey, frame=make_frame(40), strata=[], size=10, seed=1, by=None)  # sectors C and G, half each
    spec = {"method": "poststratification",
            "variables": [{"question": "nganh_nghe", "frame_field": "sector", "map": {"C": "cong_nghiep", "G": "thuong_mai"}}]}
    SurveyAnalysis.objects.create(survey=ddci_survey, min_answers_per_unit=3, weighting=spec)
    rules = "indicator,question,statistic,values,exclude\ntr4,minh_bach,share,4 5,\ntc1,diem_chung,mean,,\npr1,nang_dong,median,,3\ntc4,so_lan_di_lai,median,,\n"
    indicator_rules_import(survey=ddci_survey, framework=framework, file_name="rules.csv", content=rules.encode())
    answers = [  # six industrial firms, four trading ones: sector, then per unit (minh_bach, nang_dong, so_lan_di_lai, diem_chung)
        ("cong_nghiep", {"S-TC": ("5", "4", "1", "8")}), ("cong_nghiep", {"S-TC": ("4", "2", "3", "6")}),
        ("thuong_mai", {"S-TC": ("2", "5", "4", "3")}), ("thuong_mai", {"S-TC": ("1", "1", "6", "2")}),
        ("cong_nghiep", {"S-XD": ("5", "2", "2", "9")}), ("cong_nghiep", {"S-XD": ("3", "5", "2", "7")}),
        ("thuong_mai", {"S-XD": ("4", "3", "1", "5")}),
        ("thuong_mai", {"S-TP": ("4", "4", "5", "4")}), ("cong_nghiep", {"S-TP": ("2", "2", "0", "6")}),
        ("cong_nghiep", {"S-TP": ("5", "3", "2", "10"), "S-XD": ("1", "3", "7", "1")}),
    ]
    for key, (sector, rated) in enumerate(answers):
        entries = [{"minh_bach": a, "nang_dong": b, "canh_tranh": "3", "so_lan_di_lai": c, "chi_phi_khong_chinh_thuc": "khong", "diem_chung": d}
                   for a, b, c, d in rated.values()]
        store(ddci_survey, ddci_answers(units=tuple(rated), danh_gia=entries, nganh_nghe=sector), key=f"r{key}")
    table = indicator_table(survey=ddci_survey, framework=framework)
    expected = {row["unit"]: row["values"] for row in table.units}
    assert len({round(r[4], 6) for r in table.respondents}) == 2  # two sectors, two weights
    assert expected["S-TC"]["tc4"] == 4.0  # weighted: the trading firms weigh more than the plain median's 3.5
    assert expected["S-XD"]["pr1"] == 3.5  # the two answers counted weigh alike: the plain median of 2 and 5
    run = _run(ddci_survey, framework)
    respondents = run_respondents(run, run_computations(run))
    nominal = bootstrap_indicators(respondents)(respondents.table.values[None], respondents.table)[0]
    assert sorted(respondents.table.units) == ["S-TC", "S-TP", "S-XD"] and sorted(respondents.codes) == ["pr1", "tc1", "tc4", "tr4"]
    for i, unit in enumerate(respondents.table.units):
        for k, code in enumerate(respondents.codes):
            assert nominal[i, k] == pytest.approx(expected[unit][code], abs=1e-6), (unit, code)


def test_a_run_without_a_survey_is_refused_with_a_reason(framework, period, make_unit, blocks):
    unit = make_unit("S-TC")
    for code in ("tr4", "tc1", "pr1", "tc4", *HARD):
        indicator_value_set(by=None, framework=framework, period=period, unit=unit, code=code, value=50.0, source="nhập tay")
    run = run_create(by=None, version=framework.versions.order_by("-number").first(), period=period, block=blocks["department"])
    with pytest.raises(ValueError, match="khảo sát|survey"):
        run_sampling_compute(run=run)
    assert not RunUncertainty.objects.exists()


def test_the_secretariat_starts_it_and_the_pages_show_sampling_intervals(rated, framework, client, make_user, django_capture_on_commit_callbacks):
    run = _run(rated, framework)
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    indicators = client.get(reverse("surveys:indicators", args=[rated.code])).content.decode()
    assert reverse("indices:detail", args=[run.pk]) in indicators  # from the survey's indicators to its run
    detail = client.get(reverse("indices:detail", args=[run.pk])).content.decode()
    assert reverse("indices:sampling", args=[run.pk]) in detail  # offered: a survey fed this run
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indices:sampling", args=[run.pk]))
    assert response.status_code == 302
    analysis = RunUncertainty.objects.get(run=run, kind=RunUncertainty.Kind.SAMPLING)
    job = client.get(response["Location"]).content.decode()
    assert "Sai số chọn mẫu" in job and reverse("indices:detail", args=[run.pk]) in job  # a link back to the run
    detail = client.get(reverse("indices:detail", args=[run.pk])).content.decode()
    assert "sampling-interval" in detail and "2–3" in detail
    assert "Sở Xây dựng" in detail.split("groups")[-1]  # the not-distinguishable group, by name
    ranking = client.get(reverse("results:ranking", args=[run.pk])).content.decode()
    assert "2–3" in ranking
    scorecard = client.get(reverse("results:scorecard", args=[run.pk, "S-XD"])).content.decode()
    low, high = analysis.ranks["S-XD"]["score_low"], analysis.ranks["S-XD"]["score_high"]
    assert f"{low:.2f}".replace(".", ",") in scorecard and f"{high:.2f}".replace(".", ",") in scorecard
    client.force_login(make_user("lanhdao", Role.LEADER))
    assert client.post(reverse("indices:sampling", args=[run.pk])).status_code == 403


def test_a_refused_bootstrap_job_says_why(framework, period, make_unit, blocks, client, make_user, django_capture_on_commit_callbacks):
    unit = make_unit("S-TC")
    for code in ("tr4", "tc1", "pr1", "tc4", *HARD):
        indicator_value_set(by=None, framework=framework, period=period, unit=unit, code=code, value=50.0, source="nhập tay")
    run = run_create(by=None, version=framework.versions.order_by("-number").first(), period=period, block=blocks["department"])
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    assert reverse("indices:sampling", args=[run.pk]) not in client.get(reverse("indices:detail", args=[run.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("indices:sampling", args=[run.pk]))
    job = Job.objects.get(kind="run_sampling")
    assert job.status == Job.Status.FAILED
    assert "khảo sát" in job.message.lower() or "survey" in job.message.lower()
