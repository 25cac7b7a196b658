"""The assessment pages: who may open and change what (403s recorded), bad input, uploads,
downloads, optimistic locking through the page, the council, history, reports, reminders."""

import datetime
import io
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chiso.assessments import services as s
from chiso.audit.queries import history
from chiso.assessments.models import Assessment, Evidence
from chiso.jobs.models import Job

from .conftest import appraise_all, assessment_of, claim_all, item_of

Status = Assessment.Status
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def refused(assessment, user):
    return history(assessment).filter(event=s.Event.ACCESS_REFUSED, by=user)


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response, response.content.decode()


def test_an_officer_sees_their_unit_only_and_refusals_are_recorded(client, cycle, people):
    a, b = assessment_of(cycle, "S-A"), assessment_of(cycle, "S-B")
    response, html = page(client, people["officer"], reverse("assessments:detail", args=[a.pk]))
    assert response.status_code == 200 and "Sở Tài chính" in html and "Nộp bản tự đánh giá" in html
    assert client.get(reverse("assessments:detail", args=[b.pk])).status_code == 403
    assert client.post(reverse("assessments:transition", args=[b.pk, "submit"])).status_code == 403
    assert client.get(reverse("assessments:history", args=["S-B"])).status_code == 403
    assert refused(b, people["officer"]).count() == 3
    # a transition that is not the officer's, on their own assessment
    assert client.post(reverse("assessments:transition", args=[a.pk, "complete"])).status_code == 403
    assert refused(a, people["officer"]).get().new_value.startswith("POST")
    assert client.get(reverse("assessments:cycle", args=[cycle.pk])).status_code == 302  # to their own


