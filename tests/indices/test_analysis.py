"""The analyst's workbench on a run: audit, sensitivity and comparisons, kept beside the run."""

import pytest
import yaml
from django.core.exceptions import PermissionDenied

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.frameworks.services import framework_import
from chiso.indices.analysis import (audit_findings, comparison_rows, run_analyses_latest, run_audit_compute,
                                    run_comparison_compute, run_sensitivity_compute)
from chiso.indices.computing import compute, result_checksum
from chiso.indices.models import IndexRun, RunAnalysis
from chiso.indices.services import indicator_value_set, run_create, run_publish

DOC = {"framework": {"code": "A", "name_vi": "Chỉ số thử", "method": "composite"}, "version": {},
       "steps": [{"normalise": {"method": "minmax", "l_u": [1, 10]}}, {"aggregate": {"method": "amean"}}],
       "iMeta": [{"iCode": "T", "Level": 3, "Type": "Aggregate"},
                 {"iCode": "P1", "iName": "Trụ cột một", "Level": 2, "Parent": "T", "Type": "Aggregate", "Weight": 1},
                 {"iCode": "P2", "Level": 2, "Parent": "T", "Type": "Aggregate", "Weight": 1},
                 {"iCode": "x1", "Level": 1, "Parent": "P1", "Type": "Indicator"},
                 {"iCode": "x2", "Level": 1, "Parent": "P1", "Type": "Indicator"},
                 {"iCode": "x3", "iName": "Hồ sơ trễ hạn", "Level": 1, "Parent": "P1", "Type": "Indicator", "Direction": -1},
                 {"iCode": "y1", "Level": 1, "Parent": "P2", "Type": "Indicator"},
                 {"iCode": "y2", "Level": 1, "Parent": "P2", "Type": "Indicator"}]}
# Eight units: S-1 good everywhere, S-8 poor; the middle ones trade places with the method.
VALUES = {
    "S-1": (90, 85, 10, 80, 88), "S-2": (70, 60, 30, 20, 35), "S-3": (40, 45, 50, 90, 70),
    "S-4": (55, 50, 40, 50, 52), "S-5": (30, 70, 20, 40, 30), "S-6": (60, 20, 70, 65, 60),
    "S-7": (20, 30, 60, 30, 45), "S-8": (10, 15, 90, 10, 12),
}


@pytest.fixture
def secretariat(make_user):
    return make_user("thuky-run", Role.SECRETARIAT)


@pytest.fixture
def run(db, make_unit, period, blocks, secretariat):
    version = framework_import(file_name="a.yaml", content=yaml.safe_dump(DOC).encode(), by=None).version
    for code, values in VALUES.items():
        unit = make_unit(code, name_vi=f"Sở {code}")
        for name, value in zip(("x1", "x2", "x3", "y1", "y2"), values):
            indicator_value_set(framework=version.framework, period=period, unit=unit, code=name, value=value,
                                source="thử", by=secretariat)
    draft = run_create(version=version, period=period, block=blocks["department"], by=secretariat)
    return run_publish(run=draft, by=secretariat)


@pytest.fixture
def analyst(make_user):
    return make_user("phantich", Role.ANALYST)


def _frozen(run):
    run = IndexRun.objects.get(pk=run.pk)
    scores = sorted(run.scores.values_list("unit__code", "code", "value", "rank", "band"))
    return (run.input_checksum, run.result_checksum, run.status, run.inputs, run.steps_log, scores)


def test_the_audit_is_kept_beside_the_run_with_findings_in_words(run, analyst):
    before = _frozen(run)
    analysis = run_audit_compute(run=run, by=analyst)
    assert analysis.kind == RunAnalysis.Kind.AUDIT and analysis.input_checksum == run.input_checksum
    tables = analysis.result["tables"]
    assert [r[0] for r in tables["cronbach.csv"]["rows"]] == ["P1", "P2", "T"]
    assert {r[0] for r in tables["drop_one.csv"]["rows"]} == {"P1", "P2"}
    assert analysis.result["parents"]["x1"] == "P1"
    findings = audit_findings(analysis)
    assert any("P1" in f and "P2" in f for f in findings)  # the drop-one extremes name both pillars
    assert _frozen(run) == before
    record = AuditRecord.objects.get(event="run_analysis.created")
    assert not AuditRecord.objects.filter(object_type="indices.indexrun", at__gte=analysis.created_at).exists()
    assert record.by == analyst and f"indices.indexrun:{run.pk}/" in record.path


def test_a_finding_for_an_indicator_that_runs_against_its_pillar(run, analyst):
    analysis = run_audit_compute(run=run, by=analyst)
    # x3's direction is -1 (lower is better) and its values run against x1 and x2: no finding for it;
    # make the stored correlation negative and the finding appears
    rows = analysis.result["tables"]["correlations.csv"]["rows"]
    x3 = next(r for r in rows if r[0] == "x3")
    assert x3[1] == "P1" and x3[2] > 0
    x3[2] = -0.4
    # named as people read them, with the codes the tables use
    assert any("Hồ sơ trễ hạn (x3) – Trụ cột một (P1): r = -0,40" in f for f in audit_findings(analysis))


