"""A large unit list is imported by a background job: progress, then counts or every problem; a
failed job writes nothing (chiso.jobs.imports)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.jobs.models import Job
from chiso.units import importing
from chiso.units.models import Unit

pytestmark = pytest.mark.usefixtures("blocks")

HEADER = "code,name_vi,block,parent_code\n"


def big_list(count: int, *, bad_rows: tuple = ()) -> bytes:
    lines = [HEADER, "H-THU,Huyện thử,district,\n"]
    for n in range(count):
        block = "khong-co" if n in bad_rows else "commune"
        lines.append(f"X-{n:05d},Xã thử số {n} có tên khá dài để tệp lớn hơn,{block},H-THU\n")
    return "".join(lines).encode()


@pytest.fixture
def secretariat(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    return client


def post(client, content: bytes, capture):
    with capture(execute=True):
        return client.post(reverse("units:import"), {"files": [SimpleUploadedFile("don_vi.csv", content, "text/csv")]})


def test_a_large_list_becomes_a_job_that_completes(secretariat, django_capture_on_commit_callbacks, tmp_path):
    content = big_list(3500)
    assert len(content) > 256 * 1024  # above the default threshold, nothing lowered
    response = post(secretariat, content, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="units_import")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.done == job.total == 3
    assert Unit.objects.filter(code__startswith="X-").count() == 3500
    page = secretariat.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "3501" in page and reverse("units:list") in page  # the counts, and the way to the list
    assert not any((tmp_path / "import_jobs").iterdir())  # the stored upload is gone


def test_a_small_list_is_still_imported_in_the_request(secretariat, django_capture_on_commit_callbacks):
    response = post(secretariat, big_list(3), django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("units:list") and not Job.objects.exists()
    assert Unit.objects.count() == 4


def test_a_bad_large_list_fails_with_its_problems_and_writes_nothing(secretariat, django_capture_on_commit_callbacks):
    response = post(secretariat, big_list(3500, bad_rows=(2500, 2600)), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="units_import")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.FAILED
    problem = job.result["problems"][0]
    assert "don_vi.csv" in problem and "2503" in problem and "block" in problem and "khong-co" in problem
    assert "Tệp" in problem  # in Vietnamese
    assert not Unit.objects.exists()
    page = secretariat.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "khong-co" in page and "job-problems" in page


def test_a_job_that_fails_while_writing_leaves_nothing_half_written(secretariat, django_capture_on_commit_callbacks, monkeypatch):
    def broken(records):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "audit_record_many", broken)  # after the units are written, before the end
    post(secretariat, big_list(3500), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="units_import")
    assert job.status == Job.Status.FAILED and "disk full" not in job.message
    assert not Unit.objects.exists() and not AuditRecord.objects.filter(object_type__startswith="units.").exists()

