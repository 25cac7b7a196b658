"""Offline collection: the form the enumerator's device keeps and the door its answers come in by."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from chiso.accounts.models import Role
from chiso.surveys.models import HeldResponse, OfflineKey, PaperEntryLog, Response
from chiso.surveys.collection.offline import offline_form, offline_response_submit
from chiso.surveys.services import SubmissionRejected, survey_close

pytestmark = pytest.mark.django_db


def flat(answers: dict, units=("S-TC", "S-XD")) -> dict:
    """The DDCI example's answers as the device sends them: by address, as typed."""
    values = {"loai_hinh": "tnhh", "nganh_nghe": "du_lich", "so_lao_dong": "12", "nam_thanh_lap": "2010",
              "don_vi_lien_he": " ".join(units), "hinh_thuc_lien_he": "truc_tiep"}
    for index, _unit in enumerate(units, start=1):
        for name, value in {"minh_bach": "4", "nang_dong": "3", "canh_tranh": "5", "so_lan_di_lai": "2",
                            "chi_phi_khong_chinh_thuc": "khong", "diem_chung": "7"}.items():
            values[f"danh_gia[{index}]/{name}"] = value
    values.update(answers)
    return values


@pytest.fixture
def enumerator(make_user):
    return make_user("dieutra", Role.SECRETARIAT)


def test_the_device_gets_the_form_with_its_rules_and_the_periods_units(ddci_survey):
    data = offline_form(survey=ddci_survey)
    assert data["survey"] == "ddci-test" and data["version"] == ddci_survey.version_id and data["unsupported"] == []
    by_key = {}

    def walk(items):
        for item in items:
            by_key[item["key"]] = item
            walk(item.get("items", []))

    walk(data["items"])
    assert by_key["so_lao_dong"]["required"] == "yes"
    assert by_key["so_lao_dong"]["constraint"] == ". >= 0 and . <= 100000"
    assert by_key["so_lao_dong"]["constraint_message"] == "Số lao động phải từ 0 đến 100.000."
    assert by_key["ty_le_chi_phi"]["relevant"] == "${chi_phi_khong_chinh_thuc} = 'co'"
    # the units list of the period, without the dissolved department
    assert [c["label"] for c in by_key["don_vi_lien_he"]["choices"]] == ["Sở Tài chính", "Sở Tư pháp", "Sở Xây dựng"]
    assert by_key["danh_gia"]["rating_select"] == "don_vi_lien_he"
    assert by_key["diem_chung"]["range"] == {"start": "1", "end": "10", "step": "1"}


def test_answers_from_the_device_are_held_once_and_a_resend_after_the_batch_stores_nothing(ddci_survey, enumerator):
    first = offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key="k-1", by=enumerator)
    again = offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key="k-1", by=enumerator)
    assert (first.duplicate, again.duplicate) == (False, True)
    held = HeldResponse.objects.get()
    assert held.channel == Response.Channel.PAPER and held.duration_seconds is None
    assert held.rated_units == ["S-TC", "S-XD"]
    assert held.answers["so_lao_dong"] == 12 and [e["diem_chung"] for e in held.answers["danh_gia"]] == [7, 7]
    assert PaperEntryLog.objects.get(user=enumerator).count == 1

    survey_close(survey=ddci_survey, by=None)  # the batch is written
    assert Response.objects.count() == 1 and not HeldResponse.objects.exists()
    response = Response.objects.get()
    assert response.idempotency_key != OfflineKey.objects.get().key  # the key names no response

    late = offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key="k-1", by=enumerator)
    assert late.duplicate and Response.objects.count() == 1 and not HeldResponse.objects.exists()
    assert PaperEntryLog.objects.get(user=enumerator).count == 1


def test_the_server_checks_every_answer_again(ddci_survey, enumerator):
    values = flat({"so_lao_dong": "-3", "loai_hinh": "khong_co", "danh_gia[2]/minh_bach": ""})
    with pytest.raises(SubmissionRejected) as refused:
        offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=values, client_key="k-2", by=enumerator)
    assert refused.value.errors == {
        "so_lao_dong": "Số lao động phải từ 0 đến 100.000.",
        "loai_hinh": "khong_co không nằm trong các lựa chọn.",
        "danh_gia[2]/minh_bach": "Câu hỏi này bắt buộc trả lời.",
    }
    assert not HeldResponse.objects.exists() and not OfflineKey.objects.exists()
    # corrected on the device, the same key goes through
    fixed = offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key="k-2", by=enumerator)
    assert not fixed.duplicate and HeldResponse.objects.count() == 1