@pytest.mark.parametrize("spec", [
    {"normalisation": "zscore"}, {"normalisation": "rank"}, {"weights": "equal"}, {"weights": "pca"},
    {"weights": "factor"}, {"weights": "optimised"}, {"weights": "bod"}, {"aggregation": "copeland"},
    {"aggregation": "mpi"}, {"normalisation": "minmax1", "aggregation": "gmean"},
])
def test_every_choice_gives_ranks_beside_the_run_and_never_changes_it(run, analyst, spec):
    before = _frozen(run)
    analysis = run_comparison_compute(run=run, spec=spec, by=analyst)
    rows = comparison_rows(analysis)
    assert [r.code for r in rows][:1] == ["S-1"] and len(rows) == 8
    assert sorted(r.rank for r in rows) == list(range(1, 9))
    assert sorted(r.alt_rank for r in rows) == sorted(r.alt_rank for r in rows if r.alt_rank is not None)
    assert all(1 <= r.alt_rank <= 8 for r in rows)
    assert _frozen(run) == before
    # the run still recomputes to its own checksum
    assert compute(run.version, run.inputs).result_checksum == run.result_checksum == result_checksum(
        compute(run.version, run.inputs).rows)


def test_the_run_s_own_choices_give_the_run_s_ranks(run, analyst):
    analysis = run_comparison_compute(run=run, spec={}, by=analyst)
    stored = dict(run.scores.filter(code="T").values_list("unit__code", "rank"))
    assert {r.code: r.alt_rank for r in comparison_rows(analysis)} == stored
    assert all(r.rank_change == 0 for r in comparison_rows(analysis))
    assert analysis.result["units_moved"] == 0


def test_copeland_reorders_the_middle_and_reports_the_changes(run, analyst):
    analysis = run_comparison_compute(run=run, spec={"aggregation": "copeland"}, by=analyst)
    assert analysis.result["units_moved"] > 0
    rows = comparison_rows(analysis)
    assert sum(abs(r.rank_change) for r in rows) / len(rows) == pytest.approx(analysis.result["mean_abs_rank_change"])


def test_pca_and_optimised_weights_are_reported(run, analyst):
    pca = run_comparison_compute(run=run, spec={"weights": "pca"}, by=analyst)
    assert set(pca.result["weights"]) == {"x1", "x2", "x3", "y1", "y2"}
    assert sum(w for c, w in pca.result["weights"].items() if c.startswith("y")) == pytest.approx(1)
    optimised = run_comparison_compute(run=run, spec={"weights": "optimised"}, by=analyst)
    assert set(optimised.result["weights"]) == {"P1", "P2"}


def test_choices_that_cannot_be_combined_are_refused_in_words(run, analyst):
    with pytest.raises(ValueError, match="BoD"):
        run_comparison_compute(run=run, spec={"weights": "bod", "aggregation": "mpi"}, by=analyst)
    with pytest.raises(ValueError):
        run_comparison_compute(run=run, spec={"normalisation": "bogus"}, by=analyst)
    with pytest.raises(ValueError):  # zeros of min-max 0–100 meet a geometric mean
        run_comparison_compute(run=run, spec={"normalisation": "minmax", "aggregation": "gmean"}, by=analyst)
    assert not RunAnalysis.objects.exists()


def test_sensitivity_names_the_assumptions(run, analyst):
    analysis = run_sensitivity_compute(run=run, by=analyst, n=20)
    assert [r[0] for r in analysis.result["rows"]] == ["Trọng số ±25 %", "Chuẩn hóa"]
    assert analysis.result["replications"] == 20 * 4
    assert run_analyses_latest(run)["sensitivity"] == analysis


def test_only_the_analyst_and_the_secretariat_may_analyse(run, make_user):
    for role in (Role.LEADER, Role.APPRAISER):
        with pytest.raises(PermissionDenied):
            run_audit_compute(run=run, by=make_user(f"u-{role}", role))
    with pytest.raises(PermissionDenied):
        run_comparison_compute(run=run, spec={}, by=None)
    run_audit_compute(run=run, by=make_user("thuky", Role.SECRETARIAT))


def test_a_draft_is_the_secretariat_s_alone(run, analyst, make_user, secretariat):
    draft = run_create(version=run.version, period=run.period, block=run.block, by=secretariat)
    with pytest.raises(PermissionDenied):
        run_audit_compute(run=draft, by=analyst)
    assert run_audit_compute(run=draft, by=make_user("thuky", Role.SECRETARIAT)).run == draft
