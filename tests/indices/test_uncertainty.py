import pytest
import yaml
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.frameworks.services import framework_import
from chiso.indices.models import RunUncertainty
from chiso.indices.services import indicator_value_set, run_create, run_publish
from chiso.indices.uncertainty import rank_groups, run_rank_intervals, run_uncertainty_compute

DOC = {"framework": {"code": "U", "name_vi": "Thử", "method": "composite"}, "version": {},
       "steps": [{"normalise": {"method": "minmax", "l_u": [1, 10]}}, {"aggregate": {"method": "amean"}}],
       "iMeta": [{"iCode": "T", "Level": 2, "Type": "Aggregate"},
                 {"iCode": "x", "Level": 1, "Parent": "T", "Type": "Indicator"},
                 {"iCode": "y", "Level": 1, "Parent": "T", "Type": "Indicator"}]}
# S-A leads on both indicators; S-B and S-C trade places depending on the weights.
VALUES = {"S-A": (100, 100), "S-B": (60, 20), "S-C": (20, 60), "S-D": (10, 10)}


@pytest.fixture
def run(db, make_unit, period, blocks):
    version = framework_import(file_name="u.yaml", content=yaml.safe_dump(DOC).encode(), by=None).version
    for code, (x, y) in VALUES.items():
        unit = make_unit(code)
        indicator_value_set(by=None, framework=version.framework, period=period, unit=unit, code="x", value=x, source="thử")
        indicator_value_set(by=None, framework=version.framework, period=period, unit=unit, code="y", value=y, source="thử")
    return run_publish(run=run_create(by=None, version=version, period=period, block=blocks["department"]), by=None)


def test_rank_intervals_are_tight_for_a_clear_leader_and_wide_for_close_units(run):
    analysis = run_uncertainty_compute(run=run, n=500, seed=1)
    intervals = run_rank_intervals(run)
    assert intervals["S-A"] == (1, 1) and intervals["S-D"] == (4, 4)
    assert intervals["S-B"] == (2, 3) and intervals["S-C"] == (2, 3)
    assert ["S-B", "S-C"] in [sorted(g) for g in analysis.groups]
    # the same seed gives the same statistics
    assert run_uncertainty_compute(run=run, n=500, seed=1).ranks == analysis.ranks


def test_zero_uncertainty_collapses_to_the_nominal_rank(run):
    analysis = run_uncertainty_compute(run=run, assumptions=[{"name": "w", "noise": 0.0}], n=50, seed=3)
    assert all(s["q5"] == s["q95"] == s["nominal"] for s in analysis.ranks.values())


def test_assumptions_that_do_not_apply_are_refused_up_front(run):
    with pytest.raises(ValueError) as error:
        run_uncertainty_compute(run=run, assumptions=[{"name": "impute", "path": ["impute", "method"], "alternatives": ["mean", "median"]}])
    assert "impute" in str(error.value)
    assert RunUncertainty.objects.count() == 0


def test_groups_follow_overlapping_intervals():
    ranks = {"a": {"nominal": 1, "q5": 1, "q95": 2}, "b": {"nominal": 2, "q5": 1, "q95": 3},
             "c": {"nominal": 3, "q5": 3, "q95": 4}, "d": {"nominal": 4, "q5": 4, "q95": 4}}
    assert rank_groups(ranks) == [["a", "b"], ["c", "d"]]


def test_the_secretariat_starts_it_as_a_background_job_and_the_ranking_shows_intervals(client, make_user, run, django_capture_on_commit_callbacks):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indices:uncertainty", args=[run.pk]))
    assert response.status_code == 302 and RunUncertainty.objects.filter(run=run).count() == 1
    html = client.get(reverse("indices:detail", args=[run.pk])).content.decode()
    assert "rank-interval" in html and "2–3" in html
    client.force_login(make_user("lanhdao", Role.LEADER))
    assert client.post(reverse("indices:uncertainty", args=[run.pk])).status_code == 403
