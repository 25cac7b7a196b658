import datetime

import pytest
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.units.models import Period


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.APPRAISER, Role.LEADER, Role.ANALYST, Role.ADMINISTRATOR])
def test_provincial_home_counts_units_of_the_period(client, make_user, make_unit, period, role):
    make_unit("S-A")
    make_unit("X-A", block="commune", valid_from=datetime.date(2025, 7, 1))  # not in 2023
    client.force_login(make_user("someone", role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["summary"]["unit_count"] == 1
    assert response.context["current_period"] == period


def test_secretariat_sees_units_without_officer(client, make_user, make_unit, period):
    covered, missing = make_unit("S-A"), make_unit("S-B")
    make_user("officer", Role.UNIT_OFFICER, unit=covered)
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    response = client.get(reverse("home"))
    assert list(response.context["summary"]["units_without_officer"]) == [missing]


def test_period_switch_is_remembered(client, make_user, period):
    later = Period.objects.create(code="2025", year=2025, name_vi="Năm 2025", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31))
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    client.post(reverse("period_switch"), {"period": "2023", "next": "/"})
    assert client.get(reverse("home")).context["current_period"] == period
    client.post(reverse("period_switch"), {"period": "2025", "next": "https://evil.example/"})
    response = client.get(reverse("home"))
    assert response.context["current_period"] == later

