"""A large framework file is imported by a background job: progress, then the version or every
problem; a failed job stores nothing (chiso.jobs.imports)."""

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.frameworks.models import Framework, FrameworkVersion, Node
from chiso.jobs.models import Job

from .test_services import PAR, yaml_bytes


def big_framework(count: int, *, broken: bool = False) -> bytes:
    """PAR with `count` indicators under F2, each with long guidance (a points framework)."""
    doc = copy.deepcopy(PAR)
    doc["iMeta"] = [row for row in doc["iMeta"] if row["iCode"] != "c"]
    for n in range(count):
        doc["iMeta"].append({"iCode": f"c{n}", "Level": 1, "Parent": "F2" if not (broken and n == count - 1) else "KHONG_CO",
                             "Type": "Indicator", "max_points": 4 / count, "name_vi": f"Tiêu chí thành phần {n}",
                             "guidance": "Ban hành đúng hạn, đủ nội dung theo hướng dẫn của Bộ Nội vụ. " * 5})
    return yaml_bytes(doc)


@pytest.fixture
def secretariat(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    return client


def upload(client, content, capture):
    with capture(execute=True):
        return client.post(reverse("frameworks:import"), {"file": SimpleUploadedFile("par.yaml", content), "code": ""})


def test_a_large_framework_becomes_a_job_that_completes(secretariat, django_capture_on_commit_callbacks, tmp_path):
    content = big_framework(1000)
    assert len(content) > 256 * 1024  # above the default threshold
    response = upload(secretariat, content, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="frameworks_import")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    version = FrameworkVersion.objects.get()
    assert version.nodes.count() == 1005
    assert job.result["url"] == reverse("frameworks:detail", kwargs={"framework_code": "PAR-TEST", "number": 1})
    assert not any((tmp_path / "import_jobs").iterdir())


def test_a_bad_large_framework_fails_with_its_problem_and_stores_nothing(secretariat, django_capture_on_commit_callbacks):
    upload(secretariat, big_framework(1000, broken=True), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="frameworks_import")
    assert job.status == Job.Status.FAILED
    assert "par.yaml" in job.message and "KHONG_CO" in job.message and "Tệp" in job.message
    assert not Framework.objects.exists() and not Node.objects.exists()


def test_a_framework_that_fails_while_storing_leaves_nothing_half_written(secretariat, django_capture_on_commit_callbacks, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Node.objects, "bulk_create", broken)  # the framework and its version are written first
    upload(secretariat, big_framework(1000), django_capture_on_commit_callbacks)
    assert Job.objects.get(kind="frameworks_import").status == Job.Status.FAILED
    assert not Framework.objects.exists() and not FrameworkVersion.objects.exists()
