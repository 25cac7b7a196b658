"""The public portal: no login, published runs only, cacheable, and never a draft or a superseded run."""

import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from chiso.accounts.models import Role
from chiso.indices.services import run_publish
from chiso.portal import views

from tests.results.sample import SUPERSEDED_VALUE

pytestmark = pytest.mark.django_db


def test_published_rankings_and_scorecards_need_no_login(client, sample):
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200
    html = home.content.decode()
    for run in (sample.ddci_2023, sample.ddci_2022, sample.districts, sample.communes, sample.par_2023):
        assert reverse("portal:ranking", args=[run.pk]) in html
    ranking = client.get(reverse("portal:ranking", args=[sample.ddci_2023.pk])).content.decode()
    assert reverse("portal:scorecard", args=[sample.ddci_2023.pk, "S-A"]) in ranking
    assert 'href="/results/' not in ranking  # links stay on the portal
    card = client.get(reverse("portal:scorecard", args=[sample.communes.pk, "X-2"]))
    assert card.status_code == 200 and "Xã Hà Quảng" in card.content.decode()
    pdf = client.get(reverse("portal:scorecard_pdf", args=[sample.communes.pk, "X-2"]))
    assert pdf["Content-Type"] == "application/pdf"
    method = client.get(reverse("portal:method", args=[sample.ddci_2023.pk])).content.decode()
    assert sample.ddci_2023.result_checksum in method and "Kế hoạch 01/KH-UBND" in method


def test_drafts_and_superseded_runs_never_appear(client, sample):
    hidden = [sample.draft, sample.superseded]
    pages = [reverse("portal:home"), reverse("portal:data"), reverse("portal:ranking", args=[sample.ddci_2023.pk]),
             reverse("portal:scorecard", args=[sample.ddci_2023.pk, "S-C"])]
    for url in pages:
        html = client.get(url).content.decode()
        for run in hidden:
            assert f"/runs/{run.pk}/" not in html, (url, run)
    for run in hidden:
        for name, args in (("ranking", [run.pk]), ("method", [run.pk]), ("run_workbook", [run.pk]),
                           ("scorecard", [run.pk, "S-A"]), ("scorecard_pdf", [run.pk, "S-A"])):
            assert client.get(reverse(f"portal:{name}", args=args)).status_code == 404, (name, run)
    # 2025 has a draft of the departments and published communes: the report holds the communes only.
    book = load_workbook(io.BytesIO(client.get(reverse("portal:report_xlsx", args=["2025", "DDCI"])).content), read_only=True)
    codes = {row[0] for name in book.sheetnames[1:] for row in book[name].iter_rows(min_row=2, values_only=True)}
    assert codes == {"X-1", "X-2"}


def test_the_superseded_value_is_not_in_the_open_data(client, sample):
    book = load_workbook(io.BytesIO(client.get(reverse("portal:report_xlsx", args=["2023", "DDCI"])).content), read_only=True)
    raw = [name for name in book.sheetnames if name.startswith("1 department") and not name.endswith(("L1", "L2", "L3"))][0]
    rows = {row[0]: row[2:] for row in book[raw].iter_rows(min_row=2, values_only=True)}
    assert rows["S-C"][0] == 60 and SUPERSEDED_VALUE not in rows["S-C"]
    about = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    checksums = {row[-1] for row in about[1:]}
    assert sample.ddci_2023.result_checksum in checksums and sample.superseded.result_checksum not in checksums


def test_pages_are_cacheable_and_revalidate_with_a_304(client, sample):
    url = reverse("portal:ranking", args=[sample.ddci_2023.pk])
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "max-age=600" in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, {"sort": "name"}, HTTP_IF_NONE_MATCH=etag).status_code == 200  # another page
    assert client.post(url).status_code == 405


def test_a_new_publication_changes_the_etag(client, sample):
    url = reverse("portal:home")
    before = client.get(url)["ETag"]
    run_publish(run=sample.draft, by=None)
    assert client.get(url)["ETag"] != before
    assert client.get(reverse("portal:ranking", args=[sample.draft.pk])).status_code == 200


def test_open_data_page_links_the_api(client, sample):
    html = client.get(reverse("portal:data")).content.decode()
    assert "/api/v1/openapi.json" in html
    assert f"/api/v1/runs/{sample.ddci_2023.pk}/results.csv" in html


def test_ranking_charts_are_images_cached_for_good(client, sample):
    html = client.get(reverse("portal:ranking", args=[sample.ddci_2023.pk])).content.decode()
    urls = re.findall(r'<img class="chart" src="([^"]+)" alt="([^"]+)"', html)
    assert len(urls) == 2 and all(alt for _url, alt in urls)  # the bars and the heat map, each with a text alternative
    response = client.get(urls[0][0])
    assert response["Content-Type"] == "image/svg+xml" and "immutable" in response["Cache-Control"]
    assert b"<svg" in b"".join(response.streaming_content)
    name = urls[0][0].rsplit("/", 1)[-1]
    assert client.get(reverse("portal:chart", args=[sample.draft.pk, name[:-4]])).status_code == 404
    assert client.get(f"/public/runs/{sample.ddci_2023.pk}/charts/..%2F..%2Fsecret_key.svg").status_code == 404


def test_a_page_is_built_once_per_publication_and_shared_by_every_process(client, sample, settings, monkeypatch):
    url = reverse("portal:ranking", args=[sample.ddci_2023.pk])
    first = client.get(url).content.decode()
    assert list((settings.MEDIA_ROOT / "cache" / "portal").glob("*.djcache"))  # on disk, not in one process
    monkeypatch.setattr(views, "ranking_context", lambda *a, **k: pytest.fail("built again"))
    again = client.get(url).content.decode()
    assert 'id="ranking"' in again and again.count("<tr data-unit") == first.count("<tr data-unit") == 4


def test_a_visitor_without_an_account_comes_in_through_the_portal(client, sample):
    """The root leads to the portal; the portal offers the staff log-in and the feedback form;
    the logo of a public page leads back to the portal; the site has a favicon."""
    root = client.get("/")
    assert root.status_code == 302 and root["Location"] == reverse("portal:home")
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("login")}"' in html
    assert f'href="{reverse("feedback_public:home")}"' in html
    for url in (reverse("portal:home"), reverse("feedback_public:home"), reverse("login")):
        page = client.get(url).content.decode()
        assert f'class="logo" href="{reverse("portal:home")}"' in page, url
        assert 'rel="icon"' in page and "core/favicon.svg" in page
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon["Location"].endswith("core/favicon.ico")
    assert finders.find("core/favicon.ico") and finders.find("core/favicon.svg")


def test_staff_come_in_to_their_own_home_and_the_logo_leads_there(client, sample, make_user):
    client.force_login(make_user("thuky.portal", Role.SECRETARIAT))
    home = client.get("/")
    assert home.status_code == 200
    assert f'class="logo" href="{reverse("home")}"' in home.content.decode()
