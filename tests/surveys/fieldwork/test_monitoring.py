"""Monitoring: counts per stratum, rated unit and day, none under k in a breakdown."""

import re

import pytest
from django.test import Client

from chiso.accounts.models import Role
from chiso.surveys.models import Invitation, SampleMember, SurveyAnalysis
from chiso.surveys.fieldwork.monitoring import suppress, survey_monitor
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.services import draft_for_token, invitation_with_token
from chiso.units.models import Unit

from tests.surveys.conftest import ddci_answers

pytestmark = pytest.mark.django_db


def test_suppress_hides_counts_under_k_and_one_more_when_a_single_one_is_hidden():
    assert suppress([10, 3, 7, 20], 5) == [10, None, None, 20]
    assert suppress([10, 3, 2, 20], 5) == [10, None, None, 20]
    assert suppress([10, 8], 5) == [10, 8]
    assert suppress([4], 5) == [None]


def test_the_monitor_counts_strata_units_and_days(ddci_survey, make_frame, store):
    sample = sample_draw(survey=ddci_survey, frame=make_frame(40), strata=["sector"], size=20, seed=1, by=None)
    members = list(SampleMember.objects.filter(sample=sample, active=True).order_by("stratum", "pk"))
    for i, member in enumerate(members):
        member.invitation = Invitation.objects.create(survey=ddci_survey, token_hash=f"{i:064d}",
                                                      status=Invitation.Status.COMPLETED if i < 8 or 10 <= i < 16 else Invitation.Status.NOT_STARTED)
        member.save()
    for n in range(6):
        store(ddci_survey, ddci_answers(units=("S-TC",) if n < 4 else ("S-TC", "S-XD")), key=f"m{n}")
    monitor = survey_monitor(ddci_survey)
    by_stratum = {row["stratum"]: row for row in monitor.strata}
    assert by_stratum["C"]["completed_shown"] == 8 and by_stratum["G"]["completed_shown"] == 6
    assert by_stratum["C"]["rate"] == pytest.approx(0.8) and by_stratum["G"]["rate"] == pytest.approx(0.6)
    # the opted-out column is all under k: every cell hidden
    assert {row["opted_out_shown"] for row in monitor.strata} == {None}
    units = {u["code"]: u for u in monitor.units}
    assert units["S-TC"]["completed"] == 6 and units["S-TC"]["completed_shown"] == 6
    assert units["S-XD"]["completed"] == 2 and units["S-XD"]["completed_shown"] is None and units["S-XD"]["below"]
    assert len(monitor.units_below) == len(monitor.units) == 3  # the default minimum is 30
    assert (monitor.totals["sampled"], monitor.totals["completed"], monitor.totals["responses"]) == (20, 14, 6)
    assert monitor.days[0]["completed"] == 6


def test_a_started_form_is_counted_per_day_and_per_unit_in_progress(ddci_survey):
    invitation_with_token(survey=ddci_survey, token="t" * 24)
    draft = draft_for_token(token="t" * 24)
    draft.answers = ddci_answers(units=("S-TP",))
    draft.save()
    monitor = survey_monitor(ddci_survey)
    assert monitor.days[0]["started"] == 1 and monitor.days[0]["started_shown"] is None
    assert {u["code"]: u["in_progress"] for u in monitor.units}["S-TP"] == 1


def test_the_page_shows_no_count_under_k_and_leaders_may_see_it(ddci_survey, make_frame, store, make_user):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_cell=5, min_answers_per_unit=3)
    sample_draw(survey=ddci_survey, frame=make_frame(12), strata=["sector", "commune"], size=8, seed=2, by=None)
    for n in range(3):
        store(ddci_survey, ddci_answers(units=("S-TC",)), key=f"p{n}")
    client = Client()
    client.force_login(make_user("lanhdao", Role.LEADER))
    page = client.get(f"/surveys/{ddci_survey.code}/monitor/")
    html = page.content.decode()
    assert page.status_code == 200 and "Theo dõi" in html
    table = html[html.index("monitor-strata"):]
    cells = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', table[: table.index("</table>")])]
    assert all(n >= 5 for n in cells) and "&lt; 5" in table
    assert "dưới mức tối thiểu" in html
    assert client.get(f"/surveys/{ddci_survey.code}/sample/").status_code == 403  # identity: secretariat only
    client.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=Unit.objects.get(code="S-TC")))
    assert client.get(f"/surveys/{ddci_survey.code}/monitor/").status_code == 403
