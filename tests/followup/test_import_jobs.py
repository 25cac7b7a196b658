"""A large table of tasks is imported by a background job: progress, then the count or every
problem; a failed job assigns nothing (chiso.jobs.imports). The header is strict (issue 18)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from chiso.core.tabular import ImportFailed
from chiso.followup import importing
from chiso.followup.importing import tasks_import
from chiso.followup.models import Task
from chiso.jobs.models import Job
from chiso.notices.models import Notice

from .conftest import workbook


def big_table(count: int, *, bad: tuple = ()) -> bytes:
    rows = [(n, f"Nhiệm vụ số {n}: rà soát, đơn giản hóa thủ tục hành chính và báo cáo kết quả thực hiện", "Sở Nội vụ" if n not in bad else "Sở Không Có",
             "Sở Tài chính; Sở Xây dựng", "31/12/2023") for n in range(1, count + 1)]
    return workbook(rows)


@pytest.fixture
def client_in(client, secretariat, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CHISO_IMPORT_BACKGROUND_BYTES = 50_000
    client.force_login(secretariat)
    return client


def upload(client, notice, content, capture):
    with capture(execute=True):
        return client.post(reverse("followup:task_import", args=[notice.pk]), {"file": SimpleUploadedFile("nhiem-vu.xlsx", content)})


def test_a_large_table_becomes_a_job_that_completes(client_in, notice, units, django_capture_on_commit_callbacks, tmp_path):
    response = upload(client_in, notice, big_table(400), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="followup_tasks_import")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.done == job.total == 3
    assert Task.objects.filter(directive=notice).count() == 400
    page = client_in.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "400" in page and reverse("followup:directive", args=[notice.pk]) in page
    assert not any((tmp_path / "import_jobs").iterdir())


def test_a_bad_large_table_fails_with_its_problems_and_assigns_nothing(client_in, notice, units, django_capture_on_commit_callbacks):
    upload(client_in, notice, big_table(400, bad=(10, 350)), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="followup_tasks_import")
    assert job.status == Job.Status.FAILED
    problems = job.result["problems"]
    assert len(problems) == 2 and "nhiem-vu.xlsx" in problems[1] and "dòng 351" in problems[1] and "Sở Không Có" in problems[1]
    assert not Task.objects.exists() and not Notice.objects.filter(kind="task.assigned").exists()


def test_a_table_that_fails_while_writing_leaves_nothing_half_written(client_in, notice, units, django_capture_on_commit_callbacks, monkeypatch):
    real = importing.task_create
    calls = []

    def breaks_at_the_300th(**kwargs):
        calls.append(1)
        if len(calls) == 300:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(importing, "task_create", breaks_at_the_300th)
    upload(client_in, notice, big_table(400), django_capture_on_commit_callbacks)
    assert Job.objects.get(kind="followup_tasks_import").status == Job.Status.FAILED and len(calls) == 300
    assert not Task.objects.exists() and not Notice.objects.filter(kind="task.assigned").exists()


def test_the_header_is_strict_in_english_and_vietnamese(notice, units):
    with translation.override("vi"):
        with pytest.raises(ImportFailed) as failure:
            tasks_import(directive=notice, file_name="t.xlsx", content=workbook(
                [(1, "x", "Sở Nội vụ", "31/12/2023", "?")], header=("STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Ghi chú")), by=None)
        message = str(failure.value.problems[0])
        assert len(failure.value.problems) == 1 and "dòng 1" in message and "“Ghi chú”" in message
        assert "lead_unit (Đơn vị chủ trì" in message and "deadline (Thời hạn" in message and "Cooperating" in message
        with pytest.raises(ImportFailed) as failure:
            tasks_import(directive=notice, file_name="t.xlsx", content=workbook([(1, "x")], header=("STT", "Nội dung")), by=None)
        message = str(failure.value.problems[0])
        assert len(failure.value.problems) == 1 and "lead_unit" in message and "deadline" in message  # every missing one, once
    english = workbook([(1, "Task", "S-XD", "", "31/12/2023")], header=("No.", "Task", "Lead unit", "Cooperating units", "Deadline"))
    assert tasks_import(directive=notice, file_name="t.xlsx", content=english, by=None) == 1
    assert not Task.objects.exclude(text="Task").exists()