def test_self_assessment_through_the_sheet_updates_the_totals(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    item = item_of(a, "F1.2")
    client.force_login(people["officer"])
    url = reverse("assessments:item_self", args=[a.pk, item.pk])
    response = client.post(url, {"points": "1,5", "lock_version": 0, "where": "sheet"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Đã lưu" in html
    assert 'id="t-self-F1" hx-swap-oob="true"' in html and "1,5" in html
    assert 'id="par-summary"' in html
    response = client.post(url, {"points": "1,3", "lock_version": 1, "where": "sheet"}, HTTP_HX_REQUEST="true")
    assert "bước 0,25" in response.content.decode()
    response = client.post(url, {"points": "7", "lock_version": 1, "where": "sheet"}, HTTP_HX_REQUEST="true")
    assert "từ 0 đến 2" in response.content.decode()
    item.refresh_from_db()
    assert item.self_points == Decimal("1.5")


def test_two_appraisers_on_one_item_get_a_clear_message(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    item = item_of(a, "F2.1")
    url = reverse("assessments:item_appraise", args=[a.pk, item.pk])
    client.force_login(people["expert"])
    client.post(url, {"points": "3", "comment": "Thiếu báo cáo quý", "lock_version": item.lock_version})
    client.force_login(people["expert2"])
    response = client.post(url, {"points": "4", "comment": "", "lock_version": item.lock_version, "where": "criterion"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "thamdinh" in html and "chưa được lưu" in html
    item.refresh_from_db()
    assert item.appraised_points == Decimal("3") and item.appraisal_comment == "Thiếu báo cáo quý"


def test_uploads_are_checked_and_served_only_to_those_allowed(client, cycle, people, media, settings):
    a = assessment_of(cycle, "S-A")
    item = item_of(a, "F1.1")
    url = reverse("assessments:item_upload", args=[a.pk, item.pk])
    client.force_login(people["officer"])
    response = client.post(url, {"file": _file("ke-hoach.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    response = client.post(url, {"file": _file("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 200)})
    assert response.status_code == 400 and "bao-cao.pdf" in response.content.decode()
    # 200 MB announced: refused before the body is read, nothing stored
    response = client.post(url, {"file": _file("lon.pdf", PDF)}, CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413 and "200,0\xa0MB" in response.content.decode()
    settings.CHISO_EVIDENCE_MAX_BYTES = 2048
    response = client.post(url, {"file": _file("to.pdf", PDF + b"0" * 5000)})
    assert response.status_code == 413 and "to.pdf" in response.content.decode() and "2,0\xa0KB" in response.content.decode()
    assert Evidence.objects.count() == 1 and len([p for p in media.rglob("*") if p.is_file()]) == 1

    download = reverse("assessments:evidence", args=[a.pk, evidence.pk])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff" and "attachment" in response["Content-Disposition"]
    for who, status in (("expert", 200), ("secretariat", 200), ("officer_b", 403), ("leader", 403)):
        client.force_login(people[who])
        assert client.get(download).status_code == status, who
    assert refused(a, people["officer_b"]).exists() and refused(a, people["leader"]).exists()


def _file(name, content):
    return SimpleUploadedFile(name, content)


def test_document_reference_and_explanation_of_missing_evidence(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    item = item_of(a, "F1.1")
    client.force_login(people["officer"])
    client.post(reverse("assessments:item_document", args=[a.pk, item.pk]),
                {"number": "15/KH-STC", "date": "15/01/2023", "title": "Kế hoạch CCHC năm 2023"})
    html = client.get(reverse("assessments:item", args=[a.pk, item.pk])).content.decode()
    assert "15/KH-STC" in html and "15/01/2023" in html
    response = client.post(reverse("assessments:item_document", args=[a.pk, item.pk]), {"number": "16/KH", "date": "31/02/2023"})
    assert response.status_code == 302 and Evidence.objects.count() == 1


def test_by_criterion_view_and_conflict_of_interest(client, cycle, people, units):
    for code, officer in (("S-A", "officer"), ("S-B", "officer_b")):
        a = assessment_of(cycle, code)
        claim_all(a, people[officer], {"F1.2": Decimal("1.25")})
        s.assessment_submit(assessment=a, by=people[officer])
    s.affiliation_declare(user=people["expert"], unit=units[1], by=people["secretariat"])
    response, html = page(client, people["expert"], reverse("assessments:criterion", args=[cycle.pk]), code="F1.2")
    assert response.status_code == 200
    assert "Sở Tài chính" in html and "Sở Tư pháp" in html and html.count("1,25") >= 2
    assert "xung đột lợi ích" in html.lower()
    rows = response.context["rows"]
    assert [(r.item.assessment.unit.code, r.editable) for r in rows] == [("S-A", True), ("S-B", False)]
    b = assessment_of(cycle, "S-B")
    response = client.post(reverse("assessments:item_appraise", args=[b.pk, item_of(b, "F1.2").pk]), {"points": "0", "lock_version": 5})
    assert response.status_code == 403 and refused(b, people["expert"]).exists()


def test_council_page_highlights_differences_and_records_the_decision(client, cycle, people):
    for code, officer in (("S-A", "officer"), ("S-B", "officer_b")):
        a = assessment_of(cycle, code)
        claim_all(a, people[officer])
        s.assessment_submit(assessment=a, by=people[officer])
        appraise_all(a, people["expert"], {"F2.1": Decimal("2")} if code == "S-A" else {})
        s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    url = reverse("assessments:council", args=[cycle.pk])
    response, html = page(client, people["leader"], url)
    assert "F2.1" in html and 'class="num differs"' in html
    assert client.post(url, {}).status_code == 403
    client.force_login(people["council"])
    data = {"meeting_date": "01/02/2024", "minutes_number": "05/BB", "members_present": "Ông A\nBà B", "votes_for": 2,
            "votes_against": 0, "votes_abstain": 0, "assessments": [a.pk for a in cycle.assessments.all()], "confirm": "on"}
    response = client.post(url, dict(data, confirm=""))
    assert response.status_code == 400  # the decision needs its confirmation
    response = client.post(url, data)
    assert response.status_code == 400 and "5" in response.content.decode()  # 2 of 5: no quorum
    response = client.post(url, dict(data, members_present="Ông A\nBà B\nÔng C", votes_for=3))
    assert response.status_code == 302
    assert set(cycle.assessments.values_list("status", flat=True)) == {Status.COUNCIL_DECIDED}


def test_secretariat_opens_a_cycle_from_the_page(client, par_version, period, units, people, blocks):
    client.force_login(people["secretariat"])
    response = client.post(reverse("assessments:cycle_new"), {
        "version": par_version.pk, "period": period.pk, "block": blocks["department"].pk, "title": "Chỉ số CCHC năm 2023",
        "self_assessment_due": "31/01/2024 17:00", "explanation_days": 5, "council_size": 9, "quorum_percent": 50,
    })
    assert response.status_code == 302
    cycle = par_version.assessment_cycles.get()
    assert timezone.localtime(cycle.self_assessment_due).strftime("%d/%m/%Y %H:%M") == "31/01/2024 17:00"
    html = client.get(reverse("assessments:cycle", args=[cycle.pk])).content.decode()
    assert "Sở Tài chính" in html and "Sở Tư pháp" in html
    client.force_login(people["officer"])
    assert client.get(reverse("assessments:cycle_new")).status_code == 403


def test_history_page_shows_who_changed_what(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    s.item_self_assess(item=item_of(a, "F2.1"), by=people["officer"], points=Decimal("3"))
    s.item_self_assess(item=item_of(a, "F2.1"), by=people["officer"], points=Decimal("4"))
    response, html = page(client, people["secretariat"], reverse("assessments:history", args=["S-A"]))
    events = list(response.context["events"])
    assert [(e.field, e.old_value, e.new_value) for e in events if e.item][-2:] == [("self_points", "", "3"), ("self_points", "3", "4")]
    assert "Tự đánh giá" in html and "canbo.a" in html and "Bản nháp" in html


def test_reports_in_the_appendix_layout(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    client.force_login(people["officer"])
    response = client.get(reverse("assessments:report", args=[a.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = " ".join(str(v) for row in values for v in row if v is not None)
    assert "PHỤ LỤC" in flat and "Sở Tài chính" in flat and "Ban hành kế hoạch CCHC năm" in flat
    row = next(r for r in values if r[1] == "Ban hành kế hoạch CCHC năm")
    assert row[2] == 3 and row[3] == 3.0
    response = client.get(reverse("assessments:report", args=[a.pk, "pdf"]))
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True).stdout.decode()
    assert "PHỤ LỤC" in text and "Sở Tài chính" in text and "Ban hành kế hoạch CCHC năm" in text
    client.force_login(people["leader"])
    response = client.get(reverse("assessments:cycle_report", args=[cycle.pk, "xlsx"]))
    flat = " ".join(str(v) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for v in row if v)
    assert "Sở Tài chính" in flat and "Sở Tư pháp" in flat and "F1" in flat


def test_reminders_command_and_overdue_items_on_the_home_page(client, cycle, people, mailoutbox):
    past = timezone.now() - datetime.timedelta(days=1)
    s.cycle_schedule_set(cycle=cycle, by=people["secretariat"], self_assessment_due=past, appraisal_due=None, council_due=None,
                         explanation_days=5, council_size=5, quorum_percent=50)
    out = io.StringIO()
    call_command("send_assessment_reminders", stdout=out)
    assert out.getvalue().startswith("2 ") and {m.to[0] for m in mailoutbox} == {"a@example.vn", "b@example.vn"}
    assert "quá hạn" in mailoutbox[0].body
    response, html = page(client, people["officer"], reverse("home"))
    assert "Đánh giá CCHC (1 quá hạn)" in html
    response, html = page(client, people["officer"], reverse("assessments:due"))
    assert "quá hạn" in html and "Sở Tài chính" in html and "Sở Tư pháp" not in html


def test_unit_reports_batch_runs_as_a_background_job(client, cycle, people, django_capture_on_commit_callbacks, media):
    client.force_login(people["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:cycle_unit_reports", args=[cycle.pk]))
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.DONE
    names = zipfile.ZipFile(media / job.output_file).namelist()
    assert sorted(names) == ["S-A.pdf", "S-B.pdf"]


def test_the_upload_still_needs_the_csrf_token(cycle, people):
    a = assessment_of(cycle, "S-A")
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["officer"])
    response = client.post(reverse("assessments:item_upload", args=[a.pk, item_of(a, "F1.1").pk]), {"file": _file("a.pdf", PDF)})
    assert response.status_code == 403 and not Evidence.objects.exists()


# --- issue 19: confirmations, the buttons from actions_allowed, uploads, the cycle page, documents ---

def test_irreversible_steps_need_the_ticked_box_without_javascript(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    client.force_login(people["officer"])
    html = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert 'name="confirm" value="1" required' in html and "Rút lại để sửa" not in html
    response = client.post(reverse("assessments:transition", args=[a.pk, "submit"]), follow=True)
    assert "Đánh dấu ô xác nhận" in response.content.decode()
    assert Assessment.objects.get(pk=a.pk).status == Status.DRAFT
    client.post(reverse("assessments:transition", args=[a.pk, "submit"]), {"confirm": "1"})
    assert Assessment.objects.get(pk=a.pk).status == Status.SUBMITTED
    html = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "Rút lại để sửa" in html and 'id="submit"' not in html  # the buttons follow actions_allowed
    client.post(reverse("assessments:transition", args=[a.pk, "withdraw"]))
    assert Assessment.objects.get(pk=a.pk).status == Status.DRAFT


def test_the_size_limit_is_a_plain_number_and_a_413_page_without_connection_close(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    item = item_of(a, "F1.1")
    client.force_login(people["officer"])
    html = client.get(reverse("assessments:item", args=[a.pk, item.pk])).content.decode()
    assert 'data-max-bytes="20971520"' in html
    response = client.post(reverse("assessments:item_upload", args=[a.pk, item.pk]), {"file": io.BytesIO(PDF)},
                           CONTENT_LENGTH=str(30 * 1024 * 1024))
    assert response.status_code == 413 and "Connection" not in response.headers
    assert "30,0\xa0MB" in response.content.decode() and "20,0\xa0MB" in response.content.decode()


def test_the_cycle_page_lists_who_is_left_out_and_the_secretariat_adds_a_unit(client, cycle, people, make_unit):
    lone = make_unit("S-LONE", name_vi="Ban Một Mình", valid_to=datetime.date(2023, 6, 30))
    client.force_login(people["secretariat"])
    html = client.get(reverse("assessments:cycle", args=[cycle.pk])).content.decode()
    assert 'id="left-out"' in html and "Ban Một Mình" in html and "30/06/2023" in html and 'id="delete-cycle"' in html
    response = client.post(reverse("assessments:cycle_unit_add", args=[cycle.pk]), {"unit": lone.pk, "reason": ""}, follow=True)
    assert "Chọn đơn vị và nêu lý do" in response.content.decode()
    client.post(reverse("assessments:cycle_unit_add", args=[cycle.pk]), {"unit": lone.pk, "reason": "Theo chỉ đạo của UBND tỉnh"})
    assert cycle.assessments.filter(unit=lone).exists()
    client.force_login(people["expert"])
    assert client.post(reverse("assessments:cycle_unit_add", args=[cycle.pk]), {"unit": lone.pk, "reason": "x"}).status_code == 403
    assert client.post(reverse("assessments:cycle_delete", args=[cycle.pk]), {"reason": "x", "confirm": "1"}).status_code == 403


def test_accepting_claims_in_bulk_from_the_page(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    client.force_login(people["officer"])
    assert client.post(reverse("assessments:accept", args=[a.pk]), {"under": "", "confirm": "1"}).status_code == 403
    client.force_login(people["expert"])
    client.post(reverse("assessments:accept", args=[a.pk]), {"under": ""})  # not confirmed: nothing
    assert not history(a).filter(event=s.Event.CLAIM_ACCEPTED).exists()
    response = client.post(reverse("assessments:accept", args=[a.pk]), {"under": "", "confirm": "1"}, follow=True)
    assert "Đã chấp nhận 3" in response.content.decode()
    assert history(a).filter(event=s.Event.CLAIM_ACCEPTED).count() == 3


def test_documents_download_as_docx_for_those_who_may_see_them(client, cycle, people):
    a, b = assessment_of(cycle, "S-A"), assessment_of(cycle, "S-B")
    client.force_login(people["officer"])
    response = client.get(reverse("assessments:document", args=[a.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("assessments:document", args=[b.pk])).status_code == 403
    assert client.get(reverse("assessments:cycle_document", args=[cycle.pk, "to-trinh"])).status_code == 403
    client.force_login(people["secretariat"])
    for kind in ("to-trinh", "bao-cao"):
        assert client.get(reverse("assessments:cycle_document", args=[cycle.pk, kind])).status_code == 200
    assert client.get(reverse("assessments:cycle_document", args=[cycle.pk, "other"])).status_code == 404


def test_removing_evidence_needs_the_confirmation(client, cycle, people):
    a = assessment_of(cycle, "S-A")
    item = item_of(a, "F1.1")
    evidence = s.evidence_document_add(item=item, by=people["officer"], number="1/KH", date=datetime.date(2023, 1, 1))
    client.force_login(people["officer"])
    html = client.get(reverse("assessments:item", args=[a.pk, item.pk])).content.decode()
    assert reverse("assessments:evidence_remove", args=[a.pk, evidence.pk]) in html
    url = reverse("assessments:evidence_remove", args=[a.pk, evidence.pk])
    client.post(url, {"reason": "nhầm"})
    assert Evidence.objects.get(pk=evidence.pk).removed_at is None
    client.post(url, {"reason": "nhầm", "confirm": "1"})
    assert Evidence.objects.get(pk=evidence.pk).removed_at is not None
