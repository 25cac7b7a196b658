"""One door per change: a PAR cycle's results run is published only by the cycle's publication."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chiso.assessments import services as s
from chiso.audit.queries import history
from chiso.indices.models import IndexRun
from chiso.indices.services import run_discard, run_publish

from .conftest import assessment_of
from .test_services import appraised, decide, submitted  # noqa: F401 (fixtures and a helper of the PAR tests)

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(appraised, people, survey_run):
    cycle = appraised
    decide(cycle, people, list(cycle.assessments.all()))
    s.survey_points_apply(cycle=cycle, run=survey_run, by=people["secretariat"])
    return cycle, s.cycle_results_compute(cycle=cycle, by=people["secretariat"])


def test_the_generic_run_page_cannot_publish_a_cycles_run(client, computed, people):
    """The probe of issue 16: compute the cycle's run, then post to the run page's publish."""
    cycle, run = computed
    client.force_login(people["secretariat"])
    assert reverse("indices:publish", args=[run.pk]) not in client.get(reverse("indices:detail", args=[run.pk])).content.decode()
    response = client.post(reverse("indices:publish", args=[run.pk]), {"confirm": "on", "reason": ""}, follow=True)

    run.refresh_from_db()
    assert run.status == IndexRun.Status.DRAFT
    assert "trang của đợt đánh giá" in response.content.decode()
    assert not history(run).filter(event="run.published").exists()
    assert assessment_of(cycle, "S-A").status == s.Status.COUNCIL_DECIDED


def test_the_services_refuse_a_cycles_run_without_the_cycle(computed, people):
    cycle, run = computed
    with pytest.raises(ValidationError):
        run_publish(run=run, by=people["secretariat"])
    with pytest.raises(PermissionDenied):
        run_discard(run=run, by=people["secretariat"])
    with pytest.raises(PermissionDenied):
        run_publish(run=run, by=people["leader"], owner=cycle)


def test_the_cycles_publication_publishes_its_run_with_one_audit_record(computed, people):
    cycle, run = computed
    s.cycle_publish(cycle=cycle, by=people["secretariat"])
    run.refresh_from_db()
    assert run.status == IndexRun.Status.PUBLISHED
    assert [(r.event, r.by.username) for r in history(run)] == [("run.computed", "thuky"), ("run.published", "thuky")]
    assert assessment_of(cycle, "S-A").status == s.Status.PUBLISHED
