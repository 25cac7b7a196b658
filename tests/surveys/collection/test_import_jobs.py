"""Large sample frames, exports of responses and questionnaires are imported by a background job:
progress, then counts or every problem; a failed job writes nothing (chiso.jobs.imports). And the
frame's header is strict (issue 18): an unknown column lists the accepted headers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.core.tabular import ImportFailed
from chiso.jobs.models import Job
from chiso.surveys.fieldwork.frames import frame_import
from chiso.surveys.models import FrameEntry, HeldResponse, QuestionnaireVersion, Response, SampleFrame

from tests.surveys.conftest import EXAMPLES, frame_csv, tax_code, xlsform_bytes
from .test_importing import kobo_export, rating


@pytest.fixture
def secretariat(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    return client


def big_frame(count: int, *, bad: tuple = ()) -> bytes:
    rows = [[tax_code(n) if n not in bad else "12345", f"Công ty Thử Nghiệm Số {n:05d} có tên đầy đủ", "Công ty TNHH", "4711", "nhỏ",
             "Xã Hòa An", f"Số {n}, đường Hoàng Đình Giong", f"dn{n}@example.vn", "0912345678"] for n in range(1, count + 1)]
    return frame_csv(rows)


def upload_frame(client, content, capture):
    with capture(execute=True):
        return client.post(reverse("surveys:frame_upload"), {
            "name": "Khung lớn", "kind": "business", "duplicates": "merge",
            "file": SimpleUploadedFile("khung.csv", content, "text/csv")})


def test_a_large_frame_becomes_a_job_that_completes(secretariat, django_capture_on_commit_callbacks, tmp_path):
    content = big_frame(2000)
    assert len(content) > 256 * 1024  # above the default threshold
    response = upload_frame(secretariat, content, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="surveys_frame_import")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.done == job.total == 3
    assert SampleFrame.objects.get().entry_count == 2000 and FrameEntry.objects.count() == 2000
    page = secretariat.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "2000" in page and reverse("surveys:frames") in page
    assert not any((tmp_path / "import_jobs").iterdir())


def test_a_bad_large_frame_fails_with_its_problems_and_stores_nothing(secretariat, django_capture_on_commit_callbacks):
    upload_frame(secretariat, big_frame(2000, bad=(7, 1500)), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="surveys_frame_import")
    assert job.status == Job.Status.FAILED
    problems = job.result["problems"]
    assert len(problems) == 2 and "khung.csv" in problems[1] and "dòng 1501" in problems[1] and "12345" in problems[1]
    assert not SampleFrame.objects.exists() and not FrameEntry.objects.exists()


def test_a_frame_that_fails_while_storing_leaves_nothing_half_written(secretariat, django_capture_on_commit_callbacks, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(FrameEntry.objects, "bulk_create", broken)  # the frame row is written first
    upload_frame(secretariat, big_frame(2000), django_capture_on_commit_callbacks)
    assert Job.objects.get(kind="surveys_frame_import").status == Job.Status.FAILED
    assert not SampleFrame.objects.exists()


@pytest.mark.django_db
def test_the_frame_header_is_strict_in_english_and_vietnamese():
    content = "Mã số thuế,Tên doanh nghiệp,Ghi chú,Phone\n0100109106,Viettel,x,0912345678\n".encode()
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Khung", file_name="khung.csv", content=content, by=None)
    message = str(failure.value.problems[0])
    assert "dòng 1" in message and "“Ghi chú”" in message
    assert "tax_code (Mã số thuế" in message and "phone (Điện thoại" in message  # the accepted headers, both languages
    assert not SampleFrame.objects.exists()
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Khung", file_name="khung.csv", content="Địa chỉ\nSố 1\n".encode(), by=None)
    message = str(failure.value.problems[0])
    assert len(failure.value.problems) == 1 and "tax_code" in message and "name" in message  # every missing one, once
    english = "STT,Tax code,Name,Sector,Size,Commune,Address,E-mail,Phone\n1,0100109106,Viettel,6110,large,Xã A,Số 1,a@b.vn,0912345678\n"
    assert frame_import(name="Khung", file_name="khung.csv", content=english.encode(), by=None).entries == 1


def many_rows(count: int, bad: tuple = ()):
    rows = [{"loai_hinh": "tnhh" if n not in bad else "khong_co", "units": "S-TC", "gop_y": "Ý kiến " * 20} for n in range(count)]
    ratings = [(n + 1, rating("S-TC")) for n in range(count)]
    return rows, ratings


def upload_responses(client, survey, content, capture):
    with capture(execute=True):
        return client.post(reverse("surveys:import", args=[survey.code]),
                           {"files": [SimpleUploadedFile("kobo.xlsx", content)]})


def test_a_large_export_of_responses_becomes_a_job_that_completes(secretariat, ddci_survey, django_capture_on_commit_callbacks, settings):
    settings.CHISO_IMPORT_BACKGROUND_BYTES = 20_000
    content = kobo_export(*many_rows(12))
    response = upload_responses(secretariat, ddci_survey, content, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="surveys_responses_import")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    assert Response.objects.count() + HeldResponse.objects.count() == 12
    page = secretariat.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "12" in page and reverse("surveys:detail", args=[ddci_survey.code]) in page


def test_a_bad_large_export_fails_with_its_problems_and_holds_nothing(secretariat, ddci_survey, django_capture_on_commit_callbacks, settings):
    settings.CHISO_IMPORT_BACKGROUND_BYTES = 20_000
    upload_responses(secretariat, ddci_survey, kobo_export(*many_rows(12, bad=(3, 9))), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="surveys_responses_import")
    assert job.status == Job.Status.FAILED
    problems = job.result["problems"]
    assert len(problems) == 2 and all("kobo.xlsx" in p and "doanh_nghiep/loai_hinh" in p for p in problems)
    assert "dòng 5" in problems[0] and "dòng 11" in problems[1]
    assert not Response.objects.exists() and not HeldResponse.objects.exists()


def test_a_large_questionnaire_becomes_a_job(secretariat, blocks, django_capture_on_commit_callbacks, settings):
    settings.CHISO_IMPORT_BACKGROUND_BYTES = 1_000
    content = (EXAMPLES / "ddci_departments.xlsx").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(reverse("surveys:questionnaire_upload"), {"file": SimpleUploadedFile("ddci.xlsx", content)})
    job = Job.objects.get(kind="surveys_questionnaire_import")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    version = QuestionnaireVersion.objects.get()
    assert job.status == Job.Status.DONE and job.result["url"] == reverse("surveys:questionnaire", args=[version.pk])


def test_a_bad_large_questionnaire_fails_with_its_problem(secretariat, blocks, django_capture_on_commit_callbacks, settings):
    settings.CHISO_IMPORT_BACKGROUND_BYTES = 10
    content = xlsform_bytes([("integer", "a", "A"), ("select_one khong_co", "b", "B")])
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.post(reverse("surveys:questionnaire_upload"), {"file": SimpleUploadedFile("hong.xlsx", content)})
    job = Job.objects.get(kind="surveys_questionnaire_import")
    assert job.status == Job.Status.FAILED and "Tệp hong.xlsx" in job.message and "choices" in job.message
    assert not QuestionnaireVersion.objects.exists()
