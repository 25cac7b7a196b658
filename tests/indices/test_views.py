from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndexRun
from chiso.indices.services import indicator_value_set, run_create, run_publish

DOC = {"framework": {"code": "T", "name_vi": "Thử", "method": "composite"}, "version": {}, "steps": [],
       "iMeta": [{"iCode": "T", "Level": 2, "Type": "Aggregate"}, {"iCode": "x", "Level": 1, "Parent": "T", "Type": "Indicator"}]}


@pytest.fixture
def runs(db, make_unit, period, blocks):
    version = framework_import(file_name="t.yaml", content=yaml.safe_dump(DOC).encode(), by=None).version
    for code, value in (("S-A", 1), ("S-B", 2)):
        indicator_value_set(by=None, framework=version.framework, period=period, unit=make_unit(code), code="x", value=value, source="thử")
    published = run_publish(run=run_create(by=None, version=version, period=period, block=blocks["department"]), by=None)
    draft = run_create(by=None, version=version, period=period, block=blocks["department"])
    return published, draft


def test_drafts_are_for_the_secretariat_only(client, make_user, runs):
    published, draft = runs
    client.force_login(make_user("lanhdao", Role.LEADER))
    listing = client.get(reverse("indices:list")).content.decode()
    assert reverse("indices:detail", args=[published.pk]) in listing
    assert reverse("indices:detail", args=[draft.pk]) not in listing
    assert client.get(reverse("indices:detail", args=[draft.pk])).status_code == 403
    assert client.get(reverse("indices:detail", args=[published.pk])).status_code == 200
    assert client.post(reverse("indices:publish", args=[draft.pk]), {"confirm": "on"}).status_code == 403


def test_the_publish_button_shows_only_where_the_service_would_publish(client, make_user, runs):
    published, draft = runs
    client.force_login(make_user("thuky", Role.SECRETARIAT))

    def page(run):
        return client.get(reverse("indices:detail", args=[run.pk])).content.decode()

    assert reverse("indices:publish", args=[draft.pk]) in page(draft)
    assert reverse("indices:publish", args=[published.pk]) not in page(published)
    IndexRun.objects.filter(pk=draft.pk).update(owner="assessments.cycle:1")  # a PAR cycle's results run
    assert reverse("indices:publish", args=[draft.pk]) not in page(draft)


def test_results_sort_by_a_column_and_by_name(client, make_user, runs):
    published, _draft = runs
    client.force_login(make_user("phantich", Role.ANALYST))
    response = client.get(reverse("indices:detail", args=[published.pk]), {"level": 1, "sort": "name"})
    assert [r.unit.code for r in response.context["rows"]] == ["S-A", "S-B"]
    response = client.get(reverse("indices:detail", args=[published.pk]), {"level": 1})
    assert [r.unit.code for r in response.context["rows"]] == ["S-B", "S-A"]  # by rank: 2 beats 1


def test_the_results_table_scrolls_inside_its_box_with_readable_unit_names(client, make_user, runs):
    """A run with many indicators (the PAR survey's 22) made the whole desktop page scroll sideways
    and squeezed each unit's name to a word a line: the table scrolls in a .table-scroll box (one
    rule in core/chiso.css) and the name cell keeps a minimum width."""
    published, _draft = runs
    client.force_login(make_user("phantich", Role.ANALYST))
    html = client.get(reverse("indices:detail", args=[published.pk])).content.decode()
    assert '<div class="table-scroll">\n<table class="results" id="results">' in html
    assert '<td class="long-text">' in html
    css = Path(finders.find("core/chiso.css")).read_text(encoding="utf-8")
    assert ".table-scroll { max-width: 100%; overflow-x: auto;" in css and "td.long-text { min-width:" in css


def test_export_formats(client, make_user, runs):
    client.force_login(make_user("phantich", Role.ANALYST))
    for fmt, start in (("yaml", b"framework:"), ("csv", b"iCode"), ("xlsx", b"PK")):
        response = client.get(reverse("frameworks:export", args=["T", 1, fmt]))
        assert response.status_code == 200 and response.content.startswith(start)
    assert client.get(reverse("frameworks:export", args=["T", 1, "pdf"])).status_code == 404
