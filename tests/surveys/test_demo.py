"""The demo: an open DDCI survey whose printed invitation link works, loaded twice without duplicates."""

import pytest
from django.core.management import call_command
from django.test import Client

from chiso.accounts import demo as accounts_demo
from chiso.surveys.demo import DEMO_SURVEY, SYNTHETIC_RESPONSES, demo_link, load
from chiso.surveys.models import Invitation, Response, Survey
from chiso.units import demo as units_demo


@pytest.mark.django_db
def test_the_demo_survey_is_open_with_a_working_link_and_loads_twice_the_same(blocks, capsys):
    units_demo.load()
    accounts_demo.load()
    load()
    counts = (Survey.objects.count(), Invitation.objects.count(), Response.objects.count())
    load()
    assert (Survey.objects.count(), Invitation.objects.count(), Response.objects.count()) == counts
    survey = Survey.objects.get(code=DEMO_SURVEY)
    assert survey.is_open and survey.responses.count() == SYNTHETIC_RESPONSES
    link = demo_link()
    page = Client(HTTP_HOST="127.0.0.1").get(link, follow=True)
    assert page.status_code == 200 and "Giới thiệu" in page.content.decode()
    call_command("demo_logins")
    assert f"http://127.0.0.1:8000{link}" in capsys.readouterr().out
