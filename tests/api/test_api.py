"""The API: open data without an account (JSON with cursors, CSV), internal data with a token
or a session, each role seeing what it may, and rate limits."""

import pytest
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.api.models import ApiToken
from chiso.api.services import api_token_create, api_token_revoke
from chiso.indices.models import IndexRun, IndicatorValue

pytestmark = pytest.mark.django_db
API = "/api/v1"


def all_pages(client, url, **params):
    """Follow the cursors to the end; each page at most page_size items."""
    items, pages = [], 0
    response = client.get(url, params).json()
    while True:
        pages += 1
        items += response["results"]
        if not response["next"]:
            return items, pages
        response = client.get(response["next"]).json()


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_schema_is_served_at_the_agreed_address(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "chiso API"
    assert {"/api/v1/units", "/api/v1/runs", "/api/v1/runs/{run_id}/results", "/api/v1/runs/{run_id}/results.csv",
            "/api/v1/internal/values"} <= set(schema["paths"])
    assert client.get(f"{API}/docs").status_code == 200


def test_units_paginate_with_cursors(client, sample):
    items, pages = all_pages(client, f"{API}/units", page_size=3)
    codes = [u["code"] for u in items]
    assert pages == 3 and len(codes) == len(set(codes)) == len(sample.units)
    x2 = next(u for u in items if u["code"] == "X-2")
    assert x2["block"] == "commune" and x2["valid_from"] == "2025-07-01"
    in_2023 = {u["code"] for u in client.get(f"{API}/units", {"period": "2023"}).json()["results"]}
    assert "H-1" in in_2023 and "X-1" not in in_2023
    assert client.get(f"{API}/units", {"cursor": "cD1hYmM="}).status_code == 422  # base64 of p=abc


def test_only_published_runs_are_open(client, sample):
    runs = client.get(f"{API}/runs").json()["results"]
    ids = {r["id"] for r in runs}
    assert ids == set(IndexRun.objects.filter(status=IndexRun.Status.PUBLISHED).values_list("pk", flat=True))
    assert sample.draft.pk not in ids and sample.superseded.pk not in ids
    assert {r["status"] for r in runs} == {"published"}
    one = client.get(f"{API}/runs/{sample.ddci_2023.pk}").json()
    assert one["result_checksum"] == sample.ddci_2023.result_checksum and one["supersedes"] == sample.superseded.pk
    for hidden in (sample.draft, sample.superseded):
        assert client.get(f"{API}/runs/{hidden.pk}").status_code == 404
        assert client.get(f"{API}/runs/{hidden.pk}/results").status_code == 404
        assert client.get(f"{API}/runs/{hidden.pk}/results.csv").status_code == 404
    filtered = client.get(f"{API}/runs", {"framework": "PAR-T", "period": "2023"}).json()["results"]
    assert [r["id"] for r in filtered] == [sample.par_2023.pk]


def test_frameworks_are_the_published_method_documents(client, sample):
    codes = [f["code"] for f in client.get(f"{API}/frameworks").json()["results"]]
    assert codes == ["DDCI-T", "PAR-T"]
    doc = client.get(f"{API}/frameworks/PAR-T").json()
    nodes = {n["code"]: n for n in doc["versions"][0]["nodes"]}
    assert nodes["F1"]["max_points"] == 6 and nodes["a"]["parent_code"] == "F1"
    assert client.get(f"{API}/frameworks/NOPE").status_code == 404


def test_results_as_json_and_csv(client, sample):
    run = sample.ddci_2023
    top = client.get(f"{API}/runs/{run.pk}/results", {"code": "DDCI"}).json()["results"]
    assert [r["rank"] for r in sorted(top, key=lambda r: r["rank"])] == [1, 2, 3, 4]
    a = next(r for r in top if r["unit"] == "S-A")
    assert a["unit_name"] == "Sở Tài chính" and a["band"] in {"Tốt", "Khá", "Trung bình"}
    level2 = client.get(f"{API}/runs/{run.pk}/results", {"level": 2, "unit": "S-B"}).json()["results"]
    assert sorted(r["code"] for r in level2) == ["P1", "P2", "P3"]
    response = client.get(f"{API}/runs/{run.pk}/results.csv", {"code": "DDCI"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8").splitlines()
    assert lines[0] == "\ufeffunit,unit_name,code,value,rank,band" and len(lines) == 5
    # Rounded as the pages show it, unless every digit is asked for.
    assert lines[1] == f"S-A,Sở Tài chính,DDCI,{a['value']:.2f},{a['rank']},{a['band']}"
    full = client.get(f"{API}/runs/{run.pk}/results.csv", {"code": "DDCI", "full_precision": "true"})
    assert full.content.decode("utf-8").splitlines()[1] == f"S-A,Sở Tài chính,DDCI,{a['value']!r},{a['rank']},{a['band']}"


def test_results_csv_for_excel_set_to_vietnamese(client, sample):
    """Semicolons between cells and decimal commas, still UTF-8 with a BOM, its own file name."""
    run = sample.ddci_2023
    a = next(r for r in client.get(f"{API}/runs/{run.pk}/results", {"code": "DDCI"}).json()["results"] if r["unit"] == "S-A")
    response = client.get(f"{API}/runs/{run.pk}/results.csv", {"code": "DDCI", "variant": "excel-vn"})
    assert response.content.startswith("\ufeff".encode())
    assert response["Content-Disposition"].endswith('-excel-vn.csv"')
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "unit;unit_name;code;value;rank;band"
    assert lines[1] == f"S-A;Sở Tài chính;DDCI;{a['value']:.2f};{a['rank']};{a['band']}".replace(".", ",")
    assert client.get(f"{API}/runs/{run.pk}/results.csv", {"variant": "excel"}).status_code == 422


def test_internal_data_needs_a_token_or_a_session(client, sample, make_user):
    assert client.get(f"{API}/internal/me").status_code == 401
    user = make_user("thuky", Role.SECRETARIAT)
    token, raw = api_token_create(user=user, name="kho dữ liệu")
    assert raw.startswith("chiso_") and raw not in str(ApiToken.objects.values_list())  # only the hash is kept
    me = client.get(f"{API}/internal/me", **bearer(raw)).json()
    assert me == {"username": "thuky", "full_name": "thuky", "role": "secretariat", "unit": None}
    runs = client.get(f"{API}/internal/runs", {"status": "draft"}, **bearer(raw)).json()["results"]
    assert [r["id"] for r in runs] == [sample.draft.pk]
    draft_rows = client.get(f"{API}/internal/runs/{sample.draft.pk}/results", {"code": "DDCI"}, **bearer(raw)).json()["results"]
    assert len(draft_rows) == 4
    assert client.get(f"{API}/internal/me", **bearer(raw + "x")).status_code == 401
    api_token_revoke(token=token, by=user)
    assert client.get(f"{API}/internal/me", **bearer(raw)).status_code == 401
    client.force_login(user)
    assert client.get(f"{API}/internal/me").json()["username"] == "thuky"  # a logged-in session


def test_each_role_sees_its_own_internal_data(client, sample, make_user):
    _t, leader = api_token_create(user=make_user("lanhdao", Role.LEADER), name="bảng điều khiển")
    _t, officer = api_token_create(user=make_user("canbo", Role.UNIT_OFFICER, unit=sample.units["S-B"]), name="sở")
    leader_runs = {r["id"] for r in client.get(f"{API}/internal/runs", **bearer(leader)).json()["results"]}
    assert sample.superseded.pk in leader_runs and sample.draft.pk not in leader_runs
    assert client.get(f"{API}/internal/runs/{sample.draft.pk}/results", **bearer(leader)).status_code == 404
    officer_runs = {r["id"] for r in client.get(f"{API}/internal/runs", **bearer(officer)).json()["results"]}
    assert sample.superseded.pk not in officer_runs and sample.ddci_2023.pk in officer_runs
    officer_values = client.get(f"{API}/internal/values", {"page_size": 1000}, **bearer(officer)).json()["results"]
    assert officer_values and {v["unit"] for v in officer_values} == {"S-B"}
    assert len(officer_values) == IndicatorValue.objects.filter(unit__code="S-B").count()
    assert officer_values[0]["source"] in {"Khảo sát thử", "Điểm thẩm định"}
    leader_values = client.get(f"{API}/internal/values", {"unit": "S-C", "framework": "PAR-T"}, **bearer(leader)).json()["results"]
    assert {v["source"] for v in leader_values} == {"Điểm thẩm định"} and len(leader_values) == 4


def test_anonymous_calls_are_rate_limited(client, sample, settings):
    settings.CHISO_API_ANON_RATE = "3/m"
    codes = [client.get(f"{API}/periods").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_token_page_shows_a_new_token_once_and_revokes(client, make_user):
    user = make_user("phantich", Role.ANALYST)
    client.force_login(user)
    response = client.post(reverse("api_tokens:list"), {"name": "R script"})
    raw = response.context["raw"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert raw not in client.get(reverse("api_tokens:list")).content.decode()  # shown only once
    assert token.prefix in client.get(reverse("api_tokens:list")).content.decode()
    other = make_user("lanhdao", Role.LEADER)
    client.force_login(other)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    client.force_login(user)
    client.post(reverse("api_tokens:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active
