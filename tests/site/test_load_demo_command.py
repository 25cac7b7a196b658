"""`manage.py load_demo` is for the demo only."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiso.units.models import Unit


@pytest.mark.django_db
def test_load_demo_refuses_production_mode(settings):
    before = Unit.objects.count()
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert Unit.objects.count() == before
