"""An officer sees only their own unit's internal pages; checked for every page that takes a unit."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chiso.accounts.models import Role, User
from chiso.accounts.services import user_create
from chiso.audit.models import AuditRecord

PROVINCIAL = [Role.SECRETARIAT, Role.APPRAISER, Role.LEADER, Role.ANALYST, Role.ADMINISTRATOR]


def unit_url_names():
    """Every named URL of chiso whose route takes a unit code."""
    names = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and "<str:code>" in str(p.pattern):
                if not (namespace + p.name).startswith("units:period_"):  # a period's code, not a unit's
                    names.append(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def two_units(make_unit):
    return make_unit("S-A"), make_unit("S-B")


def test_there_are_unit_pages_to_check():
    assert "units:detail" in unit_url_names()


@pytest.mark.parametrize("name", unit_url_names())
def test_officer_is_refused_another_units_pages(client, make_user, two_units, name):
    own, other = two_units
    client.force_login(make_user("officer.a", Role.UNIT_OFFICER, unit=own))
    assert client.get(reverse(name, args=[other.code])).status_code == 403
    # Editing and ending a unit is the secretariat's, even for the officer's own unit.
    assert client.get(reverse(name, args=[own.code])).status_code == (403 if name in MANAGING_PAGES else 200)


MANAGING_PAGES = {"units:edit", "units:end"}


@pytest.mark.parametrize("role", PROVINCIAL)
def test_provincial_roles_see_every_unit(client, make_user, two_units, role):
    client.force_login(make_user("someone", role))
    for unit in two_units:
        assert client.get(reverse("units:detail", args=[unit.code])).status_code == 200
    assert client.get(reverse("units:list")).status_code == 200


def test_officer_cannot_list_units_import_or_enter_admin(client, make_user, two_units):
    client.force_login(make_user("officer.a", Role.UNIT_OFFICER, unit=two_units[0]))
    assert client.get(reverse("units:list")).status_code == 403
    assert client.get(reverse("units:import")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin login, not in


def test_only_managing_roles_import(client, make_user):
    client.force_login(make_user("leader", Role.LEADER))
    assert client.get(reverse("units:import")).status_code == 403
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    assert client.get(reverse("units:import")).status_code == 200


def test_officer_home_shows_only_own_unit(client, make_user, two_units):
    own, other = two_units
    client.force_login(make_user("officer.a", Role.UNIT_OFFICER, unit=own))
    html = client.get(reverse("home")).content.decode()
    assert own.name_vi in html and other.name_vi not in html


def test_anonymous_users_are_sent_to_login(client, two_units):
    # (The site's root sends them to the public portal instead: tests/portal/test_portal.py.)
    for url in [reverse("units:list"), reverse("units:detail", args=["S-A"])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_officer_needs_a_unit(db):
    with pytest.raises(ValidationError):
        user_create(username="x", password=None, role=Role.UNIT_OFFICER, by=None)


def test_the_database_refuses_an_officer_without_unit(db):
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role=Role.UNIT_OFFICER)


def test_only_an_administrator_creates_accounts(make_user):
    """accounts.permissions.may_manage_accounts: the secretariat is refused; an administrator and
    the system (None: the demo loader, a command) create accounts, each on record."""
    secretariat, administrator = make_user("thuky", Role.SECRETARIAT), make_user("quantri", Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        user_create(username="moi", password=None, role=Role.SECRETARIAT, by=secretariat)
    assert not User.objects.filter(username="moi").exists()
    created = user_create(username="moi", password=None, role=Role.SECRETARIAT, by=administrator)
    assert AuditRecord.objects.get(event="user.created", object_id=str(created.pk)).by == administrator


def test_templates_ask_the_permissions_module_not_roles():
    """A role written in a template is a second rule beside its view's; templates ask `may`
    (accounts.permissions.TemplatePermissions), the functions the views ask."""
    source = Path(__file__).resolve().parents[2] / "src" / "chiso"
    rules = re.compile(r"user\.role\s*(?:==|!=|in\b)|user\.is_superuser")
    offenders = [str(path.relative_to(source)) for path in source.rglob("*.html") if rules.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