def test_an_answer_to_a_question_the_form_hides_is_not_kept_and_forged_addresses_write_nothing(ddci_survey, enumerator):
    values = flat({"danh_gia[1]/ty_le_chi_phi": "3", "danh_gia[40]/minh_bach": "4", "khong_co_cau_nay": "x"})
    offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=values, client_key="k-3", by=enumerator)
    answers = HeldResponse.objects.get().answers
    assert "ty_le_chi_phi" not in answers["danh_gia"][0]  # not relevant: the informal charge was "no"
    assert len(answers["danh_gia"]) == 2 and "khong_co_cau_nay" not in answers


def test_only_users_who_may_enter_paper_forms_collect(ddci_survey, make_user):
    analyst = make_user("phantich", Role.ANALYST)
    with pytest.raises(PermissionDenied):
        offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key="k-4", by=analyst)
    assert not HeldResponse.objects.exists()


def test_five_forms_from_devices_make_a_batch_and_a_sixth_waits_for_the_next(ddci_survey, enumerator):
    for n in range(4):
        offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key=f"b-{n}", by=enumerator)
    assert Response.objects.count() == 0 and HeldResponse.objects.count() == 4
    offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key="b-4", by=enumerator)
    assert Response.objects.count() == 5 and not HeldResponse.objects.exists()
    offline_response_submit(survey=ddci_survey, version_id=ddci_survey.version_id, values=flat({}), client_key="b-5", by=enumerator)
    call_command("surveys_flush")  # still open: one held form waits
    assert Response.objects.count() == 5


# --- the pages -----------------------------------------------------------------------------------

def _post(client, survey, body):
    return client.post(f"/surveys/enumerator/{survey.code}/submit/", data=json.dumps(body), content_type="application/json")


def test_the_submit_endpoint_answers_in_json(client, ddci_survey, enumerator):
    client.force_login(enumerator)
    body = {"key": "p-1", "version": ddci_survey.version_id, "answers": flat({})}
    assert _post(client, ddci_survey, body).json() == {"status": "stored"}
    assert _post(client, ddci_survey, body).json() == {"status": "duplicate"}
    refused = _post(client, ddci_survey, {**body, "key": "p-2", "answers": flat({"so_lao_dong": "nhiều"})})
    assert refused.status_code == 400 and refused.json()["errors"] == {"so_lao_dong": "Vui lòng nhập một số nguyên."}
    broken = client.post(f"/surveys/enumerator/{ddci_survey.code}/submit/", data="{not json", content_type="application/json")
    assert broken.status_code == 400 and "Phiếu gửi lên chưa đầy đủ" in broken.json()["errors"][""]
    assert HeldResponse.objects.count() == 1


def test_the_endpoints_refuse_in_json_who_may_not_collect(client, ddci_survey, make_user):
    body = {"key": "p-9", "version": ddci_survey.version_id, "answers": flat({})}
    logged_out = _post(client, ddci_survey, body)
    assert logged_out.status_code == 401 and logged_out.json()["message"] == "Vui lòng đăng nhập lại để gửi các phiếu đang chờ."
    client.force_login(make_user("lanhdao", Role.LEADER))
    assert _post(client, ddci_survey, body).status_code == 403
    assert client.get(f"/surveys/enumerator/{ddci_survey.code}/form.json").status_code == 403
    assert client.get("/surveys/enumerator/").status_code == 403
    assert not HeldResponse.objects.exists()


def test_the_app_page_manifest_and_service_worker(client, ddci_survey, enumerator):
    client.force_login(enumerator)
    home = client.get("/surveys/enumerator/")
    assert home.status_code == 200 and "Khảo sát DDCI thử" in home.content.decode()
    page = client.get(f"/surveys/enumerator/{ddci_survey.code}/")
    html = page.content.decode()
    assert 'rel="manifest"' in html and "surveys/offline.js" in html and "<script>" not in html
    assert "chờ gửi" in json.loads(html.split('id="offline-texts" type="application/json">')[1].split("</script>")[0])["pending"]
    assert "script-src 'self'" in page["Content-Security-Policy"]

    worker = client.get("/surveys/enumerator/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/surveys/enumerator/"
    assert b"addEventListener(\"fetch\"" in worker.content

    manifest = json.loads(client.get("/surveys/enumerator/manifest.webmanifest").content)
    assert manifest["start_url"] == manifest["scope"] == "/surveys/enumerator/" and manifest["display"] == "standalone"
    assert manifest["icons"][0]["src"].startswith("/static/")
